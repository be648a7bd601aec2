"""/v1/approvals on the companion: the extension asks for approval, the companion relays it.

    POST /v1/approvals          {text, images, platform, scan_id?} -> {id, status: "pending", content_hash, ...}
    GET  /v1/approvals?id=<id>  -> {id, status, content_hash, comment, decided_by, decided_at}

The companion checks the draft itself (the reviewer sees what Postguard found, highlighted),
computes its content hash, and sends draft, findings and hash to the central service with the
laptop's own token: the draft goes there and nowhere else, and never into the local log. The
local audit chain gets a decision event `approval_requested` when the request is sent, and one
`approved`, `rejected`, `changes_requested` or `expired` (nobody decided in time) when the
companion first learns the answer; both
carry only the request id, the content hash and the photos' hashes (and who decided).

The /v1 guard of the app (extension origins, JSON bodies) covers these routes. An unreachable
service is a 503 `central_unreachable` after at most the client's timeout, never a hang.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading

from typing import Literal

from flask import Blueprint, current_app, jsonify, request
from pydantic import Field

from companion.api.routes import decode_base64, parse
from companion.api.schemas import ImageIn, Platform, Wire, WireIn
from companion.audit.identity_map import valid_email
from companion.central.drafts import content_hash
from companion.errors import NotFound

bp = Blueprint("approvals_relay", __name__, url_prefix="/v1/approvals")
ANSWERS = ("approved", "rejected", "changes_requested", "expired")
_RECORDING = threading.Lock()  # two polls at once must not both record the answer


class ApprovalRequest(WireIn):
    text: str = Field("", description="The draft's text as the composer holds it.")
    images: list[ImageIn] = Field([], description="The draft's photos, in order.")
    platform: Platform = "other"
    scan_id: str | None = Field(None, max_length=64, description="The check this draft was shown after, if any.")
    identity: str | None = Field(None, max_length=254, description="The company e-mail of the browser profile "
                                                                   "(chrome.identity), shown to the reviewers.")


class ApprovalAnswer(Wire):
    id: str = Field(..., description="The request's id at the central service.")
    status: Literal["pending", "approved", "rejected", "changes_requested", "expired"]
    content_hash: str = Field(..., description="sha256: over the text and the photos' SHA-256, in order; an "
                                               "approval holds for exactly this content.")
    comment: str | None = Field(None, description="The reviewer's comment, once decided.")
    decided_by: str | None = Field(None, description="Who decided.")
    decided_at: str | None = Field(None, description="When (ISO 8601, UTC).")


def _state():
    return current_app.extensions["postguard"]


def _client():
    from companion.central.client import CentralClient

    state = _state()
    if not state.settings.central_url:
        raise NotFound("approval before posting is not set up on this laptop (no central_url)", "approvals_off")
    # the extension's language, so that what the service refuses reads in it (client.py)
    return CentralClient.from_settings(state.settings, language=request.headers.get("Accept-Language"))


@bp.post("")
def ask():
    """Check the draft, send it for approval, note the request in the local audit chain."""
    from companion.api.routes import _decode_images  # the same limits and decoding as /v1/check

    state, client = _state(), _client()
    req = parse(ApprovalRequest)
    if len(req.text) > state.settings.max_text_chars:
        from companion.errors import RequestError

        raise RequestError(f"text: longer than {state.settings.max_text_chars} characters", "text_too_long")
    from companion.api.schemas import CheckRequest

    decoded = _decode_images(CheckRequest(text=req.text, images=req.images, platform=req.platform))
    result = state.engine.check(req.text, decoded)
    digests = [hashlib.sha256(decode_base64(image.data, i)).hexdigest() for i, image in enumerate(req.images)]
    digest = content_hash(req.text, digests)
    findings = [{k: f.to_wire()[k] for k in ("category", "source", "start", "end", "image_index", "excerpt")}
                for f in result.findings]
    answer = _relayed(client.submit_approval, {"text": req.text, "images": [i.model_dump() for i in req.images],
                                     "findings": findings, "platform": req.platform, "content_hash": digest,
                                     "os_user": state.audit.os_user, "host": state.audit.host,
                                     "identity": valid_email(req.identity)})
    state.audit.record_decision(scan_id=_scan_id(answer["id"]), action="approval_requested", justification=None,
                                platform=req.platform, identity=req.identity,
                                details={"approval_id": answer["id"], "content_hash": digest, "image_hashes": digests,
                                         "check_scan_id": req.scan_id})
    return jsonify(ApprovalAnswer(id=answer["id"], status="pending", content_hash=digest).model_dump())


@bp.get("")
def status():
    """The answer so far (`?id=`); the first time it is a decision, it goes into the local audit chain."""
    request_id = request.args.get("id", "")
    if not request_id or len(request_id) > 64:
        raise NotFound("give the approval request's id as ?id=", "unknown_request")
    state, client = _state(), _client()
    answer = _relayed(client.approval, request_id)
    with _RECORDING:
        if answer["status"] in ANSWERS and not _recorded(state.audit.db_path, answer["id"], answer["status"]):
            state.audit.record_decision(scan_id=_scan_id(answer["id"]), action=answer["status"],
                                        justification=None,
                                        details={"approval_id": answer["id"], "content_hash": answer["content_hash"],
                                                 "decided_by": answer["decided_by"]})
    return jsonify(ApprovalAnswer(**{k: answer.get(k) for k in ApprovalAnswer.model_fields}).model_dump())


# What the companion answers when the central service refused: the extension needs to know
# "not allowed" (403: not enrolled, revoked), "no such request" (404), "bad draft" (400) or "try again" (503).
_RELAYED_STATUS = {400: 400, 401: 403, 403: 403, 404: 404, 409: 400, 413: 413}


def _relayed(call, *args):
    """`call(*args)` on the central client; its refusal passed on with the status the extension acts on."""
    from companion.central.errors import CentralError, CentralUnreachable

    try:
        return call(*args)
    except CentralUnreachable:
        raise
    except CentralError as exc:
        exc.http_status = _RELAYED_STATUS.get(exc.http_status, 503)
        raise


def _scan_id(request_id: str) -> str:
    return f"approval-{request_id}"


def _recorded(db_path, request_id: str, action: str) -> bool:
    """Whether the local log already holds this answer (the extension polls; record it once)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT 1 FROM audit_events WHERE scan_id = ? AND kind = 'decision' AND action = ?",
                            (_scan_id(request_id), action)).fetchone() is not None
    finally:
        conn.close()
