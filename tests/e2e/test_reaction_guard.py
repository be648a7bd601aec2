"""The reaction guard in headless Chromium on the three feed replicas, against the real companion.

What a salesperson notices: a like, reaction, repost or comment on a competitor's (or red-line) post is
held with a card that says why; Cancel leaves the post untouched, "Like anyway" with a reason goes
through once; a harmless post and taking a like back are never held. What the site did is read from
its own handlers (`window.__replica.actions`); what was audited from the companion's log.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from harness.chromium import wait_for_service_worker
from harness.replica_page import screenshot_path
from test_extension_support import audit_events, wait_for_audit

pytestmark = pytest.mark.e2e
CARD = '[data-postguard="reaction-card"] .pg-card'


class Feed:
    """How a user reaches a site's posts and controls, in the replica's own markup."""

    def __init__(self, site: str, posts: dict, like: str, flyout, repost, repost_kind: str):
        self.site, self.posts, self.like_selector = site, posts, like
        self._flyout, self._repost, self.repost_kind = flyout, repost, repost_kind

    def post(self, page: Page, which: str):
        post = page.locator(self.posts[which]).first
        post.scroll_into_view_if_needed()
        return post

    def like(self, page: Page, which: str) -> None:
        self.post(page, which).locator(self.like_selector).first.click()

    def flyout(self, page: Page, which: str) -> None:
        """Another reaction than Like: the flyout / toolbar, or Instagram's double tap on the photo."""
        self._flyout(page, self.post(page, which))

    def repost(self, page: Page, which: str) -> None:
        self._repost(page, self.post(page, which))


def _linkedin_flyout(page, post):
    post.locator("button.react-button__trigger").hover()
    post.locator('button[aria-label="React Celebrate"]').click()


def _linkedin_repost(page, post):
    post.locator("button.social-reshare-button").click()
    post.locator(".social-reshare-button__share-dropdown-content").get_by_text("Repost", exact=True).click()


def _facebook_flyout(page, post):
    post.locator('[data-ad-rendering-role="like_button"]').hover()
    page.locator('.fb-layer [role="button"][aria-label="Love"]').click()


def _facebook_share(page, post):
    post.locator('[data-ad-rendering-role="share_button"]').click()
    page.locator('.fb-layer [role="button"][aria-label="Share now (Friends)"]').click()


FEEDS = {
    "linkedin": Feed("linkedin", {
        "competitor": '[data-urn="urn:li:activity:7310"]',
        "clean": '[data-urn="urn:li:activity:7311"]',
        "red_line": '[componentkey^="urn:li:activity:7320"]',
        "client": '[componentkey^="urn:li:activity:7321"]',
        "liked_competitor": '[componentkey^="urn:li:activity:7322"]',
    }, 'button.react-button__trigger, button[data-view-name="reaction-button"]', _linkedin_flyout, _linkedin_repost, "repost"),
    "facebook": Feed("facebook", {
        "competitor": '[aria-describedby="story-pfbid0NW7310"]',
        "clean": '[aria-describedby="story-pfbid0KM7311"]',
        "red_line": '[aria-describedby="story-pfbid0DN7320"]',
        "client": '[aria-describedby="story-pfbid0HM7321"]',
        "liked_competitor": '[aria-describedby="story-pfbid0SH7322"]',
    }, '[data-ad-rendering-role="like_button"]', _facebook_flyout, _facebook_share, "share"),
    "instagram": Feed("instagram", {
        "competitor": 'article:has(a[href="/p/C0NW7310/"])',
        "clean": 'article:has(a[href="/p/C0KM7311/"])',
        "red_line": 'article:has(a[href="/p/C0DN7320/"])',
        "client": 'article:has(a[href="/p/C0HM7321/"])',
        "liked_competitor": 'article:has(a[href="/p/C0SH7322/"])',
    }, '[role="button"]:has(svg[aria-label="Like"]), [role="button"]:has(svg[aria-label="Unlike"])',
        lambda page, post: post.locator(".ig-post__media").dblclick(),
        lambda page, post: post.locator('[role="button"]:has(svg[aria-label="Repost"])').click(), "repost"),
}


