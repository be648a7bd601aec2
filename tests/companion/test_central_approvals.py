"""Approval before posting, end to end over real HTTP and a real PostgreSQL: the extension asks its
companion, the companion checks the draft and relays it to the central service, a reviewer opens
it at /approvals (findings highlighted, photos shown) and decides, and the companion brings the
answer back. Drafts are ciphertext at rest and gone after the retention; the audit chains hold
the decision and hashes, never the draft."""

from __future__ import annotations

import base64
import io
import time

import psycopg
import pytest
import requests
from PIL import Image

from central_servers import csrf_of, postguard, running_central
from leak_check import leaked
from companion.app import create_app
from companion.central.app import create_central_app
from companion.central.settings import CentralSettings
from companion.config import Settings
from sink_servers import free_port, new_database, postgres  # noqa: F401 (fixture)

MARKER = "QUOKKAFENNEL"  # a word that must never reach a log, an audit event or a database column in clear
DRAFT = f"{MARKER} update: Acme Robotics confirmed USD 4.20/unit FOB Ningbo for the Q3 order."


def photo_b64() -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 40), (40, 120, 200)).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


@pytest.fixture(scope="module")
def central(postgres, tmp_path_factory):
    with running_central(new_database(postgres), tmp_path_factory.mktemp("central")) as server:
        server.account("rita")
        yield server


@pytest.fixture
def companion(central, tmp_path, api_engine):
    settings = Settings(data_dir=tmp_path / "laptop", central_url=central.url,
                        central_enroll_code=central.enroll_code())
    app = create_app(settings, engine=api_engine)
    yield app
    state = app.extensions["postguard"]
    if state.forwarder:
        state.forwarder.stop()
    state.audit.close()


