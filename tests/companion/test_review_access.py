"""Who gets into the review page: the admin token, the session cookie, origins, headers.

Runs against the companion's own app (so the /v1 guard and the page's guard sit side by
side, as in production) and against `create_review_app` (the page alone, as
`postguard audit serve` runs it).
"""

from __future__ import annotations

import logging
import re
import stat

import pytest
from test_review_scale import write_synthetic_log

from companion.audit import AuditStore
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.cli import main
from companion.config import Settings
from companion.review import create_review_app
from companion.review.auth import SESSION_COOKIE, admin_token, new_session, token_path
from companion.review.guard import CONTENT_SECURITY_POLICY
from companion.review.state import REVIEW_EXTENSION

ORIGIN = "http://localhost"
EXTENSION = "chrome-extension://lgpmbmmgjnablpheopbbjncokjbhohij"
EXPECTED_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
                "frame-ancestors 'none'; base-uri 'none'")


@pytest.fixture
def review(tmp_path):
    """The page alone over a small synthetic log, with an admin token."""
    data_dir = tmp_path / "data"
    write_synthetic_log(data_dir, 120)
    store = AuditStore.open(data_dir)
    reader = SqliteAuditReader(store)
    client = create_review_app(reader, Settings(data_dir=data_dir)).test_client()
    client.token, client.data_dir = admin_token(data_dir)[0], data_dir
    yield client
    reader.close()
    store.close()


def login(client, token: str, headers=None, **form):
    return client.post("/audit/login", data={"token": token, **form}, headers=headers or {"Origin": ORIGIN})


def shows_events(response) -> bool:
    html = response.get_data(as_text=True)
    return 'id="pg-events"' in html or "data-seq=" in html or "li.wei" in html


