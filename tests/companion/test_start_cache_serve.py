"""`postguard serve` twice with the same data dir and a long client list: the first start writes the
start cache, the second reads it, and both are ready only when a post naming a client is caught."""

from __future__ import annotations

import shutil
import time

from test_server import running_server  # the same start-and-wait as every server test
from test_start_cache import _write_clients

from companion.config import EXAMPLE_ORG_DIR
from companion.detection import client_cache


def _wait_for(condition, limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "the start cache was not written"
        time.sleep(0.1)


def _client_rules(server, name: str) -> list[str]:
    status, _headers, body = server.post("/v1/check", {"text": f"Signed the yearly deal with {name} today!",
                                                       "platform": "linkedin"})
    assert status == 200
    return [f["rule"] for f in body["findings"] if f["rule"] == "client.named"]


def test_a_second_start_reads_the_start_cache_and_still_catches_a_client(tmp_path):
    org_dir = tmp_path / "org"
    shutil.copytree(EXAMPLE_ORG_DIR, org_dir)
    names = _write_clients(org_dir / "clients.csv", 6000)
    assert (org_dir / "clients.csv").stat().st_size >= client_cache.MIN_BYTES
    with running_server(tmp_path, "--org", str(org_dir)) as first:
        assert first.get("/v1/health")[2]["status"] == "ok"
        assert _client_rules(first, names[3333]) == ["client.named"]
        log = first.log()
        # Built by a process of its own while the companion loaded the rest, then read from its file.
        assert "client list: built by a process of its own beside the start" in log
        assert f"client list: matchers read from {first.data_dir / 'cache'}" in log
        cache_dir = first.data_dir / "cache"
        _wait_for(lambda: any(cache_dir.glob("encoder-*.npz")))  # the encoder's copy is written beside the start
    kinds = sorted(p.name.split("-", 1)[0] for p in cache_dir.iterdir())
    assert kinds == ["clients", "encoder", "regex"]
    with running_server(tmp_path, "--org", str(org_dir)) as second:
        assert second.get("/v1/health")[2]["status"] == "ok"
        assert _client_rules(second, names[17]) == ["client.named"]
        assert f"client list: matchers read from {cache_dir}" in second.log()