def ask(client, text=DRAFT, images=None, **extra):
    response = client.post("/v1/approvals", json={"text": text, "platform": "linkedin", **extra,
                                                  "images": images if images is not None else
                                                  [{"name": "shelf.png", "mime": "image/png", "data": photo_b64()}]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def decide(central, session, request_id: str, decision: str, comment: str = "") -> requests.Response:
    page = session.get(f"{central.url}/approvals/{request_id}", timeout=30)
    return session.post(f"{central.url}/approvals/{request_id}/decision",
                        data={"csrf_token": csrf_of(page.text), "decision": decision, "comment": comment}, timeout=30)


def local_events(app, scan_id: str) -> list[dict]:
    return [e for e in app.extensions["postguard"].audit.events() if e["scan_id"] == scan_id]


def test_a_draft_goes_to_the_queue_and_the_answer_comes_back(central, companion):
    client = companion.test_client()
    assert client.get("/v1/health").get_json()["approvals"] is True, "the extension may offer the button"
    asked = ask(client, identity="Li.Wei@Lumenhardware.com")
    assert asked["status"] == "pending" and asked["content_hash"].startswith("sha256:")
    assert client.get(f"/v1/approvals?id={asked['id']}").get_json()["status"] == "pending"

    rita = central.session("rita")
    queue = rita.get(f"{central.url}/approvals", timeout=30).text
    assert f'data-id="{asked["id"]}" data-status="pending"' in queue
    assert "li.wei@lumenhardware.com" in queue, "reviewers see the company identity"
    detail = rita.get(f"{central.url}/approvals/{asked['id']}", timeout=30).text
    assert '<mark class="pg-find pg-cat-pricing" title="Pricing">USD 4.20/unit' in detail, "findings highlighted"
    assert MARKER in detail, "the reviewer reads the whole draft"
    photo = rita.get(f"{central.url}/approvals/{asked['id']}/photos/0", timeout=30)
    assert photo.headers["Content-Type"] == "image/png" and photo.content == base64.b64decode(photo_b64())

    done = decide(central, rita, asked["id"], "approve", "Fine to post, drop the Q3 mention next time.")
    assert done.status_code == 200 and 'data-status="approved"' in done.text and "Approved by rita" in done.text

    answer = client.get(f"/v1/approvals?id={asked['id']}").get_json()
    assert answer["status"] == "approved" and answer["decided_by"] == "rita"
    assert answer["comment"] == "Fine to post, drop the Q3 mention next time."
    assert answer["content_hash"] == asked["content_hash"], "the extension compares this with the composer"
    client.get(f"/v1/approvals?id={asked['id']}")  # polled again: recorded once
    events = local_events(companion, f"approval-{asked['id']}")
    assert [e["action"] for e in events] == ["approval_requested", "approved"]
    assert all(e["details"]["content_hash"] == asked["content_hash"] for e in events)
    assert events[0]["details"]["image_hashes"] and events[1]["details"]["decided_by"] == "rita"
    assert decide(central, rita, asked["id"], "reject").status_code == 409, "decided once"


def test_reject_and_request_changes_reach_the_salesperson(central, companion):
    client, rita = companion.test_client(), central.session("rita")
    for decision, status in (("reject", "rejected"), ("changes", "changes_requested")):
        asked = ask(client, images=[])
        decide(central, rita, asked["id"], decision, "Not the client's name, please.")
        answer = client.get(f"/v1/approvals?id={asked['id']}").get_json()
        assert (answer["status"], answer["comment"]) == (status, "Not the client's name, please.")


def test_the_draft_is_ciphertext_at_rest_and_never_in_an_audit_chain(central, companion):
    client = companion.test_client()
    asked = ask(client)
    decide(central, central.session("rita"), asked["id"], "approve")
    client.get(f"/v1/approvals?id={asked['id']}")
    assert companion.extensions["postguard"].forwarder.wait_until_delivered(60)
    with psycopg.connect(central.db_url) as conn:
        draft, = conn.execute("SELECT draft FROM postguard_approvals WHERE id = %s", (asked["id"],)).fetchone()
        dump = "\n".join(str(row) for table in ("postguard_approvals", "postguard_events")
                         for row in conn.execute(f"SELECT * FROM {table}").fetchall())
    assert draft is not None and MARKER.encode() not in bytes(draft) and b"Acme" not in bytes(draft)
    # The price in any form, once the timestamps (which hold "4.20" by chance: "...:14.203Z") are out.
    assert MARKER not in dump and not leaked(["4.20"], dump)
    laptop = companion.extensions["postguard"].audit.db_path.parent
    for path in laptop.iterdir():
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes(), path.name
    assert MARKER not in central.log()


def test_after_the_retention_the_draft_is_deleted_and_the_decision_stays(central, companion):
    client, rita = companion.test_client(), central.session("rita")
    asked = ask(client)
    decide(central, rita, asked["id"], "approve", "ok")
    with psycopg.connect(central.db_url) as conn:
        conn.execute("UPDATE postguard_approvals SET purge_after = now() - interval '1 second' WHERE id = %s",
                     (asked["id"],))
    assert postguard("central", "purge", "--db", central.db_url).stdout.strip() == "1 drafts deleted, 0 requests expired"
    page = rita.get(f"{central.url}/approvals/{asked['id']}", timeout=30).text
    assert 'id="pg-purged"' in page and MARKER not in page and 'data-status="approved"' in page
    assert rita.get(f"{central.url}/approvals/{asked['id']}/photos/0", timeout=30).status_code == 404
    with psycopg.connect(central.db_url) as conn:
        row = conn.execute("SELECT draft, comment, status, content_hash FROM postguard_approvals WHERE id = %s",
                           (asked["id"],)).fetchone()
    assert row == (None, None, "approved", asked["content_hash"])


def test_with_no_retention_the_draft_is_deleted_when_decided(central, companion):
    asked = ask(companion.test_client())
    app = create_central_app(CentralSettings(db=central.db_url, key_dir=central.key_dir, approval_retention_days=0,
                                             secure_cookies=False))
    reviewer = app.test_client()
    form = reviewer.get("/signin").get_data(as_text=True)
    reviewer.post("/signin", data={"username": "rita", "password": "correct horse battery staple",
                                   "csrf_token": csrf_of(form)})
    page = reviewer.get(f"/approvals/{asked['id']}").get_data(as_text=True)
    reviewer.post(f"/approvals/{asked['id']}/decision", data={"csrf_token": csrf_of(page), "decision": "reject"})
    with psycopg.connect(central.db_url) as conn:
        assert conn.execute("SELECT draft IS NULL, status FROM postguard_approvals WHERE id = %s",
                            (asked["id"],)).fetchone() == (True, "rejected")


def test_an_unreachable_central_service_is_a_clear_answer_not_a_hang(tmp_path, api_engine):
    app = create_app(Settings(data_dir=tmp_path / "laptop", central_url=f"http://127.0.0.1:{free_port()}",
                              central_enroll_code="pgc_whatever"), engine=api_engine)
    try:
        started = time.monotonic()
        response = app.test_client().post("/v1/approvals", json={"text": "Hello", "platform": "linkedin"})
        assert response.status_code == 503 and time.monotonic() - started < 20
        error = response.get_json()["error"]
        assert error["code"] == "central_unreachable" and "cannot be reached" in error["message"]
        assert local_events(app, "") == []
    finally:
        state = app.extensions["postguard"]
        state.forwarder.stop()
        state.audit.close()


def test_what_the_service_refuses_reaches_the_extension_in_its_language(central, companion):
    """The extension sends its UI language; the companion passes it on, and the service words its
    refusal in it. The code, which the extension acts on, is the same in both."""
    client = companion.test_client()
    ask(client, images=[])  # enrolls this laptop
    unknown = "/v1/approvals?id=00000000-0000-4000-8000-000000000000"
    zh = client.get(unknown, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    en = client.get(unknown, headers={"Accept-Language": "en-US,en;q=0.5"})
    assert zh.status_code == en.status_code == 404
    assert zh.get_json()["error"]["code"] == en.get_json()["error"]["code"] == "unknown_request"
    assert zh.get_json()["error"]["message"] == (f"中心服务 {central.url} 拒绝了请求：这台笔记本电脑没有发送过此编号的审批请求")
    assert en.get_json()["error"]["message"] == (f"the central service {central.url} refused: this laptop sent no "
                                                 "approval request with this id")


def test_an_unreachable_central_service_is_said_in_the_extensions_language(tmp_path, api_engine):
    app = create_app(Settings(data_dir=tmp_path / "laptop", central_url=f"http://127.0.0.1:{free_port()}",
                              central_enroll_code="pgc_whatever"), engine=api_engine)
    try:
        response = app.test_client().post("/v1/approvals", json={"text": "Hello", "platform": "linkedin"},
                                          headers={"Accept-Language": "zh-CN"})
        error = response.get_json()["error"]
        assert response.status_code == 503 and error["code"] == "central_unreachable"
        assert error["message"].startswith("无法连接中心服务 http://127.0.0.1:")
    finally:
        state = app.extensions["postguard"]
        state.forwarder.stop()
        state.audit.close()


def test_without_a_central_service_asking_for_approval_says_it_is_not_set_up(client):
    response = client.post("/v1/approvals", json={"text": "Hello", "platform": "linkedin"})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "approvals_off"
    assert client.get("/v1/health").get_json()["approvals"] is False


def test_a_request_nobody_decides_in_time_expires_and_the_salesperson_is_told(central, companion):
    client = companion.test_client()
    asked = ask(client)
    with psycopg.connect(central.db_url) as conn:
        conn.execute("UPDATE postguard_approvals SET created_at = now() - interval '73 hours' WHERE id = %s",
                     (asked["id"],))
    assert postguard("central", "purge", "--db", central.db_url).stdout.strip().endswith("1 requests expired")
    answer = client.get(f"/v1/approvals?id={asked['id']}").get_json()
    assert answer["status"] == "expired" and answer["comment"] is None
    assert [e["action"] for e in local_events(companion, f"approval-{asked['id']}")] == \
        ["approval_requested", "expired"]
    with psycopg.connect(central.db_url) as conn:
        assert conn.execute("SELECT draft FROM postguard_approvals WHERE id = %s", (asked["id"],)).fetchone() == (None,)
