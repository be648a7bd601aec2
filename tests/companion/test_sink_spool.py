"""The spool: with the collector down, events wait on disk and are sent again with backoff.
None is lost and none is sent twice. Checked against a real rsyslog that the tests stop and
restart while events keep coming, and against a companion killed with SIGKILL.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from companion.audit import AuditStore
from companion.audit.sinks import Backoff, start_forwarding
from companion.audit.sinks.spool import SPOOL_FILE_NAME
from companion.config import Settings
from leak_check import leaked
from sink_servers import RSYSLOGD, Rsyslog, delivered_seqs, free_port, record_sample_events, sd_params, \
    wait_for

pytestmark = pytest.mark.skipif(not Path(RSYSLOGD).exists(), reason="rsyslogd missing (Debian package rsyslog)")

FAST = {"backoff": Backoff(0.05, 0.4), "poll_s": 0.5}


@pytest.fixture
def store(tmp_path):
    store = AuditStore.open(tmp_path / "data")
    yield store
    store.close()


def forward(store, port: int, **options):
    settings = Settings(data_dir=store.db_path.parent, syslog_target=f"tcp://127.0.0.1:{port}")
    return start_forwarding(settings, store, **{**FAST, **options})


def test_collector_stopped_mid_stream_every_event_arrives_once(rsyslog, store):
    total = 400
    forwarder = forward(store, rsyslog.port)
    recorded = []
    both_outages_done = threading.Event()

    def write():
        # Keeps writing through both outages however slow the collector is to restart,
        # then stops once at least `total` events were recorded.
        while not (both_outages_done.is_set() and len(recorded) >= total):
            recorded.extend(record_sample_events(store, 4))  # checks and a decision
            time.sleep(0.02)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for outage in (total // 4, total // 2):
            wait_for(lambda: len(rsyslog.records()) >= outage)
            rsyslog.stop()
            spooled_from = len(recorded)
            wait_for(lambda: forwarder.status()[0].failures >= 1 and len(recorded) >= spooled_from + 20)
            assert forwarder.status()[0].backlog >= 20, "events wait while the collector is down"
            rsyslog.start()
        both_outages_done.set()
        writer.join()
        assert forwarder.wait_until_delivered(60)
    finally:
        both_outages_done.set()
        writer.join()
        forwarder.stop()
        rsyslog.stop()

    seqs = delivered_seqs(rsyslog.records())
    twice = [seq for seq, n in collections.Counter(seqs).items() if n > 1]
    assert twice == [], "no event arrives twice"
    assert len(recorded) >= total
    assert sorted(seqs) == [e["seq"] for e in recorded] == list(range(1, len(recorded) + 1)), "none is lost"
    assert seqs == sorted(seqs), "and they arrive in order"


def test_forwarding_resumes_after_a_restart_where_it_stopped(rsyslog, store):
    first = record_sample_events(store, 6)
    forwarder = forward(store, rsyslog.port)
    assert forwarder.wait_until_delivered(30)
    laptop = forwarder.spool.laptop_id
    forwarder.stop()

    later = record_sample_events(store, 4)  # the companion is not running: the CLI, say
    forwarder = forward(store, rsyslog.port)
    try:
        assert forwarder.wait_until_delivered(30)
        assert forwarder.spool.laptop_id == laptop
    finally:
        forwarder.stop()
    rsyslog.stop()
    records = rsyslog.records()
    assert delivered_seqs(records) == [e["seq"] for e in first + later]
    assert {sd_params(r)["laptop_id"] for r in records} == {laptop}


WRITER = """
import sys, time
sys.path.insert(0, sys.argv[3])
from companion.audit import AuditStore
from companion.audit.sinks import Backoff, start_forwarding
from companion.config import Settings
from sink_servers import record_sample_events
store = AuditStore.open(sys.argv[1])
start_forwarding(Settings(data_dir=sys.argv[1], syslog_target="tcp://127.0.0.1:" + sys.argv[2]), store,
                 backoff=Backoff(0.05, 0.2), poll_s=0.2)
for i in range(int(sys.argv[4])):
    record_sample_events(store, 1)
    time.sleep(0.002)
