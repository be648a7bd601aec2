"""The reaction guard in Debian's firefox-esr (WebDriver BiDi) on the three feed replicas, against the
real companion: the same extension folder, replicas, posts and assertions as the Chromium file
tests/e2e/test_reaction_guard.py (shared in reaction_cases.py).

What a salesperson notices, on LinkedIn, Facebook and Instagram:
- a like on a competitor's post is held with a card that names the competitor; Cancel leaves the post
  untouched (the replica's own handler recorded nothing), "Like anyway" with a reason goes out once;
- a like on a harmless post goes out at once, and taking a like back is never held;
- another reaction from the site's reactions (Instagram: a double tap on the photo), each public way to
  repost or share ("Repost", "Repost with your thoughts", "Share now", "Share to Feed") and opening a
  comment on a competitor's post are held, and go out once when confirmed with a reason;
- a red-line post is held, a client's post is only recorded (the default policy);
- acting as the company page, the card says so, by the page's name; switched back, it does not.

What the site did is read from its own handlers (`window.__replica.actions`), what was audited from the
companion's log. The companion is shared by the module's tests, so each test counts from the reaction
events already there. (Policy cells, the companion being down and the Chinese card are tested in
Chromium.)
"""

from __future__ import annotations

import pytest

from harness.firefox import FirefoxPage, firefox_missing
from harness.replica_page import screenshot_path
from harness.replica_server import SITES
from reaction_cases import (CARD_HOST, CLIENT, COMMENT_BUTTONS, COMPANY, FLYOUT_NOUN, FLYOUTS, LIKE_BUTTONS,
                            LINKEDIN_ACTING_AS, LINKEDIN_IDENTITY_MODAL, LINKEDIN_IDENTITY_SAVE,
                            LINKEDIN_IDENTITY_TOGGLE, PERSONAL, POSTS, RED_LINE_MESSAGE, REASONS, SHARE_NOUN, SHARES,
                            company_message, competitor_message, reaction_count, reaction_events)
from test_firefox_composers import firefox_companion, launch_firefox, proxy  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]

SITE_IDS = ["linkedin", "facebook", "instagram"]
CARD = f">>> {CARD_HOST} >>> .pg-card"
IDENTITY = f"{CARD} .pg-identity"
REASON = REASONS[0]


def open_feed(launch_firefox, companion, site: str, query: str = "") -> FirefoxPage:  # noqa: F811
    browser = launch_firefox({"companionUrl": companion.url})
    return browser.open_replica(f"https://{SITES[site].hostname}{SITES[site].home_path}{query}")


def open_feed_as_the_company(launch_firefox, companion, site: str) -> FirefoxPage:  # noqa: F811
    """LinkedIn: the per-post identity switcher, as a page admin uses it. Facebook's "Switch Now" and
    Instagram's "Switch accounts" reload the page as the other identity (the replicas: `?as=page`)."""
    if site != "linkedin":
        return open_feed(launch_firefox, companion, site, "?as=page")
    return act_as(open_feed(launch_firefox, companion, site), site, COMPANY[site])


def act_as(page: FirefoxPage, site: str, name: str) -> FirefoxPage:
    """Switch who the user reacts as: LinkedIn's per-post identity switcher (the choice sticks for every
    post); Facebook and Instagram reload the page as the other identity (the replicas: `?as=page`)."""
    if site == "linkedin":
        page.click(LINKEDIN_IDENTITY_TOGGLE)
        page.click_text(f"{LINKEDIN_IDENTITY_MODAL} label", name)
        page.click(LINKEDIN_IDENTITY_SAVE)
        page.wait_for_function(LINKEDIN_ACTING_AS, name)
        return page
    url = page.evaluate("() => location.origin + location.pathname")
    page.goto(url + ("?as=page" if name == COMPANY[site] else ""))
    page.wait_for_function("() => Boolean(window.__replica && window.__replica.ready)")
    return page


def like(page: FirefoxPage, site: str, which: str) -> None:
    """Click the post's Like (or Unlike) button, as a person does (Puppeteer scrolls it into view)."""
    post = POSTS[site][which]
    page.click(", ".join(f"{post} {button}" for button in LIKE_BUTTONS[site]))


def actions(page: FirefoxPage) -> list[dict]:
    return page.evaluate("() => window.__replica.actions")


