"""The central service's own pages in English and Chinese: the browser's Accept-Language picks the
language, the switch overrides it for the whole service (the review tool at /audit included, and
the review tool's own switch for the central pages too), and no label is left in English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import requests

from central_servers import running_central
from companion.central import devices, web
from companion.central.client import CentralClient
from companion.central.messages_zh import ZH
from sink_servers import new_database, postgres  # noqa: F401 (fixture)

TEMPLATES = Path(__file__).resolve().parents[2] / "companion" / "central" / "templates" / "central"
LITERAL = r'''("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')'''
CALL = re.compile(rf"\b_[mn]?\(\s*{LITERAL}(?:\s*,\s*{LITERAL})?")
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# What a person can read on these pages that is not in a template: the sign-in's problems and the
# errors of the pages' own requests (an API client's errors stay English, as the JSON envelope).
PAGE_ERRORS = ("That user name and password do not match", "Too many wrong passwords: wait %(n)s second, then sign "
               "in again", "Too many wrong passwords: wait %(n)s seconds, then sign in again", "Not Found",
               "only admins may open this page", "there is no approval request with this id",
               "the form has expired or did not come from this page; reload it and try again",
               "the central store is unavailable; try again shortly", "The central service failed; see its log")
DRAFT = "Hansen Maschinenbau GmbH signed for 40,000 hinges at USD 0.42/pc FOB Ningbo"


def template_messages() -> set[str]:
    """Every literal a central template hands to _(), _m() or _n()."""
    found: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found.update(ast.literal_eval(g) for g in match.groups() if g)
    return found


def test_every_message_of_the_central_pages_has_its_chinese_with_the_same_placeholders():
    messages = template_messages() | set(web.STATUS_LABELS.values()) | set(web.ROLE_LABELS.values()) | set(PAGE_ERRORS)
    assert len(messages) > 60  # the extraction found the templates' words
    assert sorted(m for m in messages if not ZH.get(m)) == []
    for message in messages:
        assert sorted(PLACEHOLDER.findall(ZH[message])) == sorted(PLACEHOLDER.findall(message)), message


@pytest.fixture(scope="module")
def central(postgres, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("central-i18n")
    with running_central(new_database(postgres), tmp) as server:
        server.account("adam", role="admin")
        laptop = CentralClient(server.url, tmp / "laptop")
        laptop.enroll(server.enroll_code(), host="SALES-001", os_user="li.wei")
        start = DRAFT.index("USD")
        finding = {"category": "pricing", "source": "text", "start": start, "end": len(DRAFT), "image_index": None,
                   "excerpt": "USD ****"}
        server.request_id = laptop.submit_approval({"text": DRAFT, "images": [], "findings": [finding],
                                                    "platform": "linkedin"})["id"]
        yield server


def visible_english(html: str) -> set[str]:
    """Catalogue messages (of some length, without placeholders) that stand as a whole text in the page."""
    texts = {t.strip() for t in re.findall(r">([^<>]+)<", html)}
    texts |= set(re.findall(r'(?:placeholder|title|aria-label)="([^"]+)"', html))
    return {m for m in ZH if ZH[m] != m and len(m) > 3 and "%(" not in m and m in texts}


def test_no_label_is_left_in_english_on_the_chinese_pages_and_the_draft_stays_as_written(central):
    admin = central.session("adam")
    urls = ["/approvals", f"/approvals/{central.request_id}", "/admin/devices", "/approvals/nosuchrequest"]
    for url in urls:
        en = admin.get(central.url + url, headers={"Accept-Language": "en-GB,en;q=0.8"}, timeout=30)
        zh = admin.get(central.url + url, headers={"Accept-Language": "zh-CN,zh;q=0.9"}, timeout=30)
        assert zh.status_code == en.status_code, url
        assert visible_english(en.text), url  # the English page has catalogue words to compare
        assert visible_english(zh.text) == set(), url
        assert '<html lang="zh-CN">' in zh.text and "Accept-Language" in zh.headers["Vary"], url
    detail = admin.get(f"{central.url}/approvals/{central.request_id}", headers={"Accept-Language": "zh-CN"}, timeout=30)
    assert "Hansen Maschinenbau GmbH signed for 40,000 hinges at " in detail.text  # the salesperson's words
    assert 'title="价格">USD 0.42/pc FOB Ningbo</mark>' in detail.text and "li.wei 的草稿" in detail.text
    assert "adam · 管理员" in detail.text


def test_signed_out_the_sign_in_page_and_its_problems_follow_the_browser(central):
    browser = requests.Session()
    page = browser.get(f"{central.url}/signin", headers={"Accept-Language": "zh-CN"}, timeout=30)
    assert "用户名" in page.text and "密码" in page.text and visible_english(page.text) == set()
    browser.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
    wrong = central.sign_in(browser, "adam", "not the password at all")
    assert wrong.status_code == 401 and "用户名和密码不匹配" in wrong.text


def test_one_switch_holds_on_the_central_pages_and_the_review_tool(central):
    admin = central.session("adam")
    admin.headers["Accept-Language"] = "en"
    switched = admin.get(f"{central.url}/language/zh?next=/approvals", allow_redirects=False, timeout=30)
    assert switched.status_code == 303 and switched.headers["Location"] == "/approvals"
    assert "pg_lang=zh" in switched.headers["Set-Cookie"] and "Path=/;" in switched.headers["Set-Cookie"]
    assert "审批请求" in admin.get(f"{central.url}/approvals", timeout=30).text
    review = admin.get(f"{central.url}/audit/posts", timeout=30)
    assert review.status_code == 200 and '<html lang="zh-CN">' in review.text and "帖子" in review.text
    # The review tool's own switch, on the central service, changes the whole service's language.
    back = admin.get(f"{central.url}/audit/language/en?next=/audit/posts", timeout=30)
    assert back.status_code == 200 and '<html lang="en">' in back.text
    assert "Approval requests" in admin.get(f"{central.url}/approvals", timeout=30).text
    assert admin.get(f"{central.url}/language/fr", timeout=30).status_code == 404
    assert admin.get(f"{central.url}/language/en?next=https://evil.example/", allow_redirects=False,
                     timeout=30).headers["Location"] == "/approvals"


def test_the_sign_in_page_offers_the_switch(central):
    page = requests.get(f"{central.url}/signin", headers={"Accept-Language": "en"}, timeout=30).text
    assert 'data-language="zh"' in page and "/language/zh?next=" in page


# What a laptop's requests can be refused with (the JSON envelope), and the laptop's own words that
# the companion relays to the extension: each must have its Chinese.
LAPTOP_FACING = ("approvals.py", "devices.py", "api.py", "client.py")
RAISED = re.compile(r'(?:CentralError|Unauthorized|Forbidden|Conflict|NotFound|CentralUnreachable)\(\s*_?\(?\s*'
                    r'((?:"(?:[^"\\]|\\.)*"\s*)+)')


def laptop_facing_messages() -> set[str]:
    root = Path(web.__file__).parent
    found = set()
    for name in LAPTOP_FACING:
        for match in RAISED.finditer((root / name).read_text(encoding="utf-8")):
            found.add("".join(ast.literal_eval(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', match.group(1))))
    return found


def test_every_error_a_laptops_request_can_meet_has_its_chinese():
    messages = laptop_facing_messages() | {"the central service failed; see its log", "Not Found",
                                           "Method Not Allowed", "Request Entity Too Large",
                                           "the central store is unavailable; try again shortly"}
    assert len(messages) > 20  # the extraction found the raises
    assert sorted(m for m in messages if not ZH.get(m)) == []
    for message in messages:
        assert sorted(PLACEHOLDER.findall(ZH[message])) == sorted(PLACEHOLDER.findall(message)), message


def test_the_api_answers_in_the_callers_language_and_the_code_stays(central, tmp_path):
    laptop = CentralClient(central.url, tmp_path / "zh-laptop", language="zh-CN,zh;q=0.9")
    laptop.enroll(central.enroll_code(), host="SALES-009", os_user="wang.wei")
    token = laptop.device()["token"]
    body = {"text": "Hello", "images": [{"name": "a", "mime": "image/png", "data": "AAAA"}] * 11, "findings": [],
            "platform": "linkedin", "content_hash": "sha256:x"}
    for language, message, content_language in (("zh-CN,zh;q=0.9", "images：最多 10 张照片", "zh-CN"),
                                                 ("en-US,en;q=0.8", "images: a list of at most 10 photos", "en")):
        answer = requests.post(f"{central.url}/api/v1/approvals", json=body, timeout=30,
                               headers={"Authorization": f"Bearer {token}", "Accept-Language": language})
        assert answer.status_code == 400 and answer.json()["error"] == {"code": "invalid_draft", "message": message}
        assert answer.headers["Content-Language"] == content_language and "Accept-Language" in answer.headers["Vary"]
    stranger = requests.get(f"{central.url}/api/v1/approvals/x", timeout=30,
                            headers={"Authorization": f"Bearer {devices.TOKEN_PREFIX}nobody", "Accept-Language": "zh-CN"})
    assert stranger.status_code == 401
    assert stranger.json()["error"] == {"code": "unknown_token", "message": "中心服务不认识此设备令牌"}
    missing = requests.get(f"{central.url}/api/v1/nothing-here", timeout=30, headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404 and missing.json()["error"] == {"code": "not_found", "message": "未找到"}
    from companion.central.client import CentralAnswerError

    with pytest.raises(CentralAnswerError) as refused:  # the client passes its language on
        laptop.submit_approval({"text": "", "images": [], "findings": [], "platform": "linkedin",
                                "content_hash": "sha256:x"})
    assert refused.value.code == "invalid_draft" and "草稿既没有正文也没有照片" in refused.value.message
