"""The review page's filter form <-> `EventFilter`, with errors a reviewer can act on.

Dates are whole UTC days: "from 2026-03-01 to 2026-03-31" means 2026-03-01T00:00Z up to,
not including, 2026-04-01T00:00Z. Choices (platform, category, verdict, kind, decision)
must be one of the known values; a value we do not know is named in the error, never
silently dropped, so a reviewer never reads an unfiltered table as a filtered one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import get_args
from urllib.parse import urlencode

from companion.api.schemas import Action, Platform
from companion.audit.events import KINDS
from companion.audit.query import EventFilter
from companion.detection.types import CATEGORIES
from companion.review.i18n import gettext as _

VERDICTS = ("allow", "warn", "block")
CHOICES: dict[str, tuple[str, ...]] = {
    "platform": get_args(Platform), "category": tuple(CATEGORIES), "verdict": VERDICTS,
    "kind": KINDS, "action": get_args(Action),
}
FORM_FIELDS = ("from", "to", "user", "host", "platform", "category", "verdict", "kind", "action")
FIELD_LABELS = {"from": "From", "to": "To", "user": "User", "host": "Computer", "platform": "Platform",
                "category": "Category", "verdict": "Verdict", "kind": "Event", "action": "Decision",
                "before": "Page"}
MAX_TEXT_CHARS = 253


@dataclass
class ReviewQuery:
    """What the reviewer asked for: the filter, the page, and the form as typed."""

    flt: EventFilter
    before_seq: int | None = None
    form: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def query_string(self, **changes) -> str:
        """The form as a query string (for links), with some fields changed or dropped (None)."""
        values = {**self.form, **changes}
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _day(label: str, text: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(_(f"{label}: use a date such as 2026-03-01"))
        return None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def _dates(form: dict[str, str], errors: list[str]) -> tuple[datetime | None, datetime | None]:
    """Since (start of the From day) and until (start of the day after To), in UTC."""
    first = _day("From", form["from"], errors) if form.get("from") else None
    last = _day("To", form["to"], errors) if form.get("to") else None
    if first and last and last < first:
        errors.append(_("To: the end date is before the start date"))
    return (_midnight(first) if first else None,
            _midnight(last + timedelta(days=1)) if last else None)


def _before(text: str | None, errors: list[str]) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        errors.append(_("Page: the paging link is damaged; go back to the newest events"))
        return None
    return int(text)


def parse_review_query(args) -> ReviewQuery:
    """Read the filter form from request args; errors name the field and what is expected."""
    form = {name: (args.get(name) or "").strip() for name in FORM_FIELDS}
    form = {name: value for name, value in form.items() if value}
    errors: list[str] = []
    since, until = _dates(form, errors)
    for name, allowed in CHOICES.items():
        if name in form and form[name] not in allowed:
            errors.append(_("%(field)s: not one of %(values)s", field=_(FIELD_LABELS[name]), values=", ".join(allowed)))
    for name in ("user", "host"):
        if len(form.get(name, "")) > MAX_TEXT_CHARS:
            errors.append(_("%(field)s: longer than %(n)s characters", field=_(FIELD_LABELS[name]), n=MAX_TEXT_CHARS))
    before = _before((args.get("before") or "").strip(), errors)
    if errors:
        return ReviewQuery(EventFilter(), None, form, errors)
    flt = EventFilter(since=since, until=until, user=form.get("user"), host=form.get("host"),
                      platform=form.get("platform"), category=form.get("category"),
                      verdict=form.get("verdict"), action=form.get("action"), kind=form.get("kind"))
    return ReviewQuery(flt, before, form, [])
