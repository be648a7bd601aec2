"""The reaction guard in headless Chromium on the three feed replicas, against the real companion.

The cases Firefox runs too are written once in reaction_cases.py and run here over Playwright: every
guarded action on a risky post (a like, another reaction or Instagram's double tap, each public repost
or share, a comment, one typed in Instagram's comment box and sent by "Post" or Enter; LinkedIn's
Ember and SDUI renderings) is held with a card that says why, Cancel
leaves the post untouched, "… anyway" with a reason lets it through once and is audited without the
post's text; a harmless post and taking a like back are never held. Below them, what is tested in
Chromium only: the companion down, policy cells, the card in Chinese, acting as the company, a reaction
delivered once after the companion comes back, and the org directory's policy.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from harness.chromium import wait_for_service_worker
from harness.companion import start_companion
from harness.replica_page import screenshot_path
from reaction_cases import (CARD_FIX, CARD_HOST, CARD_ZH, COMMENT_BY, COMMENT_TEXT, COMPANY, HELD_CASES, LEAKY_COMMENT, PANEL_HOST,
                            PERSONAL, PRICE, REASONS, REPLY_CASES, SITE_IDS, FeedHands, Held,
                            a_clean_comment_on_a_clean_post_goes_at_once, a_clean_posts_reply_goes_at_once,
                            a_clients_post_is_only_recorded_by_default, a_harmless_posts_comment_goes_straight_through,
                            a_leaky_comment_on_a_risky_post_is_one_card, a_leaky_comments_words_are_fixed_on_the_card,
                            a_reply_on_a_risky_post_is_held_like_a_comment, as_the_company_the_card_says_so_until_switched_back,
                            decision_count, harmless_and_taking_back_go_straight_through,
                            held_then_cancelled_then_let_through, instagram_comment_underlined_while_typing,
                            instagram_words_scrolled_out_of_the_comment_box_stay_unmarked, open_boxes_path,
                            reaction_count, reaction_events, the_card_leaves_the_author_and_the_control_in_sight)
from test_extension_support import audit_events, wait_for_audit, wait_for_queued_decisions

pytestmark = pytest.mark.e2e
CARD = f"{CARD_HOST} .pg-card"
IDENTITY = f"{CARD} .pg-identity"
EXAMPLE_ORG = Path(__file__).resolve().parents[2] / "rules" / "org" / "example"


class ChromiumPage:
    """A Playwright page with FirefoxPage's API, for the scenarios reaction_cases.py shares (Playwright's
    CSS enters open shadow roots by itself). `pw` is the Playwright page, for what only this file does."""

    def __init__(self, page: Page):
        self.pw = page

    def goto(self, url: str) -> None:
        self.pw.goto(url)

    def click(self, selector: str, timeout_ms: float = 15_000, count: int = 1) -> None:
        target = self.pw.locator(selector).first
        if count == 2:
            target.dblclick(timeout=timeout_ms)
        else:
            target.click(timeout=timeout_ms)

    def hover(self, selector: str, timeout_ms: float = 15_000) -> None:
        self.pw.locator(selector).first.hover(timeout=timeout_ms)

    def click_text(self, selector: str, text: str, timeout_ms: float = 15_000) -> None:
        """Click the first `selector` whose text is exactly `text`."""
        exact = re.compile(rf"^\s*{re.escape(text)}\s*$")
        self.pw.locator(selector).filter(has_text=exact).first.click(timeout=timeout_ms)

    def type(self, text: str) -> None:
        """Real key events into whatever has focus."""
        self.pw.keyboard.type(text)

    def press(self, key: str, *modifiers: str) -> None:
        self.pw.keyboard.press("+".join((*modifiers, key)))

    def select_label(self, selector: str, label: str, timeout_ms: float = 15_000) -> None:
        self.pw.locator(selector).first.select_option(label=label, timeout=timeout_ms)

    def wait_for_selector(self, selector: str, state: str = "visible", timeout_ms: float = 15_000) -> None:
        self.pw.locator(selector).first.wait_for(state=state, timeout=timeout_ms)

    def count(self, selector: str) -> int:
        return self.pw.locator(selector).count()

    def texts(self, selector: str) -> list[str]:
        return self.pw.locator(selector).all_inner_texts()

    def evaluate(self, fn: str, arg=None):
        return self.pw.evaluate(fn, arg)

    def wait_for_function(self, fn: str, arg=None, timeout_ms: float = 15_000):
        return self.pw.wait_for_function(fn, arg=arg, timeout=timeout_ms)

    def screenshot(self, path: Path) -> Path:
        self.pw.screenshot(path=str(path))
        return path


@pytest.fixture
def feed_page(launch_browser, open_site, companion, start_companion_process):
    """Factory: (feed, companion) on `site`'s feed (at `path`) with the extension's `settings`, pointed at
    the session's companion, at `companion_url`, or at a fresh one started with `companion_args`."""
    def make(site: str, locale: str = "en-US", companion_url: str | None = None, path: str | None = None,
             companion_args: tuple[str, ...] | None = None, **settings):
        own = start_companion_process(extra_args=companion_args) if companion_args is not None else companion
        context = launch_browser(extension=True, locale=locale,
                                 extra_args=(f"--lang={locale}",) if locale != "en-US" else ())
        worker = wait_for_service_worker(context)
        worker.evaluate("s => chrome.storage.local.set({userSettings: s})",
                        {"companionUrl": companion_url or own.url, **settings})
        return FeedHands(ChromiumPage(open_site(context, site, path)), site, CARD, "chromium"), own
    return make


