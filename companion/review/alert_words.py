"""The alert settings page's words: each rule's "fires when", the channels' kinds and what became
of each alert sent, in the page's language.

The alert service (companion/alerts) describes rules and records results in English for its log and
for machines; the page says the same from the rule's fields and the result's shape, through the
review catalogue (messages_zh.py). tests/companion/test_review_i18n.py fails when one of these
messages has no Chinese.
"""

from __future__ import annotations

import re

from companion.review.i18n import gettext as _
from companion.review.i18n import translate
from companion.review.present import category_label

# How an outcome of the alerts file reads inside a sentence ("blocked or posted anyway").
RULE_OUTCOMES = {"blocked": "blocked", "overridden": "posted anyway", "edited": "edited", "redacted": "redacted",
                 "cancelled": "cancelled", "posted": "posted"}
CHANNEL_KINDS = {"email": "E-mail", "webhook": "Webhook", "syslog": "Syslog"}
RULE_SENTENCES = (
    "one person posts anyway more than %(n)s times in a day (UTC)",
    "%(outcomes)s, with %(category)s found in a photo",
    "%(outcomes)s, with %(category)s",
    "%(category)s found in a photo",
    "a post with %(category)s",
    "%(first)s or %(second)s",
)
# What the alert service records per channel: "sent", or "failed: " and its channels' own reason.
_FAILURES = (
    (re.compile(r"^e-mail via (?P<where>\S+) failed \((?P<error>\w+)\)$"), "e-mail via %(where)s failed (%(error)s)"),
    (re.compile(r"^webhook (?P<where>\S+) answered HTTP (?P<error>\d+)$"), "webhook %(where)s answered HTTP %(error)s"),
    (re.compile(r"^webhook (?P<where>\S+) unreachable \((?P<error>\w+)\)$"), "webhook %(where)s unreachable (%(error)s)"),
    (re.compile(r"^syslog (?P<where>\S+) failed \((?P<error>\w+)\)$"), "syslog %(where)s failed (%(error)s)"),
)
RESULT_MESSAGES = ("sent", "failed: %(reason)s") + tuple(message for _pattern, message in _FAILURES)


def _or(words: list[str]) -> str:
    out = words[0]
    for word in words[1:]:
        out = _("%(first)s or %(second)s", first=out, second=word)
    return out


def rule_description(rule) -> str:
    """When `rule` (an AlertRule) fires, in the page's language; the same cases as its describe()."""
    if rule.overrides_per_day:
        return _("one person posts anyway more than %(n)s times in a day (UTC)", n=rule.overrides_per_day)
    outcomes = _or([translate(RULE_OUTCOMES.get(o, o)) for o in rule.outcomes]) if rule.outcomes else None
    category = category_label(rule.category) if rule.category else None
    if outcomes and category:
        message = "%(outcomes)s, with %(category)s found in a photo" if rule.in_image else "%(outcomes)s, with %(category)s"
        return _(message, outcomes=outcomes, category=category)
    if category:
        return _("%(category)s found in a photo" if rule.in_image else "a post with %(category)s", category=category)
    return outcomes or ""


def channel_kind(kind: str) -> str:
    """email / webhook / syslog as the page names them."""
    return translate(CHANNEL_KINDS.get(kind, kind))


def alert_result(result: str | None) -> str:
    """"sent", or "failed: ‹why›" with the channel's reason, in the page's language (a reason of
    another shape is kept as the service wrote it)."""
    if not result or result == "sent":
        return _("sent") if result else ""
    reason = result.removeprefix("failed: ")
    if reason == result:
        return result
    for pattern, message in _FAILURES:
        found = pattern.match(reason)
        if found:
            reason = _(message, **found.groupdict())
            break
    return _("failed: %(reason)s", reason=reason)


TEMPLATE_FILTERS = {"rule_description": rule_description, "channel_kind": channel_kind, "alert_result": alert_result}
