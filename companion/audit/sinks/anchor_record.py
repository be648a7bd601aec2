"""What the spool remembers about anchors, read from another process (the review page, the CLI).

    read_anchors(data_dir)        per target, the newest event it confirmed and when
    read_replacements(data_dir)   logs that stopped fitting the cursors (cut, replaced, restored)
    read_laptop_ids(data_dir)     the laptop id this log is forwarded under, then earlier ones

All of it sits on the laptop, where its user can change it: a hint for the page, never the
proof. The proof is the target's own copy (`postguard audit verify --against`). Every
reader opens the spool read-only and answers "nothing" for a spool that is missing or older
than the record it asks for.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from companion.audit.sinks.spool import SPOOL_FILE_NAME


@dataclass(frozen=True)
class Anchor:
    """The newest event one forwarding target confirmed: the chain head as anchored there."""

    sink: str
    target: str | None  # as the sink describes itself (no password); None in spools made before
    seq: int
    hash: str | None
    anchored_at: str  # UTC, when the target confirmed it


@dataclass(frozen=True)
class Replacement:
    """A log that no longer fitted a target's cursor, so forwarding began again under a new id."""

    laptop_id: str  # the id the target holds the earlier chain under
    anchor: Anchor  # what that target had confirmed by then
    log_ended_at: int  # the newest seq in the log when it was found not to fit
    replaced_at: str


def _rows(data_dir: Path, sql: str) -> list[tuple]:
    """Rows of a read-only query on the spool; none when it or its table is missing."""
    path = Path(data_dir) / SPOOL_FILE_NAME
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def read_anchors(data_dir: Path) -> list[Anchor]:
    """Each target's last confirmed event (empty when nothing was ever confirmed)."""
    rows = _rows(data_dir, "SELECT sink, target, seq, hash, delivered_at FROM forward_cursor ORDER BY sink")
    if not rows:  # a spool made before the hash and target were kept
        rows = [(sink, None, seq, None, at) for sink, seq, at in
                _rows(data_dir, "SELECT sink, seq, delivered_at FROM forward_cursor ORDER BY sink")]
    return [Anchor(*row) for row in rows]


def read_replacements(data_dir: Path) -> list[Replacement]:
    """Every time the log stopped fitting a target's cursor, oldest first."""
    rows = _rows(data_dir, "SELECT laptop_id, sink, target, seq, hash, delivered_at, log_ended_at, replaced_at "
                           "FROM forward_replaced ORDER BY replaced_at, sink")
    return [Replacement(laptop_id, Anchor(sink, target, seq, chain_hash, at), ended, replaced)
            for laptop_id, sink, target, seq, chain_hash, at, ended, replaced in rows]


def read_laptop_ids(data_dir: Path) -> list[str]:
    """The laptop id this log is forwarded under, then those of earlier forwarding (newest first)."""
    current = [row[0] for row in _rows(data_dir, "SELECT laptop_id FROM forward_identity WHERE id = 1")]
    earlier = [r.laptop_id for r in reversed(read_replacements(data_dir))]
    return list(dict.fromkeys(current + earlier))
