"""The approval queue of the central service in real headless Chromium, over a real PostgreSQL.

A reviewer signs in (a wrong password first), sees the waiting drafts, opens one with its
findings highlighted and its photo, asks for changes with a comment, and the laptop that asked
gets the answer. The sign-in and the queue follow the browser's language (English, Chinese) and
the switch at the top. Screenshots go to test-output/screenshots/central-*.png; any
Content-Security-Policy violation fails the test (the pages have no script at all).
"""

from __future__ import annotations

import base64
import io
import re
import sys

import pytest
from playwright.sync_api import Page, expect

from harness.chromium import REPO_ROOT
from harness.replica_page import screenshot_path

sys.path.insert(0, str(REPO_ROOT / "tests" / "companion"))
from central_servers import PASSWORD, running_central  # noqa: E402
from images import render_quotation_sheet  # noqa: E402
from sink_servers import new_database, postgres  # noqa: E402,F401 (fixture)

from companion.central.client import CentralClient  # noqa: E402

pytestmark = pytest.mark.e2e

DRAFTS = [
    ("li.wei", "linkedin", "Great news: Hansen Maschinenbau GmbH signed for 40,000 hinges at USD 0.42/pc FOB Ningbo!",
     ["Hansen Maschinenbau GmbH", "USD 0.42/pc FOB Ningbo"], True),
    ("anna.k", "facebook", "Sneak peek of Project Falcon, launching next spring. Who wants a sample?",
     ["Project Falcon"], False),
    ("li.wei", "instagram", "Our team at the Canton Fair this week, come and say hello at booth 11.2 C18.", [], False),
]
CATEGORIES = {"Hansen Maschinenbau GmbH": "client_confidential", "USD 0.42/pc FOB Ningbo": "pricing", "Project Falcon": "unreleased_product"}


def quotation_photo() -> str:
    image, _ = render_quotation_sheet()
    image.thumbnail((640, 640))
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def submit(central, tmp_path) -> list[tuple[CentralClient, str]]:
    """Each salesperson's laptop enrolls and asks for approval, as their companion would."""
    asked = []
    for index, (user, platform, text, flagged, with_photo) in enumerate(DRAFTS):
        client = CentralClient(central.url, tmp_path / f"laptop-{index}")
        client.enroll(central.enroll_code(), host=f"SALES-{index + 1:03d}", os_user=user)
        findings = [{"category": CATEGORIES[value], "source": "text", "start": text.index(value),
                     "end": text.index(value) + len(value), "image_index": None,
                     "excerpt": value[:4] + re.sub(r"[0-9A-Za-z]", "*", value[4:])} for value in flagged]
        images = [{"name": "quotation.png", "mime": "image/png", "data": quotation_photo()}] if with_photo else []
        answer = client.submit_approval({"text": text, "images": images, "findings": findings, "platform": platform})
        asked.append((client, answer["id"]))
    return asked


