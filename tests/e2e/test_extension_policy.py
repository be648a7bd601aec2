"""The extension's policy in real Chromium: the companion down under failMode open and closed, decisions
queued while it is down and delivered when it is back, and IT's managed policy file switching enforcement
to block while the browser runs.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from harness.chromium import reload_managed_policies, wait_for_managed_value, wait_for_service_worker
from harness.companion import start_companion
from harness.replica_page import assert_nothing_sent
from test_extension_support import (NOTICE, PANEL, RISKY_TEXT, click_post, extension_page, holds_the_price, open_composer,
                                    screenshot, sent, type_post, wait_for_audit, wait_for_queued_decisions, wait_sent)

pytestmark = pytest.mark.e2e

SITES = ["linkedin", "facebook", "instagram"]


@pytest.mark.parametrize("site", SITES)
def test_companion_down_fail_open_posts_with_a_notice(site, launch_browser, open_site, dead_companion_url):
    context = launch_browser(extension=True)
    extension_page(context, dead_companion_url)
    page = open_site(context, site)
    open_composer(page, site)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    posts = wait_sent(page)
    assert "USD 0.42" in posts[0]["text"]
    page.wait_for_selector(f"{NOTICE} .pg-notice")
    assert "checker isn't running" in page.locator(f"{NOTICE} .pg-notice").inner_text()
    screenshot(page, f"notice-fail-open-{site}")


@pytest.mark.parametrize("site", SITES)
def test_companion_down_fail_closed_holds_and_says_to_contact_it(site, launch_browser, open_site,
                                                                 dead_companion_url):
    context = launch_browser(extension=True)
    extension_page(context, dead_companion_url, failMode="closed", supportUrl="https://intranet.example.com/postguard")
    page = open_site(context, site)
    open_composer(page, site)
    type_post(page, site, "Hello from the fair")
    click_post(page, site)
    page.wait_for_selector(f'{NOTICE} .pg-notice[data-tone="closed"]')
    notice = page.locator(f"{NOTICE} .pg-notice")
    assert "Contact IT:" in notice.inner_text() and "postguard serve" not in notice.inner_text()
    assert page.locator(f'{NOTICE} a[href="https://intranet.example.com/postguard"]').count() == 1
    screenshot(page, f"notice-fail-closed-{site}")
    assert_nothing_sent(page, settle_ms=500)


def test_decisions_made_while_the_companion_is_down_reach_the_audit_log_later(
        launch_browser, open_site, start_companion_process):
    companion = start_companion_process()
    port, data_dir = companion.port, companion.data_dir
    context = launch_browser(extension=True)
    worker = extension_page(context, companion.url)
    page = open_site(context, "linkedin")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", RISKY_TEXT)
    click_post(page, "linkedin")
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    companion.stop()  # the companion goes away while the user reads the panel
    page.click(f'{PANEL} [data-postguard-action="cancel"]')
    page.keyboard.type(" Thanks!", delay=5)  # a new text, which cannot be checked now: fail open posts it
    click_post(page, "linkedin")
    wait_sent(page)
    queued = wait_for_queued_decisions(worker, 2)
    assert [entry["action"] for entry in queued] == ["cancelled", "posted"]
    assert [entry["platform"] for entry in queued] == ["linkedin", "linkedin"]
    assert not holds_the_price(json.dumps(queued))
    # Back on the same port with the same audit store, as after a restart of the laptop's service.
    restarted = start_companion(data_dir, port=port)
    try:
        # The options page's "Send now" (the retry alarm would do the same within 30 s).
        options = context.new_page()
        options.goto("chrome-extension://lgpmbmmgjnablpheopbbjncokjbhohij/options/options.html")
        options.click("#send-now")
        events = wait_for_audit(data_dir, lambda e: e.get("action") == "posted")
        assert not holds_the_price(json.dumps(events))
        cancelled = [e for e in events if e.get("action") == "cancelled"]
        offline = [e for e in events if e.get("action") == "posted"]
        assert len(cancelled) == 1 and len(offline) == 1
        # The offline decision has no check behind it: its platform can only come from the queued entry.
        assert offline[0]["platform"] == "linkedin"
        assert "fail open" in (offline[0].get("justification") or "")
        options.wait_for_function("() => document.getElementById('queued').textContent === '0'")
    finally:
        restarted.stop()


@pytest.mark.parametrize("site", SITES)
def test_managed_policy_switches_enforcement_to_block_live(site, managed_policy, companion, launch_browser,
                                                            open_site):
    managed_policy({"companionUrl": companion.url})
    context = launch_browser(extension=True)
    worker = wait_for_service_worker(context)
    page = open_site(context, site)
    open_composer(page, site)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    assert page.locator(f'{PANEL} [data-postguard-action="override"]').count() == 1
    page.click(f'{PANEL} [data-postguard-action="cancel"]')

    managed_policy({"companionUrl": companion.url, "enforcement": "block"})
    reload_managed_policies(context)
    wait_for_managed_value(worker, "enforcement", "block")
    page.bring_to_front()
    click_post(page, site)
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    # The panel shows at once and is redrawn when the live policy answer arrives.
    expect(page.locator(f'{PANEL} [data-postguard-action="override"]')).to_have_count(0)
    assert "does not allow" in page.locator(f"{PANEL} section.pg-panel").inner_text()
    screenshot(page, f"panel-managed-block-{site}")

    options = context.new_page()
    options.goto("chrome-extension://lgpmbmmgjnablpheopbbjncokjbhohij/options/options.html")
    options.wait_for_selector('.row[data-key="enforcement"][data-locked="true"]')
    assert options.locator("#opt-enforcement").is_disabled()
    options.wait_for_selector('#companion-status[data-status="up"]')
    screenshot(options, f"options-managed-{site}")
    assert sent(page) == []
