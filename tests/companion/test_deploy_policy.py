"""`postguard deploy policy`: the files IT pushes to laptops, parsed the way each OS parses them, and
bad input that is refused with one clear line while nothing is written."""

from __future__ import annotations

import json
import plistlib
import re

import pytest

from companion.cli import main
from companion.deploy.policy import load_managed_schema

EXT_ID = "mmmgmbfbcjjgdkhlmeijlpejcoankgnb"
UPDATE_URL = "https://intranet.lumenhardware.com/postguard/updates.xml"
LINUX_TARGETS = ["etc/opt/chrome/policies/managed", "etc/opt/edge/policies/managed", "etc/chromium/policies/managed"]
FULL = ["--companion-url", "http://127.0.0.1:7717", "--enforcement", "block", "--fail-mode", "closed",
        "--no-allow-override", "--require-justification", "--site", "linkedin", "--site", "facebook",
        "--support-url", "https://help.lumenhardware.com/postguard"]
EXPECTED_MANAGED = {"companionUrl": "http://127.0.0.1:7717", "enforcement": "block", "failMode": "closed",
                    "allowOverride": False, "requireJustification": True, "sites": ["linkedin", "facebook"],
                    "supportUrl": "https://help.lumenhardware.com/postguard"}


def generate(runner, out, *extra, ext_id=EXT_ID, update_url=UPDATE_URL):
    return runner.invoke(main, ["deploy", "policy", "--extension-id", ext_id, "--update-url", update_url,
                                "--out", str(out), *extra])


def parse_reg(data: bytes) -> dict[str, dict[str, str]]:
    """A .reg file as regedit reads it: UTF-16 with BOM, [key] sections of "name"=value lines."""
    assert data[:2] == b"\xff\xfe", "regedit expects UTF-16 LE with a byte-order mark"
    text = data[2:].decode("utf-16-le")
    lines = text.split("\r\n")
    assert lines[0] == "Windows Registry Editor Version 5.00"
    keys: dict[str, dict[str, str]] = {}
    current = None
    for line in lines[1:]:
        if line.startswith("["):
            current = keys.setdefault(line.strip("[]"), {})
        elif line and not line.startswith(";"):
            name, value = re.fullmatch(r'"((?:[^"\\]|\\.)*)"=(.*)', line).groups()
            keys[list(keys)[-1]][name] = value
    assert current is not None
    return keys


def reg_string(value: str) -> str:
    assert value.startswith('"') and value.endswith('"')
    return re.sub(r"\\(.)", r"\1", value[1:-1])


def test_linux_json_force_installs_pins_and_locks_the_settings(runner, tmp_path):
    result = generate(runner, tmp_path, *FULL)
    assert result.exit_code == 0, result.output
    documents = [json.loads((tmp_path / "linux" / d / "postguard.json").read_text()) for d in LINUX_TARGETS]
    assert documents[0] == documents[1] == documents[2]
    policy = documents[0]
    assert policy["ExtensionInstallForcelist"] == [f"{EXT_ID};{UPDATE_URL}"]
    assert policy["ExtensionSettings"][EXT_ID] == {"installation_mode": "force_installed", "update_url": UPDATE_URL,
                                                   "toolbar_pin": "force_pinned"}
    assert policy["3rdparty"]["extensions"][EXT_ID] == EXPECTED_MANAGED


def test_windows_reg_file_writes_both_browsers_keys_with_typed_values(runner, tmp_path):
    assert generate(runner, tmp_path, *FULL).exit_code == 0
    keys = parse_reg((tmp_path / "windows" / "postguard-policy.reg").read_bytes())
    for root in (r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome", r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge"):
        assert reg_string(keys[rf"{root}\ExtensionInstallForcelist"]["1"]) == f"{EXT_ID};{UPDATE_URL}"
        settings = json.loads(reg_string(keys[root]["ExtensionSettings"]))
        assert settings[EXT_ID]["installation_mode"] == "force_installed"
        managed = keys[rf"{root}\3rdparty\extensions\{EXT_ID}\policy"]
        assert reg_string(managed["enforcement"]) == "block"
        assert managed["allowOverride"] == "dword:00000000" and managed["requireJustification"] == "dword:00000001"
        sites = keys[rf"{root}\3rdparty\extensions\{EXT_ID}\policy\sites"]
        assert [reg_string(sites["1"]), reg_string(sites["2"])] == ["linkedin", "facebook"]


