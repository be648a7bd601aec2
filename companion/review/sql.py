"""The SQL the review page adds on top of an `AuditReader`: one dialect per store.

The readers (companion/audit/sqlite_reader.py, pg_reader.py) answer the event log's own
questions; posts, people and the team overview need joins and aggregates of their own, so
the page sends them through `reader.rows(sql, params)` in the reader's `dialect`. The
fragments below are the only place the two SQL flavours differ: how a JSON field is read,
how category membership is tested, and how an event row becomes the event dict.

A mangled row (a JSON column someone edited by hand) must never fail a page, so JSON is
only read after `json_valid` in SQLite; PostgreSQL's JSONB operators return NULL on the
wrong shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from companion.audit.schema import COLUMNS, row_to_event


def _central_row(row: tuple) -> dict:
    """A PostgreSQL row (id, laptop_id, canonical) as the event the page shows."""
    event = json.loads(row[2])
    event["laptop_seq"] = event.get("seq")
    event["laptop_id"] = row[1]
    event["seq"] = row[0]
    return event


@dataclass(frozen=True)
class Dialect:
    """How one store spells what the review queries need."""

    name: str
    ph: str                     # the parameter placeholder
    table: str
    event_columns: str          # selected (with the alias `c.`) to build an event
    event_width: int            # how many columns that is
    to_event: Callable[[tuple], dict]
    order_id: str               # the row number that breaks ties and pages
    identity: str               # the company identity an event carries, or NULL
    category_test: str          # "c has category <ph>"
    category_param: Callable[[str], str]
    like: str                   # case-insensitive LIKE
    text_of: Callable[[str], str]  # a JSON column as text, for search
    categories_of: str          # a FROM item listing c's categories as `found`
    rules_of: str               # the same for rules, as `found`
    day: str                    # the UTC day of c.ts, 'YYYY-MM-DD'
    in_list: Callable[[str], str]  # "<column> is one of <ph>" where <ph> is a JSON list
    count_cap: int = 10_000     # count posts up to this many; the page says "N+" beyond

    def count_if(self, condition: str) -> str:
        """How many rows meet `condition` (both stores accept SUM(CASE ...))."""
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    @property
    def person(self) -> str:
        """The person an event belongs to: the company identity, else the OS account."""
        return f"COALESCE({self.identity}, c.os_user)"


SQLITE = Dialect(
    name="sqlite", ph="?", table="audit_events",
    event_columns=", ".join(f"c.{name.strip()}" for name in COLUMNS.split(",")),
    event_width=len(COLUMNS.split(",")), to_event=row_to_event, order_id="c.seq",
    identity="(CASE WHEN json_valid(c.details) THEN json_extract(c.details, '$.identity') END)",
    category_test="instr(c.categories, ?) > 0", category_param=lambda c: f'"{c}"',
    like="LIKE", text_of=lambda column: f"c.{column}",
    categories_of="json_each(CASE WHEN json_valid(c.categories) THEN c.categories ELSE '[]' END) AS found",
    rules_of="json_each(CASE WHEN json_valid(c.rules) THEN c.rules ELSE '[]' END) AS found",
    day="substr(c.ts, 1, 10)",
    in_list=lambda column: f"{column} IN (SELECT value FROM json_each(?))",
)

POSTGRES = Dialect(
    name="postgres", ph="%s", table="postguard_events",
    event_columns="c.id, c.laptop_id, c.canonical", event_width=3, to_event=_central_row,
    order_id="c.id", identity="(c.details->>'identity')",
    category_test="c.categories ? %s", category_param=lambda c: c,
    like="ILIKE", text_of=lambda column: f"c.{column}::text",
    categories_of=("jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.categories) = 'array' "
                   "THEN c.categories ELSE '[]'::jsonb END) AS found"),
    rules_of=("jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.rules) = 'array' "
              "THEN c.rules ELSE '[]'::jsonb END) AS found"),
    day="substr(c.ts, 1, 10)",
    in_list=lambda column: f"{column} IN (SELECT jsonb_array_elements_text(%s::jsonb))",
    count_cap=1_000,  # a fleet's store: past a thousand, the exact number costs more than it tells
)

DIALECTS = {"sqlite": SQLITE, "postgres": POSTGRES}


def dialect_of(reader) -> Dialect:
    """The dialect of a reader (a reader without one cannot serve posts and people)."""
    return DIALECTS[getattr(reader, "dialect", "sqlite")]


def central_tables(reader):
    """Which of the central store's review tables and search indexes are there
    (companion/audit/pg_reader.ReviewTables), or None for a store without them (SQLite)."""
    probe = getattr(reader, "review_tables", None)
    return probe() if probe else None


def found_value(dialect: Dialect) -> str:
    """The element a `categories_of`/`rules_of` FROM item yields."""
    return "found.value" if dialect.name == "sqlite" else "found"
