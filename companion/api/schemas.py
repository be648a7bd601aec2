"""Wire models of the /v1 API (pydantic); the OpenAPI document is generated from them.

Validation messages name the field and the problem, never the value: the value may be
a piece of the user's post. Request models are strict: JSON `0` is not `false` and `"5"` is
not `5`, so what the OpenAPI document accepts is exactly what the API accepts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, NonNegativeInt, PositiveInt

from companion.detection.types import CATEGORIES
from companion.sites import SITE_IDS

Category = Literal[CATEGORIES]  # the pinned category names, listed in the OpenAPI document
Platform = Literal[SITE_IDS + ("other",)]  # the guarded sites (extension/shared/sites.json), or "other"
Action = Literal["posted", "edited", "cancelled", "overridden", "redacted"]


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WireIn(Wire):
    """A request body: unknown fields and loose types (0 for false, "5" for 5) are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ImageIn(WireIn):
    name: str = Field("", max_length=255, description="File name as attached (for display only).")
    mime: str = Field(..., max_length=100, description="image/jpeg, image/png, image/webp or image/gif.")
    data: str = Field(..., min_length=1, json_schema_extra={"format": "byte", "contentMediaType": "image/*"},
                      description="A JPEG, PNG, WebP or GIF image, base64-encoded (RFC 4648, no line "
                                  "breaks); an empty image is refused, and bytes that are not one of "
                                  "these images get 400 image_unsupported.")


class CheckRequest(WireIn):
    text: str = Field("", description="The post text as the composer holds it.")
    images: list[ImageIn] = Field([], description="Attached images, in order.")
    platform: Platform = "other"
    url: str | None = Field(None, max_length=2048, description="Page URL; only its host is audited.")
    identity: str | None = Field(None, max_length=254, description="The company email of the browser profile "
                                                                   "(chrome.identity); audited as the person.")
    acting_as: str | None = Field(None, max_length=300,
                                  description="Who the user acts as on the site, as the page shows it "
                                              "(display name or handle). Judged against the org's "
                                              "identities.yaml; audited only as a keyed hash and an "
                                              "`acted_as_company` flag.")


class FindingOut(Wire):
    category: Category
    severity: Literal["info", "warn", "block"]
    source: Literal["text", "image"]
    image_index: int | None
    start: int | None = Field(description="Offset in the text (or the image's OCR text).")
    end: int | None
    bbox: list[int] | None = Field(description="[x, y, w, h] in the image's displayed pixels.")
    rule: str
    message: str = Field(description="A sentence for the salesperson, in the requested language.")
    excerpt: str = Field(description="The matched text, masked.")


class CheckResponse(Wire):
    scan_id: str
    verdict: Literal["allow", "warn", "block"]
    findings: list[FindingOut]
    timings_ms: dict[str, float]
    ocr_incomplete: bool = False
    warnings: list[str] = Field([], description="e.g. ocr_incomplete, ocr_unavailable: a photo "
                                                "could not be read completely; text_incomplete: the "
                                                "check's time budget ran out, the findings are what "
                                                "was found before it; findings_capped (with "
                                                "text_incomplete): more than 500 phone numbers, "
                                                "20 card numbers or 25,000 characters of contact "
                                                "data, read up to that many.")
    audited: bool = True


class DecisionRequest(WireIn):
    scan_id: str | None = Field(None, max_length=64, description="From /v1/check; null or absent when the "
                                                                 "check could not run (an offline decision).")
    action: Action
    justification: str | None = Field(None, max_length=2000)
    platform: Platform | None = None
    offline: bool = Field(False, description="The check could not run (companion unreachable); "
                                             "the decision was queued by the extension.")
    identity: str | None = Field(None, max_length=254, description="The company email of the browser profile "
                                                                   "(chrome.identity); audited as the person.")


class DecisionResponse(Wire):
    ok: bool
    event_id: str


