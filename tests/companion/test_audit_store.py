"""The audit store as a reviewer and a tamperer would meet it: real SQLite files in tmp dirs.

Covers what the issue promises: every check and decision becomes an event; list/export
(JSONL, CSV); `verify` names the first edited, deleted or reordered event; private file
modes; raw matched values and post text never reach the disk; an acknowledged event
survives `kill -9`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from companion.audit import AuditError, AuditKeyError, AuditStore, EVENT_FIELDS, export_events, \
    keyed_hash
from companion.audit import store as store_module
from companion.audit.chain import ChainLink, anchor_from_checkpoints, event_hash, verify_chain
from companion.detection.types import Finding, ScanResult

REPO = Path(__file__).resolve().parents[2]
VERSIONS = {"companion": "0.1.0", "rules": "example-1"}

# Distinctive strings so a byte search of the database cannot hit anything by chance.
POST = ("Zorblat quarterly: Mrs Quillonia Vantersby of Hexaprime Trading takes 4,817.25 USD "
        "per unit, call her on +44 7700 900123, password Tr0ub4dor&3xyz.")
RAW_VALUES = ("Quillonia Vantersby", "Hexaprime Trading", "4,817.25 USD", "+44 7700 900123",
              "Tr0ub4dor&3xyz")


def finding(category, severity, rule, raw, excerpt, **extra) -> Finding:
    """A finding as the engine makes it: raw value from the post, excerpt already masked."""
    start = POST.index(raw)
    return Finding(category=category, severity=severity, rule=rule, matched=raw, excerpt=excerpt,
                   start=start, end=start + len(raw), message=extra.pop("message", ""), **extra)


def leaky_result() -> ScanResult:
    """A check of POST with one finding per raw value; one excerpt still holds its raw value
    (an engine bug the store must not pass on), and message/warnings quote the post."""
    return ScanResult(verdict="block", ocr_incomplete=True, warnings=[f"slow OCR on: {POST}"], findings=[
        finding("contact_pii", "warn", "person_name", "Quillonia Vantersby", "Mrs Q******* V*******",
                message=POST),
        finding("client_confidential", "warn", "client_list", "Hexaprime Trading",
                "of Hexaprime Trading takes"),  # not masked: the store must mask it
        finding("pricing", "warn", "unit_price", "4,817.25 USD", "takes #,###.## USD per"),
        finding("contact_pii", "warn", "phone", "+44 7700 900123", "on +44 **** ***123,"),
        finding("credentials", "block", "password", "Tr0ub4dor&3xyz", "password ***********"),
    ])


def allow_result() -> ScanResult:
    """A clean post."""
    return ScanResult(verdict="allow")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "postguard-data"


@pytest.fixture
def store(data_dir):
    opened = AuditStore.open(data_dir)
    yield opened
    opened.close()


def record_checks(store: AuditStore, count: int, prefix: str = "scan") -> list[dict]:
    """`count` clean checks on LinkedIn, returning the events as recorded."""
    return [store.record_check(scan_id=f"{prefix}-{i}", platform="linkedin", url_host="www.linkedin.com",
                               result=allow_result(), versions=VERSIONS) for i in range(1, count + 1)]


def tamper(data_dir: Path, *statements: str) -> None:
    """What someone with the sqlite3 shell does: drop the guards, then change history."""
    conn = sqlite3.connect(data_dir / "audit.sqlite3", isolation_level=None)
    for trigger in ("audit_events_no_update", "audit_events_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements:
        conn.execute(statement)
    conn.close()


# --- recording -------------------------------------------------------------------------------

def test_check_event_records_what_a_reviewer_needs(store):
    event = store.record_check(scan_id="s-1", platform="linkedin",
                               url_host="https://www.linkedin.com/feed/?shareActive=true&text=Hexaprime",
                               result=leaky_result(), versions=VERSIONS)
    stored = list(store.events())
    assert stored == [event]
    assert event["kind"] == "check" and event["seq"] == 1 and event["verdict"] == "block"
    assert event["url_host"] == "www.linkedin.com"
    assert event["categories"] == ["contact_pii", "client_confidential", "pricing", "credentials"]
    assert event["rules"] == ["person_name", "client_list", "unit_price", "phone", "password"]
    assert event["counts"] == {"contact_pii": 2, "client_confidential": 1, "pricing": 1, "credentials": 1}
    assert [x["excerpt"] for x in event["excerpts"]] == [
        "Mrs Q******* V*******", "of [client_confidential] takes", "takes #,###.## USD per",
        "on +44 **** ***123,", "password ***********"]
    assert len(event["value_hashes"]) == 5 and all(h["hash"].startswith("h1:") for h in event["value_hashes"])
    assert event["ocr_incomplete"] is True and event["versions"] == VERSIONS
    assert event["os_user"] and event["host"] and event["ts"].endswith("Z")
    assert store.has_scan("s-1") and not store.has_scan("s-2")


def test_decision_event_carries_its_check_context_and_a_capped_justification(store):
    store.record_check(scan_id="s-1", platform="facebook", url_host="www.facebook.com",
                       result=leaky_result(), versions=VERSIONS)
    decision = store.record_decision(scan_id="s-1", action="post_anyway", justification="x" * 900)
    assert decision["kind"] == "decision" and decision["seq"] == 2
    assert decision["platform"] == "facebook" and decision["verdict"] == "block"
    assert decision["categories"] == ["contact_pii", "client_confidential", "pricing", "credentials"]
    assert decision["action"] == "post_anyway" and len(decision["justification"]) == 500
    orphan = store.record_decision(scan_id="never-checked", action="cancel", justification=None,
                                   platform="instagram")
    assert orphan["platform"] == "instagram" and orphan["verdict"] is None
    assert [e["kind"] for e in store.events()] == ["check", "decision", "decision"]


def test_events_since_and_limit(store, monkeypatch):
    monkeypatch.setattr(store_module, "READ_BATCH", 2)  # make iteration cross batch boundaries
    recorded = record_checks(store, 7)
    seqs = lambda **kw: [e["seq"] for e in store.events(**kw)]
    assert seqs() == [1, 2, 3, 4, 5, 6, 7]
    since = datetime.fromisoformat(recorded[3]["ts"])
    assert seqs(since=since) == [4, 5, 6, 7]
    assert seqs(limit=3) == [5, 6, 7]  # the newest three, oldest first
    assert seqs(since=since, limit=10) == [4, 5, 6, 7]
    assert seqs(limit=0) == []
    assert seqs(since=datetime.fromisoformat("2999-01-01T00:00:00+00:00")) == []


def test_events_from_many_threads_and_two_stores_form_one_chain(store, data_dir):
    second = AuditStore.open(data_dir)  # as when the CLI writes while the server runs
    threads = [threading.Thread(target=record_checks, args=(s, 20, f"t{i}"))
               for i, s in enumerate([store, second] * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    report = store.verify()
    assert report.ok, report.reason
    assert report.checked == 120 and [e["seq"] for e in store.events()] == list(range(1, 121))


def test_verify_while_the_server_keeps_writing_sees_a_whole_chain(store):
    """Verification runs while events land; every report must see a whole chain, and the
    reports must actually span writes (the first ones start only once writing has begun,
    and verification goes on until at least 20 more events were written)."""
    stop = threading.Event()
    written = []

    def keep_writing():
        while not stop.is_set():
            record_checks(store, 1)
            written.append(1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    reports = []
    try:
        deadline = time.monotonic() + 60
        while not written and time.monotonic() < deadline:
            time.sleep(0.005)
        assert written, "the writer recorded nothing within 60 s"
        reports.append(store.verify())
        target = reports[0].checked + 20
        while time.monotonic() < deadline and (len(reports) < 30 or reports[-1].checked < target):
            reports.append(store.verify())
    finally:
        stop.set()
        writer.join()
    assert all(r.ok for r in reports), [r.reason for r in reports if not r.ok]
    assert reports[0].checked >= 1
    assert reports[-1].checked >= target, (reports[0].checked, reports[-1].checked)


def test_closed_store_refuses_to_record(data_dir):
    store = AuditStore.open(data_dir)
    store.close()
    store.close()
    with pytest.raises(AuditError, match="closed"):
        record_checks(store, 1)


# --- export ----------------------------------------------------------------------------------

def test_jsonl_export_round_trips_and_still_verifies(store):
    store.record_check(scan_id="s-1", platform="linkedin", url_host=None, result=leaky_result(),
                       versions=VERSIONS)
    store.record_decision(scan_id="s-1", action="edit", justification=None)
    out = io.StringIO()
    assert export_events(store.events(), "jsonl", out) == 2
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    assert exported == list(store.events())
    report = verify_chain(exported, head=None)  # a copy can be checked away from the laptop
    assert not report.ok and "head record is missing" in report.reason
    assert verify_chain(exported[:1], head=None).checked == 1


def test_csv_export_has_a_stable_header_and_json_cells(store):
    store.record_check(scan_id="s-1", platform="linkedin", url_host="www.linkedin.com",
                       result=leaky_result(), versions=VERSIONS)
    store.record_decision(scan_id="s-1", action="post_anyway", justification='=HYPERLINK("http://x")')
    out = io.StringIO()
    assert export_events(store.events(), "csv", out) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == list(EVENT_FIELDS) == [
        "seq", "event_id", "ts", "kind", "os_user", "host", "platform", "scan_id", "url_host",
        "verdict", "categories", "rules", "counts", "excerpts", "value_hashes", "ocr_incomplete",
        "action", "justification", "details", "versions", "prev_hash", "hash"]
    check, decision = (dict(zip(rows[0], row)) for row in rows[1:])
    assert json.loads(check["counts"]) == {"contact_pii": 2, "client_confidential": 1, "pricing": 1,
                                           "credentials": 1}
    assert json.loads(check["excerpts"])[2]["excerpt"] == "takes #,###.## USD per"
    assert check["ocr_incomplete"] == "true" and decision["ocr_incomplete"] == ""
    assert decision["justification"] == '\'=HYPERLINK("http://x")'  # never runs as a formula
    with pytest.raises(ValueError, match="jsonl, csv"):
        export_events([], "xml", io.StringIO())


# --- hash chain ------------------------------------------------------------------------------

def test_verify_accepts_an_untouched_log(store):
    assert store.verify().ok and store.verify().checked == 0
    events = record_checks(store, 5)
    report = store.verify()
    assert (report.ok, report.checked, report.first_broken) == (True, 5, None)
    assert (report.head_seq, report.head_hash) == (5, events[-1]["hash"])


def test_triggers_refuse_edits_and_come_back_after_being_dropped(store, data_dir):
    record_checks(store, 2)
    conn = sqlite3.connect(data_dir / "audit.sqlite3")
    for statement in ("UPDATE audit_events SET verdict = 'block'", "DELETE FROM audit_events"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement)
    conn.close()
    tamper(data_dir)
    AuditStore.open(data_dir).close()  # reopening restores the guards
    conn = sqlite3.connect(data_dir / "audit.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_events WHERE seq = 1")
    conn.close()


@pytest.mark.parametrize("statements, first_broken, words", [
    (["UPDATE audit_events SET verdict = 'block' WHERE seq = 3"], 3, "event 3 does not match its hash"),
    (["UPDATE audit_events SET os_user = 'someone-else' WHERE seq = 4"], 4, "event 4 does not match"),
    (["UPDATE audit_events SET versions = '{\"rules\": \"old\"}' WHERE seq = 1"], 1, "edited"),
    (["DELETE FROM audit_events WHERE seq = 3"], 3, "event 3 is missing"),
    (["DELETE FROM audit_events WHERE seq IN (2, 3)"], 2, "events 2-3 are missing"),
    (["DELETE FROM audit_events WHERE seq = 5"], 5, "event 5 is missing"),
    (["DELETE FROM audit_events WHERE seq = 1"], 1, "event 1 is missing"),
    (["UPDATE audit_events SET seq = 99 WHERE seq = 2", "UPDATE audit_events SET seq = 2 WHERE seq = 3",
      "UPDATE audit_events SET seq = 3 WHERE seq = 99"], 2, "event 2 does not link to event 1"),
    (["DELETE FROM audit_events"], 1, "events 1-5 are missing"),
])
def test_verify_names_the_first_tampered_event(store, data_dir, statements, first_broken, words):
    record_checks(store, 5)
    tamper(data_dir, *statements)
    report = store.verify()
    assert not report.ok
    assert report.first_broken == first_broken
    assert words in report.reason


def test_verify_catches_an_edit_whose_own_hash_was_recomputed(store, data_dir):
    events = record_checks(store, 4)
    forged = dict(events[1], verdict="allow", platform="instagram")
    forged_hash = event_hash(forged, forged["prev_hash"])
    tamper(data_dir, f"UPDATE audit_events SET platform = 'instagram', hash = '{forged_hash}' WHERE seq = 2")
    report = store.verify()
    assert (report.ok, report.first_broken) == (False, 3)
    assert "event 3 does not link to event 2" in report.reason


def test_a_deleted_newest_event_stays_visible_after_new_events(store, data_dir):
    record_checks(store, 3)
    tamper(data_dir, "DELETE FROM audit_events WHERE seq = 3")
    record_checks(store, 2, prefix="later")
    assert [e["seq"] for e in store.events()] == [1, 2, 4, 5]
    report = store.verify()
    assert (report.ok, report.first_broken) == (False, 3)


def test_verify_resumes_from_a_checkpoint_after_pruning(store):
    events = record_checks(store, 5)
    checkpoint = {name: None for name in EVENT_FIELDS}
    checkpoint.update(seq=6, kind="checkpoint", prev_hash=events[-1]["hash"],
                      details={"pruned_through_seq": 3, "pruned_count": 3,
                               "pruned_head_hash": events[2]["hash"]})
    checkpoint["hash"] = event_hash(checkpoint, checkpoint["prev_hash"])
    head = ChainLink(6, checkpoint["hash"])
    retained = events[3:] + [checkpoint]
    anchor = anchor_from_checkpoints([checkpoint], first_seq=4)
    assert verify_chain(retained, head=head, anchor=anchor).ok
    unanchored = verify_chain(retained, head=head)
    assert (unanchored.ok, unanchored.first_broken) == (False, 1)
    assert "events 1-3 are missing" in unanchored.reason


# --- keys and files --------------------------------------------------------------------------

def test_files_are_private_and_the_key_is_made_once(data_dir):
    data_dir.mkdir(mode=0o755)
    AuditStore.open(data_dir).close()
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)
    key_path = data_dir / "audit.key"
    assert mode(data_dir) == 0o700 and mode(key_path) == 0o600
    assert mode(data_dir / "audit.sqlite3") == 0o600
    key = key_path.read_bytes()
    assert len(key) == 32
    key_path.chmod(0o644)
    AuditStore.open(data_dir).close()
    assert key_path.read_bytes() == key and mode(key_path) == 0o600


def test_a_file_that_is_not_a_database_is_reported_not_overwritten(data_dir):
    data_dir.mkdir()
    (data_dir / "audit.sqlite3").write_bytes(b"this is not a database, and it is long enough" * 40)
    with pytest.raises(AuditError, match="cannot open the audit database"):
        AuditStore.open(data_dir)
    assert (data_dir / "audit.sqlite3").read_bytes().startswith(b"this is not a database")


def test_a_damaged_key_stops_the_store_without_printing_the_key(data_dir):
    AuditStore.open(data_dir).close()
    (data_dir / "audit.key").write_bytes(b"short-key-bytes")
    with pytest.raises(AuditKeyError) as raised:
        AuditStore.open(data_dir)
    assert "short-key-bytes" not in str(raised.value) and "15 bytes" in str(raised.value)


def test_keyed_hashes_correlate_within_an_install_but_not_across(tmp_path):
    key = os.urandom(32)
    assert keyed_hash(key, "Hexaprime Trading") == keyed_hash(key, "  HEXAPRIME\ttrading ")
    assert keyed_hash(key, "Hexaprime Trading") != keyed_hash(key, "Hexaprime Trade")
    hashes = []
    for name in ("laptop-a", "laptop-a", "laptop-b"):
        with_store = AuditStore.open(tmp_path / name)
        event = with_store.record_check(scan_id=name, platform="linkedin", url_host=None,
                                        result=leaky_result(), versions=VERSIONS)
        with_store.close()
        hashes.append({h["rule"]: h["hash"] for h in event["value_hashes"]})
        install_key = (tmp_path / name / "audit.key").read_bytes()
        assert hashes[-1]["client_list"] == keyed_hash(install_key, "Hexaprime Trading")
    assert hashes[0] == hashes[1]
    assert not set(hashes[0].values()) & set(hashes[2].values())


# --- privacy ---------------------------------------------------------------------------------

def database_bytes(data_dir: Path) -> bytes:
    """Everything SQLite keeps on disk for the log: main file, WAL and shared memory."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("audit.sqlite3*")))


