"""Approval before posting, as a salesperson and a reviewer live it: real Chromium with the extension
on the LinkedIn replica, the real companion with `central_url`, the real central service over a real
PostgreSQL, and the reviewer deciding in the service's own pages.

The salesperson writes a risky post and presses Post; the panel offers "Ask for approval"; after
confirming, the draft goes to the reviewers and a notice says it waits. The reviewer approves with a
comment; the notice says so, and Post goes out as typed, without the panel. A second draft edited
after its approval is held again. The toolbar popup lists the drafts this browser sent with each
answer and the reviewer's comment, in English and Chinese, and IT's `askForApproval` policy turns the
button off and on. Screenshots: test-output/screenshots/approval-*.png and popup-approval-*.png.
"""

from __future__ import annotations

import sys

import pytest
import requests

from harness.chromium import REPO_ROOT, reload_managed_policies, wait_for_managed_value, wait_for_service_worker
from harness.companion import start_companion
from test_extension_experience import POPUP_URL, open_popup, tab_id
from test_extension_support import (NOTICE, PANEL, RISKY_TEXT, SCREENSHOTS, click_post, editor_text, extension_page, open_composer,
                                    screenshot, sent, type_post, wait_sent)

sys.path.insert(0, str(REPO_ROOT / "tests" / "companion"))
from central_servers import csrf_of, running_central, wait_until  # noqa: E402
from sink_servers import new_database, postgres  # noqa: E402,F401 (fixture)

pytestmark = pytest.mark.e2e


def decide(central, request_id: str, decision: str, comment: str) -> None:
    """The reviewer, signed in to the central service, decides."""
    session = central.session("rita")
    page = session.get(f"{central.url}/approvals/{request_id}", timeout=30)
    done = session.post(f"{central.url}/approvals/{request_id}/decision",
                        data={"csrf_token": csrf_of(page.text), "decision": decision, "comment": comment}, timeout=30)
    assert done.status_code == 200


def only_request_id(central) -> str:
    import psycopg

    with psycopg.connect(central.db_url) as conn:
        rows = conn.execute("SELECT id FROM postguard_approvals WHERE status = 'pending'").fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


def test_a_salesperson_asks_for_approval_and_posts_what_was_approved(postgres, launch_browser, open_site, tmp_path):
    with running_central(new_database(postgres), tmp_path) as central:
        central.account("rita")
        companion = start_companion(tmp_path / "laptop", env={"POSTGUARD_CENTRAL_URL": central.url,
                                                              "POSTGUARD_CENTRAL_ENROLL_CODE": central.enroll_code()})
        try:
            context = launch_browser(extension=True)
            extension_page(context, companion.url)
            page = open_site(context, "linkedin")
            open_composer(page, "linkedin")
            type_post(page, "linkedin", RISKY_TEXT)
            click_post(page, "linkedin")
            ask = page.locator(f'{PANEL} [data-postguard-action="ask-approval"]')
            ask.wait_for(timeout=30_000)
            ask.click()
            page.locator(f'{PANEL} [data-postguard-part="approval"]').wait_for()
            screenshot(page, "approval-confirm-linkedin-en")
            page.click(f'{PANEL} [data-postguard-action="confirm-approval"]')
            waiting = page.locator(f'{NOTICE} [data-kind="approval-waiting"]')
            waiting.wait_for(timeout=60_000)
            assert page.locator(PANEL).count() == 0 and sent(page) == [], "nothing posted while it waits"
            screenshot(page, "approval-waiting-linkedin-en")

            decide(central, only_request_id(central), "approve", "Fine, the price is on our public list.")
            approved = page.locator(f'{NOTICE} [data-kind="approval-approved"]')
            approved.wait_for(timeout=30_000)
            assert "Approved by rita" in approved.inner_text() and "public list" in approved.inner_text()
            screenshot(page, "approval-approved-linkedin-en")

            click_post(page, "linkedin")
            posted = wait_sent(page, 1)
            assert RISKY_TEXT in posted[0]["text"] and page.locator(PANEL).count() == 0, \
                "the approved post went out as typed, not held again"
        finally:
            companion.stop()


