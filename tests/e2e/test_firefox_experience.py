"""The composer experience in Debian's firefox-esr (WebDriver BiDi), on the three replica composers with the
real companion: the count badge beside the site's Post control counts the pre-check's findings as the user
types, never covers Post and opens the panel; findings dismissed there do not hold the Post click for the
same words. Screenshots in English and Chinese.

Posting as the company's own page (`?as=page`): from a personal account a work post also gets a
wrong-account card, which is tested in test_wrong_account.py.
"""

from __future__ import annotations

import pytest

from harness.firefox import firefox_missing
from harness.replica_page import screenshot_path
from harness.replica_server import SITES
from test_firefox_composers import (PANEL, firefox_companion, landscape, launch_firefox, open_composer,  # noqa: F401
                                    proxy, sent_now, type_post, click_post, wait_sent)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]

SITE_IDS = ["linkedin", "facebook", "instagram"]
AS_PAGE = {"linkedin": "/feed/?as=page", "facebook": "/?as=page", "instagram": "/?as=page"}
BADGE = '>>> [data-postguard="count"] >>> button.pg-count'
PRICE_TEXT = "Price: USD 0.42/pc FOB Ningbo"
PHONE = " Call me on +49 170 1234567"
SUBMIT_BOXES = {  # the site's Post control, found from the page (LinkedIn's is in #interop-outlet's shadow root)
    "linkedin": "document.querySelector('#interop-outlet').shadowRoot.querySelector('button.share-actions__primary-action')",
    "facebook": "document.querySelector('div[role=\"dialog\"][aria-label=\"Create post\"] div[role=\"button\"][aria-label=\"Post\"]')",
    "instagram": "[...document.querySelectorAll('div[role=\"dialog\"] div[role=\"button\"]')].find((b) => b.textContent.trim() === 'Share')",
}
# Where the badge and the site's Post control are on screen.
BOXES = """(submitSource) => {
    const deep = (root) => { for (const el of root.querySelectorAll('*')) {
        const hit = el.shadowRoot && (el.shadowRoot.querySelector('button.pg-count') || deep(el.shadowRoot));
        if (hit) return hit; } return null; };
    const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top, width: r.width, height: r.height}; };
    return {badge: box(deep(document)), post: box(eval(submitSource))};
}"""


def overlap(a: dict, b: dict) -> float:
    w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


def company_composer(launch_firefox, site, managed, photo, locale="en-US"):  # noqa: F811
    browser = launch_firefox(managed, locale=locale)
    page = browser.open_replica(f"https://{SITES[site].hostname}{AS_PAGE[site]}")
    open_composer(page, site, photo)
    return page


@pytest.mark.parametrize("site", SITE_IDS)
def test_badge_counts_as_the_user_types_and_dismissed_findings_do_not_hold_the_post(
        site, launch_firefox, firefox_companion, landscape):  # noqa: F811
    managed = {"companionUrl": firefox_companion.url, "requireJustification": False}
    page = company_composer(launch_firefox, site, managed, landscape)
    type_post(page, site, PRICE_TEXT)
    page.wait_for_selector(f'{BADGE}[data-count="1"]', timeout_ms=40_000)
    page.type(PHONE)
    page.wait_for_selector(f'{BADGE}[data-count="2"]', timeout_ms=40_000)
    boxes = page.evaluate(BOXES, SUBMIT_BOXES[site])
    assert overlap(boxes["badge"], boxes["post"]) == 0, boxes
    page.screenshot(screenshot_path(f"firefox-count-badge-{site}-en-US"))
    page.click(BADGE)
    page.wait_for_selector(f"{PANEL} >>> li[data-postguard-finding]")
    assert sorted(page.evaluate("""() => { const h = [...document.querySelectorAll('*')].map((e) => e.shadowRoot)
        .filter(Boolean).flatMap((r) => [...r.querySelectorAll('[data-postguard="panel"]')])
        .concat([...document.querySelectorAll('[data-postguard="panel"]')])[0];
        return [...h.shadowRoot.querySelectorAll('li[data-postguard-finding]')].map((c) => c.dataset.category); }""")) \
        == ["contact_pii", "pricing"]
    for _ in range(2):
        page.click(f'{PANEL} >>> [data-postguard-action="dismiss"]')
    page.wait_for_selector(PANEL, state="hidden")
    assert page.count(BADGE) == 0, "nothing left to count"
    assert sent_now(page) == [], "dismissing from the badge posts nothing"
    click_post(page, site)
    text = wait_sent(page)[0]["text"]
    assert "USD 0.42/pc" in text and "+49 170 1234567" in text
    assert page.count(PANEL) == 0, "the Post click was not held again"


def test_badge_in_chinese(launch_firefox, firefox_companion, landscape):  # noqa: F811
    page = company_composer(launch_firefox, "linkedin", {"companionUrl": firefox_companion.url}, landscape,
                            locale="zh-CN")
    type_post(page, "linkedin", PRICE_TEXT + PHONE)
    page.wait_for_selector(f'{BADGE}[data-count="2"]', timeout_ms=40_000)
    assert "2 处待查看" in page.texts(BADGE)[0]
    page.screenshot(screenshot_path("firefox-count-badge-linkedin-zh-CN"))
