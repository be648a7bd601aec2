"""Where the chain head was last anchored off this laptop, as the badge on /audit says it.

The forwarder records, per target, the newest event the target confirmed and when
(spool.py's cursors). The page shows that next to the chain badge, so a reviewer sees how
much of the log a root user could still cut unnoticed (the events after the anchor), and
sees at once when the log ends before an event a target already confirmed.

This reads a record kept on the laptop, which such a user can also edit: it is a hint.
The proof is the target's own copy (`postguard audit verify --against`).
Only the companion's own page has anchors; the central view (`audit serve`) is the anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from companion.audit.sinks.anchor_record import Anchor, Replacement
from companion.review.i18n import gettext as _  # English outside a request
from companion.review.i18n import ngettext as _n

# How a sink is named on the page when the spool does not know its target (older spools).
_SINK_NAMES = {"syslog": "syslog", "postgres": "the central store"}


@dataclass(frozen=True)
class AnchorLine:
    """One line under the chain badge: `state` is current, behind, cut, pending or off."""

    state: str
    text: str
    when: str | None = None  # the full UTC time, for the tooltip
    command: str | None = None  # what to run next, shown as code after the text
    headline: str | None = None  # for the red badge, when the line says events are gone


def ago(ts: str, now: datetime) -> str:
    """'2026-12-04T17:17:12.358989Z' as '2 min ago' (or 'just now', '3 h ago', '5 days ago')."""
    try:
        then = datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return _("at %(ts)s", ts=ts)
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("%(n)s min ago", n=seconds // 60)
    if seconds < 48 * 3600:
        return _("%(n)s h ago", n=seconds // 3600)
    return _("%(n)s days ago", n=seconds // 86400)


def _target(anchor: Anchor) -> str:
    """`syslog tcp://siem:514`, `PostgreSQL postgresql://…` (as the sink describes itself)."""
    return anchor.target or _(_SINK_NAMES.get(anchor.sink, anchor.sink))


def _exact(ts: str) -> str:
    return f"{ts[:10]} {ts[11:19]} UTC"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _replaced_line(replaced: Replacement, now: datetime) -> AnchorLine:
    """A log that stopped fitting what a target had confirmed: cut at its tail, or replaced."""
    anchor, ended, when = replaced.anchor, replaced.log_ended_at, ago(replaced.replaced_at, now)
    target = _target(anchor)
    if anchor.seq > ended:
        return AnchorLine("cut", _capital(_(
            "%(target)s had confirmed event #%(seq)s, but %(when)s this log ended at #%(ended)s: events after "
            "#%(ended)s were deleted here (or an older copy of the log was restored), and forwarding began again "
            "under a new laptop id. Check with", target=target, seq=anchor.seq, when=when, ended=ended)),
            _exact(replaced.replaced_at), "postguard audit verify --against",
            _("Events cut after #%(seq)s", seq=ended))
    return AnchorLine("cut", _capital(_(
        "%(when)s this log no longer held the event #%(seq)s that %(target)s had confirmed: it was replaced, and "
        "forwarding began again under a new laptop id. Check with", when=when, seq=anchor.seq, target=target)),
        _exact(replaced.replaced_at), "postguard audit verify --against",
        _("Log replaced after event #%(seq)s was anchored", seq=anchor.seq))


def anchor_lines(anchors: list[Anchor], head_seq: int, *, forwarding: bool, now: datetime,
                 replacements: list[Replacement] = ()) -> list[AnchorLine]:
    """What to say about each target's anchor, given the local head, and about every log that
    stopped fitting what a target had confirmed (those stay on the page: events were lost)."""
    lines = [_replaced_line(r, now) for r in replacements]
    if not anchors:
        if forwarding:
            return lines + [AnchorLine("pending", _("Chain head not anchored yet: no forwarding target has "
                                                    "confirmed an event."))]
        return lines + [AnchorLine("off", _("Chain head not anchored: no forwarding target is set, so deleting "
                                            "the newest events here would go unnoticed."))]
    for anchor in anchors:
        when, exact = ago(anchor.anchored_at, now), _exact(anchor.anchored_at)
        if anchor.seq > head_seq:
            lines.append(AnchorLine("cut", _capital(_(
                "%(target)s confirmed event #%(seq)s %(when)s, but this log ends at #%(head)s: events after "
                "#%(head)s were deleted here. Check with", target=_target(anchor), seq=anchor.seq, when=when,
                head=head_seq)), exact, "postguard audit verify --against",
                _("Events cut after #%(seq)s", seq=head_seq)))
            continue
        text = _("Chain head anchored to %(target)s %(when)s (event #%(seq)s)", target=_target(anchor), when=when,
                 seq=anchor.seq)
        newer = head_seq - anchor.seq
        if newer:
            text += _n("; %(n)s newer event not confirmed yet", "; %(n)s newer events not confirmed yet", newer)
        lines.append(AnchorLine("behind" if newer else "current", text + _("."), exact))
    return lines
