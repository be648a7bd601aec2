"""Writing audit events out for reviewers: JSON Lines for tools, CSV for spreadsheets.

JSONL is the faithful form (one canonical-JSON event per line, hashes included, so a copy
can be re-verified). CSV has a fixed header, `EVENT_FIELDS` in order, so a reviewer's
spreadsheet keeps working across versions; list and dict fields are JSON strings in a cell.
Cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP advice):
a justification the user typed must never execute on a compliance officer's machine.
"""

from __future__ import annotations

import csv
from typing import Iterable, Literal, TextIO

from companion.audit.chain import canonical_json
from companion.audit.events import EVENT_FIELDS, JSON_FIELDS

EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "csv")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(name: str, value) -> str:
    """One CSV cell: JSON for structured fields, true/false for flags, '' for missing."""
    if value is None:
        return ""
    if name in JSON_FIELDS:
        return canonical_json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_events(events: Iterable[dict], fmt: Literal["jsonl", "csv"], out: TextIO,
                  extra_fields: tuple[str, ...] = ()) -> int:
    """Write `events` to `out` in `fmt` and return how many were written.

    `extra_fields` adds columns a reader knows beyond the event (the central store's
    `laptop_id`, `laptop_seq`: whose chain an event belongs to).
    """
    fields = EVENT_FIELDS + tuple(extra_fields)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    count = 0
    if fmt == "jsonl":
        for event in events:
            out.write(canonical_json({name: event.get(name) for name in fields}) + "\n")
            count += 1
        return count
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for event in events:
        writer.writerow([_csv_cell(name, event.get(name)) for name in fields])
        count += 1
    return count
