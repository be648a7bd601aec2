"""The extension in Debian's firefox-esr (WebDriver BiDi through puppeteer-core) on the three replica
composers, against the real companion: the same extension folder Chromium loads, the same replicas at
their real hostnames, IT's settings from Firefox's policies.json.

What a salesperson notices, on LinkedIn, Facebook and Instagram:
- a risky post is held and the panel explains it, in the writer's own words; the site's own Post
  handler never ran (English and Chinese, with screenshots);
- a clean post goes out as typed (what the replica's own handler recorded);
- keyboard submits are held like clicks (LinkedIn's Ctrl+Enter, a Facebook comment's Enter);
- with the checker down, IT's failMode decides: `closed` holds the post with a notice, `open` lets it
  out with a notice. (That the queued decision reaches the audit log once the checker is back is
  tested in Chromium, tests/e2e/test_extension_policy.py.)

The managed install itself (policies.json force-installing the .xpi) is in test_firefox_force_install.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from harness.companion import CompanionProcess, free_port, start_companion
from harness.connect_proxy import ConnectProxy
from harness.firefox import FirefoxBrowser, FirefoxPage, FirefoxPolicy, allowed_origins_env, firefox_missing
from harness.replica_page import screenshot_path
from harness.replica_server import SITES, ReplicaServer

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]

SITE_IDS = ["linkedin", "facebook", "instagram"]
RISKY_TEXT = "Special offer for Hansen: USD 0.42/pc FOB Ningbo, 30% T/T deposit."
CLEAN_TEXT = "Great to meet so many partners at the Canton Fair this week. Thank you all!"
PANEL = '>>> [data-postguard="panel"]'
NOTICE = '>>> [data-postguard="notice"]'
FINDING = f"{PANEL} >>> [data-postguard-finding]"
# The companion's pricing sentence (rules/packs/pricing.yaml) and the panel's Edit button, per language.
PRICE_SENTENCE = {"en-US": "This looks like a price quote", "zh-CN": "这看起来像报价或商务条款"}
EDIT_LABEL = {"en-US": "Edit", "zh-CN": "编辑"}

EDITORS = {
    "linkedin": '>>> [data-test-modal-id="sharebox"] .ql-editor[contenteditable="true"][role="textbox"]',
    "facebook": 'div[role="dialog"][aria-label="Create post"] div[contenteditable="true"][role="textbox"][data-lexical-editor="true"]',
    "instagram": 'div[role="dialog"] div[aria-label="Write a caption..."][contenteditable="true"][role="textbox"]',
}


# ---------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def proxy(replica_server: ReplicaServer) -> Iterator[ConnectProxy]:
    """The CONNECT proxy Firefox's PAC script sends the replica hostnames to."""
    tunnel = ConnectProxy([site.hostname for site in SITES.values()], replica_server.port).start()
    yield tunnel
    tunnel.stop()


@pytest.fixture(scope="module")
def firefox_companion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompanionProcess]:
    """A real companion that allows the Firefox extension's origin as IT would configure it."""
    try:
        process = start_companion(tmp_path_factory.mktemp("firefox-companion"), env=allowed_origins_env())
    except FileNotFoundError as missing:
        pytest.skip(f"companion not installed: {missing}")
    yield process
    process.stop()


@pytest.fixture
def launch_firefox(proxy: ConnectProxy) -> Iterator[Callable[..., FirefoxBrowser]]:
    """Factory: `launch_firefox(managed: dict, locale="en-US", **options)` → firefox-esr with the extension
    and IT's managed values in policies.json (read at start-up); `options` go to FirefoxBrowser (e.g.
    extension_pages=True). Closed, and the policy removed, at teardown."""
    policy = FirefoxPolicy()
    browsers: list[FirefoxBrowser] = []

    def launch(managed: dict, locale: str = "en-US", **options) -> FirefoxBrowser:
        policy.write(managed)
        browser = FirefoxBrowser(proxy.pac_script(), locale=locale, **options)
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()
    policy.remove()


@pytest.fixture
def landscape(tmp_path: Path) -> Path:
    """A photo for Instagram, which needs one to reach the caption: sky and hills, no text."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 600), (135, 190, 235))
    ImageDraw.Draw(image).polygon([(0, 600), (0, 380), (300, 260), (620, 400), (900, 300), (900, 600)],
                                  fill=(70, 140, 80))
    path = tmp_path / "landscape.png"
    image.save(path)
    return path


# ------------------------------------------------------------------------------------------ user steps

def open_composer(page: FirefoxPage, site: str, photo: Path) -> None:
    """Open the site's composer the way a person does; Instagram walks to its caption step."""
    if site == "linkedin":
        page.click('[aria-label="Start a post"]')
    elif site == "facebook":
        page.click('div[role="region"][aria-label="Create a post"] [role="button"]::-p-text("What\'s on your mind")')
    else:
        page.click('svg[aria-label="New post"]')
        page.wait_for_selector('div[role="dialog"] button::-p-text(Select from computer)')
        page.set_files('div[role="dialog"] input[type="file"]', photo)
        page.click_text('div[role="dialog"] div[role="button"]', "Next")
        page.wait_for_selector('div[role="dialog"] canvas')
        page.click_text('div[role="dialog"] div[role="button"]', "Next")
    page.wait_for_selector(EDITORS[site])


def type_post(page: FirefoxPage, site: str, text: str) -> None:
    page.click(EDITORS[site])
    page.type(text)