def test_changes_requested_reach_the_salesperson_and_an_edited_draft_is_held_again(postgres, launch_browser, open_site,
                                                                                  tmp_path):
    with running_central(new_database(postgres), tmp_path) as central:
        central.account("rita")
        companion = start_companion(tmp_path / "laptop", env={"POSTGUARD_CENTRAL_URL": central.url,
                                                              "POSTGUARD_CENTRAL_ENROLL_CODE": central.enroll_code()})
        try:
            context = launch_browser(extension=True)
            extension_page(context, companion.url)
            page = open_site(context, "linkedin")
            open_composer(page, "linkedin")
            type_post(page, "linkedin", RISKY_TEXT)
            click_post(page, "linkedin")
            page.locator(f'{PANEL} [data-postguard-action="ask-approval"]').click(timeout=30_000)
            page.click(f'{PANEL} [data-postguard-action="confirm-approval"]')
            page.locator(f'{NOTICE} [data-kind="approval-waiting"]').wait_for(timeout=60_000)
            first = only_request_id(central)
            decide(central, first, "changes", "Leave out the client's name, please.")
            changes = page.locator(f'{NOTICE} [data-kind="approval-changes_requested"]')
            changes.wait_for(timeout=30_000)
            assert "rita asks for changes" in changes.inner_text() and "client's name" in changes.inner_text()
            screenshot(page, "approval-changes-requested-linkedin-en")

            # Asked again and approved, then edited: the approval no longer fits, Post is held as usual.
            click_post(page, "linkedin")
            page.locator(f'{PANEL} [data-postguard-action="ask-approval"]').click(timeout=30_000)
            page.click(f'{PANEL} [data-postguard-action="confirm-approval"]')
            page.locator(f'{NOTICE} [data-kind="approval-waiting"]').wait_for(timeout=60_000)
            type_post(page, "linkedin", " Call me.")
            decide(central, only_request_id(central), "approve", "")
            page.locator(f'{NOTICE} [data-kind="approval-approved-changed"]').wait_for(timeout=30_000)
            click_post(page, "linkedin")
            page.locator(f'{PANEL} [data-postguard-action="edit"]').wait_for(timeout=30_000)
            assert sent(page) == [], "an edited draft is not covered by the approval"
            screenshot(page, "approval-edited-held-again-linkedin-en")
        finally:
            companion.stop()


def held_draft_on_linkedin(launch_browser, open_site, companion, locale: str):
    """A risky draft typed on the LinkedIn replica with the browser in `locale`, Post pressed, the
    panel showing "Ask for approval"."""
    context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
    extension_page(context, companion.url)
    page = open_site(context, "linkedin")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", RISKY_TEXT)
    click_post(page, "linkedin")
    page.locator(f'{PANEL} [data-postguard-action="ask-approval"]').click(timeout=30_000)
    return page


def confirm_and_read_not_sent(page) -> str:
    """Sends the held draft for approval; the "not sent" notice's text, once it shows. The draft
    must not have gone out and must still be in the composer."""
    page.locator(f'{PANEL} [data-postguard-action="confirm-approval"]').click(timeout=30_000)
    failed = page.locator(f'{NOTICE} [data-kind="approval-not-sent"]')
    failed.wait_for(timeout=60_000)
    assert sent(page) == []
    assert RISKY_TEXT in editor_text(page, "linkedin"), "the draft stays in the composer"
    return failed.inner_text()


@pytest.mark.parametrize("locale,unreachable", [("en-US", "cannot be reached"), ("zh-CN", "无法连接审批服务")])
def test_an_unreachable_central_service_is_said_plainly_and_the_draft_stays(launch_browser, open_site, tmp_path,
                                                                             locale, unreachable):
    from harness.companion import free_port

    companion = start_companion(tmp_path / "laptop", env={"POSTGUARD_CENTRAL_URL": f"http://127.0.0.1:{free_port()}",
                                                          "POSTGUARD_CENTRAL_ENROLL_CODE": "pgc_never-used"})
    try:
        page = held_draft_on_linkedin(launch_browser, open_site, companion, locale)
        page.locator(f'{PANEL} [data-postguard-part="approval"]').wait_for()
        lang = "en" if locale == "en-US" else locale
        if lang != "en":  # the English confirmation is taken in the approval round trip above
            screenshot(page, f"approval-confirm-linkedin-{lang}")
        assert unreachable in confirm_and_read_not_sent(page)
        screenshot(page, f"approval-unreachable-linkedin-{lang}")
    finally:
        companion.stop()


