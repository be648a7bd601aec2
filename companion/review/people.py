"""Summaries for compliance: one person's record, repeat offenders, the team overview.

A person is their company identity (the email the events carry), or their OS account where
an event has none. Counts come straight from events, no per-post join, so they stay fast on
a large store:

- checks: check events; warned: checks whose verdict was warn or block;
- overrides: decisions "posted anyway" (overridden);
- override rate: overrides / warned (None when nothing was warned).

On the central store the team overview sums the daily and monthly counts the ingest keeps
(companion/audit/sinks/pg_review_tables.py) instead of reading every event of the period:
whole months from the monthly table, the days at either end from the daily one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from companion.audit.events import utc_timestamp
from companion.review.i18n import gettext
from companion.review.sql import Dialect, central_tables, found_value

WARNED = "c.kind = 'check' AND c.verdict IN ('warn', 'block')"
OVERRIDE = "c.kind = 'decision' AND c.action = 'overridden'"


@dataclass(frozen=True)
class Period:
    """Whole UTC days [since, until)."""

    since: datetime
    until: datetime


@dataclass
class PersonRecord:
    """One person's numbers over a period."""

    person: str
    checks: int = 0
    warned: int = 0
    blocked: int = 0
    overrides: int = 0
    accounts: tuple[str, ...] = ()

    @property
    def override_rate(self) -> float | None:
        return self.overrides / self.warned if self.warned else None


def _counted_days(reader, d: Dialect, period: Period) -> tuple[str, str] | None:
    """The period as UTC days [first, end) when the central store's counts can answer it."""
    if d.name != "postgres" or not all(t == datetime.combine(t.date(), datetime.min.time(), t.tzinfo)
                                       for t in (period.since, period.until)):
        return None
    tables = central_tables(reader)
    if tables is None or not tables.counts:
        return None
    return utc_timestamp(period.since)[:10], utc_timestamp(period.until)[:10]