# --- the cases Firefox runs too (reaction_cases.py) ---------------------------------------------

@pytest.mark.parametrize("case", HELD_CASES, ids=str)
def test_a_risky_post_is_held_and_says_why_cancel_leaves_it_anyway_lets_it_through_once(case: Held, feed_page):
    feed, companion = feed_page(case.site, path=case.path, **case.settings)
    held_then_cancelled_then_let_through(feed, companion, case, reaction_count(companion))


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_harmless_post_and_taking_a_like_back_are_never_held(site, feed_page):
    harmless_and_taking_back_go_straight_through(feed_page(site)[0])


def test_a_comment_typed_under_a_harmless_post_goes_straight_through(feed_page):
    a_harmless_posts_comment_goes_straight_through(feed_page("instagram")[0])


@pytest.mark.parametrize("site", ["linkedin", "facebook"])
def test_a_clean_comment_from_a_clean_posts_open_box_goes_at_once(site, feed_page):
    a_clean_comment_on_a_clean_post_goes_at_once(feed_page(site, path=open_boxes_path(site))[0])


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_leaky_comment_on_a_competitors_post_is_one_card_with_both(site, feed_page):
    feed, companion = feed_page(site, path=open_boxes_path(site))
    a_leaky_comment_on_a_risky_post_is_one_card(feed, companion, reaction_count(companion), decision_count(companion))


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_clients_post_is_only_recorded_by_default(site, feed_page):
    feed, companion = feed_page(site)
    a_clients_post_is_only_recorded_by_default(feed, companion, reaction_count(companion))


@pytest.mark.parametrize(("site", "post"), REPLY_CASES)
def test_a_reply_to_a_comment_under_a_risky_post_is_held_like_a_comment(site, post, feed_page):
    feed, companion = feed_page(site, path=open_boxes_path(site))
    a_reply_on_a_risky_post_is_held_like_a_comment(feed, companion, post, reaction_count(companion))


@pytest.mark.parametrize("site", ["linkedin", "facebook"])
def test_a_reply_under_a_harmless_post_goes_at_once(site, feed_page):
    a_clean_posts_reply_goes_at_once(feed_page(site, path=open_boxes_path(site))[0])


@pytest.mark.parametrize("site", SITE_IDS)
def test_the_cards_fix_rewrites_what_a_leaky_comment_gives_away(site, feed_page):
    feed, companion = feed_page(site, path=open_boxes_path(site))
    a_leaky_comments_words_are_fixed_on_the_card(feed, companion, reaction_count(companion), decision_count(companion))


