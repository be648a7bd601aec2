"""The wrong-account guard in Debian's firefox-esr (WebDriver BiDi) on the replica composers, against the
real companion and the example org's identities.yaml: the cases of the Chromium file
tests/e2e/test_wrong_account.py, with the Firefox composer steps of test_firefox_composers.py.

What a salesperson notices:
- a work post from their own LinkedIn account is held and the panel names the account and the page to
  use; once the share box posts as the company page, that warning is gone (the price is still held);
- as the company page, a harmless personal post goes out at once and a red-line one is held, naming
  the page;
- on Facebook and Instagram the personal account is named, and the company's own account is not
  warned about (the replicas reload as the other identity: `?as=page`);
- in Chinese, the warning reads in Chinese.
The audit log holds the identity only as a keyed hash and the acted-as-company flag.
"""

from __future__ import annotations

import pytest

from harness.firefox import FirefoxPage, firefox_missing
from harness.replica_page import screenshot_path
from harness.replica_server import SITES
from reaction_cases import COMPANY, PERSONAL
from test_extension_support import audit_events, holds_the_price, wait_for_audit
from test_firefox_composers import (CLEAN_TEXT, FINDING, RISKY_TEXT, click_post, firefox_companion,  # noqa: F401
                                    landscape, launch_firefox, open_composer, proxy, sent_now, type_post, wait_sent)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]

IDENTITY_CARD = f'{FINDING}[data-category="wrong_account"]'
PRICING_CARD = f'{FINDING}[data-category="pricing"]'
RED_LINE_TEXT = "The election was stolen and everyone who voted for that party is a traitor."
EDIT = '>>> [data-postguard="panel"] >>> [data-postguard-action="edit"]'
# LinkedIn's share box: the "Post as" line opens the identity menu; a label per identity, then Done.
SHARE_BOX_IDENTITY = ">>> button.share-unified-settings-entry-button"
SHARE_BOX_MENU = ">>> .share-unified-settings-menu"
SHARE_BOX_TITLE = ("(name) => [...document.getElementById('interop-outlet').shadowRoot"
                   ".querySelectorAll('.share-box-v2__title')].some((t) => t.textContent === name)")


def open_site(launch_firefox, companion, site: str, query: str = "", locale: str = "en-US") -> FirefoxPage:  # noqa: F811
    browser = launch_firefox({"companionUrl": companion.url}, locale=locale)
    return browser.open_replica(f"https://{SITES[site].hostname}{SITES[site].home_path}{query}")


def post_as(page: FirefoxPage, name: str) -> None:
    """Switch the share box's identity the way a page admin does: the identity line, the choice, Done."""
    page.click(SHARE_BOX_IDENTITY)
    page.click_text(f"{SHARE_BOX_MENU} label", name)
    page.click_text(f"{SHARE_BOX_MENU} button", "Done")
    page.wait_for_function(SHARE_BOX_TITLE, name)


def held(page: FirefoxPage, card: str) -> str:
    page.wait_for_selector(card, timeout_ms=30_000)
    return page.texts(card)[0]


def test_a_work_post_from_the_personal_account_is_held_and_named_then_not_once_switched(
        launch_firefox, firefox_companion, landscape):  # noqa: F811
    page = open_site(launch_firefox, firefox_companion, "linkedin")
    open_composer(page, "linkedin", landscape)
    type_post(page, "linkedin", RISKY_TEXT)
    click_post(page, "linkedin")
    text = held(page, IDENTITY_CARD)
    assert "You are posting as Li Wei, your personal account" in text
    assert COMPANY["linkedin"] in text, "the card says which identity to use"
    page.screenshot(screenshot_path("firefox-identity-warning-linkedin"))
    page.click(EDIT)
    page.wait_for_selector(IDENTITY_CARD, state="hidden")

    post_as(page, COMPANY["linkedin"])
    click_post(page, "linkedin")
    held(page, PRICING_CARD)  # the price is still in the post
    assert page.count(IDENTITY_CARD) == 0, "no identity warning once posting as the company page"
    assert sent_now(page) == []

    events = wait_for_audit(firefox_companion.data_dir, lambda e: e["kind"] == "check"
                            and (e.get("details") or {}).get("acted_as_company") is True)
    checks = [e for e in events if e["kind"] == "check" and "acting_hash" in (e.get("details") or {})]
    assert {e["details"]["acted_as_company"] for e in checks} == {False, True}
    assert "wrong_account" in next(e for e in checks if not e["details"]["acted_as_company"])["categories"]
    stored = str(audit_events(firefox_companion.data_dir))
    assert PERSONAL["linkedin"] not in stored and COMPANY["linkedin"] not in stored and not holds_the_price(stored)


def test_as_the_company_page_a_clean_post_goes_out_and_a_red_line_post_is_held(
        launch_firefox, firefox_companion, landscape):  # noqa: F811
    page = open_site(launch_firefox, firefox_companion, "linkedin", "?as=page")
    open_composer(page, "linkedin", landscape)
    type_post(page, "linkedin", CLEAN_TEXT)
    click_post(page, "linkedin")
    assert wait_sent(page)[0]["text"].strip() == CLEAN_TEXT
    open_composer(page, "linkedin", landscape)
    type_post(page, "linkedin", RED_LINE_TEXT)
    click_post(page, "linkedin")
    assert f"You are acting as the company page {COMPANY['linkedin']}" in held(page, IDENTITY_CARD)
    assert len(sent_now(page)) == 1, "only the clean post went out"


@pytest.mark.parametrize("site", ["facebook", "instagram"])
def test_facebook_and_instagram_name_the_personal_account_and_not_the_company_one(
        site, launch_firefox, firefox_companion, landscape):  # noqa: F811
    for query, warned in (("", True), ("?as=page", False)):  # Facebook and Instagram reload on a switch
        page = open_site(launch_firefox, firefox_companion, site, query)
        open_composer(page, site, landscape)
        type_post(page, site, RISKY_TEXT)
        click_post(page, site)
        held(page, PRICING_CARD)
        if warned:
            assert f"You are posting as {PERSONAL[site]}, your personal account" in page.texts(IDENTITY_CARD)[0]
        else:
            assert page.count(IDENTITY_CARD) == 0, "no identity warning as the company's own account"
        assert sent_now(page) == []


def test_the_identity_warning_in_chinese(launch_firefox, firefox_companion, landscape):  # noqa: F811
    page = open_site(launch_firefox, firefox_companion, "linkedin", locale="zh-CN")
    open_composer(page, "linkedin", landscape)
    type_post(page, "linkedin", RISKY_TEXT)
    click_post(page, "linkedin")
    text = held(page, IDENTITY_CARD)
    assert "你正在以个人账号 Li Wei 发布" in text and "账号不对" in text
    page.screenshot(screenshot_path("firefox-identity-warning-linkedin-zh-CN"))
