"""The extension in real headless Chromium on the three replica sites, against the real companion:
what a salesperson sees when a post is risky, and that nothing at all happens to a clean one.

Each test types with real key events, clicks with the mouse and reads what the site's OWN Post/Share
handler sent (`window.__replica.sent`) and what reached the companion's audit log.
"""

from __future__ import annotations

import hashlib

import pytest

from harness.companion import start_companion
from test_extension_support import (CLEAN_TEXT, NOTICE, PANEL, RISKY_TEXT, answer_photo_review, attach_photo,
                                    checks_started_since,
                                    click_post, editor_text, extension_page, holds_the_price, landscape_png, now_ms, open_composer,
                                    pixels, png_bytes, screenshot, sent, type_post, wait_for_audit, wait_for_precheck,
                                    wait_sent, worker_of)

pytestmark = pytest.mark.e2e
SITES = ["linkedin", "facebook", "instagram"]
RISKY_PHOTO_LINES = ["QUOTATION for Hansen Maschinenbau GmbH", "Unit price: USD 0.42/pc FOB Ningbo",
                     "Contact: j.hansen@hansen-mb.de", "Payment: 30% T/T deposit"]


@pytest.fixture
def site_page(companion, launch_browser, open_site):
    """Factory: a tab on `site` in a browser with the extension pointed at the session's companion."""
    def make(site: str, **settings):
        context = launch_browser(extension=True)
        extension_page(context, companion.url, **settings)
        return open_site(context, site)
    return make


@pytest.mark.parametrize("site", SITES)
def test_risky_text_is_held_and_the_panel_explains_it(site, site_page):
    page = site_page(site)
    open_composer(page, site)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    page.wait_for_selector(f'{PANEL} [data-postguard-finding][data-category="pricing"]', timeout=15_000)
    finding = page.locator(f'{PANEL} [data-postguard-finding][data-category="pricing"]').first
    assert "USD 0.42/pc" in finding.inner_text() and "*" not in finding.inner_text(), "the author sees their own words"
    assert page.locator(f'{PANEL} [data-postguard-action="override"]').is_visible()
    assert page.locator('[data-postguard="highlights"]').count() == 1
    screenshot(page, f"panel-{site}")
    page.wait_for_timeout(300)
    assert sent(page) == [], "the site's own Post handler never ran"


@pytest.mark.parametrize("site", SITES)
def test_clean_text_goes_out_untouched(site, site_page):
    page = site_page(site)
    worker = worker_of(page)
    open_composer(page, site)
    last_key_ms = type_post(page, site, CLEAN_TEXT)
    wait_for_precheck(worker, last_key_ms)  # checked while the user paused, before any click
    clicked_at = now_ms()
    click_post(page, site)
    posts = wait_sent(page)
    assert posts[0]["text"].strip() == CLEAN_TEXT
    assert page.locator(PANEL).count() == 0
    assert page.locator(NOTICE).count() == 0
    page.wait_for_timeout(300)
    assert checks_started_since(worker, clicked_at) == 0, "the click used the pre-check's answer: nothing was held"


@pytest.mark.parametrize("site", SITES)
def test_risky_photo_is_held(site, site_page):
    page = site_page(site)
    photo = png_bytes(RISKY_PHOTO_LINES)
    open_composer(page, site, photo=photo, review="original")  # the user kept the original at attach time
    type_post(page, site, "New season, new catalogue.")
    click_post(page, site)
    try:
        page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=40_000)
    except Exception:
        screenshot(page, f"failed-photo-{site}")
        raise AssertionError(f"no panel; site sent {len(sent(page))} post(s); notices: {page.locator(NOTICE).all_inner_texts()}")
    text = page.locator(f"{PANEL} section.pg-panel").inner_text()
    assert "In photo 1" in text
    screenshot(page, f"panel-photo-{site}")
    assert sent(page) == []


