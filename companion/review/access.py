"""Who may open the review page, and how they sign in and out: the seam between the page and its host app.

The review blueprint asks an access object, kept in its state (state.py), everything about identity:

    guard(request)        run before every request of the page: raise or return a response to stop it
    signed_in()           the signed-in reviewer's name, "" when signed in without a name, None when not
    sign_in_url(next)     where a reviewer who is not signed in is sent (with where to come back to)
    sign_out_url          where the page's "Sign out" form posts
    hidden_fields()       name → value fields every POST form of the page carries (a host's CSRF token)
    nav_links             (label, endpoint) pairs the page's tabs add after its own (the host's pages)

`TokenAccess` is the laptop's: loopback only with Host/Origin checks (guard.py), the admin token from
`postguard audit token` as the sign-in, the page's own session cookie (auth.py). A host with accounts
of its own (the central service, companion/central/review_mount.py) hands `register_review` its own.
When `signed_in()` gives a name, review entries are made under that name and no other.
"""

from __future__ import annotations

from pathlib import Path

from flask import Request, request, url_for

from companion.review.auth import SESSION_COOKIE, read_admin_token, session_is_valid
from companion.review.guard import check_review_request


class ReviewAccess:
    """The interface; every method is called inside a request of the review page."""

    nav_links: tuple[tuple[str, str], ...] = ()

    def guard(self, req: Request):
        """Refuse a request (raise a PostguardError) or answer it (return a response); None lets it through."""
        raise NotImplementedError

    def signed_in(self) -> str | None:
        raise NotImplementedError

    def sign_in_url(self, next_path: str) -> str:
        raise NotImplementedError

    @property
    def sign_out_url(self) -> str:
        raise NotImplementedError

    def hidden_fields(self) -> dict[str, str]:
        return {}


class TokenAccess(ReviewAccess):
    """The laptop's page: 127.0.0.1 only, opened with the admin token, its own session cookie."""

    def __init__(self, token_file: Path, port: int) -> None:
        self.token_file = Path(token_file)
        self.port = port

    def guard(self, req: Request) -> None:
        check_review_request(req, self.port)

    def signed_in(self) -> str | None:
        """"" for a session made with the current admin token (it names nobody), else None."""
        valid = session_is_valid(request.cookies.get(SESSION_COOKIE), read_admin_token(self.token_file))
        return "" if valid else None

    def sign_in_url(self, next_path: str) -> str:
        return url_for("review.login", next=next_path)

    @property
    def sign_out_url(self) -> str:
        return url_for("review.logout")


def signs_in_on_page(access: ReviewAccess, next_path: str) -> bool:
    """Whether the access's sign-in is the page's own token form (else the host's page)."""
    return access.sign_in_url(next_path).split("?", 1)[0] == url_for("review.login")
