"""The people pages of the /audit blueprint: the team overview with repeat offenders, one person,
and the alert settings.

Periods are whole UTC days from the `from`/`to` query fields, the last 30 days by default.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from flask import render_template, request

from companion.review.filters import _dates
from companion.review.i18n import gettext
from companion.review.people import Period, by_category_and_platform, people, person_record, person_trend, \
    repeat_offenders, top_rules
from companion.review.sql import dialect_of
from companion.review.state import review_state
from companion.review.views import _login_page, _page_context, _signed_in, bp

DEFAULT_DAYS = 30
MAX_PERSON_CHARS = 253


def _period(args) -> tuple[Period, dict, list[str]]:
    """The period asked for, the form as typed, and errors naming the field."""
    form = {k: (args.get(k) or "").strip() for k in ("from", "to", "min")}
    form = {k: v for k, v in form.items() if v}
    errors: list[str] = []
    since, until = _dates(form, errors)
    today = datetime.now(timezone.utc).date()
    until = until or datetime.combine(today + timedelta(days=1), time(0), tzinfo=timezone.utc)
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if form.get("min") and (not form["min"].isdigit() or not 1 <= int(form["min"]) <= 1000):
        errors.append(gettext("Overrides: a number from 1 to 1000"))
    return Period(since, until), form, errors


def site_bars(matrix: list[tuple[str, str, int]], width: float = 560.0) -> list[dict]:
    """One horizontal bar per site, a segment per category, drawn to scale in SVG units
    (the page's CSP forbids inline styles, so sizes are SVG attributes)."""
    totals: dict[str, int] = {}
    for _, site, n in matrix:
        totals[site] = totals.get(site, 0) + n
    peak = max(totals.values(), default=0) or 1
    bars = []
    for site in sorted(totals, key=lambda s: (-totals[s], s)):
        x, segments = 0.0, []
        for category, where, n in matrix:
            if where == site:
                w = width * n / peak
                segments.append({"category": category, "x": x, "width": w, "count": n})
                x += w
        bars.append({"site": site, "total": totals[site], "segments": segments})
    return bars


@bp.get("/people")
def team():
    """The team overview: findings by category and site, top rules, everyone's numbers, repeat offenders."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    period, form, errors = _period(request.args)
    context = {"form": form, "errors": errors, "period": period, "nav": "people"}
    if errors:
        return render_template("review/people.html", **_page_context(state, **context)), 400
    d = dialect_of(state.reader)
    records = people(state.reader, d, period)
    matrix = by_category_and_platform(state.reader, d, period)
    context.update(records=records, bars=site_bars(matrix), offenders=repeat_offenders(records, int(form.get("min", 2))),
                   min_overrides=int(form.get("min", 2)), matrix=matrix, rules=top_rules(state.reader, d, period),
                   sites=sorted({p for _, p, _ in matrix}), categories=sorted({c for c, _, _ in matrix}))
    return render_template("review/people.html", **_page_context(state, **context))


@bp.get("/people/<path:person>")
def person(person: str):
    """One person: checks, warnings, overrides, override rate, a daily trend and their posts."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    period, form, errors = _period(request.args)
    if len(person) > MAX_PERSON_CHARS:
        errors.append(gettext("Person: longer than %(n)s characters", n=MAX_PERSON_CHARS))
    context = {"person": person, "form": form, "errors": errors, "period": period, "nav": "people"}
    if errors:
        return render_template("review/person.html", **_page_context(state, **context)), 400
    d = dialect_of(state.reader)
    record = person_record(state.reader, d, person, period)
    trend = person_trend(state.reader, d, person, period)
    peak = max([w for _, w, _ in trend] + [1])
    days = max(1, (period.until.date() - period.since.date()).days)
    step = 700 / days
    width = max(1.5, min(step * 0.8, 24.0))
    bars = [{"day": day, "warned": w, "overrides": o, "x": 10 + (day - period.since.date()).days * step, "width": width,
             "h_warned": 120 * w / peak, "h_overrides": 120 * o / peak} for day, w, o in trend]
    posts_query = {"person": person, "from": period.since.date().isoformat(),
                   "to": (period.until.date() - timedelta(days=1)).isoformat()}
    context.update(record=record, trend=bars, peak=peak, posts_query=posts_query)
    return render_template("review/person.html", **_page_context(state, **context))


@bp.get("/alerts")
def alert_settings():
    """The alert rules in force, their channels, and the alerts sent lately (never post text)."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    service = state.alerts
    return render_template("review/alerts.html", **_page_context(
        state, service=service, rules=service.rules if service else [], channels=service.channels if service else {},
        sent=service.recent() if service else [], source=getattr(service, "source", None), nav="alerts"))
