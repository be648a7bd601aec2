"""Firefox's add-on origin: `moz-extension://<uuid>`, a uuid Firefox draws per profile. An allowed origin
that names the add-on ID (`moz-extension://postguard@lumenhardware.com`) lets the companion accept the
uuid Firefox wrote into this user's prefs.js, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from companion.api.firefox_origins import FirefoxAddonOrigins, addon_ids, profile_roots, scan_origins, uuids_in_prefs
from companion.app import create_app
from companion.config import Settings

ADDON = "postguard@lumenhardware.com"
OURS = "5b0e2f6c-7d3a-4c1e-9f20-3a8d6e4b1c57"
OTHER = "0bac47b9-9240-471f-a1a7-36d5fdd6347c"
BY_ID = f"moz-extension://{ADDON}"


def prefs_js(mapping: dict) -> str:
    """prefs.js as Firefox writes it: the map is a JSON text inside a JS string literal."""
    return ('// Mozilla User Preferences\n'
            'user_pref("browser.startup.homepage_override.mstone", "153.8.0");\n'
            f'user_pref("extensions.webextensions.uuids", {json.dumps(json.dumps(mapping))});\n')


def make_profile(root: Path, name: str, mapping: dict) -> Path:
    profile = root / name
    profile.mkdir(parents=True)
    (profile / "prefs.js").write_text(prefs_js(mapping))
    return profile


def test_the_default_and_the_service_allow_the_firefox_add_on_by_its_id(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from companion.cli import main
    from companion.config import FIREFOX_ADDON_ID
    from companion.deploy.policy import FIREFOX_ADDON_ID as POLICY_ADDON_ID

    assert FIREFOX_ADDON_ID == POLICY_ADDON_ID == ADDON, "the add-on the policy installs is the one allowed"
    assert BY_ID in Settings().allowed_origins
    monkeypatch.setenv("HOME", str(tmp_path))  # a dry run writes nothing, but stays out of the real home
    shown = CliRunner().invoke(main, ["service", "install", "--dry-run", "--extension-id",
                                      "mmmgmbfbcjjgdkhlmeijlpejcoankgnb"])
    assert f"POSTGUARD_ALLOWED_ORIGINS=chrome-extension://mmmgmbfbcjjgdkhlmeijlpejcoankgnb,{BY_ID}" in shown.output


def test_the_uuid_map_is_read_from_prefs_js():
    assert uuids_in_prefs(prefs_js({ADDON: OURS, "newtab@mozilla.org": OTHER})) == {ADDON: OURS, "newtab@mozilla.org": OTHER}
    assert uuids_in_prefs('user_pref("extensions.webextensions.uuids", "{not json");\n') == {}
    assert uuids_in_prefs("") == {}


def test_only_origins_naming_an_add_on_id_are_learned():
    assert addon_ids([f"chrome-extension://{'a' * 32}", f"moz-extension://{OURS}", BY_ID]) == [ADDON]


def test_profiles_beside_profiles_ini_in_profiles_folder_and_elsewhere_are_found(tmp_path):
    home = tmp_path / "home"
    linux_root = home / ".mozilla" / "firefox"
    make_profile(linux_root, "abcd.default-esr", {ADDON: OURS})
    macos_root = home / "Library" / "Application Support" / "Firefox"
    second = "11111111-2222-4333-8444-555555555555"
    make_profile(macos_root / "Profiles", "x.default-release", {ADDON: second})
    elsewhere = make_profile(tmp_path / "disk", "work", {ADDON: "22222222-3333-4444-8555-666666666666"})
    (linux_root / "profiles.ini").write_text(f"[Profile1]\nName=work\nIsRelative=0\nPath={elsewhere}\n")
    assert scan_origins([ADDON], profile_roots(home)) == {
        f"moz-extension://{OURS}", f"moz-extension://{second}", "moz-extension://22222222-3333-4444-8555-666666666666"}


def test_another_add_ons_uuid_is_not_allowed(tmp_path):
    make_profile(tmp_path, "p", {ADDON: OURS, "newtab@mozilla.org": OTHER})
    origins = FirefoxAddonOrigins([ADDON], [tmp_path])
    assert origins.allows(f"moz-extension://{OURS}")
    assert not origins.allows(f"moz-extension://{OTHER}")
    assert not origins.allows(BY_ID), "the add-on ID itself is never an Origin a browser sends"


def test_a_just_installed_add_on_is_recognised_but_re_reads_are_rate_limited(tmp_path):
    now = [100.0]
    origins = FirefoxAddonOrigins([ADDON], [tmp_path], rescan_s=2.0, clock=lambda: now[0])
    assert not origins.allows(f"moz-extension://{OURS}")  # not installed yet: first read finds nothing
    make_profile(tmp_path, "p", {ADDON: OURS})  # Firefox installs the add-on and writes prefs.js
    now[0] += 0.5
    assert not origins.allows(f"moz-extension://{OURS}"), "read again only after rescan_s"
    now[0] += 2.0
    assert origins.allows(f"moz-extension://{OURS}")


def test_the_companion_answers_the_learned_origin_and_refuses_an_unknown_uuid(data_dir, api_engine, tmp_path,
                                                                            monkeypatch):
    home = tmp_path / "home"
    make_profile(home / ".mozilla" / "firefox", "abcd.default-esr", {ADDON: OURS, "newtab@mozilla.org": OTHER})
    monkeypatch.setenv("HOME", str(home))
    app = create_app(Settings(data_dir=data_dir, allowed_origins=[BY_ID]), engine=api_engine)
    try:
        client = app.test_client()
        ours = f"moz-extension://{OURS}"
        preflight = client.options("/v1/check", headers={"Origin": ours, "Access-Control-Request-Method": "POST",
                                                         "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == ours
        answer = client.post("/v1/check", json={"text": "hello"}, headers={"Origin": ours})
        assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == ours
        refused = client.post("/v1/check", json={"text": "hello"}, headers={"Origin": f"moz-extension://{OTHER}"})
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "bad_origin"
        # A preflight that is not 2xx fails the request in the browser, whatever headers come with it.
        other_preflight = client.options("/v1/check", headers={"Origin": f"moz-extension://{OTHER}",
                                                               "Access-Control-Request-Method": "POST"})
        assert other_preflight.status_code == 403
    finally:
        app.extensions["postguard"].audit.close()
