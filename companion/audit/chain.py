"""The hash chain that makes an edited, deleted or reordered audit event visible.

Each event's `hash` is sha256(prev_hash + canonical JSON of every other field, seq included),
and its `prev_hash` is the hash of the event before it (the first links to `GENESIS`).
A separate head record (last seq and hash, written in the same transaction as the event)
lets `verify_chain` notice that the newest events were deleted, which links alone cannot.

What this does not stop: someone who can write the database can recompute every hash and
the head, or delete the newest events and rewrite the head. The chain proves integrity
against edits that do not. Every forwarded event carries its seq and hash, so syslog and the
central store hold their own copy of the head; anchor.py compares the local chain with it
(`postguard audit verify --against`), which closes that gap for events already forwarded.

Retention pruning (retention.py) deletes the oldest events and appends a `checkpoint` event
whose `details` say `pruned_through_seq` and `pruned_head_hash`; `anchor_from_checkpoints`
turns that into the starting point from which `verify_chain` continues.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable

GENESIS = "0" * 64
UNHASHED_FIELDS = frozenset({"prev_hash", "hash"})


@dataclass(frozen=True)
class ChainLink:
    """A (seq, hash) pair: the head of the log, or the anchor a checkpoint vouches for."""

    seq: int
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """Outcome of `verify`: `first_broken` is the first seq that is not as recorded."""

    ok: bool
    checked: int
    first_broken: int | None
    reason: str
    head_seq: int = 0
    head_hash: str = GENESIS


def canonical_json(value) -> str:
    """One byte-exact JSON form per value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def event_hash(event: dict, prev_hash: str) -> str:
    """sha256 over the previous hash and the event's canonical body."""
    body = {k: v for k, v in event.items() if k not in UNHASHED_FIELDS}
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def anchor_from_checkpoints(checkpoints: Iterable[dict], first_seq: int) -> ChainLink | None:
    """The link a checkpoint records for the events before `first_seq`, if any does.

    Normally one checkpoint ends exactly at `first_seq - 1`. If none does (events right
    after a prune were deleted by hand), the nearest earlier one is used, so `verify`
    names the deleted events after it instead of blaming the legitimately pruned ones.
    """
    best: ChainLink | None = None
    for checkpoint in checkpoints:
        details = checkpoint.get("details") if isinstance(checkpoint.get("details"), dict) else {}
        through, head_hash = details.get("pruned_through_seq"), details.get("pruned_head_hash")
        if isinstance(through, int) and head_hash and through < first_seq and (best is None or through > best.seq):
            best = ChainLink(through, head_hash)
    return best


def _missing(first: int, last: int) -> str:
    """Human wording for a run of missing sequence numbers."""
    return f"event {first} is missing" if first == last else f"events {first}-{last} are missing"


def _check_event(event: dict, expected: ChainLink) -> str | None:
    """Why `event` does not follow `expected`, or None when it does."""
    seq = event["seq"]
    if seq > expected.seq + 1:
        return _missing(expected.seq + 1, seq - 1) + " (deleted)"
    if seq <= expected.seq:
        return f"event {seq} appears out of order after event {expected.seq}"
    if event["prev_hash"] != expected.hash:
        return (f"event {seq} does not link to event {expected.seq}: "
                "one of them was edited, replaced or moved")
    if event_hash(event, event["prev_hash"]) != event["hash"]:
        return f"event {seq} does not match its hash: it was edited"
    return None


def _check_head(last: ChainLink, head: ChainLink | None) -> tuple[int, str] | None:
    """Compare the end of the walked chain with the head record; (first_broken, reason)."""
    if head is None:
        if last.seq == 0:
            return None
        return last.seq, "the head record is missing, so deleted newest events cannot be ruled out"
    if head.seq > last.seq:
        return last.seq + 1, _missing(last.seq + 1, head.seq) + f" (the log should end at {head.seq})"
    if head.seq < last.seq:
        return head.seq + 1, f"events after {head.seq} were added outside the audit store"
    if head.hash != last.hash:
        return head.seq, f"event {head.seq} differs from the recorded head: it was replaced"
    return None


def verify_chain(
    events: Iterable[dict], *, head: ChainLink | None, anchor: ChainLink | None = None,
) -> ChainReport:
    """Walk events in seq order and report the first place the chain breaks.

    `anchor` is where the retained log starts after pruning; without one the log must
    start at seq 1 from `GENESIS`.
    """
    expected = anchor or ChainLink(0, GENESIS)
    checked = 0
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    for event in events:
        problem = _check_event(event, expected)
        if problem:
            first_broken = min(event["seq"], expected.seq + 1)
            return ChainReport(False, checked, first_broken, problem, head_seq, head_hash)
        checked += 1
        expected = ChainLink(event["seq"], event["hash"])
    broken = _check_head(expected, head)
    if broken:
        return ChainReport(False, checked, broken[0], broken[1], head_seq, head_hash)
    return ChainReport(True, checked, None, f"{checked} events verified", head_seq, head_hash)
