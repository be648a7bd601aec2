"""Photos are reviewed when they are attached, before the site has them: a risky photo is blacked out,
previewed with Undo, and the site is handed only the file the user accepts. Every assertion about what
went out reads the replica's own Post/Share handler record (`window.__replica.sent`: the file bytes' SHA-256
and decoded size), never the extension's account.
"""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from test_extension_support import (NOTICE, PANEL, PHOTO_REVIEW, answer_photo_review, attach_photo, click_post,
                                    extension_page, landscape_png, open_composer, pixels, png_bytes, screenshot,
                                    SUBMITS, sent, type_post, wait_sent)

pytestmark = pytest.mark.e2e
SITES = ["linkedin", "facebook", "instagram"]
QUOTE_LINES = ["QUOTATION for Hansen Maschinenbau GmbH", "Unit price: USD 0.42/pc FOB Ningbo",
               "Contact: j.hansen@hansen-mb.de", "Payment: 30% T/T deposit"]
DIALOGS = {
    "linkedin": '[data-test-modal-id="sharebox"][role="dialog"]',
    "facebook": 'div[role="dialog"][aria-label="Create post"]',
    "instagram": 'div[role="dialog"]',
}
EDITORS = {
    "linkedin": '[data-test-modal-id="sharebox"] .ql-editor[contenteditable="true"]',
    "facebook": '[role="dialog"] [data-lexical-editor="true"][contenteditable="true"]',
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def quote_photo(tag: str) -> bytes:
    """A photographed quotation; the tag line keeps the companion's OCR cache from answering another test."""
    return png_bytes([*QUOTE_LINES, f"Ref {tag}"])


@pytest.fixture
def site_page(companion, launch_browser, open_site):
    def make(site: str, locale: str = "en-US"):
        context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
        extension_page(context, companion.url)
        return open_site(context, site)
    return make


def to_caption(page) -> None:
    """Instagram, after the photo was handed over: Crop → Edit → caption."""
    for _ in range(2):
        page.click('[role="dialog"] [role="button"]:text-is("Next")')
    page.wait_for_selector('[role="dialog"] [aria-label="Write a caption..."][contenteditable="true"]')


def start_with_photo(page, site: str, photo: bytes) -> None:
    """Open the composer and pick `photo` through the site's own file chooser (no waiting for a preview:
    the site has nothing to preview until the review is answered)."""
    if site == "instagram":
        page.click('a:has([aria-label="New post"]), [aria-label="New post"]')
    else:
        open_composer(page, site)
    attach_photo(page, site, "quote.png", photo)


def _notice_clear_of(page, selector: str, timeout_s: float = 15.0) -> bool:
    """True as soon as the notice and the control do not overlap (False if they still do after
    `timeout_s`: generous, since a loaded machine decodes the photo and draws the frames late)."""
    deadline = time.monotonic() + timeout_s
    while True:
        notice = page.locator(f"{NOTICE} .pg-notice").bounding_box()
        control = page.locator(selector).first.bounding_box()
        if notice and control and not _overlap(notice, control):
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


@pytest.mark.parametrize("site", SITES)
def test_a_blacked_out_copy_is_what_the_site_posts(site, site_page):
    page = site_page(site)
    photo = quote_photo(f"black-out {site}")
    start_with_photo(page, site, photo)
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="redacted"]', timeout=40_000)
    review = page.locator(f"{PHOTO_REVIEW}").inner_text()
    assert "Price quote" in review and "Attach blacked-out photo" in review
    assert page.locator(f'{DIALOGS[site]} img[src^="blob:"]').count() == 0, "the site has no photo yet"
    screenshot(page, f"photo-review-{site}")
    page.click(f'{PANEL} [data-postguard-action="photo-attach"]')
    page.wait_for_selector(PANEL, state="detached")
    page.wait_for_selector(f'{NOTICE} .pg-notice[data-kind="photo-done"]:has-text("blacked-out photo is attached")')
    if site == "linkedin":
        screenshot(page, "notice-photo-attached-linkedin")
    if site != "instagram":  # Instagram's Share appears only at the caption step
        # Once the site shows the photo its dialog has grown; the notice must have moved off the
        # Post button by the next frames (it follows the dialog's size).
        page.wait_for_selector(f'{DIALOGS[site]} img[src^="blob:"]')
        assert _notice_clear_of(page, SUBMITS[site]), "the notice must not sit over the site's Post button"
    if site == "instagram":
        to_caption(page)
    type_post(page, site, "Our new catalogue is out.")
    click_post(page, site)
    posts = wait_sent(page, timeout_ms=40_000)
    files = posts[0]["files"]
    assert len(files) == 1, files
    assert files[0]["sha256"] != sha(photo), "the site's Post handler received the blacked-out copy"
    assert files[0]["type"] == "image/png" and files[0]["name"] == "quote.png"
    assert pixels(page, files[0]["sha256"]) == {"width": 1000, "height": 600}
    assert page.locator(PANEL).count() == 0, "the blacked-out copy is clean: the post was not held"