def watch_csp(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "401" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_a_reviewer_works_through_the_approval_queue(postgres, launch_browser, tmp_path):
    with running_central(new_database(postgres), tmp_path) as central:
        central.account("rita")
        asked = submit(central, tmp_path)
        page = launch_browser().new_page()
        problems = watch_csp(page)

        page.goto(f"{central.url}/approvals")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("User name").fill("rita")
        page.get_by_label("Password").fill("not my password at all")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("That user name and password do not match")
        expect(page.get_by_label("User name")).to_have_value("rita")
        expect(page.get_by_label("Password")).to_be_focused()
        page.screenshot(path=screenshot_path("central-signin-wrong-password"))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        expect(page.get_by_role("heading", name="Approval requests")).to_be_visible()
        expect(page.locator("#pg-waiting")).to_have_text("3 waiting for a decision")
        expect(page.locator("#pg-queue tbody tr")).to_have_count(3)
        first_row = page.locator(f'#pg-queue tr[data-id="{asked[0][1]}"]')
        expect(first_row).to_contain_text("li.wei")
        expect(first_row).to_contain_text("Client confidential")
        expect(first_row).to_contain_text("1 photo")
        page.screenshot(path=screenshot_path("central-approvals-queue"), full_page=True)

        first_row.get_by_role("link").click()
        expect(page.locator("#pg-status")).to_have_text("Waiting")
        expect(page.locator("#pg-draft mark.pg-cat-pricing")).to_have_text("USD 0.42/pc FOB Ningbo")
        expect(page.locator("#pg-draft mark.pg-cat-client_confidential")).to_have_text("Hansen Maschinenbau GmbH")
        photo = page.get_by_role("img", name="quotation.png")
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.naturalWidth") > 0, "the photo loads under the page's CSP"
        page.screenshot(path=screenshot_path("central-approval-request"), full_page=True)

        page.get_by_label("Comment for the salesperson").fill("Please leave out the client's name and the price.")
        page.get_by_role("button", name="Request changes").click()
        expect(page.locator("#pg-status")).to_have_text("Changes requested")
        expect(page.locator("#pg-decision")).to_contain_text("Changes requested by rita")
        expect(page.locator("#pg-decision blockquote")).to_have_text("Please leave out the client's name and the price.")
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)
        page.screenshot(path=screenshot_path("central-approval-decided"), full_page=True)

        page.get_by_role("link", name="« All requests").click()
        expect(page.locator("#pg-waiting")).to_have_text("2 waiting for a decision")
        expect(page.locator(f'#pg-queue tr[data-id="{asked[0][1]}"]')).to_have_attribute("data-status",
                                                                                         "changes_requested")
        page.screenshot(path=screenshot_path("central-approvals-queue-after"), full_page=True)

        client, request_id = asked[0]
        answer = client.approval(request_id)
        assert answer["status"] == "changes_requested" and answer["decided_by"] == "rita"
        assert answer["comment"] == "Please leave out the client's name and the price."
        assert problems == [], problems


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("zh-CN", "zh")])
def test_the_sign_in_and_the_queue_in_the_browsers_language(postgres, launch_browser, tmp_path, locale, lang):
    """Chinese words on every label, the salesperson's draft and names as written; the switch holds."""
    words = {"en": ("Sign in", "User name", "Password", "That user name and password do not match",
                    "Approval requests", "3 waiting for a decision", "Client confidential", "Waiting",
                    "Enrolled laptops", "there is no approval request with this id", "English"),
             "zh": ("登录", "用户名", "密码", "用户名和密码不匹配", "审批请求", "3 个待审批", "客户机密", "待审批",
                    "已注册的笔记本电脑", "没有此编号的审批请求", "中文")}[lang]
    (sign_in, user_name, password, wrong, heading, waiting, client_label, pending, laptops, no_request,
     own_language) = words
    with running_central(new_database(postgres), tmp_path) as central:
        central.account("rita", role="admin")
        asked = submit(central, tmp_path)
        page = launch_browser(locale=locale).new_page()
        problems = watch_csp(page)

        page.goto(f"{central.url}/approvals")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
        expect(page.get_by_role("heading", name=sign_in)).to_be_visible()
        page.screenshot(path=screenshot_path(f"central-signin-{lang}"))
        page.get_by_label(user_name).fill("rita")
        page.get_by_label(password).fill("not my password at all")
        page.get_by_role("button", name=sign_in).click()
        expect(page.get_by_role("alert")).to_have_text(wrong)
        page.screenshot(path=screenshot_path(f"central-signin-wrong-password-{lang}"))
        page.get_by_label(password).fill(PASSWORD)
        page.get_by_role("button", name=sign_in).click()

        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.locator("#pg-waiting")).to_have_text(waiting)
        first_row = page.locator(f'#pg-queue tr[data-id="{asked[0][1]}"]')
        expect(first_row).to_contain_text("li.wei")  # names and hosts as written
        expect(first_row).to_contain_text("SALES-001")
        expect(first_row).to_contain_text(client_label)
        expect(first_row.locator(".pg-status")).to_have_text(pending)
        page.screenshot(path=screenshot_path(f"central-approvals-queue-{lang}"), full_page=True)

        first_row.get_by_role("link").click()
        expect(page.locator("#pg-draft")).to_have_text(DRAFTS[0][2])  # the draft stays as the salesperson wrote it
        page.screenshot(path=screenshot_path(f"central-approval-request-{lang}"), full_page=True)

        page.goto(f"{central.url}/admin/devices")
        expect(page.get_by_role("heading", name=laptops)).to_be_visible()
        expect(page.locator("#pg-devices tbody tr")).to_have_count(3)
        page.screenshot(path=screenshot_path(f"central-laptops-{lang}"), full_page=True)

        # The switch at the top changes the language for the central pages and the review tool.
        other = "zh" if lang == "en" else "en"
        page.locator(f'.pg-language a[data-language="{other}"]').click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if other == "zh" else "en")
        expect(page.locator(f'.pg-language a[data-language="{lang}"]')).to_have_text(own_language)
        page.locator("#pg-nav-review").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if other == "zh" else "en")
        page.screenshot(path=screenshot_path(f"central-review-tool-switched-{other}"), full_page=True)
        assert problems == [], problems

        page.goto(f"{central.url}/language/{lang}?next=/approvals/no-such-request")  # last: its 404 is logged
        expect(page.locator("#pg-error")).to_have_text(no_request)
        page.screenshot(path=screenshot_path(f"central-error-{lang}"))
