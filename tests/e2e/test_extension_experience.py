"""What a salesperson sees around the guard, in real Chromium with the real companion, in English and in
Chinese: the panel quotes their own words (and the companion's sentence comes in the panel's language),
Tab stays in the panel, the checker-down notice says to contact IT, the options page holds still, and the
toolbar button's popup and badge tell whether the checker runs and what the last check found.

Screenshots: panel-own-words-*, notice-contact-it-*, options-*, popup-* in test-output/screenshots/.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import BrowserContext, Page, Worker

from harness.chromium import EXTENSION_ID, wait_for_managed_value, wait_for_service_worker
from harness.replica_page import assert_nothing_sent
from test_extension_support import (NOTICE, PANEL, RISKY_TEXT, click_post, extension_page, open_composer, screenshot,
                                    type_post, use_companion, wait_for_precheck)

pytestmark = pytest.mark.e2e

SITES = ["linkedin", "facebook", "instagram"]
LOCALES = ["en-US", "zh-CN"]
OPTIONS_URL = f"chrome-extension://{EXTENSION_ID}/options/options.html"
POPUP_URL = f"chrome-extension://{EXTENSION_ID}/popup/popup.html"
SUPPORT_URL = "https://intranet.example.com/help/postguard"
SUPPORT_TEXT = "IT help desk, ext. 4455"
# The enforcement dropdown's "block" option as the options page labels it.
BLOCK_LABEL = {"en-US": "Block (hold risky posts)", "zh-CN": "阻止（拦截有风险的帖子）"}
# The companion's pricing sentence in each language (rules/packs/pricing.yaml), around the quoted words.
PRICE_SENTENCE = {"en-US": "This looks like a price quote", "zh-CN": "这看起来像报价或商务条款"}


def browser(launch_browser, locale: str) -> BrowserContext:
    """Chromium with the extension, its UI in `locale` (the way a Chinese Windows or Linux starts it)."""
    return launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))


FOCUS = """() => {
    let node = document.activeElement;
    const hosts = [];
    while (node && node.shadowRoot && node.shadowRoot.activeElement) { hosts.push(node); node = node.shadowRoot.activeElement; }
    return {inPanel: hosts.some((h) => h.getAttribute('data-postguard') === 'panel'), tag: node ? node.tagName : null,
            action: node && node.dataset ? node.dataset.postguardAction || null : null};
}"""


def focus(page: Page) -> dict:
    """Where focus is, through every shadow root on the way (LinkedIn's composer sits in one):
    {inPanel, tag, action} of the innermost focused element."""
    return page.evaluate(FOCUS)


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("locale", LOCALES)
def test_the_panel_quotes_the_authors_words_in_the_panels_language_and_keeps_focus(site, locale, companion,
                                                                                   launch_browser, open_site):
    context = browser(launch_browser, locale)
    extension_page(context, companion.url)
    page = open_site(context, site)
    open_composer(page, site)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    card = page.locator(f'{PANEL} [data-postguard-finding][data-category="pricing"]').first
    card.wait_for(timeout=15_000)
    text = card.inner_text()
    assert "USD 0.42/pc" in text, text
    assert "*" not in text, "the author's own words, not the audit log's mask"
    assert text.count("0.42") == 1, "the value once per card"
    message = card.locator(".pg-message").inner_text()
    assert PRICE_SENTENCE[locale] in message, f"the companion's sentence in the panel's language: {message}"
    screenshot(page, f"panel-own-words-{site}-{locale}")

    # Tab and Shift+Tab walk the panel's buttons and wrap; the page behind never gets focus.
    page.wait_for_function(f"() => ({FOCUS})().inPanel")
    # The card's own Fix and Dismiss come first (document order), then the panel's actions.
    controls = ["fix", "dismiss", "edit", "redact", "override", "cancel"]
    visited = []
    for _ in range(len(controls) + 2):
        page.keyboard.press("Tab")
        where = focus(page)
        assert where["inPanel"] and where["tag"] == "BUTTON", f"Tab left the panel: {where}"
        visited.append(where["action"])
    assert visited == controls + controls[:2], visited
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        where = focus(page)
        assert where["inPanel"] and where["tag"] == "BUTTON", f"Shift+Tab left the panel: {where}"
    page.keyboard.press("Escape")
    page.wait_for_selector(PANEL, state="detached")
    assert_nothing_sent(page, settle_ms=200)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_checker_down_notice_tells_the_salesperson_to_contact_it(locale, launch_browser, open_site,
                                                                     dead_companion_url):
    context = browser(launch_browser, locale)
    extension_page(context, dead_companion_url, failMode="closed", supportUrl=SUPPORT_URL, supportText=SUPPORT_TEXT)
    page = open_site(context, "linkedin")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", "Hello from the fair")
    click_post(page, "linkedin")
    notice = page.locator(f'{NOTICE} .pg-notice[data-tone="closed"]')
    notice.wait_for()
    text = notice.inner_text()
    assert "postguard serve" not in text and "terminal" not in text and "终端" not in text
    assert ("Contact IT:" if locale == "en-US" else "联系 IT：") in text
    assert page.locator(f'{NOTICE} a[href="{SUPPORT_URL}"]').inner_text() == SUPPORT_URL
    assert SUPPORT_TEXT in text, "IT's own words (supportText) follow 'Contact IT:'"
    screenshot(page, f"notice-contact-it-linkedin-{locale}")
    assert_nothing_sent(page, settle_ms=300)


def refreshes(options: Page) -> int:
    return int(options.evaluate("() => Number(document.getElementById('companion-status').dataset.refreshes || 0)"))


@pytest.mark.parametrize("locale", LOCALES)
def test_the_options_page_holds_still_saves_and_shows_what_it_locks(locale, managed_policy, companion,
                                                                    launch_browser):
    managed_policy({"companionUrl": companion.url, "enforcement": "block"})
    context = browser(launch_browser, locale)
    worker = wait_for_service_worker(context)
    wait_for_managed_value(worker, "enforcement", "block")
    options = context.new_page()
    options.goto(OPTIONS_URL)
    options.wait_for_selector('#companion-status[data-status="up"]')
    field = options.locator("#opt-supportUrl")
    field.fill(SUPPORT_URL)  # typed, not saved yet
    options.evaluate("() => { document.getElementById('opt-supportUrl').__typedInto = true; }")
    started, first = time.monotonic(), refreshes(options)
    # The status refreshes on its own (every 3 s), three times here: the third comes two intervals
    # after the first, so more than 3 s pass even when a busy machine runs the first one late and
    # the next on time (setInterval keeps to its grid: two refreshes in a row can be under 3 s apart)...
    options.wait_for_function("n => Number(document.getElementById('companion-status').dataset.refreshes) >= n",
                              arg=first + 3, timeout=30_000)
    assert time.monotonic() - started > 3, "the page refreshed in a loop"
    # ...and the form is the same form, with what the user typed still in it.
    assert options.evaluate("() => document.getElementById('opt-supportUrl').__typedInto === true"), "the form was rebuilt"
    assert field.input_value() == SUPPORT_URL
    # IT's value shows, locked.
    assert options.locator('.row[data-key="enforcement"]').get_attribute("data-locked") == "true"
    assert options.locator("#opt-enforcement").is_disabled()
    assert options.locator("#opt-enforcement").input_value() == "block"
    assert options.locator('.row[data-key="enforcement"] .locked').is_visible()
    assert options.locator('#opt-enforcement option[value="block"]').inner_text() == BLOCK_LABEL[locale], \
        "the dropdown says what each value does, in the page's language"
    options.locator("#opt-failMode").select_option("closed")
    options.click("#save")
    options.wait_for_function("() => document.getElementById('settings-result').textContent.length > 0")
    stored = worker.evaluate("async () => (await chrome.storage.local.get('userSettings')).userSettings")
    assert stored["supportUrl"] == SUPPORT_URL and stored["failMode"] == "closed", stored
    screenshot(options, f"options-{locale}")
    options.reload()
    options.wait_for_selector('#companion-status[data-status="up"]')
    assert options.locator("#opt-supportUrl").input_value() == SUPPORT_URL, "saved values persist"
    assert options.locator("#opt-failMode").input_value() == "closed"


def tab_id(worker: Worker, origin: str) -> int:
    """The id of the tab showing `origin` (the tab the popup is opened over)."""
    return worker.evaluate("""async (origin) => {
        const tabs = await chrome.tabs.query({});
        const tab = tabs.find((t) => (t.url || '').startsWith(origin));
        return tab ? tab.id : -1;
    }""", origin)


def open_popup(context: BrowserContext, tab: int) -> Page:
    """The toolbar popup as a page, opened over tab `tab`, sized like the real popup."""
    popup = context.new_page()
    popup.set_viewport_size({"width": 340, "height": 560})
    popup.goto(f"{POPUP_URL}?tab={tab}")
    popup.wait_for_selector("body[data-ready=true]")
    return popup


def badge(worker: Worker) -> dict:
    return worker.evaluate("""async () => ({text: await chrome.action.getBadgeText({}),
        color: await chrome.action.getBadgeBackgroundColor({})})""")


def wait_for_badge(worker: Worker, text: str, timeout_s: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        current = badge(worker)
        if current["text"] == text or time.monotonic() > deadline:
            return current
        time.sleep(0.1)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_popup_says_what_is_protected_and_what_the_last_check_found(locale, companion, launch_browser, open_site):
    context = browser(launch_browser, locale)
    worker = extension_page(context, companion.url, sites=["linkedin", "facebook"], supportUrl=SUPPORT_URL)
    page = open_site(context, "linkedin")
    open_composer(page, "linkedin")
    last_key = type_post(page, "linkedin", RISKY_TEXT)
    wait_for_precheck(worker, last_key)
    popup = open_popup(context, tab_id(worker, "https://www.linkedin.com"))
    assert popup.locator("#checker").get_attribute("data-status") == "up"
    assert popup.locator("#this-site").get_attribute("data-state") == "protected"
    protected = {li.get_attribute("data-site"): li.get_attribute("data-protected") for li in popup.locator("#sites li").all()}
    assert protected == {"linkedin": "true", "facebook": "true", "instagram": "false"}
    assert popup.locator("#last-check").get_attribute("data-verdict") == "warn"
    categories = popup.locator('#last-check [data-part="categories"]').inner_text()
    assert ("Price quote" if locale == "en-US" else "报价") in categories
    assert "0.42" not in popup.inner_text("body"), "the popup never shows the post"
    assert "pricing@" in popup.locator("#rules").text_content()
    assert popup.locator("#org").get_attribute("data-example") == "true", "the session's companion runs the example org"
    assert popup.locator("#help").get_attribute("href") == SUPPORT_URL
    screenshot(popup, f"popup-{locale}")
    with context.expect_page() as opened:
        popup.click("#open-settings")
    opened.value.wait_for_url(f"{OPTIONS_URL}*")

    # Over a site Postguard does not guard here.
    instagram = open_site(context, "instagram")
    other = open_popup(context, tab_id(worker, "https://www.instagram.com"))
    assert other.locator("#this-site").get_attribute("data-state") == "off"
    instagram.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_badge_turns_red_while_the_checker_is_down(locale, start_companion_process, launch_browser, open_site,
                                                       dead_companion_url):
    context = browser(launch_browser, locale)
    worker = extension_page(context, dead_companion_url, supportUrl=SUPPORT_URL)
    down = wait_for_badge(worker, "!")
    assert down["text"] == "!" and down["color"][:3] == [192, 57, 43], down  # no post was checked: the health read did it
    page = open_site(context, "linkedin")
    popup = open_popup(context, tab_id(worker, "https://www.linkedin.com"))
    assert popup.locator("#checker").get_attribute("data-status") == "down"
    assert popup.locator("#this-site").get_attribute("data-state") == "down", "not called protected while nothing is checked"
    checker = popup.locator("#checker").inner_text()
    assert ("Contact IT:" if locale == "en-US" else "联系 IT：") in checker and "postguard serve" not in checker
    screenshot(popup, f"popup-down-{locale}")
    companion = start_companion_process()
    use_companion(worker, companion.url, supportUrl=SUPPORT_URL)
    assert wait_for_badge(worker, "")["text"] == "", "the badge clears once the checker answers"
    page.close()