@pytest.mark.parametrize("site", SITES)
def test_redact_changes_the_editor_and_the_site_sends_the_redacted_text(site, site_page):
    page = site_page(site)
    open_composer(page, site)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    page.click(f'{PANEL} [data-postguard-action="redact"]', timeout=15_000)
    page.wait_for_selector(PANEL, state="detached", timeout=15_000)
    shown = editor_text(page, site)
    assert "[price on request]" in shown and "0.42" not in shown, "the category's neutral words, not [removed]"
    click_post(page, site)
    posts = wait_sent(page)
    assert "[price on request]" in posts[0]["text"]
    assert "0.42" not in posts[0]["text"] and "Ningbo" not in posts[0]["text"]
    assert posts[0]["text"].strip() == shown.strip(), "the site's model holds what the editor shows"


@pytest.mark.parametrize("site", SITES)
def test_post_anyway_with_a_justification_posts_and_is_audited(site, site_page, companion):
    page = site_page(site)
    open_composer(page, site)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    page.click(f'{PANEL} [data-postguard-action="override"]', timeout=15_000)
    page.click(f'{PANEL} [data-postguard-action="confirm-override"]')
    assert "choose a reason" in page.locator(f"{PANEL} section.pg-panel").inner_text()
    assert sent(page) == []
    reason = f"price list already public on our website ({site})"
    page.select_option(f'{PANEL} select[data-postguard-field="reason"]', "public")
    page.fill(f'{PANEL} textarea[data-postguard-field="justification"]', reason)
    page.click(f'{PANEL} [data-postguard-action="confirm-override"]')
    posts = wait_sent(page)
    assert "USD 0.42/pc" in posts[0]["text"]
    events = wait_for_audit(companion.data_dir, lambda e: reason in json_text(e))
    decision = next(e for e in events if reason in json_text(e))
    assert "overridden" in json_text(decision)
    assert not holds_the_price(json_text(decision)), "the audit log never holds the post text"


def json_text(event: dict) -> str:
    import json
    return json.dumps(event, ensure_ascii=False)


@pytest.mark.parametrize("site", SITES)
def test_photo_redaction_makes_the_site_send_the_redacted_photo_instead(site, site_page):
    page = site_page(site)
    photo = png_bytes(RISKY_PHOTO_LINES)
    open_composer(page, site, photo=photo, review="original")  # undone at attach time, redacted at Post
    type_post(page, site, "Our new catalogue.")
    click_post(page, site)
    page.click(f'{PANEL} [data-postguard-action="redact"]', timeout=40_000)
    # The redacted photo is checked again and is clean: the panel goes and a notice says so.
    page.wait_for_selector(f'{NOTICE} .pg-notice:has-text("Redacted")', timeout=40_000)
    assert page.locator(PANEL).count() == 0
    screenshot(page, f"photo-redacted-{site}")
    click_post(page, site)
    posts = wait_sent(page, timeout_ms=40_000)
    assert page.locator(PANEL).count() == 0
    files = posts[0]["files"]
    assert len(files) == 1, f"exactly one photo goes out, the redacted one: {files}"
    assert files[0]["sha256"] != hashlib.sha256(photo).hexdigest(), "the original is no longer attached"
    assert files[0]["type"] == "image/png"
    assert pixels(page, files[0]["sha256"]) == {"width": 1000, "height": 600}, "same dimensions as the original"
    assert posts[0]["text"].strip() == "Our new catalogue."


def test_instagram_warns_at_the_first_next_and_holds_at_share(site_page):
    page = site_page("instagram")
    page.click('a:has([aria-label="New post"]), [aria-label="New post"]')
    attach_photo(page, "instagram", "quote.png", png_bytes(RISKY_PHOTO_LINES))
    answer_photo_review(page, "original")
    page.click('[role="dialog"] [role="button"]:text-is("Next")')  # Crop -> Edit: never held
    notice = page.wait_for_selector(f'{NOTICE} .pg-notice[data-kind="early-photo"]', timeout=40_000)
    assert "Price quote" in notice.inner_text() and "share" in notice.inner_text()
    assert page.locator('[role="dialog"] #ig-create-title').inner_text() == "Edit", "the flow went on"
    screenshot(page, "notice-instagram-next")
    page.click('[role="dialog"] [role="button"]:text-is("Next")')
    type_post(page, "instagram", "New catalogue is out.")
    click_post(page, "instagram")
    page.wait_for_selector(f'{PANEL} [data-postguard-finding][data-category="pricing"]', timeout=40_000)
    assert page.locator(f'{NOTICE} .pg-notice[data-kind="early-photo"]').count() == 0
    page.wait_for_timeout(300)
    assert sent(page) == [], "Share is where the post is held"