def test_instagram_a_comment_is_underlined_while_typed(feed_page):
    instagram_comment_underlined_while_typing(feed_page("instagram")[0])


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_instagram_words_scrolled_out_of_the_comment_box_are_not_underlined_outside_it(feed_page, locale):
    instagram_words_scrolled_out_of_the_comment_box_stay_unmarked(feed_page("instagram", locale=locale)[0],
                                                                  shot="" if locale == "en-US" else "-zh-CN")


@pytest.mark.parametrize("site", SITE_IDS)
def test_the_card_leaves_the_author_and_the_like_in_sight(site, feed_page):
    feed, _ = feed_page(site)
    the_card_leaves_the_author_and_the_control_in_sight(feed)
    feed.page.screenshot(screenshot_path(f"chromium-reaction-card-placed-{site}"))


# --- Chromium only ------------------------------------------------------------------------------

def held_card(feed: FeedHands, which: str):
    """Like `which` and wait for the card: its Playwright locator."""
    feed.like(which)
    feed.card_text()
    return feed.page.pw.locator(CARD)


def assert_no_action(feed: FeedHands) -> None:
    """Once the card is gone: a held click never reached the site (it was stopped in the capture phase,
    before the site's own handlers), so nothing can still arrive."""
    feed.page.wait_for_selector(CARD, state="hidden")
    assert feed.actions() == [], "the site did something"


@pytest.mark.parametrize("site", SITE_IDS)
@pytest.mark.parametrize("fail_mode", ["open", "closed"])
def test_companion_down_follows_fail_mode(site, fail_mode, feed_page, dead_companion_url):
    feed, _ = feed_page(site, companion_url=dead_companion_url, failMode=fail_mode)
    feed.like("competitor")
    if fail_mode == "open":
        assert feed.wait_actions(1)[0]["kind"] == "react"
        assert feed.page.count(CARD) == 0
    else:
        text = feed.card_text()
        assert "checker isn't running" in text and "Contact your IT team." in text
        assert feed.page.pw.locator(CARD).get_by_role("button", name="Like anyway").count() == 0
        feed.cancel()
        assert_no_action(feed)


@pytest.mark.parametrize("site", SITE_IDS)
@pytest.mark.parametrize("fail_mode", ["open", "closed"])
def test_a_comment_from_the_box_with_the_companion_down_follows_fail_mode(site, fail_mode, feed_page, dead_companion_url):
    """A comment sent from a competitor's post's open box while the companion is down: fail open sends it
    (the composer's notice says it was not checked), fail closed holds it on the checker-down card."""
    feed, _ = feed_page(site, path=open_boxes_path(site), companion_url=dead_companion_url, failMode=fail_mode)
    feed.send_comment("competitor", COMMENT_BY[site])
    if fail_mode == "open":
        assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("comment", COMMENT_TEXT)]
        assert feed.page.count(CARD) == 0
    else:
        text = feed.card_text()
        assert "checker isn't running" in text and "Contact your IT team." in text
        assert feed.page.pw.locator(CARD).get_by_role("button", name="Comment anyway").count() == 0
        feed.cancel()
        assert_no_action(feed)
        assert feed.box_value("competitor") == COMMENT_TEXT, "Cancel keeps the comment in the box"


def test_a_comment_is_not_held_twice_after_comment_anyway_at_the_comment_button(feed_page):
    """Gone ahead at a competitor's post's Comment button, the user then sends from its box: the post is
    not asked about again (one reaction event), the comment's text is still checked."""
    feed, companion = feed_page("linkedin", path=open_boxes_path("linkedin"))
    before = reaction_count(companion)
    feed.comment("competitor")
    feed.card_text()
    feed.confirm("Comment anyway")
    assert feed.wait_actions(1)[0]["kind"] == "comment-open"
    feed.send_comment("competitor", "post")
    assert [(a["kind"], a.get("text")) for a in feed.wait_actions(2)][1] == ("comment", COMMENT_TEXT)
    assert feed.page.count(CARD) == 0
    assert [e["details"]["decision"] for e in reaction_events(companion, 1, after=before)] == ["overridden"]