def test_raw_values_and_post_text_never_reach_the_disk(data_dir):
    store = AuditStore.open(data_dir)
    store.record_check(scan_id="s-1", platform="linkedin",
                       url_host=f"https://www.linkedin.com/feed/?text={POST}", result=leaky_result(),
                       versions=VERSIONS)
    store.record_decision(scan_id="s-1", action="post_anyway", justification="approved by sales lead")
    exported = io.StringIO()
    export_events(store.events(), "jsonl", exported)
    export_events(store.events(), "csv", exported)
    while_open = database_bytes(data_dir)
    assert (data_dir / "audit.sqlite3-wal").stat().st_size > 0  # the events really are in the WAL
    store.close()
    for blob in (while_open, database_bytes(data_dir), exported.getvalue().encode()):
        assert "Mrs Q******* V*******".encode() in blob and b"h1:" in blob
        for secret in (*RAW_VALUES, "Zorblat", POST):
            assert secret.encode() not in blob, secret
            assert secret.casefold().encode() not in blob, secret


# --- durability ------------------------------------------------------------------------------

WRITER = """
import sys, time
from pathlib import Path
from companion.audit import AuditStore
from companion.detection.types import ScanResult
store = AuditStore.open(Path(sys.argv[1]))
stop_after = int(sys.argv[2])
written = 0
while True:
    if stop_after and written >= stop_after:
        time.sleep(60)
        continue
    event = store.record_check(scan_id=f"k-{written}", platform="linkedin", url_host=None,
                               result=ScanResult(verdict="allow"), versions={})
    written += 1
    print(event["seq"], event["event_id"], flush=True)
"""


@pytest.mark.parametrize("stop_after", [30, 0], ids=["killed-while-idle", "killed-mid-write"])
def test_acknowledged_events_survive_kill_9(data_dir, stop_after):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(stop_after)],
                             stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    acknowledged = {}
    try:
        while len(acknowledged) < 30:
            line = child.stdout.readline()
            assert line, "the writer died before acknowledging 30 events"
            seq, event_id = line.split()
            acknowledged[int(seq)] = event_id
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    store = AuditStore.open(data_dir)
    try:
        stored = {e["seq"]: e["event_id"] for e in store.events()}
        assert acknowledged.items() <= stored.items()
        report = store.verify()
        assert report.ok, report.reason
        assert report.checked == len(stored) >= 30
    finally:
        store.close()