def actions(page: Page) -> list[dict]:
    return page.evaluate("() => window.__replica.actions")


def wait_actions(page: Page, count: int) -> list[dict]:
    page.wait_for_function("(n) => window.__replica.actions.length >= n", arg=count, timeout=15_000)
    return actions(page)


def assert_no_action(page: Page, settle_ms: int = 400) -> None:
    page.wait_for_timeout(settle_ms)
    assert actions(page) == [], "the site did something"


@pytest.fixture
def feed_page(launch_browser, open_site, start_companion_process):
    """Factory: (page, companion) on `site`'s feed with the extension pointed at a fresh companion."""
    def make(site: str, locale: str = "en-US", companion_url: str | None = None, **settings):
        companion = None if companion_url else start_companion_process()
        context = launch_browser(extension=True, locale=locale,
                                 extra_args=(f"--lang={locale}",) if locale != "en-US" else ())
        worker = wait_for_service_worker(context)
        worker.evaluate("s => chrome.storage.local.set({userSettings: s})",
                        {"companionUrl": companion_url or companion.url, **settings})
        return open_site(context, site), companion
    return make


def reaction_events(companion, count: int = 1) -> list[dict]:
    events = wait_for_audit(companion.data_dir, lambda e: len([x for x in audit_events(companion.data_dir)
                                                                  if x["kind"] == "reaction"]) >= count)
    return [e for e in events if e["kind"] == "reaction"]


@pytest.mark.parametrize("site", FEEDS)
def test_like_on_a_competitors_post_is_held_cancel_leaves_it_like_anyway_sends_it_once(site, feed_page):
    feed = FEEDS[site]
    page, companion = feed_page(site)
    feed.like(page, "competitor")
    card = page.locator(CARD)
    card.wait_for(timeout=15_000)
    who = "northwind.hardware (Northwind Hardware Co.)" if site == "instagram" else "Northwind Hardware Co."
    assert f"{who} is a competitor. Your like is public and your clients can see it." in card.inner_text()
    page.screenshot(path=str(screenshot_path(f"reaction-card-{site}")))
    card.get_by_role("button", name="Cancel").click()
    assert card.count() == 0
    assert_no_action(page)
    cancelled = reaction_events(companion)[-1]
    assert cancelled["details"]["decision"] == "cancelled" and cancelled["details"]["reasons"] == ["competitor"]

    feed.like(page, "competitor")
    card.wait_for(timeout=15_000)
    like_anyway = card.get_by_role("button", name="Like anyway")
    assert like_anyway.is_disabled(), "a reason first"
    card.locator("select").select_option(label="Industry news worth supporting")
    like_anyway.click()
    done = wait_actions(page, 1)
    page.wait_for_timeout(300)
    assert [a["kind"] for a in actions(page)] == ["react"], "sent exactly once"
    assert done[0]["post"] and card.count() == 0
    overridden = reaction_events(companion, 2)[-1]
    assert overridden["details"]["decision"] == "overridden" and overridden["justification"] == "Industry news worth supporting"
    assert overridden["details"]["list_entry"] == {"kind": "competitor", "name": "Northwind Hardware Co."}
    assert "KT-series" not in repr(overridden), "no post text in the audit log"


@pytest.mark.parametrize("site", FEEDS)
def test_a_harmless_post_and_taking_a_like_back_are_never_held(site, feed_page):
    feed = FEEDS[site]
    page, _ = feed_page(site)
    feed.like(page, "clean")
    first = wait_actions(page, 1)[0]
    assert first["kind"] == "react"
    feed.like(page, "liked_competitor")  # un-like a competitor's post: turning a reaction off is never checked
    second = wait_actions(page, 2)[1]
    assert second["kind"] == "unreact"
    feed.like(page, "clean")
    assert wait_actions(page, 3)[2]["kind"] == "unreact"
    assert page.locator(CARD).count() == 0