def click_post(page: FirefoxPage, site: str) -> None:
    """The site's own Post / Share, with the mouse."""
    if site == "linkedin":
        page.click(">>> button.share-actions__primary-action")
    elif site == "facebook":
        page.click('div[role="dialog"][aria-label="Create post"] div[role="button"][aria-label="Post"]')
    else:
        page.click_text('div[role="dialog"] div[role="button"]', "Share")


def wait_sent(page: FirefoxPage, count: int = 1, timeout_ms: float = 20_000) -> list[dict]:
    """What the site's own handler sent, once `count` submissions are recorded and hashed."""
    page.wait_for_function("(n) => window.__replica.sent.length >= n && window.__replica.pending === 0",
                           count, timeout_ms)
    return page.evaluate("() => window.__replica.sent")


def sent_now(page: FirefoxPage) -> list[dict]:
    page.wait_for_function("() => window.__replica.pending === 0")
    return page.evaluate("() => window.__replica.sent")


def composer(launch_firefox, site: str, managed: dict, photo: Path, locale: str = "en-US") -> FirefoxPage:
    """Firefox with IT's `managed` settings, on `site`'s replica with its composer open."""
    browser = launch_firefox(managed, locale=locale)
    page = browser.open_replica(f"https://{SITES[site].hostname}{SITES[site].home_path}")
    open_composer(page, site, photo)
    return page


# ------------------------------------------------------------------------------------------------ tests

@pytest.mark.parametrize("site", SITE_IDS)
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_risky_post_is_held_with_the_panel_in_firefoxs_language(site, locale, launch_firefox, firefox_companion,
                                                                landscape):
    page = composer(launch_firefox, site, {"companionUrl": firefox_companion.url}, landscape, locale=locale)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    card = f'{FINDING}[data-category="pricing"]'
    page.wait_for_selector(card, timeout_ms=30_000)
    text = page.texts(card)[0]
    assert "USD 0.42/pc" in text and "*" not in text, "the author sees their own words"
    message = page.texts(f"{card} .pg-message")[0]
    assert PRICE_SENTENCE[locale] in message, f"the companion's sentence in the panel's language: {message}"
    assert page.texts(f"{PANEL} >>> [data-postguard-action=\"edit\"]") == [EDIT_LABEL[locale]]
    page.screenshot(screenshot_path(f"firefox-panel-{site}-{locale}"))
    assert sent_now(page) == [], "the site's own Post handler never ran"


@pytest.mark.parametrize("site", SITE_IDS)
def test_clean_post_goes_out_as_typed(site, launch_firefox, firefox_companion, landscape):
    page = composer(launch_firefox, site, {"companionUrl": firefox_companion.url}, landscape)
    type_post(page, site, CLEAN_TEXT)
    click_post(page, site)
    posts = wait_sent(page)
    assert posts[0]["text"].strip() == CLEAN_TEXT
    assert page.count(PANEL) == 0


@pytest.mark.parametrize("site", SITE_IDS)
def test_checker_down_with_fail_closed_holds_the_post(site, launch_firefox, landscape):
    dead = f"http://127.0.0.1:{free_port()}"
    page = composer(launch_firefox, site, {"companionUrl": dead, "failMode": "closed"}, landscape)
    type_post(page, site, CLEAN_TEXT)
    click_post(page, site)
    page.wait_for_selector(f"{NOTICE} >>> .pg-notice", timeout_ms=30_000)
    notice = " ".join(page.texts(f"{NOTICE} >>> .pg-notice"))
    assert "checker isn't running" in notice and "postguard serve" not in notice
    assert sent_now(page) == [], "fail closed: nothing went out"


@pytest.mark.parametrize("site", SITE_IDS)
def test_checker_down_with_fail_open_lets_the_post_out(site, launch_firefox, landscape):
    dead = f"http://127.0.0.1:{free_port()}"
    page = composer(launch_firefox, site, {"companionUrl": dead, "failMode": "open"}, landscape)
    type_post(page, site, CLEAN_TEXT)
    click_post(page, site)
    posts = wait_sent(page, timeout_ms=30_000)
    assert posts[0]["text"].strip() == CLEAN_TEXT
    page.wait_for_selector(f"{NOTICE} >>> .pg-notice")
    assert "went out unchecked" in " ".join(page.texts(f"{NOTICE} >>> .pg-notice"))


def test_linkedin_ctrl_enter_is_held_like_a_click(launch_firefox, firefox_companion, landscape):
    page = composer(launch_firefox, "linkedin", {"companionUrl": firefox_companion.url}, landscape)
    type_post(page, "linkedin", RISKY_TEXT)
    page.press("Enter", "Control")
    page.wait_for_selector(f'{FINDING}[data-category="pricing"]', timeout_ms=30_000)
    assert sent_now(page) == []


def test_facebook_comment_enter_is_held_and_shift_enter_is_a_new_line(launch_firefox, firefox_companion):
    browser = launch_firefox({"companionUrl": firefox_companion.url})
    page = browser.open_replica("https://www.facebook.com/")
    box = 'div[contenteditable="true"][role="textbox"][aria-label="Write a comment…"]'
    page.click(box)
    page.type("Dear buyer, our price is USD 3.85/set FOB Ningbo")
    page.press("Enter", "Shift")
    page.press("Enter")
    page.wait_for_selector(f'{FINDING}[data-category="pricing"]', timeout_ms=30_000)
    assert sent_now(page) == [], "Shift+Enter is a new line, Enter is held"
    page.press("Escape")
    page.wait_for_selector(PANEL, state="hidden")
    page.type(" see you")
    assert "see you" in page.texts(box)[0], "Esc gave the editor its focus back"