def test_undo_attaches_the_original_and_the_post_is_checked_again(site_page):
    page = site_page("facebook")
    photo = quote_photo("undo")
    start_with_photo(page, "facebook", photo)
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="redacted"]', timeout=40_000)
    page.click(f'{PANEL} [data-postguard-action="photo-undo"]')
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="original"]')
    assert page.locator(f'{PANEL} [data-postguard-action="photo-attach"]').inner_text() == "Attach photo as it is"
    screenshot(page, "photo-review-undone-facebook")
    page.click(f'{PANEL} [data-postguard-action="photo-attach"]')
    page.wait_for_selector(f'{DIALOGS["facebook"]} img[src^="blob:"]')
    type_post(page, "facebook", "Our new catalogue is out.")
    click_post(page, "facebook")
    page.wait_for_selector(f'{PANEL} [data-postguard-finding][data-category="pricing"]', timeout=40_000)
    assert sent(page) == [], "the original is held at Post"
    page.click(f'{PANEL} [data-postguard-action="override"]')
    page.select_option(f'{PANEL} select[data-postguard-field="reason"]', "approved")
    page.fill(f'{PANEL} textarea[data-postguard-field="justification"]', "quote approved for posting")
    page.click(f'{PANEL} [data-postguard-action="confirm-override"]')
    posts = wait_sent(page)
    assert [f["sha256"] for f in posts[0]["files"]] == [sha(photo)], "the user chose the original: it went out"


def test_remove_photo_hands_the_site_nothing(site_page):
    page = site_page("linkedin")
    start_with_photo(page, "linkedin", quote_photo("remove"))
    answer_photo_review(page, "remove")
    type_post(page, "linkedin", "Our new catalogue is out.")
    click_post(page, "linkedin")
    posts = wait_sent(page, timeout_ms=40_000)
    assert posts[0]["files"] == [] and posts[0]["text"].strip() == "Our new catalogue is out."


def test_a_clean_photo_goes_to_the_site_as_it_is(site_page):
    page = site_page("linkedin")
    photo = landscape_png()
    open_composer(page, "linkedin")
    attach_photo(page, "linkedin", "hills.png", photo)
    page.wait_for_selector(f'{DIALOGS["linkedin"]} img[src^="blob:"]', timeout=40_000)
    assert page.locator(PANEL).count() == 0
    type_post(page, "linkedin", "Spring in the hills.")
    click_post(page, "linkedin")
    assert [f["sha256"] for f in wait_sent(page, timeout_ms=40_000)[0]["files"]] == [sha(photo)]


TRANSFER_JS = """([selector, kind, b64]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "pasted.png", {type: "image/png"}));
    const target = document.querySelector("#interop-outlet")?.shadowRoot?.querySelector(selector) || document.querySelector(selector);
    target.focus();
    const init = {bubbles: true, cancelable: true, composed: true};
    target.dispatchEvent(kind === "paste" ? new ClipboardEvent("paste", {...init, clipboardData: transfer})
                                          : new DragEvent("drop", {...init, dataTransfer: transfer}));
}"""


@pytest.mark.parametrize("site, kind", [("linkedin", "paste"), ("facebook", "drop")])
def test_pasted_and_dropped_photos_are_blacked_out_before_the_site_has_them(site, kind, site_page):
    page = site_page(site)
    photo = quote_photo(f"{kind} {site}")
    open_composer(page, site)
    page.evaluate(TRANSFER_JS, [EDITORS[site], kind, base64.b64encode(photo).decode()])
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="redacted"]', timeout=40_000)
    assert page.locator(f'{DIALOGS[site]} img[src^="blob:"]').count() == 0
    page.click(f'{PANEL} [data-postguard-action="photo-attach"]')
    type_post(page, site, "Our new catalogue is out.")
    click_post(page, site)
    files = wait_sent(page, timeout_ms=40_000)[0]["files"]
    assert len(files) == 1 and files[0]["sha256"] != sha(photo)


def test_a_post_click_while_the_photo_is_reviewed_is_held(site_page):
    page = site_page("linkedin")
    start_with_photo(page, "linkedin", quote_photo("click during review"))
    type_post(page, "linkedin", "Our new catalogue is out.")
    click_post(page, "linkedin")
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown]', timeout=40_000)
    assert sent(page) == [], "the post did not go out without its photo, or with the original"


