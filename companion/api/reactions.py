"""/v1/reaction-check and /v1/reaction: the reaction guard's two doors onto the engine and the log.

A check answers whether reacting to a post is risky (its author on the competitor or client list,
red-line text). It is made as posts scroll into view, so it stores and logs nothing: the post
text, the author's name and handle live only for the request. What the user then did with a
risky post is recorded through /v1/reaction, where the companion matches the author again, so
the only name an event can carry is the org list's own entry.
"""

from __future__ import annotations

import logging

from flask import jsonify

from companion.api.routes import _language, _state, bp, parse
from companion.api.schemas import (ActingOut, ListEntryOut, ReactionCheckRequest, ReactionCheckResponse,
                                   ReactionRequest, ReactionResponse)
from companion.audit import AuditError
from companion.detection.reaction import check_reaction, match_author, reacting_as
from companion.errors import RequestError

log = logging.getLogger("postguard")


@bp.post("/reaction-check")
def reaction_check():
    """Is reacting to this post risky? Nothing of the request is stored or logged."""
    state = _state()
    req = parse(ReactionCheckRequest)
    if len(req.text) > state.settings.max_text_chars:
        raise RequestError(f"text: longer than {state.settings.max_text_chars} characters", "text_too_long")
    risk = check_reaction(state.engine, author_name=req.author_name, author_handle=req.author_handle,
                          text=req.text, lang=_language(), budget_s=state.settings.check_budget_s)
    listed = ListEntryOut(kind=risk.listed.kind, name=risk.listed.label) if risk.listed else None
    who = reacting_as(state.engine.org.identities, req.site, req.acting_as)
    acting = ActingOut(company=who.company, name=who.name) if who else None
    body = ReactionCheckResponse(reasons=risk.reasons, listed=listed, red_line=risk.red_line, acting=acting,
                                 policy=state.engine.org.reaction_policy, timings_ms=risk.timings_ms)
    return jsonify(body.model_dump())


@bp.post("/reaction")
def reaction():
    """Record what the user did with a risky post (or one that could not be checked)."""
    state = _state()
    req = parse(ReactionRequest)
    listed = match_author(state.engine.org, req.author_name, req.author_handle)
    if listed is not None and listed.kind.startswith("client"):
        listed = type(listed)("client", listed.label)
    who = reacting_as(state.engine.org.identities, req.site, req.acting_as)
    # An identity with no company identity declared for the site is not the company's.
    acting = (req.acting_as, bool(who and who.company)) if req.acting_as and req.acting_as.strip() else None
    try:
        event = state.audit.record_reaction(
            platform=req.site, action=req.action, decision=req.decision, reasons=list(req.reasons),
            categories=list(req.red_line), author_handle=req.author_handle or None,
            post_id=req.post_id or None, listed=listed, justification=req.justification,
            acting=acting, delivery_id=req.delivery_id)
    except AuditError as exc:
        log.error("audit store unavailable (%s)", exc.code)
        raise
    return jsonify(ReactionResponse(ok=True, event_id=event["event_id"]).model_dump())
