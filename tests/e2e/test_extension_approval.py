"""Approval before posting, as a salesperson and a reviewer live it: real Chromium with the extension
on the LinkedIn replica, the real companion with `central_url`, the real central service over a real
PostgreSQL, and the reviewer deciding in the service's own pages.

The salesperson writes a risky post and presses Post; the panel offers "Ask for approval"; after
confirming, the draft goes to the reviewers and a notice says it waits. The reviewer approves with a
comment; the notice says so, and Post goes out as typed, without the panel. A second draft edited
after its approval is held again. Screenshots: test-output/screenshots/approval-*.png.
"""

from __future__ import annotations

import sys

import pytest
import requests

from harness.chromium import REPO_ROOT
from harness.companion import start_companion
from test_extension_support import (NOTICE, PANEL, RISKY_TEXT, click_post, editor_text, extension_page, open_composer,
                                    screenshot, sent, type_post, wait_sent)

sys.path.insert(0, str(REPO_ROOT / "tests" / "companion"))
from central_servers import csrf_of, running_central  # noqa: E402
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


@pytest.mark.parametrize("locale,unreachable", [("en-US", "cannot be reached"), ("zh-CN", "无法连接审批服务")])
def test_an_unreachable_central_service_is_said_plainly_and_the_draft_stays(launch_browser, open_site, tmp_path,
                                                                             locale, unreachable):
    from harness.companion import free_port

    companion = start_companion(tmp_path / "laptop", env={"POSTGUARD_CENTRAL_URL": f"http://127.0.0.1:{free_port()}",
                                                          "POSTGUARD_CENTRAL_ENROLL_CODE": "pgc_never-used"})
    try:
        context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
        extension_page(context, companion.url)
        page = open_site(context, "linkedin")
        open_composer(page, "linkedin")
        type_post(page, "linkedin", RISKY_TEXT)
        click_post(page, "linkedin")
        page.locator(f'{PANEL} [data-postguard-action="ask-approval"]').click(timeout=30_000)
        page.locator(f'{PANEL} [data-postguard-part="approval"]').wait_for()
        lang = "en" if locale == "en-US" else locale
        if lang != "en":  # the English confirmation is taken in the approval round trip above
            screenshot(page, f"approval-confirm-linkedin-{lang}")
        page.click(f'{PANEL} [data-postguard-action="confirm-approval"]')
        failed = page.locator(f'{NOTICE} [data-kind="approval-not-sent"]')
        failed.wait_for(timeout=60_000)
        assert unreachable in failed.inner_text() and sent(page) == []
        assert RISKY_TEXT in editor_text(page, "linkedin"), "the draft stays in the composer"
        screenshot(page, f"approval-unreachable-linkedin-{lang}")
    finally:
        companion.stop()
