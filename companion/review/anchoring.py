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
        return f"at {ts}"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def _target(anchor: Anchor) -> str:
    """`syslog tcp://siem:514`, `PostgreSQL postgresql://…` (as the sink describes itself)."""
    return anchor.target or _SINK_NAMES.get(anchor.sink, anchor.sink)


def _exact(ts: str) -> str:
    return f"{ts[:10]} {ts[11:19]} UTC"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _replaced_line(replaced: Replacement, now: datetime) -> AnchorLine:
    """A log that stopped fitting what a target had confirmed: cut at its tail, or replaced."""
    anchor, ended, when = replaced.anchor, replaced.log_ended_at, ago(replaced.replaced_at, now)
    target = _target(anchor)
    if anchor.seq > ended:
        return AnchorLine("cut", (
            f"{_capital(target)} had confirmed event #{anchor.seq}, but {when} this log ended at #{ended}: "
            f"events after #{ended} were deleted here (or an older copy of the log was restored), and "
            "forwarding began again under a new laptop id. Check with"), _exact(replaced.replaced_at),
            "postguard audit verify --against", f"Events cut after #{ended}")
    return AnchorLine("cut", (
        f"{_capital(when)} this log no longer held the event #{anchor.seq} that {target} had confirmed: it was "
        "replaced, and forwarding began again under a new laptop id. Check with"), _exact(replaced.replaced_at),
        "postguard audit verify --against", f"Log replaced after event #{anchor.seq} was anchored")


def anchor_lines(anchors: list[Anchor], head_seq: int, *, forwarding: bool, now: datetime,
                 replacements: list[Replacement] = ()) -> list[AnchorLine]:
    """What to say about each target's anchor, given the local head, and about every log that
    stopped fitting what a target had confirmed (those stay on the page: events were lost)."""
    lines = [_replaced_line(r, now) for r in replacements]
    if not anchors:
        if forwarding:
            return lines + [AnchorLine("pending", "Chain head not anchored yet: no forwarding target has "
                                                  "confirmed an event.")]
        return lines + [AnchorLine("off", "Chain head not anchored: no forwarding target is set, so deleting "
                                          "the newest events here would go unnoticed.")]
    for anchor in anchors:
        when, exact = ago(anchor.anchored_at, now), _exact(anchor.anchored_at)
        if anchor.seq > head_seq:
            lines.append(AnchorLine("cut", (
                f"{_capital(_target(anchor))} confirmed event #{anchor.seq} {when}, but this log ends at "
                f"#{head_seq}: events after #{head_seq} were deleted here. Check with"), exact,
                "postguard audit verify --against", f"Events cut after #{head_seq}"))
            continue
        text = f"Chain head anchored to {_target(anchor)} {when} (event #{anchor.seq})"
        newer = head_seq - anchor.seq
        if newer:
            text += f"; {newer} newer {'event' if newer == 1 else 'events'} not confirmed yet"
        lines.append(AnchorLine("behind" if newer else "current", text + ".", exact))
    return lines