def wait_actions(page: FirefoxPage, count: int) -> list[dict]:
    page.wait_for_function("(n) => window.__replica.actions.length >= n", count)
    return actions(page)


def held_card(page: FirefoxPage, site: str, which: str) -> str:
    """Like the post and wait for the card; its text."""
    like(page, site, which)
    page.wait_for_selector(CARD)
    return page.texts(CARD)[0]


def cancel(page: FirefoxPage) -> None:
    page.click_text(f"{CARD} button", "Cancel")
    page.wait_for_selector(CARD, state="hidden")


def confirm(page: FirefoxPage, button: str, reason: str = REASON) -> None:
    """Pick a reason (the confirm button waits for one), confirm, and wait for the card to go."""
    page.select_label(f"{CARD} select", reason)
    page.wait_for_selector(f"{CARD} button[disabled]", state="hidden")
    page.click_text(f"{CARD} button", button)
    page.wait_for_selector(CARD, state="hidden")


def card_text(page: FirefoxPage) -> str:
    page.wait_for_selector(CARD)
    return page.texts(CARD)[0]


def other_reaction(page: FirefoxPage, site: str, which: str) -> None:
    """React otherwise than with Like: the site's reactions on hover, or Instagram's double tap."""
    post = POSTS[site][which]
    opener, reaction = FLYOUTS[site]
    if reaction is None:
        page.click(f"{post} {opener}", count=2)
        return
    page.hover(f"{post} {opener}")
    page.click(reaction if reaction.startswith(".fb-layer") else f"{post} {reaction}")


def share(page: FirefoxPage, site: str, which: str, choice: str) -> None:
    """Repost or share the post the way `choice` names it in the site's menu (or its Repost button)."""
    post = POSTS[site][which]
    opener, items, _ = SHARES[site]
    if opener is None:
        page.click(f"{post} {items}")
        return
    page.click(f"{post} {opener}")
    page.click_text(items if items.startswith(".fb-layer") else f"{post} {items}", choice)


