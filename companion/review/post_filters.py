"""The posts page's query string <-> `PostFilter`, sort and page, with errors naming the field.

The whole view is in the URL (filters, search, sort, page), so a view is shared by copying
its address, and a saved view is a name for a query string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from companion.review.filters import CHOICES, _dates
from companion.review.i18n import gettext as _
from companion.review.posts import ACTING, OUTCOMES, SORTS, PostFilter

POST_FIELDS = ("from", "to", "person", "host", "platform", "category", "rule", "verdict", "outcome", "acting",
               "q", "clean", "review", "sort", "dir", "page")
LABELS = {"person": "Person", "host": "Computer", "rule": "Rule", "outcome": "Outcome", "q": "Search",
          "sort": "Sort", "dir": "Order", "page": "Page", "review": "Review", "clean": "Clean posts",
          "platform": "Platform", "category": "Category", "verdict": "Verdict", "acting": "Acted as"}
REVIEW_CHOICES = ("open", "reviewed")
MAX_TEXT = 253
RULE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
PAGE_SIZE = 50


@dataclass
class PostQuery:
    """What the reviewer asked for, the form as typed, and what is wrong with it."""

    flt: PostFilter = field(default_factory=PostFilter)
    sort: str = "time"
    descending: bool = True
    page: int = 1
    form: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def query_string(self, **changes) -> str:
        """The view as a query string, with some fields changed or dropped (None)."""
        values = {**self.form, **changes}
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def sort_link(self, column: str) -> str:
        """The query string that sorts by `column`, flipping the order when it already does."""
        flip = "asc" if self.sort == column and self.descending else "desc"
        return self.query_string(sort=column, dir=flip, page=None)


def _choice(form: dict, name: str, allowed, errors: list[str]) -> None:
    if name in form and form[name] not in allowed:
        errors.append(_("%(field)s: not one of %(values)s", field=_(LABELS[name]), values=", ".join(allowed)))


def parse_post_query(args) -> PostQuery:
    """Read the posts view from request args; an unknown value is an error, never ignored."""
    form = {name: (args.get(name) or "").strip() for name in POST_FIELDS}
    form = {name: value for name, value in form.items() if value}
    errors: list[str] = []
    since, until = _dates(form, errors)
    for name in ("platform", "category", "verdict"):
        _choice(form, name, CHOICES[name], errors)
    _choice(form, "outcome", OUTCOMES, errors)
    _choice(form, "review", REVIEW_CHOICES, errors)
    _choice(form, "acting", ACTING, errors)
    _choice(form, "sort", tuple(SORTS), errors)
    _choice(form, "dir", ("asc", "desc"), errors)
    _choice(form, "clean", ("1",), errors)
    for name in ("person", "host", "q"):
        if len(form.get(name, "")) > MAX_TEXT:
            errors.append(_("%(field)s: longer than %(n)s characters", field=_(LABELS[name]), n=MAX_TEXT))
    if "rule" in form and not RULE_ID.match(form["rule"]):
        errors.append(_("Rule: a rule id such as unit_price (letters, digits, _ . : -)"))
    page = form.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= 100_000:
        errors.append(_("Page: a page number from 1"))
        page = "1"
    if errors:
        return PostQuery(form=form, errors=errors)
    flt = PostFilter(since=since, until=until, person=form.get("person"), host=form.get("host"),
                     platform=form.get("platform"), category=form.get("category"), rule=form.get("rule"),
                     verdict=form.get("verdict"), outcome=form.get("outcome"), search=form.get("q"),
                     include_clean=form.get("clean") == "1", review=form.get("review"), acting=form.get("acting"))
    return PostQuery(flt, form.get("sort", "time"), form.get("dir", "desc") == "desc", int(page), form, [])