def test_policy_block_leaves_only_cancel(feed_page):
    feed, _ = feed_page("linkedin", reactionPolicy={"react": {"competitor": "block"}})
    card = held_card(feed, "competitor")
    assert "Your company's policy does not allow this." in card.inner_text()
    assert card.get_by_role("button", name="Like anyway").count() == 0
    feed.cancel()
    assert_no_action(feed)


@pytest.mark.parametrize("site", SITE_IDS)
def test_the_card_in_chinese(site, feed_page):
    feed, _ = feed_page(site, locale="zh-CN")
    text = held_card(feed, "competitor").inner_text()
    assert "是竞争对手。你的点赞是公开的，你的客户都能看到。" in text and "仍然点赞" in text and "取消" in text
    feed.page.screenshot(screenshot_path(f"reaction-card-{site}-zh-CN"))


@pytest.mark.parametrize(("case", "words"), [pytest.param(case, words, id=str(case)) for case, words in [
    (Held("linkedin", "competitor", "share", "Repost with your thoughts"), ("你的转发是公开的", "仍然转发")),
    (Held("linkedin", "red_line", "comment"), ("红线话题", "你的评论是公开的", "仍然评论")),
    (Held("facebook", "competitor", "comment"), ("是竞争对手。你的评论是公开的", "仍然评论")),
    (Held("instagram", "competitor", "reaction"), ("是竞争对手。你的点赞是公开的", "仍然点赞")),
    (Held("instagram", "competitor", "comment-enter"), ("是竞争对手。你的评论是公开的", "仍然评论")),
]])
def test_a_repost_with_thoughts_and_a_comment_held_in_chinese(case: Held, words, feed_page):
    feed, _ = feed_page(case.site, locale="zh-CN")
    feed.act(case)
    text = feed.card_text()
    assert all(w in text for w in words) and "取消" in text, text
    feed.page.screenshot(screenshot_path(f"chromium-reaction-card-{case}-zh-CN"))
    feed.cancel("取消")
    assert_no_action(feed)
    if case.typed:
        assert feed.box_value(case.post) == COMMENT_TEXT, "Cancel keeps the typed comment in the box"


def test_a_leaky_comment_on_a_competitors_post_in_chinese(feed_page):
    feed, _ = feed_page("linkedin", locale="zh-CN", path=open_boxes_path("linkedin"))
    feed.send_comment("competitor", "post", LEAKY_COMMENT)
    text = feed.card_text()
    assert all(w in text for w in ("是竞争对手。你的评论是公开的", "你的评论还包含：", PRICE, "仍然评论", "取消")), text
    feed.page.screenshot(screenshot_path("chromium-reaction-card-leaky-comment-linkedin-zh-CN"))
    feed.cancel("取消")
    assert_no_action(feed)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_instagram_a_leaky_comment_under_a_harmless_post_gets_the_panel_and_its_fix(locale, feed_page):
    """Instagram's comment box is checked like a post: a price in a comment under a harmless post is held
    with the usual panel (no reaction card); Cancel keeps it; the card's Fix rewrites the words in the
    textarea, and the fixed comment goes out once."""
    feed, _ = feed_page("instagram", locale=locale)
    feed.send_comment("clean", "enter", LEAKY_COMMENT)
    panel = feed.page.pw.locator(f"{PANEL_HOST} section.pg-panel")
    panel.wait_for(timeout=30_000)
    assert PRICE in panel.inner_text() and feed.page.count(CARD) == 0
    feed.page.screenshot(screenshot_path(f"chromium-panel-instagram-comment-{locale}"))
    panel.locator('[data-postguard-action="cancel"]').click()
    panel.wait_for(state="detached")
    assert feed.actions() == [] and feed.box_value("clean") == LEAKY_COMMENT

    feed.send_comment("clean", "enter", LEAKY_COMMENT)
    panel.locator('[data-postguard-action="fix"]').first.click()
    feed.page.wait_for_function("(s) => !document.querySelector(s).value.includes('0.42')", feed.comment_box("clean"))
    fixed = feed.box_value("clean")
    assert fixed.startswith("Our best price for you is ") and fixed.endswith(", ask me"), fixed
    feed.page.wait_for_selector(f"{PANEL_HOST} section.pg-panel", state="detached")
    feed.send_comment("clean", "enter", fixed)
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("comment", fixed)]


