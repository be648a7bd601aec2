"""The reaction guard in Debian's firefox-esr (WebDriver BiDi) on the three feed replicas, against the
real companion: the same extension folder, replicas and cases as the Chromium file
tests/e2e/test_reaction_guard.py, written once in reaction_cases.py.

What a salesperson notices, on LinkedIn (both renderings), Facebook and Instagram:
- a like, another reaction (Instagram: a double tap on the photo), each public way to repost or share
  ("Repost", "Repost with your thoughts", "Share now", "Share to Feed"), opening a comment, and on
  Instagram a comment typed in the post's box and sent by "Post" or Enter, on a
  competitor's or red-line post (and on a client's when policy says so) are held with a card that says
  why; Cancel leaves the post untouched (the replica's own handler recorded nothing), "… anyway" with a
  reason lets it through once and is audited with the author's handle hashed and no post text;
- a comment typed in a post's open comment box (LinkedIn's "Comment", Facebook's Enter in "Comment as
  ‹Name›") under a competitor's or red-line post is held the same way; one that also gives a price away
  is one card with the post's reason and the comment's finding, audited once as a reaction and once as
  the text's decision;
- a like on a harmless post goes out at once, and taking a like back is never held; a comment typed
  under a harmless post goes out at once, and Shift+Enter in the box is a line break, never held;
- by default a client's post is only recorded;
- a reply to a comment under a competitor's or red-line post (LinkedIn's both boxes, Facebook's "Reply
  to ‹Name›") is held as a comment is; a harmless post's reply goes at once;
- on the card for a leaky comment, each finding's words are selected in the box by a click and
  replaced by its Fix, and the fixed comment goes out with the post's reason still asked for;
- Instagram's comment box (a textarea) shows the words it gives away underlined while typing;
- the card never covers the post's author or the Like that was clicked;
- acting as the company page, the card says so, by the page's name; switched back, it does not.

The companion is shared by the module's tests, so each test counts from the reaction events already
there. (Policy cells, the companion being down and the Chinese card are tested in Chromium.)
"""

from __future__ import annotations

import pytest

from harness.firefox import firefox_missing
from harness.replica_server import SITES
from reaction_cases import (CARD_HOST, HELD_CASES, REPLY_CASES, SITE_IDS, FeedHands, Held,
                            a_clean_comment_on_a_clean_post_goes_at_once, a_clean_posts_reply_goes_at_once,
                            a_clients_post_is_only_recorded_by_default, a_harmless_posts_comment_goes_straight_through,
                            a_leaky_comment_on_a_risky_post_is_one_card, a_leaky_comments_words_are_fixed_on_the_card,
                            a_reply_on_a_risky_post_is_held_like_a_comment, as_the_company_the_card_says_so_until_switched_back,
                            decision_count, harmless_and_taking_back_go_straight_through,
                            held_then_cancelled_then_let_through, instagram_comment_underlined_while_typing,
                            instagram_words_scrolled_out_of_the_comment_box_stay_unmarked, open_boxes_path,
                            reaction_count, the_card_leaves_the_author_and_the_control_in_sight)
from test_firefox_composers import firefox_companion, launch_firefox, proxy  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]

CARD = f">>> {CARD_HOST} >>> .pg-card"


def open_feed(launch_firefox, companion, site: str, path: str | None = None, **settings) -> FeedHands:  # noqa: F811
    """`site`'s feed (at `path`, else its home) in a new firefox-esr with the extension; `settings` as IT's
    managed values."""
    browser = launch_firefox({"companionUrl": companion.url, **settings})
    page = browser.open_replica(f"https://{SITES[site].hostname}{path or SITES[site].home_path}")
    return FeedHands(page, site, CARD, "firefox")


# --- the cases Chromium runs too (reaction_cases.py) --------------------------------------------