def cookie_header(response) -> str:
    return "; ".join(response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("url", ["/audit", "/audit/events/1", "/audit/export.csv", "/audit/export.jsonl",
                                 "/audit?platform=linkedin"])
def test_without_signing_in_every_page_is_the_login_form_and_401(review, url):
    response = review.get(url)
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert 'name="token"' in html and "Sign in to the audit review" in html
    assert not shows_events(response) and "Content-Disposition" not in response.headers


def test_a_wrong_token_is_401_with_a_clear_message_and_sets_no_cookie(review):
    response = login(review, "not-the-token-" + "x" * 40)
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert ("That is not the admin token. Run <code>postguard audit token</code> on this computer"
            in " ".join(html.split()))
    assert "Set-Cookie" not in response.headers and not shows_events(response)
    assert review.get("/audit").status_code == 401


# -- sign-in throttling --------------------------------------------------------------------------

WRONG = "not-the-token-" + "x" * 40


class FakeClock:
    """A clock the test moves by hand, so a one-minute wait takes no minute."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stopped_clock(client) -> FakeClock:
    """Give the app's sign-in throttle a clock that only moves when the test says, so a slow
    machine cannot end a wait halfway through a test."""
    clock = FakeClock()
    client.application.extensions[REVIEW_EXTENSION].throttle.clock = clock
    return clock


def wait_message(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_wrong_tokens_in_a_row_make_the_client_wait_with_a_clear_message(review):
    stopped_clock(review)
    for _ in range(5):  # people mistype: the first few are answered at once
        assert login(review, WRONG).status_code == 401
    sixth = login(review, WRONG)
    assert sixth.status_code == 429 and sixth.headers["Retry-After"] == "1"
    assert "Too many wrong tokens from this computer: wait 1 second, then sign in again." in wait_message(sixth)
    assert 'name="token"' in sixth.get_data(as_text=True) and "Set-Cookie" not in sixth.headers

    during = login(review, review.token)  # not even the right token is checked while it waits
    assert during.status_code == 429 and "Set-Cookie" not in during.headers
    assert int(during.headers["Retry-After"]) >= 1


def test_after_the_wait_the_right_token_gets_in_and_the_count_starts_again(review):
    clock = stopped_clock(review)
    for _ in range(6):
        login(review, WRONG)
    assert login(review, review.token).status_code == 429
    clock.now += 1  # the first wait is one second
    assert login(review, review.token).status_code == 303
    assert login(review, WRONG).status_code == 401, "a right token clears the count"


def test_a_flood_of_wrong_tokens_waits_at_most_a_minute_and_never_locks_the_right_token_out(review):
    clock = stopped_clock(review)
    waits = []
    for _ in range(200):  # a script that tries again the moment each wait ends
        response = login(review, WRONG)
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.now += waits[-1]
    assert waits[:4] == [1, 2, 4, 8] and max(waits) == 60 and waits[-1] == 60
    assert login(review, review.token).status_code == 303, "the wait was over: the right token gets in"


def test_a_flood_is_not_logged_try_by_try(review, caplog):
    caplog.set_level(logging.INFO, logger="postguard.review")
    stopped_clock(review)
    for _ in range(100):
        assert login(review, WRONG).status_code in (401, 429)
    lines = [r.getMessage() for r in caplog.records if r.name == "postguard.review"]
    assert len(lines) == 6, lines  # five wrong tokens, then one line saying sign-in is paused
    assert "sign-in paused for 1 s" in lines[-1]
    assert WRONG not in caplog.text


def test_the_wait_is_per_client(review):
    stopped_clock(review)
    for _ in range(6):
        login(review, WRONG)
    assert login(review, review.token).status_code == 429
    other = review.post("/audit/login", data={"token": review.token}, headers={"Origin": ORIGIN},
                        environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 303


def test_a_token_differing_in_one_character_is_refused(review):
    wrong = review.token[:-1] + ("A" if review.token[-1] != "A" else "B")
    assert login(review, wrong).status_code == 401


def test_the_right_token_sets_an_httponly_strict_cookie_that_is_not_the_token(review):
    response = login(review, f"  {review.token}\n")  # pasted with stray whitespace
    assert response.status_code == 303 and response.headers["Location"] == "/audit"
    cookie = cookie_header(response)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/audit" in cookie
    assert "Max-Age=28800" in cookie
    assert review.token not in cookie
    page = review.get("/audit")
    assert page.status_code == 200 and shows_events(page)


def test_sign_out_ends_the_session(review):
    login(review, review.token)
    response = review.post("/audit/logout", headers={"Origin": ORIGIN},
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303 and response.headers["Location"] == "/audit/login"
    assert f"{SESSION_COOKIE}=;" in cookie_header(response)
    assert review.get("/audit").status_code == 401


def test_rotating_the_token_ends_open_sessions_and_the_old_token_stops_working(review, runner):
    login(review, review.token)
    assert review.get("/audit").status_code == 200
    result = runner.invoke(main, ["audit", "token", "--rotate", "--data-dir", str(review.data_dir)])
    new_token = result.stdout.strip()
    assert result.exit_code == 0 and new_token != review.token
    assert review.get("/audit").status_code == 401
    assert login(review, review.token).status_code == 401
    assert login(review, new_token).status_code == 303


@pytest.mark.parametrize("cookie", ["", "garbage", "99999999999.00", new_session("someone-elses-token-" * 3),
                                    "1.abc"])
def test_a_forged_or_foreign_session_cookie_is_refused(review, cookie):
    review.set_cookie(SESSION_COOKIE, cookie, path="/audit")
    assert review.get("/audit").status_code == 401


def test_an_expired_session_is_refused(review):
    review.set_cookie(SESSION_COOKIE, new_session(review.token, now=0), path="/audit")
    assert review.get("/audit").status_code == 401
    review.set_cookie(SESSION_COOKIE, new_session(review.token), path="/audit")
    assert review.get("/audit").status_code == 200


def test_before_a_token_exists_the_page_says_how_to_make_one(tmp_path):
    data_dir = tmp_path / "fresh"
    store = AuditStore.open(data_dir)
    client = create_review_app(SqliteAuditReader(store), Settings(data_dir=data_dir)).test_client()
    assert "No admin token has been created yet: run <code>postguard audit token</code>" in \
        client.get("/audit/login").get_data(as_text=True)
    response = login(client, "anything-at-all-" * 3)
    assert response.status_code == 401 and "No admin token exists yet" in response.get_data(as_text=True)
    assert not token_path(data_dir).exists(), "the page never creates the token"
    store.close()


def test_a_damaged_token_file_is_named_not_accepted(review):
    token_path(review.data_dir).write_text("short\n")
    response = login(review, "short")
    assert response.status_code == 500 and "not an admin token made by Postguard" in response.get_data(as_text=True)


def test_after_sign_in_the_reviewer_lands_where_they_were_going(review):
    html = review.get("/audit/events/7?kind=check").get_data(as_text=True)
    assert 'name="next" value="/audit/events/7?kind=check"' in html
    assert login(review, review.token, next="/audit/events/7?kind=check").headers["Location"] == \
        "/audit/events/7?kind=check"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/audit", "/audit\\..\\x",
                                    "/v1/check", "/auditx/../../v1", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_the_page(review, target):
    assert login(review, review.token, next=target).headers["Location"] == "/audit"


# -- headers ------------------------------------------------------------------------------------

def test_the_documented_policy_is_the_one_sent():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize("method,url,signed_in", [
    ("get", "/audit/login", False), ("get", "/audit", False), ("get", "/audit", True),
    ("get", "/audit/events/3", True), ("get", "/audit/events/999999", True), ("get", "/audit/export.csv", True),
    ("get", "/audit/static/review.css", False), ("get", "/audit/static/review.js", False),
    ("get", "/audit?platform=nope", True), ("post", "/audit/login", False),
])
def test_every_review_response_carries_the_strict_headers(review, method, url, signed_in):
    if signed_in:
        login(review, review.token)
    response = getattr(review, method)(url, headers={"Origin": ORIGIN} if method == "post" else {})
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_pages_load_no_inline_script_or_style_and_nothing_from_elsewhere(review):
    login(review, review.token)
    for url in ("/audit/login", "/audit", "/audit/events/5"):
        html = review.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=\"/audit/static/)", html), url
        assert "<style" not in html and " style=" not in html and re.search(r"\son[a-z]+=", html) is None
        assert not re.search(r'(src|href)="(https?:)?//', html), url


# -- origins ------------------------------------------------------------------------------------

FOREIGN = [
    ("other site", {"Origin": "https://evil.example"}),
    ("other local port", {"Origin": "http://localhost:8000"}),
    ("https twin", {"Origin": "https://localhost"}),
    ("the extension", {"Origin": EXTENSION}),
    ("null from a sandboxed frame", {"Origin": "null"}),
    ("null from another site", {"Origin": "null", "Sec-Fetch-Site": "cross-site"}),
    ("link from another site", {"Sec-Fetch-Site": "cross-site"}),
    ("page on another port", {"Sec-Fetch-Site": "same-site"}),
]


@pytest.mark.parametrize("headers", [f[1] for f in FOREIGN], ids=[f[0] for f in FOREIGN])
def test_other_origins_are_refused_even_with_the_right_token(review, headers):
    response = login(review, review.token, headers=headers)
    assert response.status_code == 403 and "Set-Cookie" not in response.headers
    login(review, review.token)
    for url in ("/audit", "/audit/export.csv", "/audit/events/1"):
        refused = review.get(url, headers=headers)
        assert refused.status_code == 403 and not shows_events(refused)
        assert "Access-Control-Allow-Origin" not in refused.headers


@pytest.mark.parametrize("host", ["evil.com", "127.0.0.1:8080", "localhost.evil.com:7717", "localhost:80"])
def test_dns_rebinding_hosts_are_refused(review, host):
    login(review, review.token)
    response = review.get("/audit", headers={"Host": host})
    assert response.status_code == 403 and "bad_host" in response.get_data(as_text=True)


def test_the_pages_own_form_post_is_accepted_as_browsers_send_it(review):
    """Under Referrer-Policy no-referrer a same-origin form POST carries `Origin: null`."""
    assert login(review, review.token, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert login(review, review.token, headers={"Origin": "http://127.0.0.1:7717", "Host": "127.0.0.1:7717",
                                                "Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert review.get("/audit", headers={"Sec-Fetch-Site": "none"}).status_code == 200


def test_login_must_be_a_form_post(review):
    response = review.post("/audit/login", json={"token": review.token}, headers={"Origin": ORIGIN})
    assert response.status_code == 415 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("method,url,allowed", [("POST", "/audit", {"GET", "HEAD", "OPTIONS"}),
                                                ("PUT", "/audit/login", {"GET", "HEAD", "POST", "OPTIONS"}),
                                                ("TRACE", "/audit/events/1", {"GET", "HEAD", "OPTIONS"})])
def test_a_wrong_method_is_405_with_allow_before_the_body_is_judged(review, method, url, allowed):
    response = review.open(url, method=method, json={"token": review.token}, headers={"Origin": ORIGIN})
    assert response.status_code == 405
    assert {m.strip() for m in response.headers.get("Allow", "").split(",")} == allowed
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP


# -- inside the companion ------------------------------------------------------------------------

def test_in_the_companion_the_v1_rules_stay_as_they_were(client, data_dir):
    """The page's own origin may sign in to /audit, but not call the API."""
    token, _ = admin_token(data_dir)
    own = {"Origin": "http://127.0.0.1:7717", "Host": "127.0.0.1:7717"}
    assert login(client, token, headers=own).status_code == 303
    assert client.post("/v1/check", json={"text": "hello"}, headers=own).status_code == 403
    assert client.get("/v1/health", headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert client.get("/v1/health", headers={"Origin": EXTENSION}).status_code == 200
    assert client.get("/audit", headers={"Origin": EXTENSION}).status_code == 403


def test_in_the_companion_wrong_tokens_are_throttled_too(client, data_dir):
    token, _ = admin_token(data_dir)
    stopped_clock(client)
    answers = [login(client, WRONG).status_code for _ in range(7)]
    assert answers == [401] * 5 + [429, 429]
    assert login(client, token).status_code == 429
    assert client.get("/v1/health").status_code == 200, "the API is not throttled"


def test_in_the_companion_a_wrong_method_on_the_page_is_405_with_allow(client, error_envelope):
    response = client.open("/audit/login", method="DELETE", data="x", content_type="text/plain")
    error_envelope(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}


def test_audit_token_is_created_once_private_and_printed(runner, tmp_path):
    data_dir = tmp_path / "d"
    first = runner.invoke(main, ["audit", "token", "--data-dir", str(data_dir)])
    again = runner.invoke(main, ["audit", "token", "--data-dir", str(data_dir)])
    assert first.exit_code == 0 and first.stdout == again.stdout and len(first.stdout.strip()) >= 43
    assert "new token written to" in first.stderr and "/audit" in first.stderr
    assert stat.S_IMODE(token_path(data_dir).stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert token_path(data_dir).read_text().strip() == first.stdout.strip()
