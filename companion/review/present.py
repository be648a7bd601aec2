"""Words and formats the review page shows: category names, times, numbers.

Kept out of the templates so the chart, the table and the detail page say the same thing,
and out of the engine, whose category ids are fixed names for machines. Labels are English,
shown in the page's language (i18n.py; the Chinese is in messages_zh.py).
"""

from __future__ import annotations

from companion.review.i18n import translate
from companion.sites import SITE_LABELS

CATEGORY_LABELS = {
    "contact_pii": "Personal data",
    "client_confidential": "Client confidential",
    "pricing": "Pricing",
    "unreleased_product": "Unreleased product",
    "credentials": "Credentials",
    "sensitive_topic": "Sensitive topic",
    "disparagement": "Disparagement",
    "competitor": "Competitor",
    "wrong_account": "Wrong account",
}
ACTION_LABELS = {"posted": "Posted", "edited": "Edited", "cancelled": "Cancelled",
                 "overridden": "Posted anyway", "redacted": "Redacted"}
KIND_LABELS = {"check": "Check", "decision": "Decision", "checkpoint": "Checkpoint", "reaction": "Reaction"}
PLATFORM_LABELS = {**SITE_LABELS, "other": "Other"}


def category_label(name: str | None) -> str:
    """A category's reader-facing name (an unknown id is shown as it is)."""
    return translate(CATEGORY_LABELS.get(name or "", name or ""))


def categories_named(text: str) -> list[str]:
    """The category ids that `text` names, in any case: part of the label the page shows the category
    under, in English or in Chinese whatever the page's language (价格, "pricing", "Personal data"), or
    one of the words a reviewer types for it ("prices", "phone", 联系方式: category_words.yaml).
    Words of the page's own vocabulary only, never of a post."""
    from companion.review.category_words import category_words, names_category

    folded = text.strip().casefold()
    if not folded:
        return []
    return [category for category, words in category_words().items() if names_category(folded, words)]


def utc_time(ts: str | None) -> str:
    """'2026-03-04T09:12:33.123456Z' as '2026-03-04 09:12:33' (the page says UTC once)."""
    if not ts or len(ts) < 19:
        return ts or ""
    return f"{ts[:10]} {ts[11:19]}"


def thousands(number: int | None) -> str:
    """12345 as '12,345'."""
    return f"{number or 0:,}"


def short_hash(value: str | None, keep: int = 12) -> str:
    """The start of a long hash, enough to tell two apart by eye."""
    if not value:
        return ""
    return value if len(value) <= keep else value[:keep] + "…"


OUTCOME_LABELS = {"clean": "Posted clean", "edited": "Edited", "redacted": "Redacted",
                  "overridden": "Overridden", "cancelled": "Cancelled", "blocked": "Blocked",
                  "posted": "Posted after warning", "open": "No decision"}
REVIEW_LABELS = {"open": "Not reviewed", "reviewed": "Reviewed"}
ACTING_LABELS = {"company": "The company's identity", "personal": "A personal identity"}
VERDICT_LABELS = {"allow": "allow", "warn": "warn", "block": "block"}
CHOICE_LABELS = {"platform": PLATFORM_LABELS, "category": CATEGORY_LABELS, "kind": KIND_LABELS,
                 "action": ACTION_LABELS, "outcome": OUTCOME_LABELS, "review": REVIEW_LABELS,
                 "acting": ACTING_LABELS, "verdict": VERDICT_LABELS}


def percent(share: float | None) -> str:
    """0.25 as '25%'; no share (nothing to divide by) as '–'."""
    return "–" if share is None else f"{share * 100:.0f}%"


def _label(table: dict[str, str]):
    return lambda value: translate(table.get(value or "", value or ""))


def choice_label(value: str, field: str) -> str:
    """How a filter's option reads, e.g. "overridden" under Decision reads "Posted anyway"."""
    return translate(CHOICE_LABELS.get(field, {}).get(value, value))


TEMPLATE_FILTERS = {
    "choice_label": choice_label,
    "category_label": category_label,
    "action_label": _label(ACTION_LABELS),
    "kind_label": _label(KIND_LABELS),
    "platform_label": _label(PLATFORM_LABELS),
    "outcome_label": _label(OUTCOME_LABELS),
    "percent": percent,
    "utc_time": utc_time,
    "thousands": thousands,
    "short_hash": short_hash,
}