@pytest.mark.parametrize("locale,reason", [("en-US", "enrollment code is unknown, used up or expired"),
                                           ("zh-CN", "注册码")])
def test_a_refused_draft_says_the_central_services_reason_in_the_panels_language(postgres, launch_browser, open_site,
                                                                                 tmp_path, locale, reason):
    """IT handed out a wrong enrollment code: the notice says so, so the salesperson can tell IT."""
    with running_central(new_database(postgres), tmp_path) as central:
        companion = start_companion(tmp_path / "laptop", env={"POSTGUARD_CENTRAL_URL": central.url,
                                                              "POSTGUARD_CENTRAL_ENROLL_CODE": "pgc_not-a-code-it-made"})
        try:
            page = held_draft_on_linkedin(launch_browser, open_site, companion, locale)
            text = confirm_and_read_not_sent(page)
            assert reason in text and RISKY_TEXT not in text
            screenshot(page, f"approval-refused-linkedin-{'en' if locale == 'en-US' else locale}")
        finally:
            companion.stop()


# What the popup says for each answer, in the browser's language (extension/_locales).
POPUP_WORDS = {
    "en-US": {"pending": "Waiting for approval", "changes_requested": "rita asks for changes",
              "approved": "Approved by rita", "rejected": "Rejected by rita", "comment": "Comment: ",
              "example": "Example lists only"},
    "zh-CN": {"pending": "等待审批", "changes_requested": "rita 要求修改", "approved": "rita 已批准",
              "rejected": "rita 已拒绝", "comment": "备注：", "example": "示例名单"},
}


def popup_answers(popup) -> list[dict]:
    """The popup opened afresh: each listed request's status and its text, newest first."""
    popup.reload()
    popup.wait_for_selector("body[data-approvals=ready]", timeout=30_000)
    return [{"status": li.get_attribute("data-status"), "stale": li.get_attribute("data-stale"), "text": li.inner_text()}
            for li in popup.locator("#approval-list li").all()]


def wait_for_answers(popup, statuses: list[str]) -> list[dict]:
    return wait_until(lambda: (lambda a: a if [x["status"] for x in a] == statuses else None)(popup_answers(popup)),
                      60, f"the popup to list {statuses}")


