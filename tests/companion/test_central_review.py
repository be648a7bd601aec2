"""The review tool on the central service, over real HTTP and a real PostgreSQL: the same blueprint as
the laptop's /audit page, reading every enrolled laptop's events, behind the service's own sign-in.

A reviewer signs in once (/signin) and the review page opens; without that sign-in every page of it
sends the browser to /signin; signing out of either ends both; a form from another site is refused;
review entries carry the account's own name; a disabled account loses the page at once."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import psycopg
import pytest
import requests

from central_servers import PASSWORD, csrf_of, postguard, running_central
from sink_servers import new_database, postgres  # noqa: F401 (fixture)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_central_ingest import chained_events  # noqa: E402

from companion.central.client import CentralClient  # noqa: E402


@pytest.fixture(scope="module")
def central(postgres, tmp_path_factory):
    """A central service that two laptops (OSLO-01, SHANGHAI-02) have sent their events to."""
    work = tmp_path_factory.mktemp("central-review")
    with running_central(new_database(postgres), work) as server:
        server.account("rita")
        server.account("victor")
        code = server.enroll_code(uses=2)
        for index, host in enumerate(("OSLO-01", "SHANGHAI-02")):
            client = CentralClient(server.url, work / f"laptop-{index}")
            client.enroll(code, host=host, os_user=f"seller{index}")
            client.send_events(f"laptop-{host}", chained_events(3, host))
        yield server


def test_a_reviewer_signed_in_to_the_service_sees_every_laptops_events(central):
    session = central.session("rita")
    page = session.get(f"{central.url}/audit", timeout=30)
    assert page.status_code == 200, page.text[-500:]
    assert "OSLO-01" in page.text and "SHANGHAI-02" in page.text
    assert "all laptops" in page.text, "the page says which store it reads"
    assert 'data-total="6"' in page.text
    posts = session.get(f"{central.url}/audit/posts", timeout=30)
    assert posts.status_code == 200 and "OSLO-01" in posts.text
    assert "script-src 'self'" in posts.headers["Content-Security-Policy"], "the page's own headers"
    queue = session.get(f"{central.url}/approvals", timeout=30)
    assert 'href="/audit/posts"' in queue.text, "the service's pages link to the review tool"


def test_without_the_services_sign_in_every_review_page_sends_the_browser_to_sign_in(central):
    for path in ("/audit", "/audit/posts?platform=linkedin", "/audit/people", "/audit/export.csv", "/audit/login"):
        response = requests.get(f"{central.url}{path}", allow_redirects=False, timeout=30)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/signin?next=/audit"), (path, response.headers["Location"])
    typed = requests.post(f"{central.url}/audit/login", data={"token": "x" * 43}, allow_redirects=False,
                          headers={"Origin": central.url}, timeout=30)
    assert typed.status_code == 303 and typed.headers["Location"].startswith("/signin"), \
        "the laptop's admin-token sign-in is not a door here"


def test_the_service_session_is_the_only_door_and_the_laptops_page_cookie_opens_nothing(central):
    signed_in = central.session("rita")
    assert signed_in.get(f"{central.url}/audit", timeout=30).status_code == 200
    assert not signed_in.cookies.get("postguard_review", path="/audit"), "no second cookie for the page"
    alone = requests.get(f"{central.url}/audit", cookies={"postguard_review": "9999999999.deadbeef"},
                         allow_redirects=False, timeout=30)
    assert alone.status_code == 303 and alone.headers["Location"].startswith("/signin")


def test_signing_out_of_the_review_page_signs_out_of_the_service(central):
    session = central.session("rita")
    token = csrf_of(session.get(f"{central.url}/audit/posts", timeout=30).text)  # the Sign out form's
    out = session.post(f"{central.url}/audit/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30,
                       headers={"Origin": central.url})
    assert out.status_code == 303 and out.headers["Location"] == "/signin"
    assert session.get(f"{central.url}/approvals", allow_redirects=False, timeout=30).status_code == 303
    assert session.get(f"{central.url}/audit", allow_redirects=False, timeout=30).status_code == 303


def test_signing_out_of_the_service_ends_the_review_page_too(central):
    session = central.session("rita")
    page = session.get(f"{central.url}/approvals", timeout=30)
    session.post(f"{central.url}/signout", data={"csrf_token": csrf_of(page.text)}, timeout=30)
    assert not session.cookies.get("postguard_review", path="/audit")
    assert session.get(f"{central.url}/audit", allow_redirects=False, timeout=30).status_code == 303


def _scan_id(session, central) -> str:
    posts = session.get(f"{central.url}/audit/posts?clean=1", timeout=30).text
    return re.search(r'href="/audit/posts/(?!export)([^"?]+)', posts).group(1)


def test_a_review_entry_carries_the_signed_in_name_and_a_form_from_elsewhere_is_refused(central):
    session = central.session("rita")
    scan_id = _scan_id(session, central)
    form = session.get(f"{central.url}/audit/posts/{scan_id}", timeout=30).text
    assert re.search(r'name="reviewer"[^>]*value="rita"', form), "Your name is the account's"
    assert re.search(r'name="reviewer"[^>]*readonly', form), "and cannot be changed"
    entry = {"action": "comment", "reviewer": "rita", "comment": "Price is public.", "csrf_token": csrf_of(form)}
    done = session.post(f"{central.url}/audit/posts/{scan_id}/review", data=entry, headers={"Origin": central.url},
                        allow_redirects=False, timeout=30)
    assert done.status_code == 303, done.text[-400:]
    impostor = session.post(f"{central.url}/audit/posts/{scan_id}/review", data={**entry, "reviewer": "victor"},
                            headers={"Origin": central.url}, allow_redirects=False, timeout=30)
    assert impostor.status_code == 403 and "rita" in impostor.text
    for headers in ({"Origin": "https://evil.example"}, {}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}):
        forged = session.post(f"{central.url}/audit/posts/{scan_id}/review", data=entry, headers=headers,
                              allow_redirects=False, timeout=30)
        assert forged.status_code == 403, headers
    with psycopg.connect(central.db_url) as conn:
        rows = conn.execute("SELECT reviewer, comment FROM postguard_review_entries WHERE post = %s",
                            (scan_id,)).fetchall()
    assert rows == [("rita", "Price is public.")], "one entry, under the account's name, in the central store"
    page = session.get(f"{central.url}/audit/posts/{scan_id}", timeout=30).text
    assert "Price is public." in page


def test_a_disabled_account_loses_the_review_page_at_once(central):
    central.account("dora")
    session = central.session("dora")
    assert session.get(f"{central.url}/audit", timeout=30).status_code == 200
    postguard("central", "user", "disable", "dora", "--db", central.db_url)
    assert session.get(f"{central.url}/audit", allow_redirects=False, timeout=30).status_code == 303


def test_the_csv_export_covers_both_laptops(central):
    session = central.session("rita")
    export = session.get(f"{central.url}/audit/export.csv", timeout=30)
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    assert "OSLO-01" in export.text and "SHANGHAI-02" in export.text
    assert PASSWORD not in export.text


def test_a_review_form_needs_the_services_csrf_token(central):
    session = central.session("rita")
    scan_id = _scan_id(session, central)
    page = session.get(f"{central.url}/audit/posts/{scan_id}", timeout=30).text
    form = re.search(r'<form method="post"[^>]*id="pg-review-form">.*?</form>', page, re.S).group(0)
    token = csrf_of(form)
    entry = {"action": "comment", "reviewer": "rita", "comment": "Checked with legal."}
    for data in (entry, {**entry, "csrf_token": "x" * 43}):
        refused = session.post(f"{central.url}/audit/posts/{scan_id}/review", data=data,
                               headers={"Origin": central.url}, allow_redirects=False, timeout=30)
        assert refused.status_code == 403 and "bad_csrf" in refused.text, data.get("csrf_token")
    other = central.session("victor")  # another reviewer's token is not this session's
    victors = csrf_of(other.get(f"{central.url}/audit/posts/{scan_id}", timeout=30).text)
    assert session.post(f"{central.url}/audit/posts/{scan_id}/review", data={**entry, "csrf_token": victors},
                        headers={"Origin": central.url}, allow_redirects=False, timeout=30).status_code == 403
    accepted = session.post(f"{central.url}/audit/posts/{scan_id}/review", data={**entry, "csrf_token": token},
                            headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},  # as Chromium sends it
                            allow_redirects=False, timeout=30)
    assert accepted.status_code == 303, accepted.text[-400:]
    with psycopg.connect(central.db_url) as conn:
        rows = conn.execute("SELECT reviewer FROM postguard_review_entries WHERE post = %s AND comment = %s",
                            (scan_id, "Checked with legal.")).fetchall()
    assert rows == [("rita",)], "only the form with the token was saved"
    posts = session.get(f"{central.url}/audit/posts", timeout=30).text
    for form in re.findall(r'<form[^>]*method="post".*?</form>', posts, re.S):
        assert csrf_of(form) == token, "every POST form of the page carries the token"


def test_the_review_tabs_on_the_service_end_with_the_approvals_queue(central):
    session = central.session("rita")
    page = session.get(f"{central.url}/audit/posts", timeout=30).text
    tabs = re.search(r'<nav class="pg-tabs".*?</nav>', page, re.S).group(0)
    assert re.search(r'<a href="/approvals"[^>]*>Approvals</a>', tabs), tabs
    zh = session.get(f"{central.url}/audit/posts", headers={"Accept-Language": "zh-CN"}, timeout=30).text
    assert re.search(r'<a href="/approvals"[^>]*>审批</a>', zh)
