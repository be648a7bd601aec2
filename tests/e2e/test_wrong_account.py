"""The wrong-account guard in real Chromium on the LinkedIn replica, against the real companion and the
example org's identities.yaml (LinkedIn's company page: Lumen Hardware Co., Ltd.; the member Li Wei is
personal).

What a salesperson notices: a work post from their own account is held and the panel says whose
account it is; once they switch the share box to the company page, that warning is gone; a harmless
personal post as the company page goes out at once, a red-line one is held and names the page.
The audit log holds the identity only as a keyed hash and the acted-as-company flag.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from test_extension_support import (CLEAN_TEXT, PANEL, RISKY_TEXT, audit_events, click_post, extension_page,
                                    holds_the_price, open_composer, screenshot, type_post, wait_for_audit, wait_sent)

pytestmark = pytest.mark.e2e
IDENTITY_CARD = f'{PANEL} [data-postguard-finding][data-category="wrong_account"]'
PRICING_CARD = f'{PANEL} [data-postguard-finding][data-category="pricing"]'
RED_LINE_TEXT = "The election was stolen and everyone who voted for that party is a traitor."
PAGE = "Lumen Hardware Co., Ltd."


@pytest.fixture
def linkedin(start_companion_process, launch_browser, open_site):
    """Factory: (a LinkedIn tab with the extension pointed at a fresh companion, that companion)."""
    def make(locale: str = "en-US", path: str | None = None):
        companion = start_companion_process()
        context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
        extension_page(context, companion.url)
        return open_site(context, "linkedin", path), companion
    return make


def post_as(page: Page, name: str) -> None:
    """Switch the share box's identity the way a page admin does: the identity line, the choice, Done."""
    page.click("button.share-unified-settings-entry-button")
    page.check(f'.share-unified-settings-menu label:has-text("{name}") input')
    page.click('.share-unified-settings-menu button:text-is("Done")')
    page.wait_for_function("name => [...document.getElementById('interop-outlet').shadowRoot"
                           ".querySelectorAll('.share-box-v2__title')].some((t) => t.textContent === name)", arg=name)


def test_a_work_post_from_the_personal_account_is_held_and_named_then_not_once_switched(linkedin):
    page, companion = linkedin()
    open_composer(page, "linkedin")
    type_post(page, "linkedin", RISKY_TEXT)
    click_post(page, "linkedin")
    card = page.locator(IDENTITY_CARD)
    card.wait_for(timeout=20_000)
    assert "You are posting as Li Wei, your personal account" in card.inner_text()
    assert PAGE in card.inner_text(), "the card says which identity to use"
    screenshot(page, "identity-warning-linkedin")
    page.click(f'{PANEL} [data-postguard-action="edit"]')
    page.wait_for_selector(PANEL, state="detached")

    post_as(page, PAGE)
    click_post(page, "linkedin")
    page.locator(PRICING_CARD).wait_for(timeout=20_000)  # the price is still in the post
    assert page.locator(IDENTITY_CARD).count() == 0, "no identity warning once posting as the company page"
    assert page.evaluate("() => window.__replica.sent.length") == 0

    events = wait_for_audit(companion.data_dir, lambda e: e["kind"] == "check"
                            and (e.get("details") or {}).get("acted_as_company") is True)
    checks = [e for e in events if e["kind"] == "check" and "acting_hash" in (e.get("details") or {})]
    assert {e["details"]["acted_as_company"] for e in checks} == {False, True}
    assert "wrong_account" in next(e for e in checks if not e["details"]["acted_as_company"])["categories"]
    stored = str(audit_events(companion.data_dir))
    assert "Li Wei" not in stored and PAGE not in stored and not holds_the_price(stored)


def test_as_the_company_page_a_clean_post_goes_out_and_a_red_line_post_is_held(linkedin):
    page, _ = linkedin(path="/feed/?as=page")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", CLEAN_TEXT)
    click_post(page, "linkedin")
    assert wait_sent(page, timeout_ms=20_000)[0]["text"].strip() == CLEAN_TEXT
    assert page.locator(PANEL).count() == 0

    open_composer(page, "linkedin")
    type_post(page, "linkedin", RED_LINE_TEXT)
    click_post(page, "linkedin")
    card = page.locator(IDENTITY_CARD)
    card.wait_for(timeout=20_000)
    assert f"You are acting as the company page {PAGE}" in card.inner_text()
    assert len(page.evaluate("() => window.__replica.sent")) == 1, "only the clean post went out"


def test_the_identity_warning_in_chinese(linkedin):
    page, _ = linkedin(locale="zh-CN")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", RISKY_TEXT)
    click_post(page, "linkedin")
    card = page.locator(IDENTITY_CARD)
    card.wait_for(timeout=20_000)
    assert "你正在以个人账号 Li Wei 发布" in card.inner_text()
    assert "账号不对" in card.inner_text()
    screenshot(page, "identity-warning-linkedin-zh-CN")


@pytest.mark.parametrize("site, personal", [("facebook", "Li Wei"), ("instagram", "li.wei.exports")])
def test_facebook_and_instagram_name_the_personal_account_and_not_the_company_one(site, personal,
                                                                                  start_companion_process,
                                                                                  launch_browser, open_site):
    companion = start_companion_process()
    context = launch_browser(extension=True)
    extension_page(context, companion.url)
    for path, warned in (("/", True), ("/?as=page", False)):  # Facebook and Instagram reload on a switch
        page = open_site(context, site, path)
        open_composer(page, site)
        type_post(page, site, RISKY_TEXT)
        click_post(page, site)
        page.locator(PRICING_CARD).wait_for(timeout=40_000)
        if warned:
            assert f"You are posting as {personal}, your personal account" in page.locator(IDENTITY_CARD).inner_text()
        else:
            assert page.locator(IDENTITY_CARD).count() == 0, "no identity warning as the company's own account"
        assert page.evaluate("() => window.__replica.sent.length") == 0
        page.close()
