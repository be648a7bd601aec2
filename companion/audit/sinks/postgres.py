"""The central store sink: every laptop's audit events in one PostgreSQL database.

Delivery is exactly-once. A batch goes in one transaction with `ON CONFLICT DO NOTHING`
on `event_id` (and on `(laptop_id, seq)`). If a commit succeeded but its answer was lost,
the batch is sent again and the retry inserts nothing new. The laptop's head moves
forward in the same transaction, never back.

PostgreSQL text cannot hold NUL characters. A justification with one would otherwise
block the spool forever, so NULs are dropped from the query columns. The `canonical`
column keeps the exact JSON, where a NUL is written as the escape `\\u0000`.
"""

from __future__ import annotations

import logging
from typing import Sequence

from companion.audit.chain import canonical_json
from companion.audit.events import EVENT_FIELDS, JSON_FIELDS
from companion.audit.sinks.base import CentralStoreUnavailable
from companion.audit.sinks.pg_connect import CentralDb, connect, parse_central_db, reason
from companion.audit.sinks.pg_review_schema import review_tables_ready
from companion.audit.sinks.pg_schema import INSERT_COLUMNS, ensure_schema, tables_exist

log = logging.getLogger("postguard.audit")

_ROW = f"({', '.join(['%s'] * len(INSERT_COLUMNS))})"
# Rows per INSERT statement: the review tables' trigger runs once per statement, so a batch in
# one statement is counted set-wise (PostgreSQL takes at most 65,535 parameters a statement).
_ROWS_PER_INSERT = 500


def _insert_events(count: int) -> str:
    """One INSERT of `count` events; one already stored (same event id) is left as it is."""
    return (f"INSERT INTO postguard_events ({', '.join(INSERT_COLUMNS)}) "
            f"VALUES {', '.join([_ROW] * count)} ON CONFLICT DO NOTHING")
_MOVE_HEAD = """
INSERT INTO postguard_laptops (laptop_id, host, os_user, first_seq, head_seq, head_hash)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (laptop_id) DO UPDATE SET
    host = EXCLUDED.host, os_user = EXCLUDED.os_user, last_seen = now(),
    first_seq = LEAST(postguard_laptops.first_seq, EXCLUDED.first_seq),
    head_seq = GREATEST(postguard_laptops.head_seq, EXCLUDED.head_seq),
    head_hash = CASE WHEN EXCLUDED.head_seq > postguard_laptops.head_seq
                     THEN EXCLUDED.head_hash ELSE postguard_laptops.head_hash END
"""


def without_nul(value):
    """`value` with NUL characters removed from every string in it (PostgreSQL refuses them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


def event_row(event: dict, laptop_id: str) -> tuple:
    """One row of postguard_events: query columns plus the exact canonical JSON."""
    from psycopg.types.json import Jsonb

    values = [laptop_id]
    for name in EVENT_FIELDS:
        value = without_nul(event.get(name))
        values.append(Jsonb(value) if name in JSON_FIELDS and value is not None else value)
    values.append(canonical_json({name: event.get(name) for name in EVENT_FIELDS}))
    return tuple(values)


def insert_batch(conn, events: Sequence[dict], laptop_id: str, *, report_stored: bool = False) -> list[dict]:
    """Insert a batch (seq order) and move the laptop's head, in one transaction; a repeat adds nothing.

    With `report_stored`, returns the events stored now (not those already there); that needs
    SELECT on the events (RETURNING), which the laptops' INSERT-only role does not have, so the
    laptops' sink leaves it off. The laptops' sink and the central service's ingest both write
    through this.
    """
    last = events[-1]
    stored: set[str] = set()
    rows = [event_row(e, laptop_id) for e in events]
    with conn.transaction():
        with conn.cursor() as cur:
            for start in range(0, len(rows), _ROWS_PER_INSERT):
                chunk = rows[start:start + _ROWS_PER_INSERT]
                params = [value for row in chunk for value in row]
                if not report_stored:
                    cur.execute(_insert_events(len(chunk)), params)
                else:
                    cur.execute(_insert_events(len(chunk)) + " RETURNING event_id", params)
                    stored.update(row[0] for row in cur.fetchall())
        conn.execute(_MOVE_HEAD, (laptop_id, without_nul(last.get("host")), without_nul(last.get("os_user")),
                                  events[0]["seq"], last["seq"], last["hash"]))
    return [e for e in events if e["event_id"] in stored]


class PostgresSink:
    """Writes each batch over a short connection of its own.

    Hundreds of laptops holding idle connections would exhaust the server's
    `max_connections`; events come at human pace, so connecting per batch costs little.
    """

    name = "postgres"

    def __init__(self, url: str):
        """Check the URL now (a typo stops the companion at start); connect per batch."""
        self.db: CentralDb = parse_central_db(url)
        self._conn = None
        self._tables_checked = False

    def describe(self) -> str:
        """E.g. `PostgreSQL postgresql://postguard@db.example.com:5432/audit`."""
        return f"PostgreSQL {self.db.describe()}"

    def deliver(self, events: Sequence[dict], laptop_id: str) -> None:
        """Insert the batch and move the laptop's head, in one transaction."""
        import psycopg

        conn = self._connection()
        try:
            insert_batch(conn, events, laptop_id)
        except psycopg.Error as exc:
            raise CentralStoreUnavailable(
                f"the central audit store {self.db.describe()} did not take the batch: "
                f"{reason(self.db, exc)}") from None
        finally:
            self.close()

    def _connection(self):
        """A new connection; the first one also makes sure the tables are there.

        The review page's tables and indexes are built here only in a store this laptop creates,
        where that is instant. In a store that holds events already they take minutes, and the
        laptop's events would wait for them: they are left to `audit init-db` or to a central
        service, which builds them in the background (central/store_build.py)."""
        import psycopg

        self._conn = connect(self.db)
        if not self._tables_checked:
            try:
                with self._conn.transaction():
                    new_store = not tables_exist(self._conn)
                ensure_schema(self._conn, review_tables=new_store)
                if not new_store:
                    self._say_if_review_tables_missing()
            except psycopg.Error as exc:
                self.close()
                raise CentralStoreUnavailable(
                    f"cannot create the audit tables in {self.db.describe()}: "
                    f"{reason(self.db, exc)}") from None
            self._tables_checked = True
        return self._conn

    def _say_if_review_tables_missing(self) -> None:
        with self._conn.transaction():
            ready = review_tables_ready(self._conn)
        if not ready:
            log.warning("central audit store: %s has no review tables yet; events are delivered, and the review "
                        "page reads them directly until `postguard audit init-db` is run as the store's owner "
                        "(or a central service builds them)", self.db.describe())

    def close(self) -> None:
        """Drop the connection, if one is open; safe to call more than once."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
