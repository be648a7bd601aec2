"""/api/v1: what laptops call, with their device token (enroll is the one call without).

    POST /api/v1/enroll                {code, host, os_user} -> {device_id, token}
    POST /api/v1/events                {laptop_id, events: [...]} -> {stored_through}
    POST /api/v1/approvals             {text, images, findings, platform, content_hash} -> {id, status}
    GET  /api/v1/approvals/<id>        -> {id, status, content_hash, decided_by, decided_at, comment}

JSON in, JSON out, the one error envelope; no cookies are read, so no CSRF applies.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from companion.central import approvals, devices
from companion.central.errors import CentralError
from companion.central.ingest import ingest

bp = Blueprint("central_api", __name__, url_prefix="/api/v1")


def _state():
    return current_app.extensions["postguard_central"]


def _body() -> dict:
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    if not isinstance(body, dict):
        raise CentralError("the body must be a JSON object (Content-Type: application/json)", "malformed_json")
    return body


@bp.post("/enroll")
def enroll():
    """Trade an enrollment code for this laptop's own token (shown once)."""
    body = _body()
    with _state().store.connection() as conn:
        device_id, token = devices.enroll(conn, str(body.get("code") or ""), body.get("host"), body.get("os_user"))
    return jsonify({"device_id": device_id, "token": token})


@bp.post("/events")
def events():
    """A batch of one laptop's audit events, stored exactly once."""
    state, body = _state(), _body()
    with state.store.connection() as conn:
        device = devices.authenticate(conn, request.headers.get("Authorization"))
        through, stored = ingest(conn, device, body.get("laptop_id"), body.get("events"),
                                 state.settings.max_batch_events)
    if state.alerts is not None:
        for event in stored:  # only events stored now: a batch sent again alerts nothing twice
            state.alerts.on_event(event)
    return jsonify({"stored_through": through})


@bp.post("/approvals")
def submit_approval():
    """A draft for the reviewers' queue."""
    state, body = _state(), _body()
    with state.store.connection() as conn:
        device = devices.authenticate(conn, request.headers.get("Authorization"))
        return jsonify(approvals.submit(conn, state.cipher, device, body)), 201


@bp.get("/approvals/<request_id>")
def approval_answer(request_id: str):
    """The answer so far, for the laptop that asked."""
    state = _state()
    with state.store.connection() as conn:
        device = devices.authenticate(conn, request.headers.get("Authorization"))
        return jsonify(approvals.answer(conn, state.cipher, device, request_id))