# --- the card's Fix, its place and the comment box's underlines in Chinese and narrow windows ------

def test_the_cards_fix_in_chinese(feed_page):
    feed, companion = feed_page("instagram", locale="zh-CN")
    a_leaky_comments_words_are_fixed_on_the_card(feed, companion, reaction_count(companion), decision_count(companion),
                                                 shot="-zh-CN", words=CARD_ZH)


def test_the_cards_fix_label_in_chinese(feed_page):
    """The Fix button says what goes in, in Chinese ("修正：…"), as the panel's does."""
    feed, _ = feed_page("linkedin", locale="zh-CN", path=open_boxes_path("linkedin"))
    feed.send_comment("competitor", "post", LEAKY_COMMENT)
    feed.card_text()
    label = feed.page.pw.locator(f"{CARD} {CARD_FIX}").first.inner_text()
    assert label.startswith("修正") or label.startswith("修复"), label
    feed.page.screenshot(screenshot_path("chromium-reaction-card-fix-linkedin-zh-CN"))
    feed.cancel("取消")


def test_instagram_a_comment_is_underlined_while_typed_in_chinese(feed_page):
    instagram_comment_underlined_while_typing(feed_page("instagram", locale="zh-CN")[0], shot="-zh-CN")


@pytest.mark.parametrize("site", SITE_IDS)
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_in_a_narrow_window_the_card_leaves_the_author_and_the_like_in_sight(site, locale, feed_page):
    """A phone-sized window: no room beside the Like, none above it clear of the author on a short post;
    the page moves up under the card rather than the card covering either."""
    feed, _ = feed_page(site, locale=locale)
    feed.page.pw.set_viewport_size({"width": 390, "height": 700})
    the_card_leaves_the_author_and_the_control_in_sight(feed)
    feed.page.screenshot(screenshot_path(f"chromium-reaction-card-narrow-{site}-{locale}"))


# --- who the user reacts as (identities.yaml: Lumen Hardware's own pages and accounts) ------------

@pytest.mark.parametrize("site", SITE_IDS)
def test_as_the_company_the_card_says_so_until_switched_back(site, feed_page):
    feed, companion = feed_page(site)
    as_the_company_the_card_says_so_until_switched_back(feed, companion, reaction_count(companion))


@pytest.mark.parametrize("site", ["facebook", "instagram"])
def test_as_the_company_a_red_line_post_names_the_page_and_a_monitored_competitor_is_held(site, feed_page):
    """(LinkedIn's red-line post is in the SDUI rendering, which has no per-post identity switcher.)"""
    feed, companion = feed_page(site, path="/?as=page", reactionPolicy={"react": {"competitor": "monitor"}})
    before = reaction_count(companion)
    card = held_card(feed, "red_line")
    assert f"You are acting as the company page {COMPANY[site]}" in feed.page.texts(IDENTITY)[0]
    assert "red-line topic" in card.inner_text()
    feed.cancel()
    held_card(feed, "competitor")  # only monitored by this policy, but not as the company
    assert f"You are acting as the company page {COMPANY[site]}" in feed.page.texts(IDENTITY)[0]
    feed.cancel()
    assert_no_action(feed)

    feed.act_as(PERSONAL[site])
    feed.like("competitor")  # from the personal account the policy's monitor holds
    assert feed.wait_actions(1)[0]["kind"] == "react"
    assert feed.page.count(CARD) == 0
    monitored = [e for e in reaction_events(companion, 3, after=before) if e["details"]["decision"] == "monitored"]
    assert monitored and monitored[0]["details"]["acted_as_company"] is False