print("recorded", flush=True)
time.sleep(600)
"""


def run_writer(data_dir: Path, port: int, count: int) -> subprocess.Popen:
    here = str(Path(__file__).resolve().parent)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(port), here, str(count)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "recorded"
    return proc


def test_spooled_events_survive_kill_9_of_the_companion(tmp_path):
    port = free_port()  # the collector is down while the companion records
    data_dir = tmp_path / "data"
    proc = run_writer(data_dir, port, 30)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    server = Rsyslog(tmp_path / "rsyslog", port=port).start()
    store = AuditStore.open(data_dir)
    forwarder = forward(store, port)
    try:
        assert forwarder.wait_until_delivered(30)
    finally:
        forwarder.stop()
        store.close()
        server.stop()
    assert delivered_seqs(server.records()) == list(range(1, 31))


def test_kill_9_while_sending_loses_nothing_and_repeats_only_identical_events(tmp_path, rsyslog):
    data_dir = tmp_path / "data"
    proc = run_writer(data_dir, rsyslog.port, 300)
    proc.send_signal(signal.SIGKILL)  # usually while the backlog is still going out
    proc.wait()

    store = AuditStore.open(data_dir)
    forwarder = forward(store, rsyslog.port)
    try:
        assert forwarder.wait_until_delivered(60)
    finally:
        forwarder.stop()
        store.close()
    rsyslog.stop()
    by_seq = collections.defaultdict(set)
    for record in rsyslog.records():
        params = sd_params(record)
        by_seq[int(params["seq"])].add((params["event_id"], record["msg"]))
    assert sorted(by_seq) == list(range(1, 301)), "none is lost"
    assert all(len(copies) == 1 for copies in by_seq.values()), "a repeat is the same event, so a SIEM can drop it"


def test_a_replaced_audit_log_is_forwarded_from_its_start_as_a_new_laptop(tmp_path, rsyslog):
    data_dir = tmp_path / "data"
    store = AuditStore.open(data_dir)
    record_sample_events(store, 5)
    forwarder = forward(store, rsyslog.port)
    assert forwarder.wait_until_delivered(30)
    old_laptop = forwarder.spool.laptop_id
    forwarder.stop()
    store.close()

    for name in ("audit.sqlite3", "audit.sqlite3-wal", "audit.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)  # the user deleted the log; a new one starts at seq 1
    store = AuditStore.open(data_dir)
    fresh = record_sample_events(store, 3)
    forwarder = forward(store, rsyslog.port)
    try:
        assert forwarder.wait_until_delivered(30)
        new_laptop = forwarder.spool.laptop_id
    finally:
        forwarder.stop()
        store.close()
    rsyslog.stop()
    records = rsyslog.records()
    assert new_laptop != old_laptop
    assert [(sd_params(r)["laptop_id"], int(sd_params(r)["seq"])) for r in records[5:]] == \
        [(new_laptop, e["seq"]) for e in fresh] == [(new_laptop, 1), (new_laptop, 2), (new_laptop, 3)]


def test_the_spool_file_is_private_and_holds_no_event_content(tmp_path, rsyslog, store):
    events = record_sample_events(store, 8)
    forwarder = forward(store, rsyslog.port)
    assert forwarder.wait_until_delivered(30)
    forwarder.stop()
    spool_file = store.db_path.parent / SPOOL_FILE_NAME
    assert stat.S_IMODE(os.stat(spool_file).st_mode) == 0o600
    stored = b"".join(p.read_bytes() for p in spool_file.parent.glob(SPOOL_FILE_NAME + "*"))
    for text in ("Client approved", "[pricing]", events[0]["scan_id"]):
        assert text.encode() not in stored


def test_backoff_doubles_up_to_its_cap_with_jitter():
    backoff = Backoff(first_s=1.0, max_s=60.0)
    for failures, full in ((1, 1.0), (2, 2.0), (3, 4.0), (7, 60.0), (50, 60.0)):
        delays = [backoff.delay(failures) for _ in range(200)]
        assert all(full * 0.5 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full * 0.1, "jitter spreads a fleet's retries"


def test_retention_can_ask_which_events_a_sink_still_needs(tmp_path, rsyslog, store):
    from companion.audit.sinks.spool import first_unconfirmed_seq

    data_dir = store.db_path.parent
    assert first_unconfirmed_seq(data_dir, []) is None, "no sinks: nothing to keep"
    assert first_unconfirmed_seq(data_dir, ["syslog"]) == 1
    events = record_sample_events(store, 4)
    forwarder = forward(store, rsyslog.port)
    assert forwarder.wait_until_delivered(30)
    forwarder.stop()
    record_sample_events(store, 2)
    assert first_unconfirmed_seq(data_dir, ["syslog"]) == events[-1]["seq"] + 1
    assert first_unconfirmed_seq(data_dir, ["syslog", "postgres"]) == 1, "a sink that confirmed nothing"


@pytest.fixture
def forwarding_app(rsyslog, data_dir, api_engine):
    """The real app with the session's engine, forwarding to `rsyslog`, on a port of its own (the
    companion only answers requests addressed to its own port); forwarding stopped afterwards."""
    from companion.app import create_app

    settings = Settings(data_dir=data_dir, port=free_port(), syslog_target=f"tcp://127.0.0.1:{rsyslog.port}")
    app = create_app(settings, engine=api_engine)
    yield app
    state = app.extensions["postguard"]
    state.forwarder.stop()
    state.audit.close()


def test_health_tells_it_whether_forwarding_keeps_up(rsyslog, forwarding_app):
    """IT asks /v1/health why the SIEM misses a laptop: target, backlog, failures, last error."""
    client = forwarding_app.test_client()

    def forwarding():
        return client.get("/v1/health").get_json()["forwarding"]

    def check():
        assert client.post("/v1/check", json={"text": "Quote: USD 0.42/pc FOB Ningbo"}).status_code == 200

    check()
    wait_for(lambda: forwarding()[0]["backlog"] == 0 and forwarding()[0]["delivered_through"] >= 1)
    [healthy] = forwarding()
    assert healthy["sink"] == "syslog" and healthy["target"] == f"syslog tcp://127.0.0.1:{rsyslog.port}"
    assert healthy["failures"] == 0 and healthy["last_error"] is None

    rsyslog.stop()
    check()
    wait_for(lambda: forwarding()[0]["failures"] >= 1)
    [failing] = forwarding()
    assert failing["backlog"] >= 1, "the unsent event is counted"
    assert f"127.0.0.1:{rsyslog.port}" in failing["last_error"]
    assert "USD" not in str(failing) and "Ningbo" not in str(failing), "no post text in health"

    rsyslog.start()
    wait_for(lambda: forwarding()[0]["backlog"] == 0 and forwarding()[0]["failures"] == 0)
    assert forwarding()[0]["delivered_through"] == forwarding_app.extensions["postguard"].audit.verify().head_seq


def test_health_lists_no_forwarding_when_none_is_configured(client):
    assert client.get("/v1/health").get_json()["forwarding"] == []


def test_service_status_says_when_forwarding_fails(rsyslog, forwarding_app, tmp_path, monkeypatch):
    """`postguard service status` on a laptop whose collector is down names the target and why."""
    from click.testing import CliRunner
    from werkzeug.serving import make_server

    from companion.cli import main

    state = forwarding_app.extensions["postguard"]
    port = state.settings.port
    server = make_server("127.0.0.1", port, forwarding_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setenv("POSTGUARD_PORT", str(port))
    try:
        rsyslog.stop()
        assert forwarding_app.test_client().post("/v1/check", json={"text": "hello"}).status_code == 200
        wait_for(lambda: state.forwarder.status()[0].failures >= 1)
        output = CliRunner().invoke(main, ["service", "status"]).output
        assert f"companion on 127.0.0.1:{port}: answering" in output
        assert f"audit forwarding to syslog tcp://127.0.0.1:{rsyslog.port}: FAILING" in output
        assert "events wait in the spool" in output
    finally:
        server.shutdown()


def test_settings_from_the_service_file_make_a_real_companion_forward(rsyslog, tmp_path, monkeypatch):
    """What `postguard service install --set syslog_target=…` writes is what a started companion
    acts on: the unit's Environment= lines, given to a real `postguard serve`, forward to rsyslog."""
    from click.testing import CliRunner

    from companion.cli import main
    from test_server import clean_env, running_server

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    shown = CliRunner().invoke(main, ["service", "install", "--dry-run", "--platform", "linux",
                                      "--set", f"syslog_target=tcp://127.0.0.1:{rsyslog.port}"])
    assert shown.exit_code == 0, shown.output
    unit_env = dict(line.removeprefix("Environment=").split("=", 1) for line in shown.output.splitlines()
                    if line.startswith("Environment=POSTGUARD_"))
    assert unit_env["POSTGUARD_SYSLOG_TARGET"] == f"tcp://127.0.0.1:{rsyslog.port}"
    (tmp_path / "laptop").mkdir()
    with running_server(tmp_path / "laptop", env=clean_env(**unit_env)) as server:
        assert server.post("/v1/check", {"text": "Quote: USD 0.42/pc FOB Ningbo"})[0] == 200
        wait_for(lambda: any(r.get("msgid") == "check" for r in rsyslog.records()))
    # The price in any form, once the timestamps (whose seconds and fraction hold "0.42" by chance) are out.
    assert not leaked(["0.42"], json.dumps(rsyslog.records()))