@pytest.mark.parametrize("site", SITE_IDS)
def test_like_on_a_competitors_post_is_held_cancel_leaves_it_like_anyway_sends_it_once(
        site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    page = open_feed(launch_firefox, firefox_companion, site)
    assert competitor_message(site) in held_card(page, site, "competitor")
    page.screenshot(screenshot_path(f"firefox-reaction-card-{site}"))
    cancel(page)
    cancelled = reaction_events(firefox_companion, 1, after=before)[0]
    assert cancelled["details"]["decision"] == "cancelled" and cancelled["details"]["reasons"] == ["competitor"]
    assert actions(page) == [], "Cancel: the site did nothing"

    held_card(page, site, "competitor")
    assert page.count(f"{CARD} button[disabled]") == 1, "Like anyway waits for a reason"
    page.select_label(f"{CARD} select", REASON)
    page.wait_for_selector(f"{CARD} button[disabled]", state="hidden")
    page.click_text(f"{CARD} button", "Like anyway")
    page.wait_for_selector(CARD, state="hidden")
    done = wait_actions(page, 1)
    overridden = reaction_events(firefox_companion, 2, after=before)[1]
    assert overridden["details"]["decision"] == "overridden" and overridden["justification"] == REASON
    assert overridden["details"]["list_entry"] == {"kind": "competitor", "name": "Northwind Hardware Co."}
    assert "KT-series" not in repr(overridden), "no post text in the audit log"
    assert [a["kind"] for a in actions(page)] == ["react"], "sent exactly once"
    assert done[0]["post"]


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_harmless_post_and_taking_a_like_back_are_never_held(site, launch_firefox, firefox_companion):  # noqa: F811
    page = open_feed(launch_firefox, firefox_companion, site)
    like(page, site, "clean")
    assert wait_actions(page, 1)[0]["kind"] == "react"
    like(page, site, "liked_competitor")  # un-like a competitor's post: turning a reaction off is never checked
    assert wait_actions(page, 2)[1]["kind"] == "unreact"
    like(page, site, "clean")
    assert wait_actions(page, 3)[2]["kind"] == "unreact"
    assert page.count(CARD) == 0


@pytest.mark.parametrize("site", SITE_IDS)
def test_as_the_company_the_card_names_the_page(site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    page = open_feed_as_the_company(launch_firefox, firefox_companion, site)
    text = held_card(page, site, "competitor")
    assert page.texts(IDENTITY) == [company_message(site)]
    assert "is a competitor. Your like is public" in text, "the competitor is still said"
    page.screenshot(screenshot_path(f"firefox-reaction-card-company-{site}"))
    cancel(page)
    event = reaction_events(firefox_companion, 1, after=before)[0]
    assert event["details"]["decision"] == "cancelled" and event["details"]["acted_as_company"] is True
    assert actions(page) == []


@pytest.mark.parametrize("site", SITE_IDS)
def test_another_reaction_and_every_public_repost_or_share_of_a_competitors_post_are_held(
        site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    page = open_feed(launch_firefox, firefox_companion, site)
    other_reaction(page, site, "competitor")
    assert f"Your {FLYOUT_NOUN[site]} is public" in card_text(page)
    cancel(page)
    assert reaction_events(firefox_companion, 1, after=before)[0]["details"]["decision"] == "cancelled"
    assert actions(page) == [], "Cancel: the reaction (or the double tap's like) did not go out"

    noun, (_, _, choices) = SHARE_NOUN[site], SHARES[site]
    for n, (choice, recorded) in enumerate(choices.items(), start=1):
        share(page, site, "competitor", choice)
        assert f"Your {noun} is public and your clients can see it." in card_text(page), choice
        if n == 1:
            page.screenshot(screenshot_path(f"firefox-reaction-shared-{site}"))
        confirm(page, f"{noun.capitalize()} anyway", REASONS[1])
        assert [a["kind"] for a in wait_actions(page, n)] == list(choices.values())[:n], f"{choice}: out once"
    events = reaction_events(firefox_companion, 1 + len(choices), after=before)[1:]
    assert [(e["action"], e["details"]["decision"]) for e in events] == [
        ("share" if site == "facebook" else "repost", "overridden")] * len(choices)
    assert all(e["justification"] == REASONS[1] for e in events)


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_comment_on_a_competitors_post_is_held_and_opens_once_confirmed(site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    page = open_feed(launch_firefox, firefox_companion, site)
    page.click(f"{POSTS[site]['competitor']} {COMMENT_BUTTONS[site]}")
    assert "Your comment is public and your clients can see it." in card_text(page)
    page.screenshot(screenshot_path(f"firefox-reaction-comment-{site}"))
    cancel(page)
    assert actions(page) == [], "Cancel: the comment box stayed shut"
    page.click(f"{POSTS[site]['competitor']} {COMMENT_BUTTONS[site]}")
    confirm(page, "Comment anyway")
    assert [a["kind"] for a in wait_actions(page, 1)] == ["comment-open"]
    events = reaction_events(firefox_companion, 2, after=before)
    assert [(e["action"], e["details"]["decision"]) for e in events] == [("comment", "cancelled"), ("comment", "overridden")]


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_red_line_post_is_held_and_a_clients_post_only_recorded(site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    page = open_feed(launch_firefox, firefox_companion, site)
    assert RED_LINE_MESSAGE in held_card(page, site, "red_line")
    cancel(page)
    like(page, site, "client")  # the default policy monitors a client's post: recorded, not held
    assert wait_actions(page, 1)[0]["kind"] == "react"
    assert page.count(CARD) == 0
    events = reaction_events(firefox_companion, 2, after=before)
    assert [e["details"]["decision"] for e in events] == ["cancelled", "monitored"]
    assert events[0]["details"]["reasons"] == ["red_line"] and events[1]["details"]["reasons"] == ["client"]
    assert events[1]["details"]["list_entry"]["name"] == CLIENT
    assert "Daniel" not in repr(events), "a name off the lists is never recorded"


@pytest.mark.parametrize("site", SITE_IDS)
def test_switched_back_to_the_personal_account_the_company_warning_is_gone(site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    page = open_feed_as_the_company(launch_firefox, firefox_companion, site)
    held_card(page, site, "competitor")
    assert page.texts(IDENTITY) == [company_message(site)]
    cancel(page)
    act_as(page, site, PERSONAL[site])
    assert "is a competitor" in held_card(page, site, "competitor")
    assert page.count(IDENTITY) == 0, "no identity warning once switched back"
    cancel(page)
    assert actions(page) == []
    events = reaction_events(firefox_companion, 2, after=before)
    assert [e["details"]["acted_as_company"] for e in events] == [True, False]
    assert COMPANY[site] not in repr(events) and PERSONAL[site] not in repr(events), "the identity only as a hash"
