"""The central service's own pages (sign-in, approvals, laptops, errors) in English or Chinese.

The language is the review tool's (companion/review/i18n.py): the `pg_lang` cookie of the switch,
else Accept-Language, else English. Here the cookie is kept for the whole site (path /), so the
switch on a central page holds on the mounted review tool at /audit too, and the review tool's own
switch, on the central service, does the same (review_mount.py sends it here). The words are in
messages_zh.py; tests/companion/test_central_i18n.py fails when one has no Chinese.
"""

from __future__ import annotations

from flask import Response, redirect

from companion.central.messages_zh import ZH
from companion.review.i18n import LANG_COOKIE, LANGUAGES, Catalogue, template_context

CENTRAL_MESSAGES = Catalogue(ZH)
gettext = CENTRAL_MESSAGES.gettext
ngettext = CENTRAL_MESSAGES.ngettext


def central_template_context() -> dict:
    """The review tool's template values (language, switch) with the central pages' words."""
    return template_context(CENTRAL_MESSAGES)


def language_switch(code: str, next_path: str, secure: bool) -> Response:
    """Remember `code` for every page of the service and go back to `next_path` (already checked)."""
    from companion.errors import NotFound

    if code not in LANGUAGES:
        raise NotFound("the pages are in English (en) or Chinese (zh)", "unknown_language")
    response = redirect(next_path, 303)
    # A cookie the review tool set for /audit alone would win there over this one: drop it.
    response.delete_cookie(LANG_COOKIE, path="/audit", httponly=True, samesite="Strict", secure=secure)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, path="/", httponly=True, samesite="Strict",
                        secure=secure)
    return response


def problem_text(message: str) -> str:
    """An error's message for a person, in the page's language (an unknown one as it is)."""
    return gettext(message)


def envelope_text(exc) -> str:
    """The message of an /api error envelope in the caller's language: a laptop relays the
    extension's Accept-Language, so a salesperson's approval request is answered in their language.
    A template with values (errors.CentralError) is translated, then filled; a message without
    Chinese stays English. The code stays the same in every language: programs act on the code."""
    template, values = getattr(exc, "template", None), getattr(exc, "values", None) or {}
    if template is None:
        return gettext(exc.message) if hasattr(exc, "message") else gettext(str(exc))
    return gettext(template, **values)
