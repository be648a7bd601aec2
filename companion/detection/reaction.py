"""Whether reacting to someone else's post is risky: who wrote it, and what it says.

A like, a repost or a comment is public, and the salesperson's clients see it in their feed.
A post is risky for one or more reasons (`REASONS`):
- `competitor`: its author is on the org's competitor list;
- `client`: its author is one of the org's clients (policy decides whether that matters);
- `red_line`: its visible text is a red-line topic or disparagement, read by the same engine
  that reads the salesperson's own posts.

The author is matched by display name and by handle ("northwind.hardware",
"/company/northwind-hardware/"): handles normalize like names, so a handle matches a name on
the list and may stand on the list itself. Only a list match's *entry* ever leaves this
module with a name in it; the author's own name and the post text are never kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from companion.detection.deadline import Deadline
from companion.detection.normalize import normalize_with_map
from companion.detection.orglists import ListEntry

REASONS: tuple[str, ...] = ("competitor", "client", "red_line")
RED_LINE_CATEGORIES: tuple[str, ...] = ("sensitive_topic", "disparagement")


@dataclass
class ReactionRisk:
    """What made a post risky to react to; empty `reasons` means harmless."""

    reasons: list[str] = field(default_factory=list)
    listed: ListEntry | None = None  # the competitor or client list entry the author matched
    red_line: list[str] = field(default_factory=list)  # red-line categories in the text
    timings_ms: dict[str, float] = field(default_factory=dict)


def match_author(org, name: str, handle: str) -> ListEntry | None:
    """The competitor or client entry the author is, by name first, then by handle."""
    for value in (name, handle.strip("/@").rsplit("/", 1)[-1] if handle else ""):
        value = (value or "").strip()
        if not value:
            continue
        norm = normalize_with_map(value)
        for matcher in (org.competitors, org.clients):
            found = matcher.find(norm, value)
            if found:
                return found[0].entry
    return None


@dataclass(frozen=True)
class ReactingAs:
    """Who the user would react as: a company identity (named as identities.yaml names it) or not."""

    company: bool
    name: str | None = None  # the identities.yaml entry; None for a personal identity


def reacting_as(identities, site: str, acting_as: str | None) -> ReactingAs | None:
    """Whether `acting_as` is one of the company's own identities on `site`; None when no identity
    was read from the page or IT declared none for the site (nothing says which one is expected)."""
    if not acting_as or not acting_as.strip() or not identities.declared(site):
        return None
    company = identities.company_name(site, acting_as)
    return ReactingAs(company is not None, company)


def check_reaction(engine, *, author_name: str, author_handle: str, text: str,
                   lang: str = "en", budget_s: float | None = None) -> ReactionRisk:
    """Match the author against the org lists and read the text for red-line topics."""
    started = time.perf_counter()
    risk = ReactionRisk()
    entry = match_author(engine.org, author_name, author_handle)
    if entry is not None:
        risk.listed = ListEntry("client" if entry.kind.startswith("client") else entry.kind, entry.label)
        risk.reasons.append(risk.listed.kind)
    listed_at = time.perf_counter()
    if text.strip():
        findings = engine.check_text(text, lang=lang, deadline=Deadline(budget_s))
        found = {f.category for f in findings}
        risk.red_line = [c for c in RED_LINE_CATEGORIES if c in found]
        if risk.red_line:
            risk.reasons.append("red_line")
    risk.reasons = [r for r in REASONS if r in risk.reasons]
    risk.timings_ms = {"author": _ms(started, listed_at), "text": _ms(listed_at, time.perf_counter())}
    return risk


def _ms(a: float, b: float) -> float:
    return round((b - a) * 1000, 2)
