"""The vocabulary every part of Postguard shares: categories, severities, findings, verdicts.

These names are pinned: the extension, the audit log and reports all use them, so a
rename here is a breaking change for every deployed laptop.

A `Finding` carries the raw matched value (`matched`) only so the engine can mask and
hash it; `to_wire()` and `to_audit()` are the only ways a finding leaves the process,
and neither includes the raw value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CATEGORIES: tuple[str, ...] = (
    "contact_pii",
    "client_confidential",
    "pricing",
    "unreleased_product",
    "credentials",
    "sensitive_topic",
    "disparagement",
    "competitor",
    "wrong_account",  # work posted from a personal identity, or red-line content as the company
)

Severity = Literal["info", "warn", "block"]
SEVERITIES: tuple[str, ...] = ("info", "warn", "block")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

Verdict = Literal["allow", "warn", "block"]

DEFAULT_SEVERITY: dict[str, Severity] = {
    "contact_pii": "warn",
    "client_confidential": "warn",
    "pricing": "warn",
    "unreleased_product": "warn",
    "credentials": "block",
    "sensitive_topic": "warn",
    "disparagement": "warn",
    "competitor": "info",
    "wrong_account": "warn",
}


@dataclass
class Finding:
    """One thing in a post that may leak, with where it was found.

    `start`/`end` are character offsets into the post text (source "text") or into the
    OCR text of image `image_index` (source "image"); `bbox` is `[x, y, w, h]` in the
    pixels of the image as displayed (EXIF orientation applied).
    """

    category: str
    severity: Severity
    rule: str
    matched: str
    excerpt: str
    source: Literal["text", "image"] = "text"
    start: int | None = None
    end: int | None = None
    image_index: int | None = None
    bbox: list[int] | None = None
    score: float = 1.0
    message: str = ""

    def to_wire(self) -> dict:
        """The finding as the HTTP API and the CLI's JSON show it: no raw value."""
        return {
            "category": self.category,
            "severity": self.severity,
            "source": self.source,
            "image_index": self.image_index,
            "start": self.start,
            "end": self.end,
            "bbox": self.bbox,
            "rule": self.rule,
            "message": self.message,
            "excerpt": self.excerpt,
        }


@dataclass
class ScanResult:
    """The outcome of checking one post: the verdict and what led to it."""

    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    ocr_incomplete: bool = False
    warnings: list[str] = field(default_factory=list)
    text_incomplete: bool = False  # the check's time budget ran out before every matcher ran

    @property
    def categories(self) -> list[str]:
        """Distinct categories found, in the fixed category order."""
        found = {f.category for f in self.findings}
        return [c for c in CATEGORIES if c in found]


def verdict_for(findings: list[Finding]) -> Verdict:
    """The post's verdict is its highest severity; info alone still allows the post."""
    top = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
    return "block" if top == 2 else "warn" if top == 1 else "allow"
