"""What one audit event is, and how a check or a decision becomes one without leaking.

An event is a plain dict whose keys are `EVENT_FIELDS`. That dict is the only shape that
leaves the audit package: `events()` yields it, exports write it, the hash chain hashes its
canonical JSON, and future sinks (syslog, PostgreSQL, the review page) receive it as is.

Privacy rules enforced here rather than trusted to callers:
- a finding's raw `matched` value is only ever turned into a keyed hash;
- an excerpt that still contains the raw value (an engine bug) is re-masked before storing;
- free text (justification, excerpts) is capped, and `url_host` is reduced to a host name,
  because share URLs can carry the post text in their query string.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import datetime, timezone
from urllib.parse import urlsplit

from companion.audit.keys import keyed_hash
from companion.detection.orglists import ListEntry
from companion.detection.types import CATEGORIES, Finding, ScanResult

EVENT_FIELDS: tuple[str, ...] = (
    "seq", "event_id", "ts", "kind", "os_user", "host", "platform", "scan_id", "url_host",
    "verdict", "categories", "rules", "counts", "excerpts", "value_hashes", "ocr_incomplete",
    "action", "justification", "details", "versions", "prev_hash", "hash",
)
# Fields held as JSON text in SQLite and CSV; Python lists/dicts everywhere else.
JSON_FIELDS: frozenset[str] = frozenset(
    {"categories", "rules", "counts", "excerpts", "value_hashes", "details", "versions"}
)
KINDS: tuple[str, ...] = ("check", "decision", "checkpoint", "reaction")

MAX_JUSTIFICATION_CHARS = 500
MAX_EXCERPT_CHARS = 160
MAX_SHORT_TEXT_CHARS = 64
MAX_HOST_CHARS = 253
# Raw values shorter than this are too common ("a", "10") to scrub out of an excerpt safely.
MIN_SCRUBBABLE_CHARS = 3


def utc_timestamp(moment: datetime | None = None) -> str:
    """Fixed-width UTC ISO-8601 with microseconds, so text order equals time order."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive datetime means the user's local time
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cap(text: str | None, limit: int) -> str | None:
    """Cut free text to `limit` characters; None stays None."""
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def host_only(url_host: str | None) -> str | None:
    """Keep only the host name: a full URL's path or query may quote the post."""
    if not url_host:
        return None
    candidate = str(url_host).strip()
    if "//" not in candidate:
        candidate = "//" + candidate
    try:
        host = urlsplit(candidate).hostname
    except ValueError:
        return None
    return cap(host, MAX_HOST_CHARS) if host else None


def safe_excerpt(finding: Finding) -> str:
    """The engine's masked excerpt, re-masked if the raw value somehow survived in it."""
    excerpt = finding.excerpt or ""
    raw = (finding.matched or "").strip()
    if len(raw) >= MIN_SCRUBBABLE_CHARS:
        excerpt = _replace_ignoring_case(excerpt, raw, f"[{finding.category}]")
    return cap(excerpt, MAX_EXCERPT_CHARS) or ""


def _replace_ignoring_case(text: str, old: str, new: str) -> str:
    """`text` with every `old` in any case replaced by `new`. Each finding's value is
    different, so a regular expression per value only filled `re`'s cache; in ASCII text
    `str.find` on lower-cased copies finds the same, and `re` does the rest (its case
    folding also pairs "ſ" with "s", "K" with "k", "ς" with "σ": a scrub must miss none)."""
    if not (text.isascii() and old.isascii()):
        return re.sub(re.escape(old), lambda _: new, text, flags=re.IGNORECASE)
    lowered, needle = text.lower(), old.lower()
    pieces, cursor = [], 0
    while (found := lowered.find(needle, cursor)) >= 0:
        pieces += [text[cursor:found], new]
        cursor = found + len(old)
    return "".join(pieces + [text[cursor:]])


def _value_hashes(key: bytes, findings: list[Finding]) -> list[dict]:
    """One keyed hash per distinct (category, value), in the order first found."""
    seen: set[tuple[str, str]] = set()
    hashes = []
    for finding in findings:
        if not (finding.matched or "").strip():
            continue
        digest = keyed_hash(key, finding.matched)
        if (finding.category, digest) in seen:
            continue
        seen.add((finding.category, digest))
        hashes.append({"category": finding.category, "rule": finding.rule, "hash": digest})
    return hashes


def _excerpts(findings: list[Finding]) -> list[dict]:
    """What a reviewer needs to understand each finding, without the raw value."""
    return [
        {
            "category": f.category,
            "rule": f.rule,
            "excerpt": safe_excerpt(f),
            "source": f.source,
            "image_index": f.image_index,
        }
        for f in findings
    ]


def _empty_event(kind: str, identity: dict) -> dict:
    """An event with every field present, so all kinds share one shape and one CSV header."""
    event = dict.fromkeys(EVENT_FIELDS)
    event.update(
        event_id=str(uuid.uuid4()), ts=utc_timestamp(), kind=kind,
        os_user=identity["os_user"], host=identity["host"],
    )
    return event