@pytest.mark.parametrize("site", ["linkedin", "instagram"])
def test_the_company_warning_in_chinese(site, feed_page):
    feed, _ = feed_page(site, locale="zh-CN")
    feed.act_as(COMPANY[site])
    held_card(feed, "competitor")
    assert feed.page.texts(IDENTITY) == [f"你正在以公司主页 {COMPANY[site]} 的身份操作：这个点赞会以公司的名义公开。"]
    feed.page.screenshot(screenshot_path(f"reaction-card-company-{site}-zh-CN"))


# --- reactions while the companion is down, and policy from the org directory --------------------

def test_a_reaction_while_the_companion_is_down_is_delivered_once_when_it_is_back(
        start_companion_process, launch_browser, open_site):
    companion = start_companion_process()
    port, data_dir = companion.port, companion.data_dir
    context = launch_browser(extension=True)
    worker = wait_for_service_worker(context)
    worker.evaluate("s => chrome.storage.local.set({userSettings: s})", {"companionUrl": companion.url})
    feed = FeedHands(ChromiumPage(open_site(context, "linkedin", "/feed/?posts=60")), "linkedin", CARD, "chromium")
    held_card(feed, "competitor")  # checked while the companion runs
    feed.cancel()
    reaction_events(companion, 1)

    companion.stop()
    held_card(feed, "competitor")
    feed.confirm("Like anyway", REASONS[0])
    assert feed.wait_actions(1)[0]["kind"] == "react"
    queued = wait_for_queued_decisions(worker, 1)
    assert [(e["kind"], e["body"]["decision"]) for e in queued] == [("reaction", "overridden")]
    assert "KT-series" not in repr(queued), "the post's text never waits in the queue"

    restarted = start_companion(data_dir, port=port)
    try:
        # Further down the feed, posts not yet checked come into view: the first check that answers
        # delivers what waited (else the retry alarm does, within a minute).
        feed.page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        events = wait_for_audit(data_dir, lambda e: (e.get("details") or {}).get("decision") == "overridden",
                                timeout_s=90)
        overridden = [e for e in events if (e.get("details") or {}).get("decision") == "overridden"]
        assert len(overridden) == 1 and overridden[0]["justification"] == REASONS[0]
        assert overridden[0]["details"]["delivery_id"] == queued[0]["id"]
        assert overridden[0]["details"]["list_entry"]["name"] == "Northwind Hardware Co."
        assert wait_for_queue_empty(worker)
        # The companion answers again (a like on a client's post, recorded): nothing is delivered twice.
        feed.like("client")
        assert [a["kind"] for a in feed.wait_actions(2)] == ["react", "react"]
        wait_for_audit(data_dir, lambda e: (e.get("details") or {}).get("decision") == "monitored")
        again = [e for e in audit_events(data_dir) if (e.get("details") or {}).get("decision") == "overridden"]
        assert len(again) == 1, "delivered exactly once"
    finally:
        restarted.stop()


def wait_for_queue_empty(worker, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not worker.evaluate("async () => (await chrome.storage.local.get('auditQueue')).auditQueue || []"):
            return True
        time.sleep(0.2)
    return False


def test_the_org_directorys_reaction_policy_is_applied_over_the_users(feed_page, tmp_path):
    org = tmp_path / "org"
    shutil.copytree(EXAMPLE_ORG, org)
    (org / "reaction_policy.yaml").write_text("react: {competitor: block}\n", encoding="utf-8")
    feed, _ = feed_page("facebook", companion_args=("--org", str(org)), reactionPolicy={"react": {"competitor": "warn"}})
    card = held_card(feed, "competitor")
    assert "Your company's policy does not allow this." in card.inner_text()
    assert card.get_by_role("button", name="Like anyway").count() == 0
    feed.cancel()
    assert_no_action(feed)