def test_macos_profile_is_a_valid_plist_with_browser_and_extension_payloads(runner, tmp_path):
    assert generate(runner, tmp_path, *FULL).exit_code == 0
    profile = plistlib.loads((tmp_path / "macos" / "postguard.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadScope"] == "System"
    payloads = {p["PayloadType"]: p for p in profile["PayloadContent"]}
    assert set(payloads) == {"com.google.Chrome", "com.microsoft.Edge", f"com.google.Chrome.extensions.{EXT_ID}",
                             f"com.microsoft.Edge.extensions.{EXT_ID}"}
    for browser in ("com.google.Chrome", "com.microsoft.Edge"):
        assert payloads[browser]["ExtensionInstallForcelist"] == [f"{EXT_ID};{UPDATE_URL}"]
        assert payloads[browser]["ExtensionSettings"][EXT_ID]["toolbar_pin"] == "force_pinned"
        managed = {k: v for k, v in payloads[f"{browser}.extensions.{EXT_ID}"].items() if not k.startswith("Payload")}
        assert managed == EXPECTED_MANAGED
    uuids = [p["PayloadUUID"] for p in profile["PayloadContent"]] + [profile["PayloadUUID"]]
    assert len(set(uuids)) == len(uuids)


def test_regenerating_gives_the_same_profile_so_mdm_replaces_rather_than_duplicates(runner, tmp_path):
    generate(runner, tmp_path / "a", *FULL)
    generate(runner, tmp_path / "b", *FULL)
    assert (tmp_path / "a/macos/postguard.mobileconfig").read_bytes() == (tmp_path / "b/macos/postguard.mobileconfig").read_bytes()


def test_firefox_policies_force_install_the_xpi_and_carry_the_settings(runner, tmp_path):
    assert generate(runner, tmp_path, *FULL).exit_code == 0
    policies = json.loads((tmp_path / "firefox" / "policies.json").read_text())["policies"]
    addon = policies["ExtensionSettings"]["postguard@lumenhardware.com"]
    assert addon["installation_mode"] == "force_installed"
    assert addon["install_url"] == "https://intranet.lumenhardware.com/postguard/postguard.xpi"
    assert addon["private_browsing"] is True, "private windows are guarded too, and the user cannot turn that off"
    assert policies["3rdparty"]["Extensions"]["postguard@lumenhardware.com"] == EXPECTED_MANAGED


def test_support_text_is_locked_as_written(runner, tmp_path):
    result = generate(runner, tmp_path, "--support-text", "Help desk: ext. 4411 or #it-help")
    assert result.exit_code == 0, result.output
    policy = json.loads((tmp_path / "linux" / LINUX_TARGETS[0] / "postguard.json").read_text())
    assert "Help desk: ext. 4411 or #it-help" in json.dumps(policy, ensure_ascii=False)


def test_only_the_settings_given_are_locked(runner, tmp_path):
    assert generate(runner, tmp_path, "--enforcement", "warn").exit_code == 0
    policy = json.loads((tmp_path / "linux" / LINUX_TARGETS[2] / "postguard.json").read_text())
    assert policy["3rdparty"]["extensions"][EXT_ID] == {"enforcement": "warn"}


def test_every_managed_schema_setting_can_be_set_from_the_command_line(runner):
    """Fails when the extension's managed schema gains a setting the generator cannot write."""
    help_text = runner.invoke(main, ["deploy", "policy", "--help"]).output
    options = {"companionUrl": "--companion-url", "enforcement": "--enforcement", "failMode": "--fail-mode",
               "allowOverride": "--allow-override", "requireJustification": "--require-justification",
               "sites": "--site", "supportUrl": "--support-url", "supportText": "--support-text",
               "askForApproval": "--ask-for-approval", "reactionPolicy": "--reaction"}
    assert set(load_managed_schema()["properties"]) == set(options)
    for option in options.values():
        assert option in help_text


def test_reaction_policy_cells_are_written_nested_and_checked(runner, tmp_path):
    result = generate(runner, tmp_path, "--reaction", "react.client=warn", "--reaction", "share.competitor=block")
    assert result.exit_code == 0, result.output
    expected = {"react": {"client": "warn"}, "share": {"competitor": "block"}}
    firefox = json.loads((tmp_path / "firefox" / "policies.json").read_text())["policies"]
    assert firefox["3rdparty"]["Extensions"]["postguard@lumenhardware.com"]["reactionPolicy"] == expected
    linux = json.loads((tmp_path / "linux/etc/chromium/policies/managed/postguard.json").read_text())
    assert linux["3rdparty"]["extensions"][EXT_ID]["reactionPolicy"] == expected
    reg = parse_reg((tmp_path / "windows" / "postguard-policy.reg").read_bytes())
    cells = [values for key, values in reg.items() if key.endswith(f"{EXT_ID}\\policy\\reactionPolicy\\react")]
    assert cells and cells[0] == {"client": '"warn"'}, "a nested object is a registry subkey with its values"
    bad = generate(runner, tmp_path / "bad", "--reaction", "react.cousin=warn")
    assert bad.exit_code != 0 and "reactionPolicy.react.cousin" in bad.output


BAD_INPUT = [
    ({"ext_id": "abc"}, (), "not a Chromium extension ID"),
    ({"ext_id": "MMMGMBFBCJJGDKHLMEIJLPEJCOANKGNB"}, (), "32 letters from a to p"),
    ({"ext_id": "mmmgmbfbcjjgdkhlmeijlpejcoankgnz"}, (), "32 letters from a to p"),
    ({"ext_id": EXT_ID + "a"}, (), "32 letters from a to p"),
    ({"update_url": "intranet/updates.xml"}, (), "must start with https:// or http://"),
    ({"update_url": "ftp://intranet/updates.xml"}, (), "must start with https:// or http://"),
    ({"update_url": "https:///updates.xml"}, (), "has no host name"),
    ({"update_url": "https://intra net/updates.xml"}, (), "contains spaces"),
    ({"update_url": "https://intranet:port/updates.xml"}, (), "does not parse"),
    ({}, ("--enforcement", "strict"), "enforcement: 'strict' is not one of monitor, warn, block"),
    ({}, ("--fail-mode", "maybe"), "failMode: 'maybe' is not one of open, closed"),
    ({}, ("--site", "twitter"), "sites[]: 'twitter' is not one of linkedin, facebook, instagram"),
    ({}, ("--companion-url", "http://companion.lumenhardware.com:7717"), "must be 127.0.0.1 or localhost"),
    ({}, ("--support-url", "javascript:alert(1)"), "--support-url"),
    ({}, ("--support-text", "x" * 201), "supportText: at most 200 characters, got 201"),
]


@pytest.mark.parametrize("kwargs, extra, message", BAD_INPUT)
def test_bad_input_is_one_clear_line_and_writes_nothing(runner, tmp_path, kwargs, extra, message):
    out = tmp_path / "out"
    result = generate(runner, out, *extra, **kwargs)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not out.exists()


def test_bad_input_leaves_an_earlier_good_policy_untouched(runner, tmp_path):
    assert generate(runner, tmp_path, "--enforcement", "block").exit_code == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert generate(runner, tmp_path, "--enforcement", "blok").exit_code == 2
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
