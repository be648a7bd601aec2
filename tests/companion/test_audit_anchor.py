"""The chain head anchored off the laptop: a cut tail or a rewritten event is caught against
the copy a forwarding target holds, with a real rsyslog and a real PostgreSQL.

The attacks are the ones a root user on the laptop can make with the sqlite3 shell: delete
the newest events and rewrite `audit_head` (the finding of issue 11), or change an event and
recompute every hash after it. Both leave a local chain that `postguard audit verify`
accepts; `verify --against` compares it with the syslog archive or the central store.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from companion.audit import AuditStore
from companion.audit.chain import event_hash
from companion.audit.schema import COLUMNS, row_to_event
from companion.audit.sinks import Backoff, Spool, start_forwarding
from companion.config import Settings
from sink_servers import RSYSLOGD, new_database, postgres, record_sample_events, sd_params, wait_for  # noqa: F401

POSTGUARD = str(Path(sys.executable).parent / "postguard")
FAST = {"backoff": Backoff(0.05, 0.5), "poll_s": 0.5}
needs_rsyslog = pytest.mark.skipif(not Path(RSYSLOGD).exists(), reason="rsyslogd missing (Debian package rsyslog)")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


def forward(data_dir: Path, count: int, **targets) -> tuple[list[dict], str]:
    """Record `count` events and forward them to `targets` until each confirmed them all;
    returns the events and the laptop id. The store is closed afterwards, as after a shutdown."""
    store = AuditStore.open(data_dir)
    try:
        events = record_sample_events(store, count)
        forwarder = start_forwarding(Settings(data_dir=data_dir, **targets), store, **FAST)
        try:
            assert forwarder.wait_until_delivered(60)
            return events, forwarder.spool.laptop_id
        finally:
            forwarder.stop()
    finally:
        store.close()


def forward_to_rsyslog(rsyslog, data_dir: Path, count: int) -> tuple[list[dict], str]:
    """Forward, then wait until rsyslog has written every message it confirmed to its archive."""
    events, laptop_id = forward(data_dir, count, syslog_target=f"tcp://127.0.0.1:{rsyslog.port}")
    wait_for(lambda: len(rsyslog.raw_messages()) >= count)
    return events, laptop_id


def shell(db: Path, sql: str) -> None:
    """What a root user does with the sqlite3 shell (or Python's sqlite3 where it is missing)."""
    if shutil.which("sqlite3"):
        subprocess.run(["sqlite3", str(db)], input=sql, text=True, check=True, capture_output=True, timeout=30)
    else:
        with sqlite3.connect(db) as conn:
            conn.executescript(sql)


def cut_tail(data_dir: Path, keep_through: int) -> None:
    """Delete every event after `keep_through` and rewrite audit_head to match (the finding)."""
    shell(data_dir / "audit.sqlite3",
          "DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_head_forward_only; "
          f"DELETE FROM audit_events WHERE seq > {keep_through}; "
          f"UPDATE audit_head SET seq = {keep_through}, "
          f"hash = (SELECT hash FROM audit_events WHERE seq = {keep_through});")


def rewrite_event(data_dir: Path, seq: int, justification: str) -> None:
    """Change event `seq` and recompute its hash, every hash after it and the head."""
    conn = sqlite3.connect(data_dir / "audit.sqlite3")
    try:
        conn.executescript("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_head_forward_only;")
        events = [row_to_event(r) for r in conn.execute(f"SELECT {COLUMNS} FROM audit_events WHERE seq >= ? "
                                                        "ORDER BY seq", (seq,))]
        prev = events[0]["prev_hash"]
        for event in events:
            if event["seq"] == seq:
                event["justification"] = justification
            event["prev_hash"], event["hash"] = prev, event_hash(event, prev)
            prev = event["hash"]
            conn.execute("UPDATE audit_events SET justification = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         (event["justification"], event["prev_hash"], event["hash"], event["seq"]))
        conn.execute("UPDATE audit_head SET hash = ?", (prev,))
        conn.commit()
    finally:
        conn.close()


def read_anchors(data_dir: Path):
    from companion.audit.sinks.anchor_record import read_anchors as read

    return read(data_dir)


def verify(data_dir: Path, *against: str, env: dict | None = None) -> subprocess.CompletedProcess:
    args = [POSTGUARD, "audit", "verify", "--data-dir", str(data_dir)]
    for target in against:
        args += ["--against", target]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)


# -- syslog -----------------------------------------------------------------------------------------

@needs_rsyslog
def test_every_forwarded_event_carries_its_chain_position_and_hash(rsyslog, data_dir):
    events, laptop_id = forward_to_rsyslog(rsyslog, data_dir, 6)
    records = rsyslog.records()
    assert [(int(sd_params(r)["seq"]), sd_params(r)["hash"]) for r in records] == \
        [(e["seq"], e["hash"]) for e in events], "rsyslog's parser finds seq and hash in the structured data"
    anchors = read_anchors(data_dir)
    assert [(a.sink, a.seq, a.hash, a.target) for a in anchors] == \
        [("syslog", 6, events[-1]["hash"], f"syslog tcp://127.0.0.1:{rsyslog.port}")]
    assert anchors[0].anchored_at >= events[-1]["ts"], "when the collector confirmed it"


@needs_rsyslog
def test_a_cut_tail_passes_verify_but_not_verify_against_the_syslog_archive(rsyslog, data_dir):
    events, laptop_id = forward_to_rsyslog(rsyslog, data_dir, 12)
    cut_tail(data_dir, 9)

    alone = verify(data_dir)
    assert alone.returncode == 0 and alone.stdout.startswith("chain OK: 9 events"), \
        "the local chain alone cannot tell (the finding)"
    assert f"WARNING: syslog tcp://127.0.0.1:{rsyslog.port} confirmed event 12" in alone.stderr, \
        "the spool's record of the anchor is a hint (the same user can edit it too)"
    against = verify(data_dir, str(rsyslog.raw_file))
    assert against.returncode == 4, against.stderr
    assert "chain CUT after event 9: 3 events are missing here (10-12)" in against.stderr
    assert f"laptop {laptop_id[:8]}" in against.stderr and "last anchored: event 12" in against.stderr
    assert events[-1]["ts"][:19] in against.stderr, "when the last anchored event was recorded"


@needs_rsyslog
def test_a_cut_tail_is_caught_after_forwarding_restarts_under_a_new_laptop_id(rsyslog, data_dir):
    _, first_id = forward_to_rsyslog(rsyslog, data_dir, 12)
    cut_tail(data_dir, 9)
    # The companion starts again: the spool no longer fits the log, so it forwards it anew
    # under a new laptop id, and later events go on from event 9.
    _, second_id = forward_to_rsyslog(rsyslog, data_dir, 2)
    wait_for(lambda: len(rsyslog.raw_messages()) >= 12 + 9 + 2)
    assert second_id != first_id

    against = verify(data_dir, str(rsyslog.raw_file))
    assert against.returncode == 5, against.stderr
    assert "chain REWRITTEN at event 10" in against.stderr and f"laptop {first_id[:8]}" in against.stderr, \
        "the new event 10 is not the one the collector got first"
    assert f"matches the syslog archive {rsyslog.raw_file} (laptop {second_id[:8]}" in against.stdout


@needs_rsyslog
def test_a_rewritten_event_is_caught_at_its_seq(rsyslog, data_dir):
    forward_to_rsyslog(rsyslog, data_dir, 12)
    rewrite_event(data_dir, 7, "approved by my manager")

    assert verify(data_dir).returncode == 0, "every hash was recomputed, so the local chain holds"
    against = verify(data_dir, str(rsyslog.raw_file))
    assert against.returncode == 5, against.stderr
    assert "chain REWRITTEN at event 7:" in against.stderr
    assert "approved by my manager" not in against.stderr + against.stdout


@needs_rsyslog
def test_a_whole_chain_matches_and_events_not_yet_forwarded_are_no_cut(rsyslog, data_dir):
    forward_to_rsyslog(rsyslog, data_dir, 8)
    store = AuditStore.open(data_dir)
    record_sample_events(store, 2)  # recorded while forwarding was off
    store.close()

    result = verify(data_dir, str(rsyslog.raw_file))
    assert result.returncode == 0, result.stderr
    assert "chain OK: 10 events" in result.stdout
    assert "8 events compared, all equal; the 2 newest events are not there yet" in result.stdout


@needs_rsyslog
def test_events_pruned_here_are_not_missing_and_the_checkpoint_is_compared(rsyslog, data_dir):
    from datetime import datetime, timedelta, timezone

    forward_to_rsyslog(rsyslog, data_dir, 12)
    store = AuditStore.open(data_dir)
    checkpoint = store.prune_before(datetime.now(timezone.utc) + timedelta(days=1), keep_from_seq=9)
    store.close()
    assert checkpoint["seq"] == 13 and checkpoint["details"]["pruned_through_seq"] == 8
    forward_to_rsyslog(rsyslog, data_dir, 0)  # the checkpoint goes out like any event
    wait_for(lambda: len(rsyslog.raw_messages()) >= 13)

    result = verify(data_dir, str(rsyslog.raw_file))
    assert result.returncode == 0, result.stderr
    assert "last anchored: event 13" in result.stdout
    assert "6 events compared, all equal" in result.stdout, "events 9-13 and the pruned head, event 8"


@needs_rsyslog
def test_an_archive_without_this_logs_events_says_it_is_not_anchored(rsyslog, tmp_path):
    forward_to_rsyslog(rsyslog, tmp_path / "other-laptop", 4)
    mine = AuditStore.open(tmp_path / "data")
    record_sample_events(mine, 3)
    mine.close()

    result = verify(tmp_path / "data", str(rsyslog.raw_file))
    assert result.returncode == 6, result.stderr
    assert "chain NOT ANCHORED" in result.stderr and "holds no event of this log" in result.stderr


@needs_rsyslog
def test_messages_forwarded_before_the_hash_was_in_the_structured_data_still_count(rsyslog, data_dir, tmp_path):
    import re

    forward_to_rsyslog(rsyslog, data_dir, 6)
    old = tmp_path / "old-archive.log"
    old.write_bytes(b"\n".join(re.sub(rb' hash="[0-9a-f]{64}"', b"", m) for m in rsyslog.raw_messages()) + b"\n")
    cut_tail(data_dir, 4)

    result = verify(data_dir, str(old))
    assert result.returncode == 4 and "chain CUT after event 4" in result.stderr, result.stderr


def test_a_target_that_cannot_be_read_is_named_with_what_to_pass_instead(data_dir, tmp_path):
    import os

    store = AuditStore.open(data_dir)
    record_sample_events(store, 1)
    store.close()
    env = {k: v for k, v in os.environ.items() if k != "POSTGUARD_CENTRAL_DB"}
    missing = verify(data_dir, str(tmp_path / "no-such-archive.log"), env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr and "postgresql://" in missing.stderr
    unset = verify(data_dir, "central", env=env)
    assert unset.returncode == 2 and "POSTGUARD_CENTRAL_DB" in unset.stderr


def test_a_spool_made_before_anchors_were_kept_gains_them(data_dir):
    store = AuditStore.open(data_dir)
    events = record_sample_events(store, 2)
    old = sqlite3.connect(data_dir / "forward.sqlite3")
    old.executescript("CREATE TABLE forward_cursor (sink TEXT PRIMARY KEY, seq INTEGER NOT NULL, "
                      "event_id TEXT NOT NULL, delivered_at TEXT NOT NULL);"
                      f"INSERT INTO forward_cursor VALUES ('syslog', 1, '{events[0]['event_id']}', "
                      "'2026-11-01T00:00:00.000000Z');")
    old.close()
    assert [(a.seq, a.hash, a.target) for a in read_anchors(data_dir)] == [(1, None, None)]

    spool = Spool.open(data_dir)
    spool.mark_delivered("syslog", events[1], "syslog tcp://siem.example.com:514")
    spool.close()
    store.close()
    assert [(a.seq, a.hash, a.target) for a in read_anchors(data_dir)] == \
        [(2, events[1]["hash"], "syslog tcp://siem.example.com:514")]


# -- the central store ------------------------------------------------------------------------------

@pytest.fixture
def db_url(postgres):
    return new_database(postgres)


def test_a_cut_tail_is_caught_against_the_central_store(data_dir, db_url):
    _, laptop_id = forward(data_dir, 12, central_db=db_url)
    cut_tail(data_dir, 9)

    assert verify(data_dir).returncode == 0
    result = verify(data_dir, db_url)
    assert result.returncode == 4, result.stderr
    assert "chain CUT after event 9: 3 events are missing here (10-12)" in result.stderr
    assert f"laptop {laptop_id[:8]}" in result.stderr and "received" in result.stderr
    assert "pg-Secret" not in result.stderr + result.stdout, "the password never shows"


def test_a_rewritten_event_is_caught_against_the_central_store(data_dir, db_url):
    forward(data_dir, 12, central_db=db_url)
    rewrite_event(data_dir, 5, "approved by my manager")

    assert verify(data_dir).returncode == 0
    result = verify(data_dir, db_url)
    assert result.returncode == 5 and "chain REWRITTEN at event 5:" in result.stderr, result.stderr


def test_a_whole_chain_matches_the_configured_central_store(data_dir, db_url):
    import os

    forward(data_dir, 12, central_db=db_url)
    result = verify(data_dir, "central", env={**os.environ, "POSTGUARD_CENTRAL_DB": db_url})
    assert result.returncode == 0, result.stderr
    assert "12 events compared, all equal" in result.stdout and "last anchored: event 12" in result.stdout


def laptop_role_url(db_url: str, postgres, role: str) -> str:
    """A URL for a role with the documented laptops' grants (INSERT events, use the heads)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'laptop-pw-1'")
        conn.execute(f"GRANT INSERT ON postguard_events TO {role}")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE ON postguard_laptops TO {role}")
    return db_url.replace(f"postgres:{postgres.PASSWORD}@", f"{role}:laptop-pw-1@")


def test_with_the_laptops_own_role_the_recorded_head_still_shows_a_cut(data_dir, db_url, postgres):
    forward(data_dir, 12, central_db=db_url)
    laptop_url = laptop_role_url(db_url, postgres, "anchor_laptop_role")
    cut_tail(data_dir, 10)

    result = verify(data_dir, laptop_url)
    assert result.returncode == 4, result.stderr
    assert "chain CUT after event 10: 2 events are missing here (11-12)" in result.stderr
    assert "head record only: this role may not read events" in result.stderr
    assert "laptop-pw-1" not in result.stderr + result.stdout


def test_the_spool_keeps_the_laptop_id_a_cut_log_was_forwarded_under(data_dir, db_url, postgres):
    _, first_id = forward(data_dir, 12, central_db=db_url)
    cut_tail(data_dir, 9)
    _, second_id = forward(data_dir, 0, central_db=db_url)  # the companion starts again
    assert second_id != first_id
    laptop_url = laptop_role_url(db_url, postgres, "anchor_restart_role")

    result = verify(data_dir, laptop_url)  # this role sees heads only, so it needs the old id
    assert result.returncode == 4, result.stderr
    assert "chain CUT after event 9: 3 events are missing here (10-12)" in result.stderr
    assert f"laptop {first_id[:8]}" in result.stderr
    alone = verify(data_dir)
    assert alone.returncode == 0 and "had confirmed event 12 when this log, ending at event 9" in alone.stderr