def _integral(value):
    """JSON has one number type: 5.0 is the integer 5 (JSON Schema says so too); 5.5 and "5" are not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Coordinate = Annotated[NonNegativeInt, BeforeValidator(_integral)]
Extent = Annotated[PositiveInt, BeforeValidator(_integral)]
# [x, y, w, h] in displayed pixels: a corner at or right of and below the origin, a size of at
# least one pixel. strict=False lets a JSON array fill the tuple; the numbers stay strict.
Box = Annotated[tuple[Coordinate, Coordinate, Extent, Extent], Field(strict=False)]


class RedactRequest(WireIn):
    image: ImageIn
    boxes: list[Box] = Field(..., max_length=200, description="[x, y, w, h] boxes to black out; a box "
                                                               "past the image's edge is clipped to it.")


class RedactResponse(Wire):
    image: ImageIn


class ForwardingStatus(Wire):
    sink: str = Field(..., description="`syslog` or `postgres`.")
    target: str = Field(..., description="Scheme, host and port of the target; never a password.")
    delivered_through: int = Field(..., description="Highest audit event seq the target confirmed.")
    backlog: int = Field(..., description="Events recorded but not yet confirmed by the target.")
    failures: int = Field(..., description="Failed delivery attempts in a row (0 when healthy).")
    last_error: str | None = Field(None, description="Why the last attempt failed, while failing.")


class OrgStatus(Wire):
    version: str | None = Field(..., description="The signed rule bundle's version when a bundle brings "
                                                 "the org lists, else `sha256:` and the start of a hash "
                                                 "of the org directory's files.")
    example: bool = Field(..., description="True when the org lists are the shipped example's: no real "
                                           "client, competitor or product is known to the checks yet.")


class HealthResponse(Wire):
    status: Literal["ok"]
    versions: dict
    org: OrgStatus | None = Field(None, description="Which org lists (clients, competitors, products) "
                                                    "the checks use.")
    forwarding: list[ForwardingStatus] = Field(
        default_factory=list, description="One entry per configured audit forwarding target "
                                          "(syslog, central store); empty when none is configured.")
    approvals: bool = Field(False, description="Whether 'Ask for approval' can reach a central service "
                                               "(central_url is set); /v1/approvals answers 404 otherwise.")


ReactionAction = Literal["react", "repost", "share", "comment"]
Reason = Literal["competitor", "client", "red_line"]
ReactionLevel = Literal["monitor", "warn", "block"]
ReactionDecision = Literal["cancelled", "overridden", "monitored", "allowed_unchecked"]


class ReactionCheckRequest(WireIn):
    site: Platform
    action: ReactionAction | None = Field(None, description="The control about to be used, when known "
                                                             "(a check made as the post scrolls into view "
                                                             "has none yet).")
    author_name: str = Field("", max_length=300, description="The post author's name as the site shows it.")
    author_handle: str = Field("", max_length=300, description="The author's handle or profile path, e.g. "
                                                               "`northwind.hardware` or `/company/northwind/`.")
    text: str = Field("", description="The post's visible text. Read for the check only; never stored.")
    acting_as: str | None = Field(None, max_length=300,
                                  description="Who the user would react as, as the page shows it (the "
                                              "post's identity switcher, 'Comment as ‹Name›', the current "
                                              "account). Judged against identities.yaml; never stored.")


class ActingOut(Wire):
    company: bool = Field(description="True when the user acts as one of the company's own identities.")
    name: str | None = Field(description="The company identity as identities.yaml names it; null for a "
                                         "personal identity (its name is not echoed).")


class ListEntryOut(Wire):
    kind: Literal["competitor", "client"]
    name: str = Field(description="The entry as the org list names it.")


class ReactionCheckResponse(Wire):
    reasons: list[Reason] = Field(description="Why reacting is risky; empty for a harmless post.")
    listed: ListEntryOut | None = Field(description="The list entry the author matched, if any.")
    red_line: list[Category] = Field(description="Red-line categories found in the post's text.")
    acting: ActingOut | None = Field(None, description="Whether `acting_as` is a company identity; null when "
                                                       "no identity was sent or none is declared for the site.")
    policy: dict[str, dict[str, ReactionLevel]] | None = Field(
        None, description="The org directory's reaction policy (reaction_policy.yaml): the cells IT set, "
                          "per action group (react, share, comment) and reason; null when the file is absent.")
    timings_ms: dict[str, float]


class ReactionRequest(WireIn):
    site: Platform
    action: ReactionAction
    decision: ReactionDecision = Field(description="cancelled: held, the user let it go; overridden: held, "
                                                   "the user went ahead; monitored: risky, let through "
                                                   "by policy; allowed_unchecked: the check could not run.")
    reasons: list[Reason] = Field([], max_length=3)
    red_line: list[Category] = Field([], max_length=8)
    author_name: str = Field("", max_length=300, description="Matched again against the org lists; only a "
                                                              "list entry's name is recorded.")
    author_handle: str = Field("", max_length=300, description="Recorded as a keyed hash only.")
    post_id: str = Field("", max_length=300, description="Recorded as a keyed hash only.")
    justification: str | None = Field(None, max_length=2000)
    acting_as: str | None = Field(None, max_length=300, description="Who the user reacted as; recorded only "
                                                                    "as a keyed hash and `acted_as_company`.")
    delivery_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9-]+$",
                                    description="The extension's id for this event: a second delivery with "
                                                "the same id (a retry after a lost answer, the offline "
                                                "queue) records nothing new and answers the first event's id.")


class ReactionResponse(Wire):
    ok: bool
    event_id: str


class ErrorBody(Wire):
    code: str
    message: str


class ErrorResponse(Wire):
    error: ErrorBody