def test_the_photo_review_in_chinese(site_page):
    page = site_page("instagram", locale="zh-CN")
    start_with_photo(page, "instagram", quote_photo("zh"))
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="redacted"]', timeout=40_000)
    assert "添加遮盖后的图片" in page.locator(PHOTO_REVIEW).inner_text()
    screenshot(page, "photo-review-instagram-zh-CN")
    page.click(f'{PANEL} [data-postguard-action="photo-undo"]')
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="original"]')
    screenshot(page, "photo-review-undone-instagram-zh-CN")
    page.click(f'{PANEL} [data-postguard-action="photo-redo"]')
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="redacted"]')
    page.click(f'{PANEL} [data-postguard-action="photo-attach"]')
    page.wait_for_selector(f'{NOTICE} .pg-notice[data-kind="photo-done"]:has-text("已添加遮盖后的图片")')
    screenshot(page, "notice-photo-attached-instagram-zh-CN")


SWAP_IMPOSSIBLE = {"en-US": "can't replace the photo on this page", "zh-CN": "无法在此页面替换图片"}
REVIEW_YOUR_POST = {"en-US": "Review your post", "zh-CN": "请检查帖子"}


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_where_a_swap_is_impossible_it_says_so_and_removes_the_photo_in_one_click(locale, site_page):
    """The user kept the original at attach time; at Post they ask for the black-out, but the page's file
    input is gone (LinkedIn drops it after Next), so no copy can be swapped in."""
    page = site_page("linkedin", locale=locale)
    photo = quote_photo(f"swap impossible {locale}")
    start_with_photo(page, "linkedin", photo)
    answer_photo_review(page, "original")
    page.wait_for_selector(f'{DIALOGS["linkedin"]} img[src^="blob:"]')
    page.evaluate("() => document.querySelector('#interop-outlet').shadowRoot.querySelector('input[type=file]').remove()")
    type_post(page, "linkedin", "Our new catalogue is out.")
    click_post(page, "linkedin")
    page.click(f'{PANEL} [data-postguard-action="redact"]', timeout=40_000)
    notice = page.locator(f'{NOTICE} .pg-notice[data-kind="photo-swap-impossible"]')
    notice.wait_for(timeout=40_000)
    assert SWAP_IMPOSSIBLE[locale] in notice.inner_text()
    assert "yourself" not in notice.inner_text() and "手动" not in notice.inner_text()
    screenshot(page, f"notice-photo-swap-impossible-linkedin-{locale}")
    page.click(f'{NOTICE} [data-postguard-action="notice-action"]')
    page.wait_for_selector(f'{DIALOGS["linkedin"]} img[src^="blob:"]', state="detached")
    page.wait_for_selector(f'{NOTICE} .pg-notice:has-text("{REVIEW_YOUR_POST[locale]}")', timeout=40_000)
    click_post(page, "linkedin")
    posts = wait_sent(page, timeout_ms=40_000)
    assert posts[0]["files"] == [] and posts[0]["text"].strip() == "Our new catalogue is out."


def test_two_photos_picked_at_once_the_clean_one_as_it_is_the_risky_one_blacked_out(site_page):
    page = site_page("facebook")
    risky, clean = quote_photo("two at once"), landscape_png()
    open_composer(page, "facebook")
    page.click('[role="dialog"] [aria-label="Photo/video"]')
    with page.expect_file_chooser() as chooser:
        page.click('[role="dialog"] [role="button"]:has-text("Add photos/videos")')
    chooser.value.set_files([{"name": "hills.png", "mimeType": "image/png", "buffer": clean},
                             {"name": "quote.png", "mimeType": "image/png", "buffer": risky}])
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown="redacted"]', timeout=40_000)
    assert page.locator(f"{PHOTO_REVIEW} [data-postguard-photo]").count() == 1, "only the risky photo is asked about"
    assert "2" in page.locator(f"{PHOTO_REVIEW} .pg-photo-title .pg-cat").inner_text(), "it is the second photo"
    page.click(f'{PANEL} [data-postguard-action="photo-attach"]')
    type_post(page, "facebook", "Spring catalogue and spring hills.")
    click_post(page, "facebook")
    files = wait_sent(page, timeout_ms=40_000)[0]["files"]
    assert [f["name"] for f in files] == ["hills.png", "quote.png"]
    assert files[0]["sha256"] == sha(clean) and files[1]["sha256"] != sha(risky)