@pytest.fixture(scope="module")
def companion_without_ocr(tmp_path_factory):
    """A companion on a machine where Tesseract is missing: photos cannot be read at all."""
    process = start_companion(tmp_path_factory.mktemp("companion-no-ocr"), env={"PATH": "/nonexistent"})
    yield process
    process.stop()


def test_a_photo_that_could_not_be_read_is_said_so_and_the_post_still_goes(companion_without_ocr, launch_browser,
                                                                           open_site):
    context = launch_browser(extension=True)
    extension_page(context, companion_without_ocr.url)
    page = open_site(context, "facebook")
    open_composer(page, "facebook", photo=landscape_png())
    type_post(page, "facebook", CLEAN_TEXT)
    notice = page.wait_for_selector(f'{NOTICE} .pg-notice[data-tone="warn"]', timeout=15_000)
    assert "could not be fully checked" in notice.inner_text()
    screenshot(page, "notice-photo-not-checked-facebook")
    click_post(page, "facebook")
    assert len(wait_sent(page)[0]["files"]) == 1


def test_the_panel_says_when_a_photo_could_not_be_read(companion_without_ocr, launch_browser, open_site):
    context = launch_browser(extension=True)
    extension_page(context, companion_without_ocr.url)
    page = open_site(context, "linkedin")
    open_composer(page, "linkedin", photo=png_bytes(RISKY_PHOTO_LINES))
    type_post(page, "linkedin", RISKY_TEXT)
    click_post(page, "linkedin")
    page.wait_for_selector(f'{PANEL} [data-postguard-finding][data-category="pricing"]', timeout=15_000)
    assert "The photo could not be fully checked" in page.locator(f'{PANEL} [data-postguard-part="ocr"]').inner_text()
    assert sent(page) == []


def test_linkedin_ctrl_enter_is_intercepted(site_page):
    page = site_page("linkedin")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", RISKY_TEXT)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    assert sent(page) == []


def test_facebook_comment_enter_is_intercepted_and_shift_enter_is_a_new_line(site_page):
    page = site_page("facebook")
    box = '[role="textbox"][aria-label="Write a comment…"]'
    page.click(box)
    page.keyboard.type("Dear buyer, our price is USD 3.85/set FOB Ningbo", delay=5)
    page.keyboard.press("Shift+Enter")
    assert sent(page) == []
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    screenshot(page, "panel-facebook-comment")
    assert sent(page) == []
    page.keyboard.press("Escape")
    page.wait_for_selector(PANEL, state="detached")
    page.keyboard.type(" see you", delay=5)
    assert "see you" in page.locator(box).inner_text(), "Esc gave the editor its focus back"


@pytest.fixture(scope="module")
def companion_out_of_time(tmp_path_factory):
    """A companion whose check budget runs out at once: what a salesperson meets with a huge post."""
    process = start_companion(tmp_path_factory.mktemp("companion-budget"),
                              env={"POSTGUARD_CHECK_BUDGET_S": "0.000001"})
    yield process
    process.stop()


@pytest.mark.parametrize("locale, note", [("en-US", "too long to check completely"), ("zh-CN", "未能完全检查")])
def test_the_panel_says_when_the_text_could_not_be_fully_checked(companion_out_of_time, launch_browser, open_site,
                                                                 locale, note):
    """The org lists run before anything a budget can cut, so the client is still named."""
    context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
    extension_page(context, companion_out_of_time.url)
    page = open_site(context, "linkedin")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", "Shipped the spring order to Hansen Maschinenbau today.")
    click_post(page, "linkedin")
    page.wait_for_selector(f'{PANEL} [data-postguard-finding][data-category="client_confidential"]', timeout=15_000)
    assert note in page.locator(f'{PANEL} [data-postguard-part="text-incomplete"]').inner_text()
    screenshot(page, f"panel-text-incomplete-linkedin-{locale}")
    assert sent(page) == []
