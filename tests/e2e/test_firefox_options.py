"""The options page and the toolbar popup in Debian's firefox-esr, opened at their moz-extension:// URL, with
IT's settings from policies.json (3rdparty → Extensions → add-on ID) and the real companion:

- a value IT set shows IT's value, locked ("Set by your organisation"), and cannot be changed;
- a value the user saves stays put while the page refreshes its status, and is there when the page is
  opened again;
- the popup (read-only here) says the checker runs and which sites IT protects on this browser.

Screenshots of both pages in English and Chinese.
"""

from __future__ import annotations

from typing import Callable

import pytest

from harness.firefox import FirefoxBrowser, FirefoxPage, firefox_missing
from harness.replica_page import screenshot_path
from test_firefox_composers import firefox_companion, launch_firefox, proxy  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]

OPTIONS = "options/options.html"
POPUP = "popup/popup.html"
LOCKED_LABEL = {"en-US": "Set by your organisation", "zh-CN": "由贵公司设定"}
SAVED = {"en-US": "Saved.", "zh-CN": "已保存。"}


@pytest.fixture
def firefox_with_pages(launch_firefox) -> Callable[..., FirefoxBrowser]:  # noqa: F811
    """Factory: `firefox_with_pages(managed, locale)` → firefox-esr that may open the extension's own pages."""
    return lambda managed, locale="en-US": launch_firefox(managed, locale, extension_pages=True, viewport=(1000, 900))


def options_page(browser: FirefoxBrowser) -> FirefoxPage:
    """The options page, once its first status read has filled the form."""
    page = browser.extension_page(OPTIONS)
    page.wait_for_selector('#companion-status[data-refreshes]', state="attached", timeout_ms=30_000)
    return page


def row_state(page: FirefoxPage, key: str) -> dict:
    return page.evaluate("""(key) => { const row = document.querySelector(`.row[data-key="${key}"]`);
        const c = row.querySelector('input, select');
        return {locked: row.dataset.locked, disabled: c.disabled, value: c.type === 'checkbox' ? c.checked : c.value,
                label: row.querySelector('.locked').getClientRects().length ? row.querySelector('.locked').textContent : ''}; }""", key)


def refreshes(page: FirefoxPage) -> int:
    return int(page.evaluate("() => document.getElementById('companion-status').dataset.refreshes"))


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_options_page_shows_it_locks_and_keeps_what_the_user_saved(locale, firefox_with_pages, firefox_companion):  # noqa: F811
    managed = {"companionUrl": firefox_companion.url, "failMode": "closed", "sites": ["linkedin", "facebook"]}
    browser = firefox_with_pages(managed, locale)
    page = options_page(browser)
    page.wait_for_selector('#companion-status[data-status="up"]', timeout_ms=30_000)
    for key, value in (("failMode", "closed"), ("companionUrl", firefox_companion.url)):
        state = row_state(page, key)
        assert state["locked"] == "true" and state["disabled"] is True and state["value"] == value, (key, state)
        assert state["label"] == LOCKED_LABEL[locale]
    free = row_state(page, "supportText")
    assert free["locked"] == "false" and free["disabled"] is False and free["label"] == ""
    page.click("#opt-supportText")
    page.type("ext. 4455")
    page.click("#opt-requireJustification")
    seen = refreshes(page)
    page.wait_for_function("(n) => Number(document.getElementById('companion-status').dataset.refreshes) >= n + 1", seen)
    assert row_state(page, "supportText")["value"] == "ext. 4455", "a status refresh leaves typed values alone"
    page.click("#save")
    page.wait_for_function("(text) => document.getElementById('settings-result').textContent === text", SAVED[locale])
    page.screenshot(screenshot_path(f"firefox-options-{locale}"))
    again = options_page(browser)
    assert row_state(again, "supportText")["value"] == "ext. 4455", "saved values persist"
    assert row_state(again, "requireJustification")["value"] is False
    assert row_state(again, "failMode")["locked"] == "true"


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_popup_says_the_checker_runs_and_which_sites_it_protects(locale, firefox_with_pages, firefox_companion):  # noqa: F811
    managed = {"companionUrl": firefox_companion.url, "sites": ["linkedin", "facebook"]}
    browser = firefox_with_pages(managed, locale)
    page = browser.extension_page(POPUP)
    page.wait_for_selector('#checker[data-status="up"]', timeout_ms=30_000)
    protected = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#sites [data-site]')]
        .map((li) => [li.dataset.site, li.dataset.protected]))""")
    assert protected == {"linkedin": "true", "facebook": "true", "instagram": "false"}
    page.screenshot(screenshot_path(f"firefox-popup-{locale}"))