@pytest.mark.parametrize("case", HELD_CASES, ids=str)
def test_a_risky_post_is_held_and_says_why_cancel_leaves_it_anyway_lets_it_through_once(
        case: Held, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    feed = open_feed(launch_firefox, firefox_companion, case.site, case.path, **case.settings)
    held_then_cancelled_then_let_through(feed, firefox_companion, case, before)


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_harmless_post_and_taking_a_like_back_are_never_held(site, launch_firefox, firefox_companion):  # noqa: F811
    harmless_and_taking_back_go_straight_through(open_feed(launch_firefox, firefox_companion, site))


def test_a_comment_typed_under_a_harmless_post_goes_straight_through(launch_firefox, firefox_companion):  # noqa: F811
    a_harmless_posts_comment_goes_straight_through(open_feed(launch_firefox, firefox_companion, "instagram"))


@pytest.mark.parametrize("site", ["linkedin", "facebook"])
def test_a_clean_comment_from_a_clean_posts_open_box_goes_at_once(site, launch_firefox, firefox_companion):  # noqa: F811
    a_clean_comment_on_a_clean_post_goes_at_once(open_feed(launch_firefox, firefox_companion, site, open_boxes_path(site)))


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_leaky_comment_on_a_competitors_post_is_one_card_with_both(site, launch_firefox, firefox_companion):  # noqa: F811
    reactions, decisions = reaction_count(firefox_companion), decision_count(firefox_companion)
    feed = open_feed(launch_firefox, firefox_companion, site, open_boxes_path(site))
    a_leaky_comment_on_a_risky_post_is_one_card(feed, firefox_companion, reactions, decisions)


@pytest.mark.parametrize("site", SITE_IDS)
def test_a_clients_post_is_only_recorded_by_default(site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    feed = open_feed(launch_firefox, firefox_companion, site)
    a_clients_post_is_only_recorded_by_default(feed, firefox_companion, before)


@pytest.mark.parametrize(("site", "post"), REPLY_CASES)
def test_a_reply_to_a_comment_under_a_risky_post_is_held_like_a_comment(site, post, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    feed = open_feed(launch_firefox, firefox_companion, site, open_boxes_path(site))
    a_reply_on_a_risky_post_is_held_like_a_comment(feed, firefox_companion, post, before)


@pytest.mark.parametrize("site", ["linkedin", "facebook"])
def test_a_reply_under_a_harmless_post_goes_at_once(site, launch_firefox, firefox_companion):  # noqa: F811
    a_clean_posts_reply_goes_at_once(open_feed(launch_firefox, firefox_companion, site, open_boxes_path(site)))


@pytest.mark.parametrize("site", SITE_IDS)
def test_the_cards_fix_rewrites_what_a_leaky_comment_gives_away(site, launch_firefox, firefox_companion):  # noqa: F811
    reactions, decisions = reaction_count(firefox_companion), decision_count(firefox_companion)
    feed = open_feed(launch_firefox, firefox_companion, site, open_boxes_path(site))
    a_leaky_comments_words_are_fixed_on_the_card(feed, firefox_companion, reactions, decisions)


def test_instagram_a_comment_is_underlined_while_typed(launch_firefox, firefox_companion):  # noqa: F811
    instagram_comment_underlined_while_typing(open_feed(launch_firefox, firefox_companion, "instagram"))


def test_instagram_words_scrolled_out_of_the_comment_box_are_not_underlined_outside_it(launch_firefox, firefox_companion):  # noqa: F811
    instagram_words_scrolled_out_of_the_comment_box_stay_unmarked(open_feed(launch_firefox, firefox_companion, "instagram"))


@pytest.mark.parametrize("site", SITE_IDS)
def test_the_card_leaves_the_author_and_the_like_in_sight(site, launch_firefox, firefox_companion):  # noqa: F811
    the_card_leaves_the_author_and_the_control_in_sight(open_feed(launch_firefox, firefox_companion, site))


# --- who the user reacts as ---------------------------------------------------------------------

@pytest.mark.parametrize("site", SITE_IDS)
def test_as_the_company_the_card_says_so_until_switched_back(site, launch_firefox, firefox_companion):  # noqa: F811
    before = reaction_count(firefox_companion)
    feed = open_feed(launch_firefox, firefox_companion, site)
    as_the_company_the_card_says_so_until_switched_back(feed, firefox_companion, before)
