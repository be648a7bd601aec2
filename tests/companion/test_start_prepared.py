"""A first start after an install or a list change reads what `postguard rules install` and
`postguard rules prepare` built beforehand, as every restart does (runtime.prepare_start,
client_prebuild.prepare): nothing is left for the start to build beside itself. A list with an
error is still named with its file, line and field."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_start_cache import _write_clients

from companion.cli import main
from companion.config import Settings
from companion.detection import client_cache, client_prebuild
from companion.detection.client_cache import cached_path, load_client_matchers
from companion.detection.start_cache import start_cache_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def long_org(tmp_path, example_org) -> tuple[Path, list[str]]:
    org = tmp_path / "org"
    shutil.copytree(example_org, org)
    names = _write_clients(org / "clients.csv", 6000)
    assert (org / "clients.csv").stat().st_size >= client_cache.MIN_BYTES
    return org, names


def _signed_bundle(runner, tmp_path: Path, org: Path) -> tuple[Path, Path]:
    """A bundle of `org` signed with a new key: (bundle, public key)."""
    keys = tmp_path / "keys"
    assert runner.invoke(main, ["rules", "keygen", "--out", str(keys)]).exit_code == 0
    bundle = tmp_path / "one.pgb"
    made = runner.invoke(main, ["rules", "bundle", "--key", str(keys / "postguard-bundle-signing.pem"),
                                "--org", str(org), "--version", "1.0", "--out", str(bundle)])
    assert made.exit_code == 0, made.output
    return bundle, keys / "postguard-bundle-signing.pub.pem"


def test_rules_install_leaves_the_long_list_built_for_the_next_start(runner, tmp_path, long_org, caplog, monkeypatch):
    org, names = long_org
    bundle, pubkey = _signed_bundle(runner, tmp_path, org)
    data_dir = tmp_path / "data"
    # The list is built before the bundle is put in force, so a running companion that picks the
    # bundle up at once reads it instead of building it at the same time as this command.
    from companion.deploy import installed as installed_module

    real_install, built_before = installed_module.install, []

    def install_noting_the_cache(verified, *args, **kwargs):
        built_before.append(bool(list(start_cache_dir(data_dir).glob("clients-*"))))
        return real_install(verified, *args, **kwargs)

    monkeypatch.setattr(installed_module, "install", install_noting_the_cache)
    result = runner.invoke(main, ["rules", "install", str(bundle), "--pubkey", str(pubkey), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert built_before == [True]
    assert "client list prepared" in result.output
    settings = Settings(data_dir=data_dir, bundle_poll_s=0)
    cache_dir = start_cache_dir(data_dir)
    assert not client_prebuild.start_for(settings, cache_dir), "the start would build the list again"
    caplog.set_level(logging.INFO, logger="postguard")
    from companion.deploy.installed import resolve_rule_dirs

    installed_csv = Path(resolve_rule_dirs(settings)[0].org_dir) / "clients.csv"
    load_client_matchers(installed_csv, cache_dir)
    assert f"matchers read from {cached_path(installed_csv, cache_dir)}" in caplog.text


def test_a_start_cache_that_cannot_be_written_is_a_warning_and_the_bundle_still_goes_in(runner, tmp_path, long_org):
    org, _names = long_org
    bundle, pubkey = _signed_bundle(runner, tmp_path, org)
    data_dir = tmp_path / "data"
    cache = start_cache_dir(data_dir)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("not a folder")  # the cache's place is taken: it cannot be written
    result = runner.invoke(main, ["rules", "install", str(bundle), "--pubkey", str(pubkey), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "warning: the client list could not be prepared" in result.output
    assert "installed rule bundle 1.0" in result.output
    assert "Traceback" not in result.output


def test_rules_prepare_builds_what_a_first_start_would(tmp_path, long_org):
    """In a process of its own, as an installer runs it: the list's matchers, the encoder's
    weights unzipped and Presidio's patterns are all in the start cache afterwards."""
    org, _names = long_org
    data_dir = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", "from companion.cli import main; main()", "rules", "prepare",
                           "--org", str(org), "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "start cache prepared" in done.stdout
    cache_dir = start_cache_dir(data_dir)
    kinds = sorted(p.name.split("-", 1)[0] for p in cache_dir.iterdir() if not p.name.startswith("."))
    assert kinds == ["clients", "encoder", "regex"]
    assert cached_path(org / "clients.csv", cache_dir).exists()
    assert not client_prebuild.start_for(Settings(org_dir=org, data_dir=data_dir, bundle_poll_s=0), cache_dir)


def test_rules_prepare_names_a_broken_list(runner, tmp_path, long_org):
    org, _names = long_org
    with (org / "clients.csv").open("a", encoding="utf-8") as handle:
        handle.write(",no name here,\n")
    result = runner.invoke(main, ["rules", "prepare", "--org", str(org), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code != 0
    assert "clients.csv" in result.output and "6002" in result.output
    assert not list(start_cache_dir(tmp_path / "data").glob("clients-*"))


def test_a_short_list_is_not_prepared(tmp_path, example_org):
    raw = (example_org / "clients.csv").read_bytes()
    assert client_prebuild.prepare(raw, tmp_path / "cache") is None
