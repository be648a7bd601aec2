"""A real `postguard serve` picks up a newly installed rule bundle without a restart: a client added
by a signed bundle is flagged by the next checks, and a tampered bundle is refused while checks keep
the rules in force. Reached over real HTTP, installed with the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bundle_tools import rewrite
from test_server import clean_env, running_server

from companion.deploy.installed import pointer_stamp

POSTGUARD = str(Path(sys.executable).parent / "postguard")
RELOAD_TIMEOUT_S = 30.0
NEW_CLIENT = "Okonkwo Freight Nigeria Ltd.,Okonkwo Freight,chidi@okonkwofreight.ng\n"
FORGED_CLIENT = "Zanele Mining (Pty) Ltd,Zanele Mining,\n"
THIRD_CLIENT = "Kowalczyk Okna Sp. z o.o.,Kowalczyk Okna,\n"
POST_NEW = "Loading the containers for Okonkwo Freight today, ETA Lagos in three weeks."
POST_FORGED = "Great visit to Zanele Mining last week, more soon."
POST_THIRD = "The windows for Kowalczyk Okna leave on Monday."


def postguard(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([POSTGUARD, *args], capture_output=True, text=True, env=env, timeout=120)


def categories(port: int, text: str) -> set[str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/check", data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return {f["category"] for f in json.loads(response.read())["findings"]}


def wait_until(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def server(tmp_path, example_org):
    """`postguard serve` with its own data dir, polling for bundles every half second (started and
    waited for as every server test does: on a port of its own, ready once it says so)."""
    with running_server(tmp_path, env=clean_env(POSTGUARD_BUNDLE_POLL_S="0.5")) as started:
        yield started.port, started.data_dir, started.log_path


@pytest.fixture
def signing(tmp_path) -> tuple[Path, Path]:
    assert postguard("rules", "keygen", "--out", str(tmp_path / "keys")).returncode == 0
    return tmp_path / "keys" / "postguard-bundle-signing.pem", tmp_path / "keys" / "postguard-bundle-signing.pub.pem"


def test_a_new_bundle_is_used_without_a_restart_and_a_tampered_one_is_refused(server, signing, tmp_path, example_org):
    port, data_dir, log_path = server
    assert "client_confidential" not in categories(port, POST_NEW), "not a client in the example org"
    assert "client_confidential" in categories(port, "Shipment for Hansen Maschinenbau leaves Friday.")

    org = tmp_path / "org"
    shutil.copytree(example_org, org)
    (org / "clients.csv").write_text((org / "clients.csv").read_text() + NEW_CLIENT)
    bundle = tmp_path / "clients-2.pgb"
    made = postguard("rules", "bundle", "--key", str(signing[0]), "--org", str(org), "--version", "2", "--out", str(bundle))
    assert made.returncode == 0, made.stderr
    installed = postguard("rules", "install", str(bundle), "--pubkey", str(signing[1]), "--data-dir", str(data_dir))
    assert installed.returncode == 0, installed.stderr

    assert wait_until(lambda: "client_confidential" in categories(port, POST_NEW), RELOAD_TIMEOUT_S), \
        log_path.read_text()[-2000:]
    assert "client_confidential" in categories(port, "Shipment for Hansen Maschinenbau leaves Friday.")

    # Someone adds a client to the signed bundle without the key: the install is refused ...
    def forge(members):
        members["org/clients.csv"] += FORGED_CLIENT.encode()

    stamp = pointer_stamp(data_dir)
    forged = rewrite(bundle, tmp_path / "forged.pgb", forge)
    refused = postguard("rules", "install", str(forged), "--pubkey", str(signing[1]), "--data-dir", str(data_dir))
    assert refused.returncode == 3 and "does not match its hash" in refused.stderr
    assert pointer_stamp(data_dir) == stamp, "a refused bundle must not touch what the companion watches"

    # ... and the running companion keeps the last good rules. A good bundle installed after the
    # refusal is picked up, so the watcher has looked since; it loaded bundles 2 and 3, nothing else.
    (org / "clients.csv").write_text((org / "clients.csv").read_text() + THIRD_CLIENT)
    made = postguard("rules", "bundle", "--key", str(signing[0]), "--org", str(org), "--version", "3",
                     "--out", str(tmp_path / "clients-3.pgb"))
    assert made.returncode == 0, made.stderr
    installed = postguard("rules", "install", str(tmp_path / "clients-3.pgb"), "--pubkey", str(signing[1]),
                          "--data-dir", str(data_dir))
    assert installed.returncode == 0, installed.stderr
    assert wait_until(lambda: "client_confidential" in categories(port, POST_THIRD), RELOAD_TIMEOUT_S), \
        log_path.read_text()[-2000:]
    assert "client_confidential" not in categories(port, POST_FORGED)
    assert "client_confidential" in categories(port, POST_NEW)

    log = log_path.read_text()
    reloads = [line.rsplit("(", 1)[-1] for line in log.splitlines() if "rules reloaded" in line]
    assert reloads == ["bundle 2)", "bundle 3)"], reloads
    assert "Okonkwo" not in log and "Lagos" not in log, "the log never holds post text or client names"


def test_service_status_sees_the_running_companion_and_its_rules(server, tmp_path):
    port, _data_dir, _log = server
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGUARD_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"), POSTGUARD_PORT=str(port))
    status = postguard("service", "status", env=env)
    assert f"companion on 127.0.0.1:{port}: answering, rules client_confidential@" in status.stdout
    assert "(missing)" in status.stdout and status.returncode == 1, "no service file: not a healthy install"