@pytest.mark.parametrize("site", FEEDS)
def test_another_reaction_and_a_repost_on_a_competitors_post_are_held(site, feed_page):
    feed = FEEDS[site]
    page, _ = feed_page(site)
    feed.flyout(page, "competitor")
    card = page.locator(CARD)
    card.wait_for(timeout=15_000)
    expected = "like" if site == "instagram" else "reaction"  # Instagram's double tap is a like
    assert f"Your {expected} is public" in card.inner_text()
    card.get_by_role("button", name="Cancel").click()
    feed.repost(page, "competitor")
    card.wait_for(timeout=15_000)
    noun = "share" if site == "facebook" else "repost"
    assert f"Your {noun} is public" in card.inner_text()
    card.locator("select").select_option(label="A business partner or customer event")
    card.get_by_role("button", name=f"{noun.capitalize()} anyway").click()
    done = wait_actions(page, 1)
    page.wait_for_timeout(300)
    assert [a["kind"] for a in actions(page)] == [feed.repost_kind], "only the confirmed repost went out, once"
    assert done[0]["post"]


@pytest.mark.parametrize("site", FEEDS)
def test_a_red_line_post_is_held_and_a_clients_post_only_recorded(site, feed_page):
    feed = FEEDS[site]
    page, companion = feed_page(site)
    feed.like(page, "red_line")
    card = page.locator(CARD)
    card.wait_for(timeout=15_000)
    assert "red-line topic (politics, religion or race)" in card.inner_text()
    card.get_by_role("button", name="Cancel").click()
    feed.like(page, "client")  # policy by default: a client's post is monitored, not held
    assert wait_actions(page, 1)[0]["kind"] == "react"
    assert page.locator(CARD).count() == 0
    monitored = [e for e in reaction_events(companion, 2) if e["details"]["decision"] == "monitored"]
    assert monitored and monitored[0]["details"]["reasons"] == ["client"]
    assert monitored[0]["details"]["list_entry"]["name"] == "Hansen Maschinenbau GmbH"
    assert "Daniel" not in repr(reaction_events(companion, 2)), "a name off the lists is never recorded"


@pytest.mark.parametrize("site", FEEDS)
@pytest.mark.parametrize("fail_mode", ["open", "closed"])
def test_companion_down_follows_fail_mode(site, fail_mode, feed_page, dead_companion_url):
    feed = FEEDS[site]
    page, _ = feed_page(site, companion_url=dead_companion_url, failMode=fail_mode)
    feed.like(page, "competitor")
    if fail_mode == "open":
        assert wait_actions(page, 1)[0]["kind"] == "react"
        assert page.locator(CARD).count() == 0
    else:
        card = page.locator(CARD)
        card.wait_for(timeout=15_000)
        assert "checker isn't running" in card.inner_text() and "Contact your IT team." in card.inner_text()
        assert card.get_by_role("button", name="Like anyway").count() == 0
        card.get_by_role("button", name="Cancel").click()
        assert_no_action(page)


def test_policy_block_leaves_only_cancel(feed_page):
    page, _ = feed_page("linkedin", reactionPolicy={"react": {"competitor": "block"}})
    FEEDS["linkedin"].like(page, "competitor")
    card = page.locator(CARD)
    card.wait_for(timeout=15_000)
    assert "Your company's policy does not allow this." in card.inner_text()
    assert card.get_by_role("button", name="Like anyway").count() == 0
    card.get_by_role("button", name="Cancel").click()
    assert_no_action(page)


@pytest.mark.parametrize("site", FEEDS)
def test_the_card_in_chinese(site, feed_page):
    page, _ = feed_page(site, locale="zh-CN")
    FEEDS[site].like(page, "competitor")
    card = page.locator(CARD)
    card.wait_for(timeout=15_000)
    text = card.inner_text()
    assert "是竞争对手。你的点赞是公开的，你的客户都能看到。" in text and "仍然点赞" in text and "取消" in text
    page.screenshot(path=str(screenshot_path(f"reaction-card-{site}-zh-CN")))
