"""Where `postguard audit verify --against` reads a target's copy of the chain from.

    syslog_archive_chains(path)        a file rsyslog (or another collector) wrote, one message a line
    central_chains(url, local, ids)    the central PostgreSQL store

Both return `TargetChain`s (anchor.py): per laptop id, each event's seq, hash, event id and
a time. Neither reads any event content beyond those fields.

A syslog archive must keep the RFC 5424 structured data, as the documented rsyslog
configuration does (`%rawmsg%`). The seq and hash come
from the `postguard@32473` element; messages forwarded before `hash` was in it give theirs
from the JSON in MSG. Rotated archives ending in `.gz` are read too.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from companion.audit.anchor import LocalChain, TargetChain, TargetLink
from companion.audit.sinks.base import CentralStoreUnavailable
from companion.audit.sinks.pg_connect import connect, parse_central_db, reason
from companion.audit.sinks.rfc5424 import BOM, SD_ID
from companion.errors import ConfigError

_SD_ELEMENT = re.compile(r'\[' + re.escape(SD_ID) + r'((?:\s+[^\s=\]"]+="(?:[^"\\]|\\.)*")*)\s*\]')
_SD_PARAM = re.compile(r'([^\s=\]"]+)="((?:[^"\\]|\\.)*)"')
_SD_UNESCAPE = re.compile(r'\\(["\\\]])')
_HEADER_TIME = re.compile(r"<\d{1,3}>1 (\S+) ")
_HASH = re.compile(r"[0-9a-f]{64}")
_EVENT_ID_BATCH = 1000


def _sd_params(line: str) -> dict[str, str] | None:
    """The postguard@32473 parameters of one message line, or None when it has none."""
    found = _SD_ELEMENT.search(line)
    if not found:
        return None
    return {name: _SD_UNESCAPE.sub(r"\1", value) for name, value in _SD_PARAM.findall(found.group(1))}


def _from_message(line: str) -> dict:
    """The event JSON after the BOM (older messages carry their hash only there)."""
    start = line.find(BOM + "{")
    if start < 0:
        return {}
    try:
        body = json.loads(line[start + 1:])
    except ValueError:  # truncated by a collector with a small message size limit
        return {}
    return body if isinstance(body, dict) else {}


def _link(line: str) -> tuple[str, TargetLink] | None:
    """(laptop id, link) from one archive line, or None for a line that is not one of our events."""
    params = _sd_params(line)
    if not params or "laptop_id" not in params or not params.get("seq", "").isdigit():
        return None
    chain_hash = params.get("hash") or _from_message(line).get("hash")
    if not isinstance(chain_hash, str) or not _HASH.fullmatch(chain_hash):
        return None
    header = _HEADER_TIME.search(line)
    when = header.group(1) if header else _from_message(line).get("ts")
    return params["laptop_id"], TargetLink(int(params["seq"]), chain_hash, params.get("event_id"), when)


def syslog_archive_chains(path: Path) -> list[TargetChain]:
    """Every Postguard chain in a syslog archive file, by laptop id."""
    opener = gzip.open if str(path).endswith(".gz") else open
    chains: dict[str, TargetChain] = {}
    try:
        with opener(path, "rb") as handle:
            for raw in handle:
                found = _link(raw.decode("utf-8", errors="replace"))
                if found:
                    chains.setdefault(found[0], TargetChain(found[0])).add(found[1])
    except OSError as exc:
        raise ConfigError(f"cannot read the syslog archive: {exc.strerror or type(exc).__name__}",
                          path=str(path), field="--against") from None
    return list(chains.values())


def central_chains(url: str, local: LocalChain, laptop_ids: set[str]) -> tuple[list[TargetChain], str]:
    """This log's chains in the central store, and what they were read from (for the report).

    A role that may read events (the review role) gets every event's seq and hash. The
    laptops' role may only read `postguard_laptops`, so with it the comparison covers the
    recorded heads of the laptop ids the spool knows only, and the report says so.
    """
    import psycopg

    db = parse_central_db(url, field="--against")
    conn = connect(db, autocommit=True)
    try:
        try:
            return _events_of(conn, local, laptop_ids), db.describe()
        except psycopg.errors.InsufficientPrivilege:
            return _heads_of(conn, laptop_ids), f"{db.describe()} (head record only: this role may not read events)"
    except psycopg.Error as exc:
        raise CentralStoreUnavailable(f"cannot read the central audit store {db.describe()}: "
                                      f"{reason(db, exc)}") from None
    finally:
        conn.close()


def _events_of(conn, local: LocalChain, laptop_ids: set[str]) -> list[TargetChain]:
    """Every laptop id holding one of this log's events (or the spool's), with all its links."""
    ids = sorted(local.event_ids.values())
    found = set(laptop_ids)
    for start in range(0, len(ids), _EVENT_ID_BATCH):
        rows = conn.execute("SELECT DISTINCT laptop_id FROM postguard_events WHERE event_id = ANY(%s)",
                            (ids[start:start + _EVENT_ID_BATCH],)).fetchall()
        found.update(row[0] for row in rows)
    chains = {laptop_id: TargetChain(laptop_id) for laptop_id in found}
    rows = conn.execute("SELECT laptop_id, seq, hash, event_id, received_at FROM postguard_events "
                        "WHERE laptop_id = ANY(%s) ORDER BY laptop_id, seq", (sorted(found),))
    for laptop_id, seq, chain_hash, event_id, received_at in rows:
        chains[laptop_id].add(TargetLink(seq, chain_hash, event_id, _utc(received_at)))
    return list(chains.values())


def _heads_of(conn, laptop_ids: set[str]) -> list[TargetChain]:
    """The recorded head of each laptop id, for a role that may not read events."""
    rows = conn.execute("SELECT laptop_id, head_seq, head_hash, last_seen FROM postguard_laptops "
                        "WHERE laptop_id = ANY(%s)", (sorted(laptop_ids),)).fetchall()
    chains = []
    for laptop_id, seq, chain_hash, last_seen in rows:
        chain = TargetChain(laptop_id)
        chain.add(TargetLink(seq, chain_hash, None, _utc(last_seen)))
        chains.append(chain)
    return chains


def _utc(moment) -> str | None:
    """A timestamptz as `YYYY-MM-DDTHH:MM:SSZ`."""
    if moment is None:
        return None
    from datetime import timezone

    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
