"""Feedback while writing, as a salesperson meets it on the three replica composers: findings underlined
as they type (from the pre-check), underlines that stay on the words as the text changes (also after
Edit), one card per finding that selects its words, and a Fix per finding whose neutral words are what the
site's own Post handler sends (`window.__replica.sent`).
"""

from __future__ import annotations

import pytest

from test_extension_support import (NOTICE, PANEL, RISKY_TEXT, click_post, editor_text, extension_page,
                                    open_composer, screenshot, type_post, wait_sent)

pytestmark = pytest.mark.e2e
SITES = ["linkedin", "facebook", "instagram"]
MARKS = '[data-postguard="highlights"] .pg-hl'
PRICE = "USD 0.42/pc"
SHORT_TEXT = "Price: USD 0.42/pc FOB Ningbo"  # one line in every composer, so a mark moves only sideways
FIX_TEXT = "Special offer for Hansen Maschinenbau: USD 0.42/pc FOB Ningbo."

# The highlight boxes' left edges, and whether any is the card the user picked (read in the page).
MARK_BOXES = """() => {
    const hosts = [...document.querySelectorAll('[data-postguard="highlights"]')];
    const outlet = document.querySelector('#interop-outlet')?.shadowRoot;
    if (outlet) hosts.push(...outlet.querySelectorAll('[data-postguard="highlights"]'));
    return hosts.flatMap((h) => [...h.shadowRoot.querySelectorAll('.pg-hl')])
        .map((b) => ({left: b.getBoundingClientRect().left, current: b.classList.contains('pg-current')}));
}"""


@pytest.fixture
def site_page(companion, launch_browser, open_site):
    def make(site: str, locale: str = "en-US"):
        context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
        extension_page(context, companion.url)
        return open_site(context, site)
    return make


def mark_lefts(page) -> list[float]:
    return sorted(box["left"] for box in page.evaluate(MARK_BOXES))


@pytest.mark.parametrize("site", SITES)
def test_findings_are_underlined_while_typing_and_stay_on_the_words(site, site_page):
    page = site_page(site)
    open_composer(page, site)
    type_post(page, site, SHORT_TEXT)
    page.wait_for_selector(MARKS, timeout=15_000)  # no click: the pre-check answered while the user paused
    assert page.locator(PANEL).count() == 0
    before = mark_lefts(page)
    screenshot(page, f"live-underline-{site}")
    page.keyboard.press("Control+Home")
    page.keyboard.type("Hi all! ", delay=5)
    # The marks move with the words at the next frame, before any new check has answered.
    page.wait_for_function(f"(first) => {{ const b = ({MARK_BOXES})(); return b.length && Math.min(...b.map((x) => x.left)) > first + 20; }}",
                           arg=before[0], timeout=15_000)
    assert len(mark_lefts(page)) >= len(before) - 1


def test_highlights_stay_after_edit_and_follow_the_text(site_page):
    page = site_page("facebook")
    open_composer(page, "facebook")
    type_post(page, "facebook", SHORT_TEXT)
    click_post(page, "facebook")
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    page.click(f'{PANEL} [data-postguard-action="edit"]')
    page.wait_for_selector(PANEL, state="detached")
    before = mark_lefts(page)
    page.keyboard.press("Control+Home")
    page.keyboard.type("Hi all! ", delay=5)
    # They vanished at the first keystroke after Edit before; now they move with the words.
    page.wait_for_function(f"([first, n]) => {{ const b = ({MARK_BOXES})(); return b.length === n && Math.min(...b.map((x) => x.left)) > first + 20; }}",
                           arg=[before[0], len(before)], timeout=15_000)


