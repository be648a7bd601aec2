"""The reaction guard in Debian's firefox-esr (WebDriver BiDi) on the three feed replicas, against the
real companion: the same extension folder, replicas, posts and assertions as the Chromium file
tests/e2e/test_reaction_guard.py (shared in reaction_cases.py).

What a salesperson notices, on LinkedIn, Facebook and Instagram:
- a like on a competitor's post is held with a card that names the competitor; Cancel leaves the post
  untouched (the replica's own handler recorded nothing), "Like anyway" with a reason goes out once;
- a like on a harmless post goes out at once, and taking a like back is never held;
- acting as the company page, the card says so, by the page's name.

What the site did is read from its own handlers (`window.__replica.actions`), what was audited from the
companion's log. The companion is shared by the module's tests, so each test counts from the reaction
events already there. (Flyout reactions, reposts, red-line and client posts, policy and the companion
being down are tested in Chromium.)
"""

from __future__ import annotations

import pytest

from harness.firefox import FirefoxPage, firefox_missing
from harness.replica_page import screenshot_path
from harness.replica_server import SITES
from reaction_cases import (CARD_HOST, COMPANY, LIKE_BUTTONS, LINKEDIN_ACTING_AS, LINKEDIN_IDENTITY_MODAL,
                            LINKEDIN_IDENTITY_SAVE, LINKEDIN_IDENTITY_TOGGLE, POSTS, company_message,
                            competitor_message, reaction_count, reaction_events)
from test_firefox_composers import firefox_companion, launch_firefox, proxy  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]

SITE_IDS = ["linkedin", "facebook", "instagram"]
CARD = f">>> {CARD_HOST} >>> .pg-card"
IDENTITY = f"{CARD} .pg-identity"
REASON = "Industry news worth supporting"


def open_feed(launch_firefox, companion, site: str, query: str = "") -> FirefoxPage:  # noqa: F811
    browser = launch_firefox({"companionUrl": companion.url})
    return browser.open_replica(f"https://{SITES[site].hostname}{SITES[site].home_path}{query}")


def open_feed_as_the_company(launch_firefox, companion, site: str) -> FirefoxPage:  # noqa: F811
    """LinkedIn: the per-post identity switcher, as a page admin uses it. Facebook's "Switch Now" and
    Instagram's "Switch accounts" reload the page as the other identity (the replicas: `?as=page`)."""
    if site != "linkedin":
        return open_feed(launch_firefox, companion, site, "?as=page")
    page = open_feed(launch_firefox, companion, site)
    page.click(LINKEDIN_IDENTITY_TOGGLE)
    page.click_text(f"{LINKEDIN_IDENTITY_MODAL} label", COMPANY[site])
    page.click(LINKEDIN_IDENTITY_SAVE)
    page.wait_for_function(LINKEDIN_ACTING_AS, COMPANY[site])
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
