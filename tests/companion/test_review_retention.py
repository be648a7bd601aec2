"""Retention: old events leave the log, a checkpoint stands for them, the chain still verifies.

Logs here are a year of synthetic events (valid chain, real SQLite file) plus, where it
matters, fresh events recorded through the store as the companion records them.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from test_review_scale import write_synthetic_log

from companion.app import create_app
from companion.audit import AuditError, AuditStore
from companion.audit.retention import prune_expired
from companion.cli import main
from companion.config import Settings
from companion.detection.types import ScanResult

NOW = datetime.now(timezone.utc)
# Only the synthetic (year-old) events carry this excerpt; the fresh ones never do.
OLD_EXCERPT = b"only USD #.## per unit FOB"


def older_than(events, days: int) -> list[dict]:
    cutoff = (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return [e for e in events if e["ts"] < cutoff]


@pytest.fixture
def year(tmp_path):
    data_dir = tmp_path / "data"
    events = write_synthetic_log(data_dir, 1500, end=NOW)
    store = AuditStore.open(data_dir)
    yield data_dir, store, events
    store.close()


def db_bytes(data_dir) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("audit.sqlite3*"))


def test_prune_deletes_what_is_older_than_the_retention_and_leaves_a_checkpoint(year):
    data_dir, store, events = year
    old = older_than(events, 90)
    result = prune_expired(store, 90, now=NOW)
    assert (result.first_seq, result.through_seq, result.pruned_count) == (1, old[-1]["seq"], len(old))
    assert result.checkpoint_seq == len(events) + 1
    kept = list(store.events())
    assert kept[0]["seq"] == old[-1]["seq"] + 1 and len(kept) == len(events) - len(old) + 1
    checkpoint = kept[-1]
    assert checkpoint["kind"] == "checkpoint"
    assert checkpoint["details"]["pruned_head_hash"] == old[-1]["hash"]
    assert checkpoint["details"]["pruned_count"] == len(old)
    assert checkpoint["details"]["retention_days"] == 90
    assert checkpoint["details"]["pruned_from_ts"] == events[0]["ts"]
    report = store.verify()
    assert report.ok and report.checked == len(kept) and report.head_seq == checkpoint["seq"]


def test_pruned_events_are_gone_from_the_file_and_the_wal(year):
    data_dir, store, events = year
    assert OLD_EXCERPT in db_bytes(data_dir)
    prune_expired(store, 1, now=NOW + timedelta(days=400))  # everything is older than that
    store.record_check(scan_id="fresh", platform="linkedin", url_host=None, result=ScanResult(verdict="allow"),
                       versions={})
    assert OLD_EXCERPT not in db_bytes(data_dir)
    assert store.verify().ok


def test_a_second_prune_with_nothing_due_changes_nothing(year):
    _, store, events = year
    prune_expired(store, 90, now=NOW)
    head = store.verify().head_seq
    assert prune_expired(store, 90, now=NOW) is None
    assert store.verify().head_seq == head


def test_pruning_twice_chains_checkpoints_and_still_verifies(year):
    _, store, events = year
    first = prune_expired(store, 200, now=NOW)
    second = prune_expired(store, 30, now=NOW)
    assert second.first_seq == first.through_seq + 1
    checkpoints = [e for e in store.events() if e["kind"] == "checkpoint"]
    assert [c["seq"] for c in checkpoints] == [first.checkpoint_seq, second.checkpoint_seq]
    assert store.verify().ok


def test_retention_zero_keeps_everything(year):
    _, store, events = year
    assert prune_expired(store, 0, now=NOW) is None
    assert store.verify().checked == len(events)


def test_a_broken_chain_is_never_pruned(year):
    data_dir, store, events = year
    conn = sqlite3.connect(data_dir / "audit.sqlite3")
    conn.executescript("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET verdict = 'allow' WHERE seq = 5;")
    conn.close()
    with pytest.raises(AuditError, match="not pruning: the hash chain is broken at event 5"):
        prune_expired(store, 90, now=NOW)
    assert len(list(store.events())) == len(events)


@pytest.mark.parametrize("tamper,broken_at", [
    ("UPDATE audit_events SET details = replace(details, '\"pruned_count\":', '\"pruned_count\":1') "
     "WHERE kind = 'checkpoint';", "checkpoint"),
    ("DELETE FROM audit_events WHERE seq = (SELECT MIN(seq) FROM audit_events);", "first kept"),
])
def test_tampering_around_a_checkpoint_still_shows(year, tamper, broken_at):
    data_dir, store, events = year
    result = prune_expired(store, 90, now=NOW)
    conn = sqlite3.connect(data_dir / "audit.sqlite3")
    conn.executescript(f"DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; {tamper}")
    conn.close()
    report = store.verify()
    assert not report.ok
    expected = result.checkpoint_seq if broken_at == "checkpoint" else result.through_seq + 1
    assert report.first_broken == expected


def test_postguard_audit_prune_reports_and_verify_still_passes(year, runner):
    data_dir, store, events = year
    old = older_than(events, 30)
    result = runner.invoke(main, ["audit", "prune", "--data-dir", str(data_dir), "--retention-days", "30"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"pruned {len(old)} events older than ")
    assert f"(events 1-{old[-1]['seq']}); checkpoint is event {len(events) + 1}" in result.stdout
    again = runner.invoke(main, ["audit", "prune", "--data-dir", str(data_dir), "--retention-days", "30"])
    assert again.stdout.strip() == "nothing older than 30 days: nothing pruned"
    verify = runner.invoke(main, ["audit", "verify", "--data-dir", str(data_dir)])
    assert verify.exit_code == 0 and verify.stdout.startswith("chain OK")


def test_prune_takes_the_retention_from_the_environment(year, runner, monkeypatch):
    data_dir, _, events = year
    monkeypatch.setenv("POSTGUARD_AUDIT_RETENTION_DAYS", "0")
    result = runner.invoke(main, ["audit", "prune", "--data-dir", str(data_dir)])
    assert "retention is 0 (keep forever): nothing pruned" in result.stdout
    monkeypatch.setenv("POSTGUARD_AUDIT_RETENTION_DAYS", "-3")
    refused = runner.invoke(main, ["audit", "prune", "--data-dir", str(data_dir)])
    assert refused.exit_code == 2 and "audit_retention_days" in refused.stderr


def test_the_companion_prunes_at_start(tmp_path, api_engine):
    data_dir = tmp_path / "data"
    events = write_synthetic_log(data_dir, 400, end=NOW)
    app = create_app(Settings(data_dir=data_dir, audit_retention_days=60), engine=api_engine)
    store = app.extensions["postguard"].audit
    try:
        kept = list(store.events())
        assert kept[-1]["kind"] == "checkpoint"
        assert kept[-1]["details"]["pruned_count"] == len(older_than(events, 60))
        assert store.verify().ok
    finally:
        store.close()


def test_the_page_lists_the_checkpoint_and_explains_it(year, tmp_path):
    from companion.audit.sqlite_reader import SqliteAuditReader
    from companion.review import create_review_app
    from companion.review.auth import admin_token

    data_dir, store, events = year
    result = prune_expired(store, 90, now=NOW)
    client = create_review_app(SqliteAuditReader(store), Settings(data_dir=data_dir)).test_client()
    client.post("/audit/login", data={"token": admin_token(data_dir)[0]}, headers={"Origin": "http://localhost"})
    listing = client.get("/audit?kind=checkpoint").get_data(as_text=True)
    assert f"pruned events up to #{result.through_seq}" in listing and 'data-chain="ok"' in listing
    detail = client.get(f"/audit/events/{result.checkpoint_seq}").get_data(as_text=True)
    assert "Pruned by retention" in detail and json.dumps(result.through_seq) in detail
    assert events[result.through_seq - 1]["hash"] in detail


def test_the_checkpoint_reaches_the_stores_listeners_like_any_event(year):
    """The forwarder learns of it at once, so the central copy of the chain has no gap."""
    _, store, _ = year
    heard: list[dict] = []
    store.add_listener(heard.append)
    result = prune_expired(store, 90, now=NOW)
    assert [(e["kind"], e["seq"]) for e in heard] == [("checkpoint", result.checkpoint_seq)]


def test_retention_keeps_events_a_forwarding_target_has_not_confirmed(tmp_path):
    """The SIEM was down for a year: the year's events wait for it instead of being pruned."""
    from datetime import datetime, timedelta, timezone

    from companion.audit import AuditStore
    from companion.audit.retention import prune_expired
    from companion.detection.types import ScanResult

    store = AuditStore.open(tmp_path)
    try:
        for n in range(5):
            store.record_check(scan_id=f"s{n}", platform="linkedin", url_host=None,
                               result=ScanResult("allow"), versions={})
        later = datetime.now(timezone.utc) + timedelta(days=400)
        result = prune_expired(store, 365, now=later, keep_from_seq=3)
        assert result.pruned_count == 2
        assert [e["scan_id"] for e in store.events() if e["kind"] == "check"] == ["s2", "s3", "s4"]
        assert store.verify().ok
    finally:
        store.close()