def _month_after(day: str) -> str:
    """The first day of the month after `day` ('2026-03-14' -> '2026-04-01')."""
    year, month = int(day[:4]), int(day[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}-01"


def _people_from_counts(reader, first: str, end: str) -> list[tuple]:
    """(person, checks, warned, blocked, overrides) over [first, end), from whole months and edge days."""
    months_from = first if first[8:] == "01" else _month_after(first)
    months_to = end[:8] + "01"
    sums = "sum(checks), sum(warned), sum(blocked), sum(overrides)"
    if months_from >= months_to:
        return reader.rows(f"SELECT person, {sums} FROM postguard_daily_people WHERE day >= %s AND day < %s "
                           "GROUP BY person", [first, end])
    return reader.rows(
        f"SELECT person, {sums} FROM (SELECT person, checks, warned, blocked, overrides FROM postguard_monthly_people "
        "WHERE month >= %s AND month < %s UNION ALL SELECT person, checks, warned, blocked, overrides "
        "FROM postguard_daily_people WHERE (day >= %s AND day < %s) OR (day >= %s AND day < %s)) t GROUP BY person",
        [months_from[:7], months_to[:7], first, months_from, months_to, end])


def _window(d: Dialect, period: Period) -> tuple[str, list]:
    return f"c.ts >= {d.ph} AND c.ts < {d.ph}", [utc_timestamp(period.since), utc_timestamp(period.until)]


CHECK = "c.kind = 'check'"
BLOCKED = "c.kind = 'check' AND c.verdict = 'block'"


def _tallies(d: Dialect) -> str:
    """checks, warned, blocked, overrides: four columns in that order."""
    return ", ".join(d.count_if(condition) for condition in (CHECK, WARNED, BLOCKED, OVERRIDE))


def person_record(reader, d: Dialect, person: str, period: Period) -> PersonRecord:
    """The person's checks, warnings, blocks and overrides in the period, and their OS accounts."""
    window, params = _window(d, period)
    row = reader.rows(f"SELECT {_tallies(d)} FROM {d.table} c WHERE {window} AND {d.person} = {d.ph}",
                      [*params, person])[0]
    accounts = reader.rows(f"SELECT DISTINCT c.os_user, c.host FROM {d.table} c WHERE {window} AND "
                           f"{d.person} = {d.ph} AND c.kind <> 'checkpoint' ORDER BY 1, 2 LIMIT 20", [*params, person])
    return PersonRecord(person, *(int(v or 0) for v in row),
                        accounts=tuple(gettext("%(user)s on %(host)s", user=u or "?", host=h or "?") for u, h in accounts))


def person_trend(reader, d: Dialect, person: str, period: Period) -> list[tuple[date, int, int]]:
    """Per UTC day with activity: (day, warned, overrides)."""
    window, params = _window(d, period)
    rows = reader.rows(f"SELECT {d.day} AS day, {d.count_if(WARNED)}, {d.count_if(OVERRIDE)} FROM {d.table} c "
                       f"WHERE {window} AND {d.person} = {d.ph} GROUP BY day ORDER BY day", [*params, person])
    return [(date.fromisoformat(day), int(w or 0), int(o or 0)) for day, w, o in rows]


def people(reader, d: Dialect, period: Period, *, limit: int = 200) -> list[PersonRecord]:
    """Everyone active in the period, most overrides first, then most warnings.

    Grouped by the raw account and details columns, and merged into people here: reading the
    identity out of JSON once per group instead of once per event keeps a year fast.
    """
    counted = _counted_days(reader, d, period)
    if counted is not None:
        records = [PersonRecord(person, *(int(v or 0) for v in tallies))
                   for person, *tallies in _people_from_counts(reader, *counted)]
        return sorted(records, key=lambda r: (-r.overrides, -r.warned, r.person))[:limit]
    window, params = _window(d, period)
    # SQLite groups raw text cheaply; PostgreSQL groups text faster than jsonb, so it groups by person
    grouping = "c.os_user, c.details" if d.name == "sqlite" else f"c.os_user, {d.identity}"
    rows = reader.rows(f"SELECT {grouping}, {_tallies(d)} FROM {d.table} c WHERE {window} "
                       f"AND c.kind IN ('check', 'decision') GROUP BY {grouping}", params)
    merged: dict[str, PersonRecord] = {}
    for os_user, details, *tallies in rows:  # PostgreSQL's second column is the identity already
        person = (_identity(details) if d.name == "sqlite" else details) or os_user or "?"
        record = merged.setdefault(person, PersonRecord(person))
        record.checks += int(tallies[0] or 0)
        record.warned += int(tallies[1] or 0)
        record.blocked += int(tallies[2] or 0)
        record.overrides += int(tallies[3] or 0)
    ranked = sorted(merged.values(), key=lambda r: (-r.overrides, -r.warned, r.person))
    return ranked[:limit]


def _identity(details) -> str | None:
    """The company identity in a details column (JSON text in SQLite)."""
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            return None
    return details.get("identity") if isinstance(details, dict) and isinstance(details.get("identity"), str) else None


def repeat_offenders(records: list[PersonRecord], min_overrides: int) -> list[PersonRecord]:
    """Those with at least `min_overrides` overrides in the period."""
    return [r for r in records if r.overrides >= min_overrides]


def by_category_and_platform(reader, d: Dialect, period: Period) -> list[tuple[str, str, int]]:
    """(category, platform, checks with that category) over the period's checks."""
    counted = _counted_days(reader, d, period)
    if counted is not None:
        rows = reader.rows("SELECT category, COALESCE(NULLIF(platform, ''), 'other') AS site, sum(checks) "
                           "FROM postguard_daily_findings WHERE day >= %s AND day < %s GROUP BY category, site "
                           "ORDER BY category, site", list(counted))
        return [(str(c), str(p), int(n)) for c, p, n in rows]
    window, params = _window(d, period)
    value = found_value(d)
    rows = reader.rows(f"SELECT {value} AS category, COALESCE(c.platform, 'other') AS platform, COUNT(*) "
                       f"FROM {d.table} c, {d.categories_of} WHERE {window} AND c.kind = 'check' "
                       f"GROUP BY category, platform ORDER BY category, platform", params)
    return [(str(c), str(p), int(n)) for c, p, n in rows]


def top_rules(reader, d: Dialect, period: Period, *, limit: int = 10) -> list[tuple[str, int]]:
    """The rules that fired most in the period's checks."""
    counted = _counted_days(reader, d, period)
    if counted is not None:
        rows = reader.rows("SELECT rule, sum(checks) AS n FROM postguard_daily_rules WHERE day >= %s AND day < %s "
                           f"GROUP BY rule ORDER BY n DESC, rule LIMIT {int(limit)}", list(counted))
        return [(str(r), int(n)) for r, n in rows]
    window, params = _window(d, period)
    value = found_value(d)
    rows = reader.rows(f"SELECT {value} AS rule, COUNT(*) AS n FROM {d.table} c, {d.rules_of} "
                       f"WHERE {window} AND c.kind = 'check' GROUP BY rule ORDER BY n DESC, rule LIMIT {int(limit)}",
                       params)
    return [(str(r), int(n)) for r, n in rows]


def overrides_on_day(reader, d: Dialect, person: str, day: date, through_ts: str | None = None) -> int:
    """How many times `person` posted anyway on one UTC day (the alert rule's count), up to and
    including the event stamped `through_ts`, so the count does not depend on how far behind
    the alert thread runs."""
    since = datetime.fromisoformat(f"{day.isoformat()}T00:00:00+00:00")
    until = datetime.fromisoformat(f"{day.isoformat()}T23:59:59.999999+00:00")
    if through_ts:
        until = min(until, datetime.fromisoformat(through_ts.replace("Z", "+00:00")) + timedelta(microseconds=1))
    return person_record(reader, d, person, Period(since, until)).overrides
