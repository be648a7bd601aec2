"""The /v1 blueprint: check, decision, redact, health. Thin: parse, call the engine, answer.

Engine, audit store and settings come from `current_app.extensions["postguard"]`; the
handlers never read the environment or files.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
import weakref
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from companion.api.schemas import (CheckRequest, CheckResponse, DecisionRequest, DecisionResponse,
                                   ForwardingStatus, HealthResponse, OrgStatus, RedactRequest, RedactResponse)
from companion.detection.acting_identity import apply_judgement, judge_acting_identity
from companion.detection.engine import ImageInput
from companion.errors import ImageRejected, NotFound, RequestError

bp = Blueprint("v1", __name__, url_prefix="/v1")


def _state():
    return current_app.extensions["postguard"]


def parse(model: type[BaseModel]) -> BaseModel:
    """The JSON body as `model`; errors name the field, never echo the value."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # JSON nested thousands deep: the decoder gives up, so do we
        body = None
    if body is None:
        raise RequestError("the body is not valid JSON", "malformed_json")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
        raise RequestError(f"{field or 'body'}: {first['msg']}", "invalid_request") from None


def _language() -> str:
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-TW"], default="en")
    return "zh" if best.startswith("zh") else "en"


def decode_base64(data: str, index: int | None = None) -> bytes:
    where = f"images[{index}].data" if index is not None else "image.data"
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise RequestError(f"{where}: not valid base64", "bad_base64") from None


def _decode_images(req: CheckRequest) -> list[ImageInput]:
    from companion import imaging

    state = _state()
    if len(req.images) > state.settings.max_images:
        raise RequestError(f"at most {state.settings.max_images} images per check", "too_many_images")
    decoded = []
    for index, item in enumerate(req.images):
        raw = decode_base64(item.data, index)
        try:
            decoded.append(ImageInput(imaging.decode_image(raw, max_pixels=state.settings.max_image_pixels),
                                      item.name, hashlib.sha256(raw).hexdigest()))
        except imaging.ImageError as exc:
            raise ImageRejected(f"images[{index}]: {exc.message}", exc.code) from None
    return decoded


def _url_host(url: str | None) -> str | None:
    """The page's host for the audit log; a URL that does not parse must not cost the findings."""
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


@bp.post("/check")
def check():
    """Check a post's text and images; audit the check; return verdict and findings."""
    state = _state()
    req = parse(CheckRequest)
    if len(req.text) > state.settings.max_text_chars:
        raise RequestError(f"text: longer than {state.settings.max_text_chars} characters", "text_too_long")
    result = state.engine.check(req.text, _decode_images(req), lang=_language())
    acting = judge_acting_identity(state.engine.org, req.platform, req.acting_as, req.text, result,
                                   lang=_language())
    apply_judgement(result, acting)
    scan_id = uuid.uuid4().hex
    audited = state.record_check(scan_id=scan_id, platform=req.platform, url_host=_url_host(req.url),
                                 result=result, identity=req.identity,
                                 acting=(req.acting_as, acting.acted_as_company) if acting else None)
    body = CheckResponse(scan_id=scan_id, verdict=result.verdict,
                         findings=[f.to_wire() for f in result.findings],
                         timings_ms=result.timings_ms, ocr_incomplete=result.ocr_incomplete,
                         warnings=result.warnings,
                         audited=audited)
    return jsonify(body.model_dump())


@bp.post("/decision")
def decision():
    """Record what the user did after a check (or, offline, without one).

    A decision without a scan_id is an offline one: the check never ran because the
    companion was unreachable, and the extension queued what the user did. It is
    recorded, not refused, so the audit log shows the post went out unchecked.
    """
    state = _state()
    req = parse(DecisionRequest)
    if req.scan_id is not None and not state.audit.has_scan(req.scan_id):
        raise NotFound("no check with this scan_id", "unknown_scan")
    event = state.audit.record_decision(scan_id=req.scan_id or f"offline-{uuid.uuid4().hex}",
                                        action=req.action, justification=req.justification,
                                        platform=req.platform, identity=req.identity)
    return jsonify(DecisionResponse(ok=True, event_id=event["event_id"]).model_dump())


@bp.post("/redact")
def redact():
    """Black out boxes in an image; same format and size back."""
    from companion import imaging

    req = parse(RedactRequest)  # the model refuses a box that is not [x, y, w, h] with a positive size
    raw = decode_base64(req.image.data)
    try:
        out = imaging.redact(raw, req.boxes)
    except imaging.ImageError as exc:
        raise ImageRejected(f"image: {exc.message}", exc.code) from None
    image = {"name": req.image.name, "mime": req.image.mime, "data": base64.b64encode(out).decode()}
    return jsonify(RedactResponse(image=image).model_dump())


@bp.get("/health")
def health():
    """Ready when this answers 200; reports the versions of rules, model and OCR, and whether
    audit forwarding keeps up (IT's first question when the SIEM misses a laptop)."""
    state = _state()
    forwarding = [ForwardingStatus(**vars(s)) for s in state.forwarder.status()] if state.forwarder else []
    return jsonify(HealthResponse(status="ok", versions=state.versions, org=org_status_for(state),
                                  forwarding=forwarding,
                                  approvals=bool(state.settings.central_url)).model_dump())


_ORG_STATUS = weakref.WeakKeyDictionary()  # engine -> (settings, org status): worked out once per engine


def org_status_for(state) -> OrgStatus:
    """The org lists in use (the extension's popup says whether they are the shipped example's);
    computed again only when a bundle reload swapped the engine, since it hashes files."""
    from companion.runtime import org_status

    cached = _ORG_STATUS.get(state.engine)
    if cached is None or cached[0] is not state.settings:
        cached = _ORG_STATUS[state.engine] = (state.settings, OrgStatus(**org_status(state.settings)))
    return cached[1]


@bp.get("/openapi.json")
def openapi():
    from companion.api.openapi import openapi_document

    settings = _state().settings
    return jsonify(openapi_document(settings.max_text_chars, settings.max_images))


from companion.api import reactions  # noqa: E402,F401  registers /v1/reaction-check and /v1/reaction