@pytest.mark.parametrize("site", SITES)
def test_a_fix_per_finding_puts_neutral_words_in_the_post(site, site_page):
    page = site_page(site)
    open_composer(page, site)
    type_post(page, site, FIX_TEXT)
    click_post(page, site)
    price_card = f'{PANEL} [data-postguard-finding][data-category="pricing"]'
    page.wait_for_selector(price_card, timeout=15_000)
    page.locator(f"{price_card} .pg-message").first.click()
    page.wait_for_function(f"() => ({MARK_BOXES})().some((b) => b.current)")
    screenshot(page, f"panel-fix-{site}")
    fixes = f'{PANEL} [data-postguard-action="fix"]'
    while (left := page.locator(fixes).count()):
        page.locator(fixes).first.click()
        page.locator(fixes).nth(left - 1).wait_for(state="detached")
    page.wait_for_selector(f'{NOTICE} .pg-notice:has-text("Review your post")', timeout=15_000)
    shown = editor_text(page, site)
    assert "a client" in shown and "[price on request]" in shown, shown
    assert "0.42" not in shown and "[removed]" not in shown
    click_post(page, site)
    text = wait_sent(page, timeout_ms=15_000)[0]["text"]
    assert text.strip() == "Special offer for a client: [price on request].", text


def test_clicking_a_card_selects_its_words(site_page):
    page = site_page("facebook")
    open_composer(page, "facebook")
    type_post(page, "facebook", RISKY_TEXT)
    click_post(page, "facebook")
    price_card = f'{PANEL} [data-postguard-finding][data-category="pricing"]'
    page.wait_for_selector(price_card, timeout=15_000)
    page.locator(f"{price_card} .pg-message").first.click()
    selected = page.evaluate("() => document.getSelection().toString()")
    assert selected.startswith(PRICE), selected


def test_dismiss_asks_for_the_reason_takes_the_card_and_its_underline_away_and_the_last_one_posts(site_page):
    page = site_page("facebook")
    open_composer(page, "facebook")
    type_post(page, "facebook", RISKY_TEXT)
    click_post(page, "facebook")
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    cards = page.locator(f"{PANEL} li[data-postguard-finding]").count()
    marks = len(mark_lefts(page))
    confirm = f'{PANEL} [data-postguard-action="confirm-override"]'
    page.locator(f'{PANEL} [data-postguard-action="dismiss"]').first.click()
    # The policy asks for a reason: the card stays until it is given.
    page.wait_for_selector(f'{PANEL} select[data-postguard-field="reason"]:visible')
    assert page.locator(f"{PANEL} li[data-postguard-finding]").count() == cards
    assert page.locator(confirm).inner_text() == "Dismiss"
    page.select_option(f'{PANEL} select[data-postguard-field="reason"]', "false_alarm")
    page.fill(f'{PANEL} textarea[data-postguard-field="justification"]', "these figures are public")
    page.click(confirm)
    page.wait_for_function(f"""(n) => {{ const h = document.querySelector('{PANEL}');
        return !h || h.shadowRoot.querySelectorAll('li[data-postguard-finding]').length === n - 1; }}""", arg=cards)
    assert len(mark_lefts(page)) < marks
    while page.locator(f'{PANEL} [data-postguard-action="dismiss"]').count():
        page.locator(f'{PANEL} [data-postguard-action="dismiss"]').first.click()
        page.click(confirm)  # the reason given before is kept
    if page.locator(f"{confirm}:visible").count():
        page.click(confirm)  # a card without words of its own (the wrong account) left: Post anyway
    assert PRICE in wait_sent(page)[0]["text"]


def test_feedback_in_chinese(site_page):
    page = site_page("linkedin", locale="zh-CN")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", RISKY_TEXT)
    page.wait_for_selector(MARKS, timeout=15_000)
    screenshot(page, "live-underline-linkedin-zh-CN")
    click_post(page, "linkedin")
    page.wait_for_selector(f'{PANEL} [data-postguard-action="fix"]', timeout=15_000)
    assert "修正为：[价格面议]" in page.locator(f"{PANEL} section.pg-panel").inner_text()
    screenshot(page, "panel-fix-linkedin-zh-CN")
