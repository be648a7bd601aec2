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

from companion.audit.sinks.spool import Anchor

# How a sink is named on the page when the spool does not know its target (older spools).
_SINK_NAMES = {"syslog": "syslog", "postgres": "the central store"}


@dataclass(frozen=True)
class AnchorLine:
    """One line under the chain badge: `state` is current, behind, cut, pending or off."""

    state: str
    text: str
    when: str | None = None  # the full UTC time, for the tooltip
    command: str | None = None  # what to run next, shown as code after the text


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


def anchor_lines(anchors: list[Anchor], head_seq: int, *, forwarding: bool, now: datetime) -> list[AnchorLine]:
    """What to say about each target's anchor, given the local head."""
    if not anchors:
        if forwarding:
            return [AnchorLine("pending", "Chain head not anchored yet: no forwarding target has confirmed "
                                          "an event.")]
        return [AnchorLine("off", "Chain head not anchored: no forwarding target is set, so deleting the newest "
                                  "events here would go unnoticed.")]
    lines = []
    for anchor in anchors:
        when, exact = ago(anchor.anchored_at, now), f"{anchor.anchored_at[:10]} {anchor.anchored_at[11:19]} UTC"
        if anchor.seq > head_seq:
            target = _target(anchor)
            lines.append(AnchorLine("cut", (
                f"{target[0].upper()}{target[1:]} confirmed event #{anchor.seq} {when}, but this log ends at "
                f"#{head_seq}: events after #{head_seq} were deleted here. Check with"), exact,
                "postguard audit verify --against"))
            continue
        text = f"Chain head anchored to {_target(anchor)} {when} (event #{anchor.seq})"
        newer = head_seq - anchor.seq
        if newer:
            text += f"; {newer} newer {'event' if newer == 1 else 'events'} not confirmed yet"
        lines.append(AnchorLine("behind" if newer else "current", text + ".", exact))
    return lines
