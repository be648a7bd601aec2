"""What the reaction guard's e2e tests share, in Chromium (test_reaction_guard.py) and Firefox
(test_firefox_reactions.py): where each feed replica's posts and Like buttons are, who the company is on
each site, what the card says about a competitor, and the companion's record of reactions.

Plain selectors and data only: each browser file reaches them with its own driver.
"""

from __future__ import annotations

import time

from test_extension_support import audit_events

# The reaction card: an open shadow root on a host the extension adds to the page.
CARD_HOST = '[data-postguard="reaction-card"]'

# The posts of each feed replica (tests/e2e/replicas/*/feed), by what they are to Lumen Hardware.
POSTS = {
    "linkedin": {
        "competitor": '[data-urn="urn:li:activity:7310"]',
        "clean": '[data-urn="urn:li:activity:7311"]',
        "red_line": '[componentkey^="urn:li:activity:7320"]',
        "client": '[componentkey^="urn:li:activity:7321"]',
        "liked_competitor": '[componentkey^="urn:li:activity:7322"]',
    },
    "facebook": {
        "competitor": '[aria-describedby="story-pfbid0NW7310"]',
        "clean": '[aria-describedby="story-pfbid0KM7311"]',
        "red_line": '[aria-describedby="story-pfbid0DN7320"]',
        "client": '[aria-describedby="story-pfbid0HM7321"]',
        "liked_competitor": '[aria-describedby="story-pfbid0SH7322"]',
    },
    "instagram": {
        "competitor": 'article:has(a[href="/p/C0NW7310/"])',
        "clean": 'article:has(a[href="/p/C0KM7311/"])',
        "red_line": 'article:has(a[href="/p/C0DN7320/"])',
        "client": 'article:has(a[href="/p/C0HM7321/"])',
        "liked_competitor": 'article:has(a[href="/p/C0SH7322/"])',
    },
}
# A post's Like (or Unlike) button, inside the post: both of LinkedIn's renderings.
LIKE_BUTTONS = {
    "linkedin": ('button.react-button__trigger', 'button[data-view-name="reaction-button"]'),
    "facebook": ('[data-ad-rendering-role="like_button"]',),
    "instagram": ('[role="button"]:has(svg[aria-label="Like"])', '[role="button"]:has(svg[aria-label="Unlike"])'),
}

# Another reaction than Like, in a post: what the pointer rests on to open the site's reactions and the
# one to pick (Facebook's toolbar mounts in a layer outside the post). Instagram has no reactions: a
# double tap on the photo is its other way to like (None: double-click the first selector).
FLYOUTS = {
    "linkedin": ("button.react-button__trigger", 'button[aria-label="React Celebrate"]'),
    "facebook": ('[data-ad-rendering-role="like_button"]', '.fb-layer [role="button"][aria-label="Love"]'),
    "instagram": (".ig-post__media", None),
}
FLYOUT_NOUN = {"linkedin": "reaction", "facebook": "reaction", "instagram": "like"}

# Repost and share: the post's button that opens the site's menu (None: the button itself reposts), where
# the menu's choices are, and each public choice with what the site records once it goes out
# ("-open": the site opens its composer with the post quoted).
SHARES = {
    "linkedin": ("button.social-reshare-button", ".social-reshare-button__share-dropdown-content [role=button]",
                 {"Repost": "repost", "Repost with your thoughts": "repost-open"}),
    "facebook": ('[data-ad-rendering-role="share_button"]', '.fb-layer [role="button"]',
                 {"Share now (Friends)": "share", "Share to Feed": "share-open"}),
    "instagram": (None, '[role="button"]:has(svg[aria-label="Repost"])', {"Repost": "repost"}),
}
SHARE_NOUN = {"linkedin": "repost", "facebook": "share", "instagram": "repost"}

# A post's Comment button (it opens the comment box: the site records "comment-open").
COMMENT_BUTTONS = {
    "linkedin": "button.comment-button",
    "facebook": '[role="button"][aria-label="Leave a comment"]',
    "instagram": '[role="button"]:has(svg[aria-label="Comment"])',
}

# The card's words for the reasons other than a competitor, and the answer a person picks.
RED_LINE_MESSAGE = "red-line topic (politics, religion or race)"
CLIENT = "Hansen Maschinenbau GmbH"
REASONS = ("Industry news worth supporting", "A business partner or customer event")

# identities.yaml in rules/org/example: Lumen Hardware's own page or account, and the user's own.
COMPANY = {"linkedin": "Lumen Hardware Co., Ltd.", "facebook": "Lumen Hardware", "instagram": "lumenhardware.official"}
PERSONAL = {"linkedin": "Li Wei", "facebook": "Li Wei", "instagram": "li.wei.exports"}

# LinkedIn's per-post identity switcher (the choice sticks for every post): the toggle on a post, the
# modal's radios (a label per identity) and its Save, and a page function true once every post shows `name`.
LINKEDIN_IDENTITY_TOGGLE = f'{POSTS["linkedin"]["competitor"]} button.content-admin-identity-toggle-button'
LINKEDIN_IDENTITY_MODAL = '[aria-labelledby="content-admin-identity-modal"]'
LINKEDIN_IDENTITY_SAVE = f'{LINKEDIN_IDENTITY_MODAL} [aria-label="Save selection"]'
LINKEDIN_ACTING_AS = ("(n) => [...document.querySelectorAll('.content-admin-identity-toggle-button img')]"
                      ".every((img) => img.alt === `Photo of ${n}`)")


def competitor_message(site: str) -> str:
    """What the card says about a like on Northwind's post (Instagram shows the handle first)."""
    who = "northwind.hardware (Northwind Hardware Co.)" if site == "instagram" else "Northwind Hardware Co."
    return f"{who} is a competitor. Your like is public and your clients can see it."


def company_message(site: str) -> str:
    """The card's identity line when the user acts as the company."""
    return f"You are acting as the company page {COMPANY[site]}: this like would be the company's, in public."


def reaction_events(companion, count: int = 1, after: int = 0, timeout_s: float = 15.0) -> list[dict]:
    """The companion's `reaction` events after the first `after` ones, once there are at least `count`
    of them (decisions reach the companion asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while True:
        events = [e for e in audit_events(companion.data_dir) if e["kind"] == "reaction"][after:]
        if len(events) >= count:
            return events
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(events)} of {count} reaction events; last: {events[-3:]}")
        time.sleep(0.3)


def reaction_count(companion) -> int:
    """How many `reaction` events the companion holds now (for a companion shared between tests)."""
    return len([e for e in audit_events(companion.data_dir) if e["kind"] == "reaction"])
