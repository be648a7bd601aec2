"""Reviewers and admins on the central service over real HTTP: sign-in with argon2-hashed
passwords, wrong passwords in a row made to wait (shared through the database, so every instance
agrees), session cookies that scripts and other sites cannot use, CSRF on every form, and roles."""

from __future__ import annotations

import psycopg
import pytest
import requests

from central_servers import PASSWORD, csrf_of, postguard, running_central
from sink_servers import new_database, postgres  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def central(postgres, tmp_path_factory):
    with running_central(new_database(postgres), tmp_path_factory.mktemp("central")) as server:
        server.account("rita")                    # a reviewer
        server.account("adam", role="admin")
        yield server


def test_passwords_are_stored_as_argon2id_hashes(central):
    with psycopg.connect(central.db_url) as conn:
        stored = dict(conn.execute("SELECT username, password_hash FROM postguard_accounts").fetchall())
    assert stored["rita"].startswith("$argon2id$") and PASSWORD not in stored["rita"]


def test_sign_in_gives_a_session_cookie_scripts_and_other_sites_cannot_use(central):
    session = requests.Session()
    response = central.sign_in(session, "rita", PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/approvals"
    cookie = response.headers["Set-Cookie"]
    assert "postguard_central=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = session.get(f"{central.url}/approvals", timeout=30)
    assert page.status_code == 200 and 'id="pg-who">rita · reviewer' in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_page_without_a_session_sends_the_browser_to_sign_in(central):
    response = requests.get(f"{central.url}/approvals", allow_redirects=False, timeout=30)
    assert response.status_code == 303 and response.headers["Location"].startswith("/signin?next=/approvals")


def test_a_wrong_password_says_so_and_reveals_no_account(central):
    for name in ("rita", "nobody"):
        response = central.sign_in(requests.Session(), name, "not the password at all")
        assert response.status_code == 401
        assert "That user name and password do not match" in response.text


def test_wrong_passwords_in_a_row_make_the_account_wait_even_for_the_right_one(central):
    central.account("wanda")
    codes = [central.sign_in(requests.Session(), "wanda", f"guess number {i}").status_code for i in range(6)]
    assert codes == [401] * 5 + [429], "five free tries, then a wait"
    waiting = central.sign_in(requests.Session(), "wanda", PASSWORD)
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) >= 1
    assert "Too many wrong passwords: wait" in waiting.text
    with psycopg.connect(central.db_url) as conn:  # the wait is in the database: every instance sees it
        assert conn.execute("SELECT failures FROM postguard_signin_throttle WHERE key = 'user:wanda'").fetchone() == (6,)


def test_every_form_needs_the_sessions_csrf_token(central):
    session = central.session("rita")
    forged = session.post(f"{central.url}/signout", data={}, allow_redirects=False, timeout=30)
    assert forged.status_code == 403 and "did not come from this page" in forged.text
    cross_site = session.post(f"{central.url}/signout", data={"csrf_token": csrf_of(
        session.get(f"{central.url}/approvals", timeout=30).text)}, headers={"Origin": "https://evil.example"},
        allow_redirects=False, timeout=30)
    assert cross_site.status_code == 403
    login_without = requests.post(f"{central.url}/signin", data={"username": "rita", "password": PASSWORD},
                                  allow_redirects=False, timeout=30)
    assert login_without.status_code == 403, "the sign-in form is protected too (no login CSRF)"


def test_a_reviewer_cannot_open_the_admins_page_and_an_admin_revokes_a_laptop(central, tmp_path):
    from companion.central.client import CentralClient

    client = CentralClient(central.url, tmp_path / "laptop")
    device_id = client.enroll(central.enroll_code())
    assert central.session("rita").get(f"{central.url}/admin/devices", timeout=30).status_code == 403
    admin = central.session("adam")
    page = admin.get(f"{central.url}/admin/devices", timeout=30)
    assert page.status_code == 200 and device_id in page.text
    revoked = admin.post(f"{central.url}/admin/devices/{device_id}/revoke", data={"csrf_token": csrf_of(page.text)},
                         timeout=30)
    assert revoked.status_code == 200 and "Revoked" in revoked.text
    answer = requests.post(f"{central.url}/api/v1/events", json={"laptop_id": "x", "events": []},
                           headers={"Authorization": f"Bearer {client.device()['token']}"}, timeout=30)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "revoked"


def test_a_new_password_or_a_disabled_account_ends_open_sessions(central):
    central.account("sam")
    session = central.session("sam")
    assert session.get(f"{central.url}/approvals", allow_redirects=False, timeout=30).status_code == 200
    postguard("central", "user", "disable", "sam", "--db", central.db_url)
    assert session.get(f"{central.url}/approvals", allow_redirects=False, timeout=30).status_code == 303


def test_the_cookie_is_secure_unless_a_trial_turns_it_off(central, tmp_path):
    from companion.central.app import create_central_app
    from companion.central.settings import CentralSettings

    app = create_central_app(CentralSettings(db=central.db_url, key_dir=central.key_dir))
    client = app.test_client()
    form = client.get("/signin")
    response = client.post("/signin", data={"username": "rita", "password": PASSWORD,
                                            "csrf_token": csrf_of(form.get_data(as_text=True))})
    cookies = response.headers.getlist("Set-Cookie")
    assert response.status_code == 303 and len(cookies) == 1, "the service's session, the review tool's too"
    assert cookies[0].startswith("postguard_central=")
    assert all("; Secure" in cookie for cookie in cookies), cookies


def test_a_session_ends_its_hours_after_signing_in_however_active(central):
    from central_servers import wait_until
    from companion.central.app import create_central_app
    from companion.central.settings import CentralSettings

    app = create_central_app(CentralSettings(db=central.db_url, key_dir=central.key_dir, secure_cookies=False,
                                             session_hours=0.001))  # 3.6 seconds
    client = app.test_client()
    form = client.get("/signin")
    client.post("/signin", data={"username": "rita", "password": PASSWORD,
                                 "csrf_token": csrf_of(form.get_data(as_text=True))})
    assert client.get("/approvals").status_code == 200
    wait_until(lambda: client.get("/approvals").status_code == 303, timeout_s=30, what="the session to end")
