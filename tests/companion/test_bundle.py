"""Signed rule bundles through the CLI: built from real org and pack files, verified with Ed25519,
installed atomically; every kind of tampering, a wrong key and invalid contents are refused with one
line that says what is wrong, and the rules in force stay exactly as they were."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bundle_tools import rewrite

from companion.cli import main
from companion.config import Settings
from companion.deploy.bundle import build_bundle, bundle_files, load_private_key
from companion.deploy.installed import current_bundle, pointer_path, resolve_rule_dirs

NEW_CLIENT = "Okonkwo Freight Nigeria Ltd.,Okonkwo Freight,chidi@okonkwofreight.ng\n"


@pytest.fixture
def keys(runner, tmp_path) -> tuple[Path, Path]:
    result = runner.invoke(main, ["rules", "keygen", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    return tmp_path / "keys" / "postguard-bundle-signing.pem", tmp_path / "keys" / "postguard-bundle-signing.pub.pem"


@pytest.fixture
def org(tmp_path, example_org) -> Path:
    copy = tmp_path / "org"
    shutil.copytree(example_org, copy)
    return copy


def make_bundle(runner, keys, org, out, version, rules_dir=None):
    args = ["rules", "bundle", "--key", str(keys[0]), "--org", str(org), "--version", version, "--out", str(out)]
    if rules_dir:
        args += ["--rules", str(rules_dir)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def install(runner, bundle, pubkey, data_dir, *extra):
    return runner.invoke(main, ["rules", "install", str(bundle), "--pubkey", str(pubkey), "--data-dir", str(data_dir), *extra])


def snapshot(directory: Path) -> dict:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def installed(runner, keys, org, rules_dir, tmp_path) -> Path:
    """A data dir with bundle 1.0 (the example org + the repo's packs) installed."""
    data_dir = tmp_path / "data"
    bundle = make_bundle(runner, keys, org, tmp_path / "one.pgb", "1.0", rules_dir)
    result = install(runner, bundle, keys[1], data_dir)
    assert result.exit_code == 0, result.output
    files = len(list(rules_dir.glob("packs/*.yaml"))) + len([f for f in org.iterdir() if f.is_file()])
    assert f"installed rule bundle 1.0 ({files} files)" in result.output
    return data_dir


def test_installed_bundle_becomes_the_rules_and_org_the_companion_uses(installed, org):
    settings, bundle = resolve_rule_dirs(Settings(data_dir=installed))
    assert bundle.version == "1.0"
    assert settings.org_dir == installed / "bundles" / "1.0" / "org"
    assert settings.rules_dir == installed / "bundles" / "1.0" / "rules"
    assert (settings.org_dir / "clients.csv").read_bytes() == (org / "clients.csv").read_bytes()
    assert sorted(p.name for p in (settings.rules_dir / "packs").iterdir()) == \
        sorted(p.name for p in (Path(__file__).parents[2] / "rules" / "packs").glob("*.yaml"))


def test_explicit_org_and_rules_dirs_win_over_the_installed_bundle(installed, example_org, monkeypatch):
    settings, bundle = resolve_rule_dirs(Settings(data_dir=installed, org_dir=example_org))
    assert settings.org_dir == example_org and bundle.version == "1.0"
    monkeypatch.setenv("POSTGUARD_ORG_DIR", str(example_org))
    monkeypatch.setenv("POSTGUARD_RULES_DIR", str(Path(__file__).parents[2] / "rules"))
    assert resolve_rule_dirs(Settings.from_env(data_dir=installed)) == (Settings.from_env(data_dir=installed), None)


def test_a_newer_bundle_replaces_the_current_one_atomically(runner, keys, org, installed, tmp_path):
    (org / "clients.csv").write_text((org / "clients.csv").read_text() + NEW_CLIENT)
    two = make_bundle(runner, keys, org, tmp_path / "two.pgb", "2.0")
    assert install(runner, two, keys[1], installed).exit_code == 0
    assert json.loads(pointer_path(installed).read_text())["version"] == "2.0"
    settings, bundle = resolve_rule_dirs(Settings(data_dir=installed))
    assert "Okonkwo Freight" in (settings.org_dir / "clients.csv").read_text()
    assert settings.rules_dir == Settings().rules_dir, "an org-only bundle keeps the packaged rules"
    assert (installed / "bundles" / "1.0").is_dir(), "the previous version stays for a roll back"


def _edit_client(members):
    members["org/clients.csv"] += NEW_CLIENT.encode()


def _drop_file(members):
    del members["org/allow.txt"]


def _add_file(members):
    members["org/extra.txt"] = b"Okonkwo Freight\n"


def _edit_manifest(members):
    manifest = json.loads(members["manifest.json"])
    manifest["version"] = "9.9"
    members["manifest.json"] = json.dumps(manifest).encode()


TAMPERING = [
    (_edit_client, "org/clients.csv does not match its hash in the signed manifest"),
    (_drop_file, "org/allow.txt is listed in the signed manifest but missing"),
    (_add_file, "org/extra.txt is in the bundle but not in the signed manifest"),
    (_edit_manifest, "the signature does not verify"),
    (lambda m: m.pop("manifest.sig"), "no manifest.json and manifest.sig"),
    (lambda m: m.update({"../../.bashrc": b"x"}), "not a plain file name"),
    (lambda m: m.update({"rules/packs/evil.py": b"x"}), "only org/* and rules/packs/*.yaml belong"),
]


@pytest.mark.parametrize("change, message", TAMPERING)
def test_a_tampered_bundle_is_refused_and_changes_nothing(runner, keys, installed, tmp_path, change, message):
    before = snapshot(installed)
    tampered = rewrite(tmp_path / "one.pgb", tmp_path / "tampered.pgb", change)
    result = install(runner, tampered, keys[1], installed)
    assert result.exit_code == 3
    assert message in result.output and result.output.count("\n") == 1
    assert snapshot(installed) == before


def test_a_bundle_signed_with_another_key_is_refused(runner, org, installed, tmp_path, keys):
    other = runner.invoke(main, ["rules", "keygen", "--out", str(tmp_path / "other")])
    assert other.exit_code == 0
    other_keys = (tmp_path / "other" / "postguard-bundle-signing.pem", tmp_path / "other" / "postguard-bundle-signing.pub.pem")
    forged = make_bundle(runner, other_keys, org, tmp_path / "forged.pgb", "3.0")
    before = snapshot(installed)
    result = install(runner, forged, keys[1], installed)
    assert result.exit_code == 3 and "the signature does not verify with this public key" in result.output
    assert snapshot(installed) == before


def test_a_signed_bundle_with_a_broken_pack_is_refused_naming_file_line_and_field(runner, keys, installed, tmp_path, rules_dir):
    files = bundle_files(None, rules_dir)
    files["rules/packs/pricing.yaml"] = files["rules/packs/pricing.yaml"].replace(b"severity: warn", b"severity: loud", 1)
    (tmp_path / "broken.pgb").write_bytes(build_bundle(files, load_private_key(keys[0]), "4.0"))
    before = snapshot(installed)
    result = install(runner, tmp_path / "broken.pgb", keys[1], installed)
    assert result.exit_code == 3
    assert result.output.startswith("postguard: rules/packs/pricing.yaml:")
    assert " severity: " in result.output
    assert snapshot(installed) == before
    assert not [p for p in (installed / "bundles").iterdir() if p.name.startswith(".incoming")]


def test_a_signed_bundle_with_a_broken_clients_file_names_its_line(runner, keys, installed, tmp_path):
    files = {"org/clients.csv": b"name,aliases,contacts\nHansen,,\n,Nameless,\n"}
    (tmp_path / "broken.pgb").write_bytes(build_bundle(files, load_private_key(keys[0]), "4.1"))
    result = install(runner, tmp_path / "broken.pgb", keys[1], installed)
    assert result.exit_code == 3
    assert "org/clients.csv:3 name: the client name is empty" in result.output


def test_bundling_refuses_broken_org_files_before_signing(runner, keys, org, tmp_path):
    (org / "clients.csv").write_text("name,aliases,contacts\n,Nameless,\n")
    result = runner.invoke(main, ["rules", "bundle", "--key", str(keys[0]), "--org", str(org), "--out", str(tmp_path / "b.pgb")])
    assert result.exit_code == 2 and "clients.csv:2 name: the client name is empty" in result.output
    assert not (tmp_path / "b.pgb").exists()


def test_an_older_bundle_is_refused_unless_rolling_back_on_purpose(runner, keys, org, installed, tmp_path):
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    newer = tmp_path / "newer.pgb"
    newer.write_bytes(build_bundle(bundle_files(org, None), load_private_key(keys[0]), "2.0", created=later))
    old = tmp_path / "one.pgb"
    assert install(runner, newer, keys[1], installed).exit_code == 0
    refused = install(runner, old, keys[1], installed)
    assert refused.exit_code == 3 and "older than the installed 2.0" in refused.output
    assert json.loads(pointer_path(installed).read_text())["version"] == "2.0"
    assert install(runner, old, keys[1], installed, "--allow-downgrade").exit_code == 0
    assert json.loads(pointer_path(installed).read_text())["version"] == "1.0"


def test_files_edited_after_install_are_not_used_the_last_good_bundle_is(runner, keys, org, installed, tmp_path):
    (org / "clients.csv").write_text((org / "clients.csv").read_text() + NEW_CLIENT)
    assert install(runner, make_bundle(runner, keys, org, tmp_path / "two.pgb", "2.0"), keys[1], installed).exit_code == 0
    edited = installed / "bundles" / "2.0" / "org" / "clients.csv"
    edited.write_text("name,aliases,contacts\n")  # someone empties the client list on disk
    assert current_bundle(installed).version == "1.0"


@pytest.mark.parametrize("key_arg, message", [("private", "not a PEM public key"), ("missing", "no such public key file")])
def test_an_unusable_public_key_is_refused(runner, keys, installed, tmp_path, key_arg, message):
    key = keys[0] if key_arg == "private" else tmp_path / "nope.pub.pem"
    result = install(runner, tmp_path / "one.pgb", key, installed)
    assert result.exit_code == 2 and message in result.output


def test_keygen_never_overwrites_a_key(runner, keys):
    before = keys[0].read_bytes()
    result = runner.invoke(main, ["rules", "keygen", "--out", str(keys[0].parent)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert keys[0].read_bytes() == before and keys[0].stat().st_mode & 0o777 == 0o600


def test_a_decompression_bomb_is_refused_before_it_is_read(runner, keys, installed, tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("org/clients.csv")
        info.size = 64 * 1024 * 1024
        archive.addfile(info, io.BytesIO(bytes(info.size)))  # 64 MB of zeros, about 64 KB compressed
    (tmp_path / "bomb.pgb").write_bytes(buffer.getvalue())
    result = install(runner, tmp_path / "bomb.pgb", keys[1], installed)
    assert result.exit_code == 3 and "org/clients.csv is larger than 16 MB" in result.output


def test_not_a_bundle_at_all(runner, keys, installed, tmp_path):
    (tmp_path / "junk.pgb").write_bytes(b"PK\x03\x04 this is a zip, not our bundle")
    result = install(runner, tmp_path / "junk.pgb", keys[1], installed)
    assert result.exit_code == 3 and "not a readable bundle archive" in result.output