def check_event(
    *, key: bytes, identity: dict, scan_id: str, platform: str, url_host: str | None,
    result: ScanResult, versions: dict, acting: tuple[str, bool] | None = None,
) -> dict:
    """The event for one check: verdict, what was found, masked excerpts, keyed hashes.

    `acting` (the identity the user acted as on the site, and whether it is a company one) goes
    in as `details.acting_hash` (keyed) and `details.acted_as_company`; the name never does."""
    counts = Counter(f.category for f in result.findings)
    event = _empty_event("check", identity)
    event.update(
        platform=cap(platform, MAX_SHORT_TEXT_CHARS),
        scan_id=cap(scan_id, MAX_SHORT_TEXT_CHARS),
        url_host=host_only(url_host),
        verdict=result.verdict,
        categories=list(result.categories),
        rules=list(dict.fromkeys(f.rule for f in result.findings)),
        counts={c: counts[c] for c in CATEGORIES if counts[c]},
        excerpts=_excerpts(result.findings),
        value_hashes=_value_hashes(key, result.findings),
        ocr_incomplete=bool(result.ocr_incomplete),
        versions=dict(versions or {}),
        details=acting_details(key, *acting) if acting else None,
    )
    return event


def acting_details(key: bytes, acting_as: str, acted_as_company: bool) -> dict:
    """Who the user acted as, recognisable across events but never readable: a keyed hash of the
    folded name (`@Brightway.Official` and `brightway.official` hash alike) and the company flag."""
    from companion.identities import fold

    if not isinstance(acted_as_company, bool):
        raise TypeError("acted_as_company is a flag")
    return {"acting_hash": keyed_hash(key, fold(acting_as)), "acted_as_company": acted_as_company}


def decision_event(
    *, identity: dict, scan_id: str, action: str, justification: str | None,
    platform: str | None, check: dict | None, details: dict | None = None,
) -> dict:
    """The event for what the user did after a check; repeats the check's context if known.

    `details` carries hashes and ids only (an approval request's content hash, say), never text.

    Copying platform, host, verdict and categories makes each decision readable on its own,
    e.g. as a single syslog line, without joining back to its check.
    """
    event = _empty_event("decision", identity)
    check = check or {}
    # Who the user acted as on the site, as the check recorded it (hash and flag only).
    acting = {k: v for k, v in (check.get("details") or {}).items() if k in ("acting_hash", "acted_as_company")}
    if acting:
        details = {**(details or {}), **acting}
    event.update(
        scan_id=cap(scan_id, MAX_SHORT_TEXT_CHARS),
        platform=cap(platform, MAX_SHORT_TEXT_CHARS) or check.get("platform"),
        url_host=check.get("url_host"),
        verdict=check.get("verdict"),
        categories=check.get("categories"),
        action=cap(action, MAX_SHORT_TEXT_CHARS),
        justification=cap(justification, MAX_JUSTIFICATION_CHARS) or None,
        details=dict(details) if details else None,
    )
    return event


def reaction_event(
    *, key: bytes, identity: dict, platform: str, action: str, decision: str, reasons: list[str],
    categories: list[str], author_handle: str | None, post_id: str | None,
    listed: ListEntry | None, justification: str | None,
    acting: tuple[str, bool] | None = None, delivery_id: str | None = None,
) -> dict:
    """The event for a like, repost, share or comment on someone else's post.

    The author's handle and the post id go in only as keyed hashes (the same post or author
    can be recognised across events, never read back). A name goes in only when it is an
    org list entry (`listed`, from the matcher): the competitor or client as the list names
    it, never the name the site showed. `acting` (who the user reacted as, whether a company
    identity) goes in as `acting_hash` and `acted_as_company`, as for checks; `delivery_id` is the
    extension's random id for the event, by which a second delivery is recognised.
    """
    if listed is not None and not isinstance(listed, ListEntry):
        raise TypeError("listed must be the org list entry the author matched")
    event = _empty_event("reaction", identity)
    details = {
        "decision": cap(decision, MAX_SHORT_TEXT_CHARS),
        "reasons": [cap(r, MAX_SHORT_TEXT_CHARS) for r in reasons],
        "author_hash": keyed_hash(key, author_handle.strip().lower()) if author_handle else None,
        "post_hash": keyed_hash(key, post_id.strip()) if post_id else None,
    }
    if listed is not None:
        details["list_entry"] = {"kind": listed.kind, "name": cap(listed.label, MAX_EXCERPT_CHARS)}
    if acting:
        details.update(acting_details(key, *acting))
    if delivery_id:
        details["delivery_id"] = cap(delivery_id, MAX_SHORT_TEXT_CHARS)
    event.update(
        platform=cap(platform, MAX_SHORT_TEXT_CHARS),
        action=cap(action, MAX_SHORT_TEXT_CHARS),
        categories=[c for c in CATEGORIES if c in categories],
        justification=cap(justification, MAX_JUSTIFICATION_CHARS) or None,
        details=details,
    )
    return event
