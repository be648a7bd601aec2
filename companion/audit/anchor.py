"""Comparing the local chain with the copy a forwarding target holds: is the local log whole?

The local chain (chain.py) shows any edit whose hashes were not recomputed. It cannot show
that the newest events were deleted together with the head record, or that someone who can
write the database recomputed every hash after an edit. A forwarding target can: every
forwarded event carries its seq and hash (syslog structured data, the central store's
columns), so the target holds its own copy of the chain up to the last event it received.
`compare_with_target` lines the two up, chain by chain:

    match      every event both hold agrees, and the target's copy ends at or before the local head
    cut        the target holds events after the local head: they were deleted here (a cut tail)
    rewritten  an event both hold has another hash here: changed here and rehashed
    absent     the target holds no event of this log (never forwarded there, or the log was replaced)

A target's chains are told apart by laptop id. The ones that belong to this log are found
by the spool's laptop id and by event id: when a cut tail no longer fits the spool's
cursors, forwarding restarts under a new laptop id (spool.py), and the chain under the old
id, which still holds the cut events, must be compared too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from companion.audit.chain import ChainLink

# Exit codes of `postguard audit verify --against` (1 stays "the local chain is broken").
EXIT_CODES = {"match": 0, "absent": 6, "cut": 4, "rewritten": 5}
_SEVERITY = ("match", "absent", "cut", "rewritten")


@dataclass(frozen=True)
class TargetLink:
    """One event as the target holds it: its place in the chain and when it got there."""

    seq: int
    hash: str
    event_id: str | None = None
    at: str | None = None


@dataclass
class TargetChain:
    """What a target holds of one laptop id's chain, by seq."""

    laptop_id: str
    links: dict[int, TargetLink] = field(default_factory=dict)

    def add(self, link: TargetLink) -> None:
        """Keep the first copy of a seq (syslog delivery is at least once)."""
        self.links.setdefault(link.seq, link)


@dataclass(frozen=True)
class LocalChain:
    """The local log reduced to what a comparison needs (no event content)."""

    hashes: dict[int, str]
    event_ids: dict[int, str]  # seq -> event id (checkpoint links have none)
    head: ChainLink


def read_local_chain(events: Iterable[dict]) -> LocalChain:
    """seq -> hash of every local event, plus the link each checkpoint vouches for."""
    hashes: dict[int, str] = {}
    event_ids: dict[int, str] = {}
    head = ChainLink(0, "")
    for event in events:
        hashes[event["seq"]] = event["hash"]
        event_ids[event["seq"]] = event["event_id"]
        head = ChainLink(event["seq"], event["hash"])
        details = event.get("details") if isinstance(event.get("details"), dict) else {}
        through, pruned_hash = details.get("pruned_through_seq"), details.get("pruned_head_hash")
        if event.get("kind") == "checkpoint" and isinstance(through, int) and pruned_hash:
            hashes.setdefault(through, pruned_hash)  # pruned here, still comparable there
    return LocalChain(hashes, event_ids, head)


@dataclass(frozen=True)
class Comparison:
    """The outcome for one of the target's chains (or `absent` when none is this log's)."""

    outcome: str
    target: str
    message: str
    laptop_id: str | None = None
    local_head: int = 0
    target_head: int = 0
    anchored_at: str | None = None
    first_differs: int | None = None
    missing: int = 0

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]


def worst(comparisons: list[Comparison]) -> Comparison:
    """The comparison that matters most: rewritten, then cut, then absent, then match."""
    return max(comparisons, key=lambda c: _SEVERITY.index(c.outcome))


def belongs_to_log(chain: TargetChain, local_event_ids: set[str], laptop_ids: set[str]) -> bool:
    """Whether the target's chain is this log's: by a laptop id the spool knows, or a shared event id."""
    if chain.laptop_id in laptop_ids:
        return True
    return any(link.event_id in local_event_ids for link in chain.links.values())


def compare_with_target(local: LocalChain, chains: Iterable[TargetChain], *, target: str,
                        laptop_ids: set[str], at_means: str = "received") -> list[Comparison]:
    """One comparison per chain of the target that belongs to this log, or one `absent`."""
    event_ids = set(local.event_ids.values())
    mine = [c for c in chains if c.links and belongs_to_log(c, event_ids, laptop_ids)]
    if not mine:
        return [Comparison("absent", target, f"chain NOT ANCHORED: {target} holds no event of this log. "
                           "Either nothing was forwarded there yet (see `postguard service status`), it is "
                           "not where this laptop forwards to, or the whole log was replaced here",
                           local_head=local.head.seq)]
    return [_compare_chain(local, chain, target, at_means) for chain in mine]


def _when(at: str | None) -> str:
    """A target's time to the second, or a plain "unknown time"."""
    if not at:
        return "at an unknown time"
    return f"{at[:19]}Z" if len(at) > 20 and at[10] == "T" and at.endswith("Z") else at


def _compare_chain(local: LocalChain, chain: TargetChain, target: str, at_means: str) -> Comparison:
    """Line one target chain up with the local one."""
    newest = chain.links[max(chain.links)]
    where = (f"{target} (laptop {chain.laptop_id[:8]}…, last anchored: event {newest.seq}, "
             f"{at_means} {_when(newest.at)})")
    common = sorted(seq for seq in chain.links if seq in local.hashes)
    differs = next((seq for seq in common if chain.links[seq].hash != local.hashes[seq]), None)
    missing = max(0, newest.seq - local.head.seq)
    facts = dict(target=target, laptop_id=chain.laptop_id, local_head=local.head.seq, target_head=newest.seq,
                 anchored_at=newest.at, first_differs=differs, missing=missing)
    if differs is not None:
        return Comparison("rewritten", message=_rewritten(local, chain.links[differs], where, newest.seq), **facts)
    if missing:
        return Comparison("cut", message=_cut(local.head.seq, newest.seq, where), **facts)
    pending = local.head.seq - newest.seq
    waiting = f"; the {pending} newest {'event is' if pending == 1 else 'events are'} not there yet" \
        if pending else ""
    compared = f"{len(common)} {'event' if len(common) == 1 else 'events'} compared"
    return Comparison("match", message=f"matches {where}: {compared}, all equal{waiting}", **facts)


def _rewritten(local: LocalChain, theirs: TargetLink, where: str, target_head: int) -> str:
    """Why event `theirs.seq` differs, and what to do."""
    seq = theirs.seq
    how = ("the original was deleted here and another event recorded in its place"
           if theirs.event_id and theirs.event_id != local.event_ids.get(seq)
           else "it was changed on this laptop and every hash after it recomputed")
    also = (f" The local log also ends at event {local.head.seq}, before the target's event {target_head}."
            if target_head > local.head.seq else "")
    return (f"chain REWRITTEN at event {seq}: event {seq} here (hash {local.hashes[seq][:12]}…) is not the "
            f"event {seq} that {where} holds (hash {theirs.hash[:12]}…): {how}.{also} The target's copy is the "
            f"original: compare it with `postguard audit export` from event {seq} on.")


def _cut(local_head: int, target_head: int, where: str) -> str:
    """Which events the target holds after the local head, and what to do."""
    missing = target_head - local_head
    events = f"1 event is missing here (event {target_head})" if missing == 1 else \
        f"{missing} events are missing here ({local_head + 1}-{target_head})"
    return (f"chain CUT after event {local_head}: {events}. {where[0].upper()}{where[1:]} holds them: they "
            "were deleted here and the head record rewritten. Keep the target's copy of them, it is their "
            "only record; nothing on this laptop can restore them.")