def popup_screenshot(popup, name: str) -> None:
    """The whole popup, scrolled part included (Chromium scrolls a popup taller than 600 px)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    popup.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def ask_for_approval(page) -> None:
    click_post(page, "linkedin")
    page.locator(f'{PANEL} [data-postguard-action="ask-approval"]').click(timeout=30_000)
    page.click(f'{PANEL} [data-postguard-action="confirm-approval"]')
    page.locator(f'{NOTICE} [data-kind="approval-waiting"]').wait_for(timeout=60_000)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_popup_shows_the_answer_to_each_draft_with_the_reviewers_comment(postgres, launch_browser, open_site,
                                                                              tmp_path, locale):
    words, lang = POPUP_WORDS[locale], "en" if locale == "en-US" else locale
    with running_central(new_database(postgres), tmp_path) as central:
        central.account("rita")
        companion = start_companion(tmp_path / "laptop", env={"POSTGUARD_CENTRAL_URL": central.url,
                                                              "POSTGUARD_CENTRAL_ENROLL_CODE": central.enroll_code()})
        try:
            context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
            worker = extension_page(context, companion.url)
            page = open_site(context, "linkedin")
            open_composer(page, "linkedin")
            type_post(page, "linkedin", RISKY_TEXT)
            ask_for_approval(page)
            popup = open_popup(context, tab_id(worker, "https://www.linkedin.com"))
            [waiting] = wait_for_answers(popup, ["pending"])
            assert words["pending"] in waiting["text"] and "LinkedIn" in waiting["text"]
            assert "0.42" not in popup.inner_text("body"), "the popup never shows the draft"
            example = popup.locator("#org[data-example=true] .example")
            assert words["example"] in example.inner_text(), "the example org is announced"
            popup_screenshot(popup, f"popup-approval-waiting-{lang}")

            decide(central, only_request_id(central), "changes", "Leave out the client's name, please.")
            [changes] = wait_for_answers(popup, ["changes_requested"])
            assert words["changes_requested"] in changes["text"]
            assert f"{words['comment']}Leave out the client's name, please." in changes["text"]
            popup_screenshot(popup, f"popup-approval-changes-{lang}")

            page.bring_to_front()
            ask_for_approval(page)
            decide(central, only_request_id(central), "approve", "Fine, the price is on our public list.")
            page.locator(f'{NOTICE} [data-kind="approval-approved"]').wait_for(timeout=30_000)
            approved, _ = wait_for_answers(popup, ["approved", "changes_requested"])
            assert words["approved"] in approved["text"] and "public list" in approved["text"]
            popup_screenshot(popup, f"popup-approval-approved-{lang}")

            page.bring_to_front()
            type_post(page, "linkedin", " Call me.")
            ask_for_approval(page)
            decide(central, only_request_id(central), "reject", "Not before the trade fair.")
            rejected, *_ = wait_for_answers(popup, ["rejected", "approved", "changes_requested"])
            assert words["rejected"] in rejected["text"] and "trade fair" in rejected["text"]
            popup_screenshot(popup, f"popup-approval-rejected-{lang}")

            central.stop()  # the service goes away: the last answers stay, marked as not updated
            answers = wait_until(lambda: (lambda a: a if a and all(x["stale"] == "true" for x in a) else None)(
                popup_answers(popup)), 60, "the popup to say the answers are not updated")
            assert [a["status"] for a in answers] == ["rejected", "approved", "changes_requested"]
            assert words["rejected"] in answers[0]["text"], "who decided is remembered, the comment is not"
            assert "trade fair" not in answers[0]["text"]
            popup_screenshot(popup, f"popup-approval-stale-{lang}")
        finally:
            companion.stop()


def approval_offered(context) -> bool:
    """What the panel is told before it offers the button (`approval-status` without an id), asked
    from an extension page as the content script asks the worker."""
    page = context.new_page()
    try:
        page.goto(f"{POPUP_URL}")
        return page.evaluate("() => chrome.runtime.sendMessage({type: 'approval-status', payload: {}})")["available"]
    finally:
        page.close()


def test_the_ask_for_approval_button_follows_the_managed_policy(postgres, managed_policy, launch_browser, open_site,
                                                                tmp_path):
    with running_central(new_database(postgres), tmp_path) as central:
        companion = start_companion(tmp_path / "laptop", env={"POSTGUARD_CENTRAL_URL": central.url,
                                                              "POSTGUARD_CENTRAL_ENROLL_CODE": central.enroll_code()})
        try:
            managed_policy({"companionUrl": companion.url, "askForApproval": False})
            context = launch_browser(extension=True)
            worker = wait_for_service_worker(context)
            wait_for_managed_value(worker, "askForApproval", False)
            page = open_site(context, "linkedin")
            open_composer(page, "linkedin")
            type_post(page, "linkedin", RISKY_TEXT)
            click_post(page, "linkedin")
            page.locator(f'{PANEL} [data-postguard-action="edit"]').wait_for(timeout=30_000)
            assert approval_offered(context) is False, "IT turned it off"
            assert page.locator(f'{PANEL} [data-postguard-action="ask-approval"]').count() == 0
            screenshot(page, "approval-policy-off-linkedin-en")
            page.click(f'{PANEL} [data-postguard-action="cancel"]')

            managed_policy({"companionUrl": companion.url, "askForApproval": True})
            reload_managed_policies(context)
            wait_for_managed_value(worker, "askForApproval", True)
            assert approval_offered(context) is True
            page.bring_to_front()
            click_post(page, "linkedin")
            page.locator(f'{PANEL} [data-postguard-action="ask-approval"]').wait_for(timeout=30_000)
        finally:
            companion.stop()
