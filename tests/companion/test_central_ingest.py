"""Laptops and the central service over real HTTP, over a real PostgreSQL: enrollment with a code
from IT, one revocable token per laptop, and audit events that arrive once each, in order, through
a central service that is stopped, killed and restarted, and from a companion killed with SIGKILL.
The laptop holds no database credentials at any point."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest
import requests

from central_servers import Central, postguard, running_central, wait_until
from companion.audit import AuditStore
from companion.audit.sinks import Backoff, start_forwarding
from companion.central.client import DEVICE_FILE_NAME, CentralClient
from companion.config import Settings
from sink_servers import new_database, postgres, record_sample_events  # noqa: F401 (fixture)

FAST = {"backoff": Backoff(0.05, 0.4), "poll_s": 0.5}


@pytest.fixture
def central(postgres, tmp_path):
    with running_central(new_database(postgres), tmp_path) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    store = AuditStore.open(tmp_path / "laptop")
    yield store
    store.close()


def laptop_settings(store, central: Central, code: str | None) -> Settings:
    return Settings(data_dir=store.db_path.parent, central_url=central.url, central_enroll_code=code)


def stored(central: Central, laptop_id: str | None = None) -> list[tuple]:
    """(laptop_id, seq, event_id) of every event the central store holds, in arrival order."""
    with psycopg.connect(central.db_url) as conn:
        return conn.execute("SELECT laptop_id, seq, event_id FROM postguard_events "
                            + ("WHERE laptop_id = %s " if laptop_id else "") + "ORDER BY id",
                            (laptop_id,) if laptop_id else None).fetchall()


def test_a_laptop_enrolls_with_the_code_and_its_events_arrive_with_its_identity(central, store):
    events = record_sample_events(store, 12)
    settings = laptop_settings(store, central, central.enroll_code())
    assert settings.central_db is None, "the laptop is given no database URL at all"
    forwarder = start_forwarding(settings, store, **FAST)
    try:
        assert forwarder.wait_until_delivered(60)
        laptop_id = forwarder.spool.laptop_id
    finally:
        forwarder.stop()
    assert stored(central) == [(laptop_id, e["seq"], e["event_id"]) for e in events]
    device_file = store.db_path.parent / DEVICE_FILE_NAME
    assert stat.S_IMODE(device_file.stat().st_mode) == 0o600
    device = json.loads(device_file.read_text())
    assert device["url"] == central.url and device["token"].startswith("pgt_")
    listed = postguard("central", "devices", "list", "--db", central.db_url).stdout
    assert device["device_id"] in listed and "active" in listed


def test_a_one_time_code_enrolls_one_laptop_and_is_then_refused(central, tmp_path):
    code = central.enroll_code(uses=1)
    CentralClient(central.url, tmp_path / "first").enroll(code)
    second = requests.post(f"{central.url}/api/v1/enroll", json={"code": code, "host": "B"}, timeout=30)
    assert second.status_code == 401
    assert second.json()["error"] == {"code": "bad_enroll_code", "message": "this enrollment code is unknown, "
                                      "used up or expired; ask IT for a new one"}
    by_hand = postguard("central", "enroll", "--url", central.url, "--code", central.enroll_code(),
                        "--data-dir", str(tmp_path / "by-hand")).stdout
    assert by_hand.startswith(f"enrolled with {central.url} as laptop ")
    fleet = central.enroll_code(uses=3)
    tokens = {CentralClient(central.url, tmp_path / f"fleet{i}").enroll(fleet) for i in range(3)}
    assert len(tokens) == 3, "each laptop gets a token of its own"


def test_a_revoked_laptop_is_refused_at_once_and_its_events_wait_on_the_laptop(central, store):
    record_sample_events(store, 3)
    forwarder = start_forwarding(laptop_settings(store, central, central.enroll_code()), store, **FAST)
    try:
        assert forwarder.wait_until_delivered(60)
        device_id = json.loads((store.db_path.parent / DEVICE_FILE_NAME).read_text())["device_id"]
        assert "revoked" in postguard("central", "devices", "revoke", device_id, "--db", central.db_url).stdout
        record_sample_events(store, 2)
        forwarder.notify()
        failing = wait_until(lambda: [s for s in forwarder.status() if s.failures], what="a refused batch")
        assert "enrollment was revoked" in failing[0].last_error and failing[0].backlog == 2
    finally:
        forwarder.stop()
    assert len(stored(central)) == 3


def test_a_batch_that_is_not_a_piece_of_chain_or_not_this_laptops_is_refused_whole(central, store, tmp_path):
    events = record_sample_events(store, 4)
    mine = CentralClient(central.url, tmp_path / "mine")
    mine.enroll(central.enroll_code())
    token = mine.device()["token"]

    def send(batch, laptop_id="laptop-1", bearer=token):
        return requests.post(f"{central.url}/api/v1/events", json={"laptop_id": laptop_id, "events": batch},
                             headers={"Authorization": f"Bearer {bearer}"}, timeout=30)

    edited = [dict(e) for e in events]
    edited[2]["os_user"] = "someone-else"
    answer = send(edited)
    assert answer.status_code == 400 and "events[2] (seq 3): its hash does not match" in answer.json()["error"]["message"]
    answer = send([events[0], events[2]])
    assert answer.status_code == 400 and "does not follow the event before it" in answer.json()["error"]["message"]
    assert stored(central) == [], "nothing of a refused batch is stored"

    assert send(events).status_code == 200
    other = CentralClient(central.url, tmp_path / "other")
    other.enroll(central.enroll_code())
    answer = send(events, bearer=other.device()["token"])
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "laptop_id_taken", \
        "one laptop cannot write into another laptop's chain"
    assert send(events, bearer="pgt_not-a-token").status_code == 401
    assert len(stored(central)) == 4


def test_central_killed_and_down_mid_stream_every_event_arrives_once_in_order(central, store):
    forwarder = start_forwarding(laptop_settings(store, central, central.enroll_code()), store, **FAST)
    recorded, outage_done = [], threading.Event()

    def write():
        while not (outage_done.is_set() and len(recorded) >= 300):
            recorded.extend(record_sample_events(store, 4))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        wait_until(lambda: len(stored(central)) >= 40, what="the first events to arrive")
        central.stop(signal.SIGKILL)  # mid-stream: a batch may be in flight
        before = len(recorded)
        wait_until(lambda: len(recorded) >= before + 60, what="events recorded while the service is down")
        wait_until(lambda: any(s.failures for s in forwarder.status()), what="the sender to notice")
        central.start()  # same port, as after a restart behind the load balancer
        outage_done.set()
        writer.join(120)
        assert forwarder.wait_until_delivered(120)
        laptop_id = forwarder.spool.laptop_id
    finally:
        outage_done.set()
        writer.join(120)
        forwarder.stop()
    arrived = stored(central, laptop_id)
    assert [seq for _, seq, _ in arrived] == list(range(1, len(recorded) + 1)), "none lost, none twice, in order"
    assert [event_id for _, _, event_id in arrived] == [e["event_id"] for e in recorded]


WRITER = """
import sys
from companion.audit import AuditStore
from companion.audit.sinks import Backoff, start_forwarding
from companion.config import Settings
sys.path.insert(0, sys.argv[4])
from sink_servers import record_sample_events
store = AuditStore.open(sys.argv[1])
record_sample_events(store, int(sys.argv[3]))
start_forwarding(Settings(data_dir=sys.argv[1], central_url=sys.argv[2]), store,
                 backoff=Backoff(0.05, 0.4), poll_s=0.5, batch_size=20)
print("recorded", flush=True)
sys.stdin.read()
"""


def test_a_companion_killed_while_sending_loses_nothing_and_doubles_nothing(central, tmp_path):
    data_dir = tmp_path / "laptop"
    CentralClient(central.url, data_dir).enroll(central.enroll_code())
    here = str(Path(__file__).parent)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), central.url, "300", here],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "recorded"
        wait_until(lambda: len(stored(central)) >= 20, what="the first batch")
        proc.send_signal(signal.SIGKILL)  # usually with batches still to go
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    store = AuditStore.open(data_dir)
    forwarder = start_forwarding(Settings(data_dir=data_dir, central_url=central.url), store, **FAST)
    try:
        assert forwarder.wait_until_delivered(120)
    finally:
        forwarder.stop()
        store.close()
    arrived = stored(central)
    assert [seq for _, seq, _ in arrived] == list(range(1, 301)), "every event once, in order"
