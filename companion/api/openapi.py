"""The OpenAPI 3.1 document at /v1/openapi.json, generated from the wire models."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel

from companion import __version__
from companion.api import schemas


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel]) -> dict:
    return {"application/json": {"schema": _ref(model)}}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": "Error envelope", "content": _json(schemas.ErrorResponse)} for c in codes}


def _op(summary: str, request: type[BaseModel] | None, response: type[BaseModel], *errors: int) -> dict:
    op = {"summary": summary,
          "responses": {"200": {"description": "OK", "content": _json(response)}, **_errors(403, *errors)}}
    if request is not None:
        op["requestBody"] = {"required": True, "content": _json(request)}
    return op


@lru_cache(maxsize=8)
def openapi_document(max_text_chars: int, max_images: int) -> dict:
    """Every /v1 path with its request and response models; the test compares it to the routes.

    The limits this companion is configured with (longest text, most images per check) are
    part of the request schema, so a request the document allows is one the API takes.
    """
    from companion.central.relay import ApprovalAnswer, ApprovalRequest

    models = [ApprovalRequest, ApprovalAnswer, schemas.CheckRequest, schemas.CheckResponse, schemas.DecisionRequest,
              schemas.DecisionResponse, schemas.RedactRequest, schemas.RedactResponse,
              schemas.HealthResponse, schemas.ReactionCheckRequest, schemas.ReactionCheckResponse,
              schemas.ReactionRequest, schemas.ReactionResponse, schemas.ErrorResponse]
    components: dict = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    check_fields = components["CheckRequest"]["properties"]
    check_fields["text"]["maxLength"] = max_text_chars
    check_fields["images"]["maxItems"] = max_images
    components["ReactionCheckRequest"]["properties"]["text"]["maxLength"] = max_text_chars
    return {
        "openapi": "3.1.0",
        "info": {"title": "Postguard companion", "version": __version__,
                 "description": "Local API on 127.0.0.1: checks a post before it goes out."},
        "servers": [{"url": "http://127.0.0.1:7717"}],
        "paths": {
            "/v1/check": {"post": _op("Check a post's text and images", schemas.CheckRequest,
                                      schemas.CheckResponse, 400, 413, 415)},
            "/v1/decision": {"post": _op("Record what the user did", schemas.DecisionRequest,
                                         schemas.DecisionResponse, 400, 404, 415)},
            "/v1/redact": {"post": _op("Black out boxes in an image", schemas.RedactRequest,
                                       schemas.RedactResponse, 400, 413, 415)},
            "/v1/reaction-check": {"post": _op("Is reacting to a post risky (nothing is stored)",
                                               schemas.ReactionCheckRequest, schemas.ReactionCheckResponse,
                                               400, 413, 415)},
            "/v1/reaction": {"post": _op("Record what the user did with a risky post", schemas.ReactionRequest,
                                         schemas.ReactionResponse, 400, 413, 415, 503)},
            "/v1/approvals": {
                "post": _op("Ask the company's reviewers to approve a draft (central service)", ApprovalRequest,
                            ApprovalAnswer, 400, 404, 413, 415, 503),
                "get": {**_op("The answer to an approval request so far", None, ApprovalAnswer, 400, 404, 503),
                        "parameters": [{"name": "id", "in": "query", "required": True,
                                        "schema": {"type": "string", "maxLength": 64}}]}},
            "/v1/health": {"get": _op("Versions of rules, model and OCR", None, schemas.HealthResponse)},
            "/v1/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              **_errors(403)}}},
        },
        "components": {"schemas": components},
    }
