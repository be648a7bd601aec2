"""The reaction guard's e2e cases, written once and run in Chromium (test_reaction_guard.py) and Firefox
(test_firefox_reactions.py): where each feed replica's posts and controls are, who the company is on
each site, what the card says, the user's steps and what a salesperson notices.

Each browser file hands the scenarios a page with one small API (FirefoxPage's: goto, click, hover,
click_text, type, press, select_label, wait_for_selector, count, texts, evaluate, wait_for_function, screenshot)
and its own selector for the card (Playwright's CSS enters open shadow roots, Puppeteer's needs `>>>`),
through `FeedHands`. What the site did is read from its own handlers (`window.__replica.actions`), what
was audited from the companion's log; a companion shared by tests is counted from the events already
there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harness.replica_page import screenshot_path
from harness.replica_server import SITES
from test_extension_support import audit_events, holds_the_price

SITE_IDS = ("linkedin", "facebook", "instagram")

# The reaction card: an open shadow root on a host the extension adds to the page.
CARD_HOST = '[data-postguard="reaction-card"]'

# The posts of each feed replica (tests/e2e/replicas/*/feed), by what they are to Lumen Hardware. On
# LinkedIn the competitor's and the clean post are Ember updates, the others SDUI list items.
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
# What of each post's text must never reach the audit log, and the author's handle as the page links it
# (it goes in only as a keyed hash).
POST_WORDS = {"competitor": "KT-series", "red_line": "election was stolen", "client": "60 years"}
HANDLES = {
    "linkedin": {"competitor": "northwind-hardware", "red_line": "daniel-novak-88", "client": "hansen-mb"},
    "facebook": {"competitor": "northwindhardware", "red_line": "daniel.novak.88", "client": "hansenmb"},
    "instagram": {"competitor": "northwind.hardware", "red_line": "daniel.novak88", "client": "hansen.maschinenbau"},
}

# A post's controls, each a tuple of alternatives (both of LinkedIn's renderings) found inside the post.
# A selector starting with `.fb-layer` is Facebook's layer outside the post (toolbars and menus).
LIKE_BUTTONS = {
    "linkedin": ('button.react-button__trigger', 'button[data-view-name="reaction-button"]'),
    "facebook": ('[data-ad-rendering-role="like_button"]',),
    "instagram": ('[role="button"]:has(svg[aria-label="Like"])', '[role="button"]:has(svg[aria-label="Unlike"])'),
}
# Another reaction than Like: what the pointer rests on to open the site's reactions and the one to pick.
# Instagram has no reactions: a double tap on the photo is its other way to like (None: double-click).
# LinkedIn's SDUI rendering has no flyout in feed-dom.md.
FLYOUTS = {
    "linkedin": ("button.react-button__trigger", 'button[aria-label="React Celebrate"]'),
    "facebook": ('[data-ad-rendering-role="like_button"]', '.fb-layer [role="button"][aria-label="Love"]'),
    "instagram": (".ig-post__media", None),
}
FLYOUT_NOUN = {"linkedin": "reaction", "facebook": "reaction", "instagram": "like"}
# Repost and share: the post's button that opens the site's menu (None: the button itself reposts), the
# menu's choices, and each public choice with what the site records once it goes out ("-open": the site
# opens its composer with the post quoted).
SHARES = {
    "linkedin": (("button.social-reshare-button", 'button[data-view-name="feed-share-button"]'),
                 (".social-reshare-button__share-dropdown-content [role=button]", '[role="menu"] [role="menuitem"]'),
                 {"Repost": "repost", "Repost with your thoughts": "repost-open"}),
    "facebook": (('[data-ad-rendering-role="share_button"]',), ('.fb-layer [role="button"]',),
                 {"Share now (Friends)": "share", "Share to Feed": "share-open"}),
    "instagram": (None, ('[role="button"]:has(svg[aria-label="Repost"])',), {"Repost": "repost"}),
}
SHARE_NOUN = {"linkedin": "repost", "facebook": "share", "instagram": "repost"}
# A post's Comment button (it opens the comment box: the site records "comment-open").
COMMENT_BUTTONS = {
    "linkedin": ("button.comment-button", '[data-view-name="feed-comment-button"]'),
    "facebook": ('[role="button"][aria-label="Leave a comment"]',),
    "instagram": ('[role="button"]:has(svg[aria-label="Comment"])',),
}
# The comment box under a post (composer-dom.md, feed-dom.md) and its send control; a comment sent from
# there never touches the Comment button, and the site records "comment" with the text it sent.
# LinkedIn (the older Quill form under Ember posts, the newer TipTap box under SDUI ones) and Facebook
# ("Comment as ‹Name›", Enter sends) show it open under the reaction posts on `?comments=open`, as a
# post's own page does; Instagram under every post.
COMMENT_BOXES = {
    "linkedin": ("form.comments-comment-box__form .ql-editor", '[data-view-name="comment-box"] [role="textbox"]'),
    "facebook": ('[role="textbox"][aria-label^="Comment as "]',),
    "instagram": ('textarea[aria-label="Add a comment…"]',),
}
COMMENT_SEND = {
    "linkedin": (("button.comments-comment-box__submit-button--cr", 'button[data-view-name="comment-post"]'), "Comment"),
    "instagram": (('form [role="button"]',), "Post"),
}
OPEN_BOXES = {"linkedin": "?comments=open", "facebook": "?comments=open", "instagram": ""}
# How each site's box is sent in the cases that do not try every way (Facebook's has no button).
COMMENT_BY = {"linkedin": "post", "facebook": "enter", "instagram": "enter"}
COMMENT_TEXT = "Congratulations on the launch, well deserved"
# A comment that gives a price away (no phone number: that is another engine's test).
LEAKY_COMMENT = "Our best price for you is USD 0.42/pc FOB Ningbo, ask me"
PRICE = "USD 0.42/pc"
# A page function: what the box a selector names holds (a textarea's value, an editor's text).
READ_BOX = "(el) => el.tagName === 'TEXTAREA' ? el.value : el.innerText.trim()"
BOX_VALUE = f"(s) => ({READ_BOX})(document.querySelector(s))"
BOX_HOLDS = f"([s, t]) => ({READ_BOX})(document.querySelector(s)) === t"
# A page function: focus the box a selector names with the caret at the end, as a person clicks back into it.
FOCUS_END = ("(s) => { const el = document.querySelector(s); el.focus();"
             " if (el.tagName === 'TEXTAREA') { el.setSelectionRange(el.value.length, el.value.length); return; }"
             " const r = document.createRange(); r.selectNodeContents(el); r.collapse(false);"
             " getSelection().removeAllRanges(); getSelection().addRange(r); }")
# The composer's warning panel (a comment's own findings on a harmless post).
PANEL_HOST = '[data-postguard="panel"]'
# A reply to a comment under a post (LinkedIn's and Facebook's reaction posts on `?comments=open` carry
# Mei Chen's comment): its "Reply" opens a box nested under the comment (LinkedIn: the post's box of the
# same generation, its button "Reply"; Facebook: a Lexical box "Reply to ‹Name›", Enter sends); the site
# records the post's "reply" with the text it sent.
REPLY_OPENERS = {
    "linkedin": (".comments-comment-entity button",),
    "facebook": ('[role="article"][aria-label^="Comment by "] [role="button"]',),
}
REPLY_BOXES = {
    "linkedin": (".comments-comment-item__nested-items .ql-editor", ".comments-comment-item__nested-items .ProseMirror"),
    "facebook": ('[role="textbox"][aria-label^="Reply to "]',),
}
REPLY_SEND = {"linkedin": ((".comments-comment-item__nested-items button.comments-comment-box__submit-button--cr",
                            '.comments-comment-item__nested-items button[data-view-name="comment-post"]'), "Reply")}
# Replies tried: LinkedIn's older box (under an Ember post) and newer one (under an SDUI post), Facebook's.
REPLY_CASES = [("linkedin", "competitor"), ("linkedin", "red_line"), ("facebook", "competitor")]
# The card's per-finding actions on a held comment's own findings, and a page function counting its Fix
# buttons (-1: no card).
CARD_FIX = '[data-postguard-action="fix"]'
CARD_SELECT = '[data-postguard-action="select"]'
CARD_FIXES = ("() => { const host = document.querySelector('[data-postguard=\"reaction-card\"]');"
              " return host ? host.shadowRoot.querySelectorAll('[data-postguard-action=\"fix\"]').length : -1; }")
CARD_FIXES_BELOW = ("(n) => { const host = document.querySelector('[data-postguard=\"reaction-card\"]');"
                    " return Boolean(host) && host.shadowRoot.querySelectorAll('[data-postguard-action=\"fix\"]').length < n; }")
# A page function: true when the box a selector names has text selected that includes `t`.
SELECTED_HOLDS = ("([s, t]) => { const el = document.querySelector(s); const got = el.tagName === 'TEXTAREA'"
                  " ? el.value.slice(el.selectionStart, el.selectionEnd) : String(getSelection());"
                  " return document.activeElement === el && got.includes(t); }")
# Where each site shows a post's author (the card must never cover it).
AUTHOR_LINES = {
    "linkedin": ("a.update-components-actor__meta-link", "p.sdui-update__name"),
    "facebook": ('[data-ad-rendering-role="profile_name"]',),
    "instagram": ("header",),
}
# A page function: the card's, the author line's and the control's rects, and the window's size.
CARD_GEOMETRY = ("([author, control]) => { const r = (el) => { const b = el.getBoundingClientRect();"
                 " return {left: b.left, top: b.top, width: b.width, height: b.height}; };"
                 " const card = document.querySelector('[data-postguard=\"reaction-card\"]').shadowRoot.querySelector('.pg-card');"
                 " return {card: r(card), author: r(document.querySelector(author)), control: r(document.querySelector(control)),"
                 " view: {width: innerWidth, height: innerHeight}}; }")
# A page function: true once the card lies over neither rect and inside the window (the card follows a
# page that scrolled to make room on the next frame).
CARD_CLEAR = ("([author, control]) => { const host = document.querySelector('[data-postguard=\"reaction-card\"]');"
              " if (!host) return false; const c = host.shadowRoot.querySelector('.pg-card').getBoundingClientRect();"
              " const apart = (el) => { const b = el.getBoundingClientRect(); return c.right <= b.left || b.right <= c.left"
              " || c.bottom <= b.top || b.bottom <= c.top; };"
              " return c.width > 0 && c.left >= 0 && c.top >= 0 && c.right <= innerWidth + 0.5 && c.bottom <= innerHeight + 0.5"
              " && apart(document.querySelector(author)) && apart(document.querySelector(control)); }")
# A page function: the underlines drawn over the textarea a selector names ([left, top, width, height] each,
# or null while there are none), whether all of them lie inside it, and where `words` (on its first line)
# is drawn: its left, and the widths from there to each end of a word at or after the end of `words`
# (a finding may take in the words after them, "USD 0.42/pc FOB Ningbo"), measured in the textarea's own font.
TEXTAREA_MARKS = ("([s, words]) => { const el = document.querySelector(s); const box = el.getBoundingClientRect();"
                  " const host = document.querySelector('[data-postguard=\"highlights\"]');"
                  " const marks = host ? [...host.shadowRoot.querySelectorAll('.pg-hl')].map((m) => m.getBoundingClientRect()) : [];"
                  " if (!marks.length) return null; const style = getComputedStyle(el);"
                  " const ctx = document.createElement('canvas').getContext('2d'); ctx.font = style.font;"
                  " const at = el.value.indexOf(words);"
                  " return {marks: marks.map((m) => [m.left, m.top, m.width, m.height]),"
                  " inside: marks.every((m) => m.left >= box.left - 1 && m.right <= box.right + 1 && m.top >= box.top - 1 && m.bottom <= box.bottom + 1),"
                  " left: box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft) + ctx.measureText(el.value.slice(0, at)).width,"
                  " widths: [...el.value.matchAll(/(?=[\\s,.;]|$)/g)].map((m) => m.index).filter((end) => end >= at + words.length)"
                  ".map((end) => ctx.measureText(el.value.slice(at, end)).width)}; }")
# A page function: true once some underline over the textarea starts at `left` (within 3 px).
TEXTAREA_MARK_AT = (f"([s, words, left]) => {{ const got = ({TEXTAREA_MARKS})([s, words]);"
                    " return Boolean(got) && got.marks.some((m) => Math.abs(m[0] - left) < 3); }")
# A page function: put the caret at the start of the box a selector names.
CARET_TO_START = "(s) => { const el = document.querySelector(s); el.focus(); el.setSelectionRange(0, 0); }"
# A page function: scroll so that the element a selector names sits at the bottom of the window.
TO_BOTTOM = "(s) => document.querySelector(s).scrollIntoView({block: 'end'})"

CLIENT = "Hansen Maschinenbau GmbH"
COMPETITOR = "Northwind Hardware Co."
RED_LINE_MESSAGE = "red-line topic (politics, religion or race)"
REASONS = ("Industry news worth supporting", "A business partner or customer event")
ANYWAY = {"react": "Like anyway", "repost": "Repost anyway", "share": "Share anyway", "comment": "Comment anyway"}
CLIENT_WARNS = {"reactionPolicy": {"react": {"client": "warn"}}}  # by default a client's post is only recorded

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


def competitor_message(site: str, noun: str = "like") -> str:
    """What the card says about Northwind's post (Instagram shows the handle first)."""
    who = f"northwind.hardware ({COMPETITOR})" if site == "instagram" else COMPETITOR
    return f"{who} is a competitor. Your {noun} is public and your clients can see it."


def company_message(site: str) -> str:
    """The card's identity line when the user acts as the company."""
    return f"You are acting as the company page {COMPANY[site]}: this like would be the company's, in public."


def why(site: str, post: str, noun: str) -> str:
    """The card's sentence for a held `noun` (like, reaction, repost, share, comment) on `post`."""
    if post == "competitor":
        return competitor_message(site, noun)
    if post == "client":
        who = f"hansen.maschinenbau ({CLIENT})" if site == "instagram" else CLIENT
        return f"{who} is one of your clients. Your {noun} is public: your other clients and competitors can see it."
    return f"This post is about a {RED_LINE_MESSAGE}. Your {noun} is public and your clients can see it."


@dataclass
class Held:
    """One way to act on a risky post that the card holds: `how` is like, reaction (the flyout or
    Instagram's double tap), share (the menu's `choice`), comment (the post's Comment button), or a
    comment typed in the post's comment box and sent by its "Post" control (comment-post) or by Enter
    (comment-enter); `key`: the like is pressed from the
    keyboard with this key (KeyboardEvent.key: " " is Space); `settings` go to the extension."""

    site: str
    post: str
    how: str
    choice: str = ""
    settings: dict = field(default_factory=dict)
    key: str = ""

    @property
    def action(self) -> str:
        """The audit event's action."""
        return {"like": "react", "reaction": "react", "share": SHARE_NOUN[self.site]}.get(self.how, "comment")

    @property
    def noun(self) -> str:
        return {"like": "like", "reaction": FLYOUT_NOUN[self.site], "share": SHARE_NOUN[self.site]}.get(self.how, "comment")

    @property
    def recorded(self) -> str:
        """What the site records once the action goes out."""
        return {"share": SHARES[self.site][2].get(self.choice), "comment": "comment-open",
                "comment-post": "comment", "comment-enter": "comment"}.get(self.how, "react")

    @property
    def typed(self) -> bool:
        """A comment typed in the post's comment box (the site sends its text)."""
        return self.how.startswith("comment-")

    @property
    def path(self) -> str | None:
        """The feed's path when the case needs the comment boxes open (None: the site's home)."""
        return SITES[self.site].home_path + OPEN_BOXES[self.site] if self.typed and OPEN_BOXES[self.site] else None

    def __str__(self) -> str:
        rendering = {"competitor": "-ember", "clean": "-ember"}.get(self.post, "-sdui") if self.site == "linkedin" else ""
        what = self.choice.lower().replace(" ", "-").replace("(", "").replace(")", "") if self.choice else self.how
        what = "double-tap" if (self.site, what) == ("instagram", "reaction") else what
        what = f"{what}-by-{'space' if self.key == ' ' else self.key.lower()}" if self.key else what
        return f"{self.site}{rendering}-{self.post}-{what}"


def _held_cases() -> list[Held]:
    """Every guarded action on a competitor's post; on LinkedIn also on an SDUI post (the red-line one:
    its repost menu and comment button; the rendering has no flyout); a like on a red-line post, and on
    a client's when policy warns."""
    def shares_and_comment(site: str, post: str) -> list[Held]:
        return [Held(site, post, "share", choice) for choice in SHARES[site][2]] + [Held(site, post, "comment")]

    cases = []
    for site in SITE_IDS:
        cases += [Held(site, "competitor", "like"), Held(site, "competitor", "reaction"),
                  *shares_and_comment(site, "competitor"), Held(site, "red_line", "like")]
        if site == "linkedin":
            cases += shares_and_comment(site, "red_line")
        cases.append(Held(site, "client", "like", settings=CLIENT_WARNS))
    # A comment typed in the post's open comment box and sent from there, without the Comment button:
    # Instagram's by "Post" and by Enter, LinkedIn's by "Comment" (the older box under an Ember post, the
    # newer under an SDUI one), Facebook's "Comment as ‹Name›" by Enter.
    cases += [Held("instagram", "competitor", "comment-post"), Held("instagram", "competitor", "comment-enter"),
              Held("linkedin", "competitor", "comment-post"), Held("linkedin", "red_line", "comment-post"),
              Held("facebook", "competitor", "comment-enter")]
    # From the keyboard: a real <button> (Space clicks it on key up) and a div[role=button] (the site
    # handles Enter itself). Instagram's replica controls answer clicks only.
    return cases + [Held("linkedin", "competitor", "like", key=" "), Held("facebook", "competitor", "like", key="Enter")]


HELD_CASES = _held_cases()


# A page function: true when an element of the selector (plain CSS) with exactly this text is on screen.
SHOWN = ("([selector, text]) => [...document.querySelectorAll(selector)]"
         ".some((el) => el.textContent.trim() === text && el.getClientRects().length > 0)")

# A page function: Tab's way onto the control a selector names (its focusable button, as a keyboard user lands).
FOCUS = "(selector) => { const el = document.querySelector(selector); (el.closest('button, [tabindex]') || el).focus(); }"


class FeedHands:
    """A user's hands on one feed replica, and what the page shows them. `page` has FirefoxPage's API;
    `card` is the card's selector in that driver's syntax; `browser` names its screenshots."""

    def __init__(self, page, site: str, card: str, browser: str):
        self.page, self.site, self.card, self.browser = page, site, card, browser
        self.identity = f"{card} .pg-identity"

    def within(self, post: str, selectors) -> str:
        """Selectors found inside `post` (Facebook's layer is outside every post)."""
        scoped = POSTS[self.site][post]
        return ", ".join(s if s.startswith(".fb-layer") else f"{scoped} {s}" for s in selectors)

    def like(self, post: str, key: str = "") -> None:
        """Click the post's Like (or Unlike) button (the driver scrolls it into view), or focus it and
        press `key`."""
        if not key:
            self.page.click(self.within(post, LIKE_BUTTONS[self.site]))
            return
        self.page.evaluate(FOCUS, self.within(post, LIKE_BUTTONS[self.site]))
        self.page.press(key)

    def other_reaction(self, post: str) -> None:
        opener, reaction = FLYOUTS[self.site]
        if reaction is None:
            self.page.click(self.within(post, (opener,)), count=2)
            return
        self.page.hover(self.within(post, (opener,)))
        self.page.click(self.within(post, (reaction,)))

    def share(self, post: str, choice: str) -> None:
        """Repost or share the way `choice` names it in the site's menu (or its Repost button)."""
        opener, items, _ = SHARES[self.site]
        if opener is None:
            self.page.click(self.within(post, items))
            return
        # A held choice leaves the menu as it was (the site's own handler, which closes it, never ran):
        # a person then picks again from the open menu.
        if not self.page.evaluate(SHOWN, [self.within(post, items), choice]):
            self.page.click(self.within(post, opener))
        self.page.click_text(self.within(post, items), choice)

    def comment(self, post: str) -> None:
        self.page.click(self.within(post, COMMENT_BUTTONS[self.site]))

    def comment_box(self, post: str) -> str:
        return self.within(post, COMMENT_BOXES[self.site])

    def box_value(self, post: str) -> str:
        return self.page.evaluate(BOX_VALUE, self.comment_box(post))

    def type_comment(self, post: str, text: str) -> None:
        """Click into the post's comment box and type `text` (real key events), once the box holds it."""
        box = self.comment_box(post)
        self.page.click(box)
        self.page.type(text)
        self.page.wait_for_function(BOX_HOLDS, [box, text])

    def send_comment(self, post: str, by: str, text: str = COMMENT_TEXT) -> None:
        """Send a comment from the post's comment box by its "Post" control or by Enter; typed first
        unless the box holds it already (a held comment that was cancelled keeps its text)."""
        if self.box_value(post) != text:
            self.type_comment(post, text)
        if by == "enter":
            self.page.evaluate(FOCUS_END, self.comment_box(post))
            self.page.press("Enter")
        else:
            selectors, label = COMMENT_SEND[self.site]
            self.page.click_text(self.within(post, selectors), label)

    def reply_box(self, post: str) -> str:
        return self.within(post, REPLY_BOXES[self.site])

    def reply_value(self, post: str) -> str:
        return self.page.evaluate(BOX_VALUE, self.reply_box(post))

    def send_reply(self, post: str, text: str = COMMENT_TEXT) -> None:
        """Open the reply box under the post's first comment ("Reply"), type `text` unless it holds it
        already (a held reply that was cancelled keeps its text), and send it: LinkedIn's "Reply",
        Facebook's Enter."""
        if not self.page.count(self.reply_box(post)):
            self.page.click_text(self.within(post, REPLY_OPENERS[self.site]), "Reply")
            self.page.wait_for_selector(self.reply_box(post))
        if self.reply_value(post) != text:
            self.page.click(self.reply_box(post))
            self.page.type(text)
            self.page.wait_for_function(BOX_HOLDS, [self.reply_box(post), text])
        if self.site == "facebook":
            self.page.evaluate(FOCUS_END, self.reply_box(post))
            self.page.press("Enter")
        else:
            selectors, label = REPLY_SEND[self.site]
            self.page.click_text(self.within(post, selectors), label)

    def geometry(self, post: str, control: str) -> dict:
        """The card's, the post's author line's and the clicked control's rects, and the window's size."""
        return self.page.evaluate(CARD_GEOMETRY, [self.within(post, AUTHOR_LINES[self.site]), control])

    def act(self, case: Held) -> None:
        {"like": lambda: self.like(case.post, case.key), "reaction": lambda: self.other_reaction(case.post),
         "share": lambda: self.share(case.post, case.choice), "comment": lambda: self.comment(case.post),
         "comment-post": lambda: self.send_comment(case.post, "post"),
         "comment-enter": lambda: self.send_comment(case.post, "enter")}[case.how]()

    def act_as(self, name: str) -> FeedHands:
        """Switch who the user reacts as, the way each site does it: LinkedIn's per-post identity switcher
        (the choice sticks for every post); Facebook's "Switch Now" and Instagram's "Switch accounts"
        reload the page as the other identity (the replicas: `?as=page`)."""
        if self.site == "linkedin":
            self.page.click(LINKEDIN_IDENTITY_TOGGLE)
            self.page.click_text(f"{LINKEDIN_IDENTITY_MODAL} label", name)
            self.page.click(LINKEDIN_IDENTITY_SAVE)
            self.page.wait_for_function(LINKEDIN_ACTING_AS, name)
            return self
        url = self.page.evaluate("() => location.origin + location.pathname")
        self.page.goto(url + ("?as=page" if name == COMPANY[self.site] else ""))
        self.page.wait_for_function("() => Boolean(window.__replica && window.__replica.ready)")
        return self

    def card_text(self) -> str:
        self.page.wait_for_selector(self.card)
        return self.page.texts(self.card)[0]

    def cancel(self, label: str = "Cancel") -> None:
        self.page.click_text(f"{self.card} button", label)
        self.page.wait_for_selector(self.card, state="hidden")

    def confirm(self, button: str, reason: str = REASONS[0]) -> None:
        """Pick a reason (the confirm button waits for one), confirm, and wait for the card to go."""
        assert self.page.count(f"{self.card} button[disabled]") == 1, f"{button} waits for a reason"
        self.page.select_label(f"{self.card} select", reason)
        self.page.wait_for_selector(f"{self.card} button[disabled]", state="hidden")
        self.page.click_text(f"{self.card} button", button)
        self.page.wait_for_selector(self.card, state="hidden")

    def actions(self) -> list[dict]:
        return self.page.evaluate("() => window.__replica.actions")

    def wait_actions(self, count: int) -> list[dict]:
        self.page.wait_for_function("(n) => window.__replica.actions.length >= n", count)
        return self.actions()


def held_then_cancelled_then_let_through(feed: FeedHands, companion, case: Held, before: int) -> None:
    """The click is held and the card says why; Cancel leaves the post untouched; "… anyway" with a reason
    lets it through once, and the audit log has a `reaction` event with the handle hashed and no post text."""
    feed.act(case)
    assert why(case.site, case.post, case.noun) in feed.card_text(), case
    if case.how.startswith(("share", "comment")) and case.choice != "Repost":
        feed.page.screenshot(screenshot_path(f"{feed.browser}-reaction-card-{case}"))
    feed.cancel()
    cancelled = reaction_events(companion, 1, after=before)[0]
    assert (cancelled["action"], cancelled["details"]["decision"]) == (case.action, "cancelled")
    assert feed.actions() == [], "Cancel: the site did nothing"
    if case.typed:
        assert feed.box_value(case.post) == COMMENT_TEXT, "Cancel keeps the typed comment in the box"

    feed.act(case)
    feed.card_text()
    feed.confirm(ANYWAY[case.action], REASONS[1])
    assert feed.wait_actions(1)[0]["kind"] == case.recorded
    if case.typed:
        assert feed.actions()[0]["text"] == COMMENT_TEXT and feed.box_value(case.post) == "", "the typed comment went out"
    overridden = reaction_events(companion, 2, after=before)[1]
    assert (overridden["action"], overridden["details"]["decision"]) == (case.action, "overridden")
    assert overridden["details"]["reasons"] == [case.post] and overridden["justification"] == REASONS[1]
    if case.post != "red_line":
        name = COMPETITOR if case.post == "competitor" else CLIENT
        assert overridden["details"]["list_entry"] == {"kind": case.post, "name": name}
    handle, author_hash = HANDLES[case.site][case.post], overridden["details"]["author_hash"]
    assert author_hash and len(author_hash) >= 16 and handle not in author_hash
    assert POST_WORDS[case.post] not in repr(overridden) and handle not in repr(overridden), "no post text, no plain handle"
    assert "Daniel" not in repr(overridden), "a name off the lists is never recorded"
    assert "Congratulations" not in repr([cancelled, overridden]), "no comment text"
    assert [a["kind"] for a in feed.actions()] == [case.recorded], "let through exactly once"


def harmless_and_taking_back_go_straight_through(feed: FeedHands) -> None:
    """A harmless post's like goes out at once, and taking a like back is never held (on LinkedIn the
    harmless post is an Ember update, the liked competitor's an SDUI one)."""
    feed.like("clean")
    assert feed.wait_actions(1)[0]["kind"] == "react"
    feed.like("liked_competitor")  # un-like a competitor's post: turning a reaction off is never checked
    assert feed.wait_actions(2)[1]["kind"] == "unreact"
    feed.like("clean")
    assert feed.wait_actions(3)[2]["kind"] == "unreact"
    assert feed.page.count(feed.card) == 0


def a_harmless_posts_comment_goes_straight_through(feed: FeedHands) -> None:
    """A comment typed under a harmless post goes out at once, by Enter and by "Post"; Shift+Enter in a
    competitor's post's box is a line break, never a send, so it is never held."""
    feed.send_comment("clean", "enter", "Well done, team")
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("comment", "Well done, team")]
    feed.send_comment("clean", "post", "Congratulations")
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(2)][1] == ("comment", "Congratulations")
    feed.type_comment("competitor", "Nice")
    feed.page.press("Enter", "Shift")
    feed.page.wait_for_function("(s) => document.querySelector(s).value === 'Nice\\n'", feed.comment_box("competitor"))
    assert feed.page.count(feed.card) == 0 and len(feed.actions()) == 2


def open_boxes_path(site: str) -> str:
    """The feed's path with the reaction posts' comment boxes open."""
    return SITES[site].home_path + OPEN_BOXES[site]


def a_clean_comment_on_a_clean_post_goes_at_once(feed: FeedHands) -> None:
    """A harmless comment typed in a harmless post's open box goes out without a card or the panel."""
    feed.send_comment("clean", COMMENT_BY[feed.site], "Well done, team")
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("comment", "Well done, team")]
    assert feed.page.count(feed.card) == 0 and feed.page.count(PANEL_HOST) == 0


def a_leaky_comment_on_a_risky_post_is_one_card(feed: FeedHands, companion, reactions_before: int,
                                                decisions_before: int) -> None:
    """A comment that gives a price away, typed under a competitor's post: ONE card says why the post is
    risky and lists what the comment itself gives away (never the panel as well); Cancel keeps the
    comment in the box and records one `reaction` event and the text's decision; "Comment anyway" with
    a reason sends it once and records the same two, with no comment text in either."""
    post, by = "competitor", COMMENT_BY[feed.site]
    feed.send_comment(post, by, LEAKY_COMMENT)
    text = feed.card_text()
    assert why(feed.site, post, "comment") in text and "Your comment also contains:" in text and PRICE in text, text
    assert feed.page.count(PANEL_HOST) == 0, "one card, not the panel too"
    feed.page.screenshot(screenshot_path(f"{feed.browser}-reaction-card-leaky-comment-{feed.site}"))
    feed.cancel()
    assert feed.actions() == [] and feed.box_value(post) == LEAKY_COMMENT, "Cancel: nothing sent, the comment kept"

    feed.send_comment(post, by, LEAKY_COMMENT)
    feed.card_text()
    feed.confirm(ANYWAY["comment"], REASONS[1])
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("comment", LEAKY_COMMENT)]
    reactions = reaction_events(companion, 2, after=reactions_before)
    assert [(e["action"], e["details"]["decision"]) for e in reactions] == [("comment", "cancelled"), ("comment", "overridden")]
    assert reactions[1]["details"]["list_entry"] == {"kind": "competitor", "name": COMPETITOR}
    decisions = decision_events(companion, 2, after=decisions_before)
    assert [e["action"] for e in decisions] == ["cancelled", "overridden"], decisions
    assert "pricing" in decisions[1]["categories"] and decisions[1]["justification"] == REASONS[1]
    assert "USD 0.42" not in repr(reactions + decisions) and "best price" not in repr(reactions + decisions), "no comment text"
    assert len(feed.actions()) == 1, "sent exactly once"


def a_reply_on_a_risky_post_is_held_like_a_comment(feed: FeedHands, companion, post: str, before: int) -> None:
    """A reply to a comment under a competitor's or red-line post is public under that post as a comment
    is: held with the card that says why; Cancel sends nothing and keeps the reply in its box; "Comment
    anyway" with a reason sends it once; both audited as the post's comment, without the reply's text."""
    feed.send_reply(post)
    assert why(feed.site, post, "comment") in feed.card_text()
    feed.page.screenshot(screenshot_path(f"{feed.browser}-reaction-card-reply-{feed.site}-{post}"))
    feed.cancel()
    assert feed.actions() == [] and feed.reply_value(post) == COMMENT_TEXT, "Cancel: nothing sent, the reply kept"
    feed.send_reply(post)
    feed.card_text()
    feed.confirm(ANYWAY["comment"], REASONS[1])
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("reply", COMMENT_TEXT)]
    events = reaction_events(companion, 2, after=before)
    assert [(e["action"], e["details"]["decision"], e["details"]["reasons"]) for e in events] == [
        ("comment", "cancelled", [post]), ("comment", "overridden", [post])]
    assert "Congratulations" not in repr(events), "no reply text"
    assert len(feed.actions()) == 1, "sent exactly once"


def a_clean_posts_reply_goes_at_once(feed: FeedHands) -> None:
    """A harmless reply under a harmless post goes out at once, with no card and no panel."""
    feed.send_reply("clean", "Well done, team")
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("reply", "Well done, team")]
    assert feed.page.count(feed.card) == 0 and feed.page.count(PANEL_HOST) == 0


# The card's words in Chinese: the sentence about a competitor's post, "Comment anyway", a reason.
CARD_ZH = {"why": "是竞争对手。你的评论是公开的", "anyway": "仍然评论", "reason": "业务伙伴或客户的活动"}


def a_leaky_comments_words_are_fixed_on_the_card(feed: FeedHands, companion, reactions_before: int,
                                                 decisions_before: int, shot: str = "", words: dict | None = None) -> None:
    """On the one card for a leaky comment under a competitor's post, each finding of the comment has the
    panel's actions: a click on its words selects them in the box, its Fix replaces them there and takes
    the line off; the post's reason still holds the comment, and "Comment anyway" sends the fixed text,
    whose check is recorded as posted (nothing left to post over)."""
    post, by = "competitor", COMMENT_BY[feed.site]
    feed.send_comment(post, by, LEAKY_COMMENT)
    assert PRICE in feed.card_text()
    fixes = feed.page.evaluate(CARD_FIXES)
    assert fixes >= 1, "a Fix per finding with words of its own"
    feed.page.click(f"{feed.card} {CARD_SELECT}")
    feed.page.wait_for_function(SELECTED_HOLDS, [feed.comment_box(post), PRICE])
    feed.page.screenshot(screenshot_path(f"{feed.browser}-reaction-card-fix-{feed.site}{shot}"))
    while fixes > 0:
        feed.page.click(f"{feed.card} {CARD_FIX}")
        feed.page.wait_for_function(CARD_FIXES_BELOW, fixes)
        fixes = feed.page.evaluate(CARD_FIXES)
    fixed = feed.box_value(post)
    assert "0.42" not in fixed and fixed.startswith("Our best price for you is ") and fixed.endswith(", ask me"), fixed
    text = feed.card_text()
    words = words or {"why": why(feed.site, post, "comment"), "anyway": ANYWAY["comment"], "reason": REASONS[1]}
    assert words["why"] in text and PRICE not in text, text
    feed.confirm(words["anyway"], words["reason"])
    assert [(a["kind"], a["text"]) for a in feed.wait_actions(1)] == [("comment", fixed)]
    reactions = reaction_events(companion, 1, after=reactions_before)
    assert [(e["action"], e["details"]["decision"]) for e in reactions] == [("comment", "overridden")]
    decisions = decision_events(companion, 1, after=decisions_before)
    assert [e["action"] for e in decisions] == ["posted"], decisions
    assert not holds_the_price(repr(reactions + decisions)), "no comment text"


def instagram_comment_underlined_while_typing(feed: FeedHands, shot: str = "") -> None:
    """Instagram's comment box is a textarea, which cannot hold marks: the words a comment gives away are
    underlined over it as in any composer, where they are drawn (measured in its own font), inside the
    box; typed before, the underline moves with them; taken out, it goes."""
    box = feed.comment_box("clean")
    feed.type_comment("clean", LEAKY_COMMENT)
    feed.page.wait_for_function(TEXTAREA_MARKS, [box, PRICE], timeout_ms=30_000)
    got = feed.page.evaluate(TEXTAREA_MARKS, [box, PRICE])
    assert got["inside"], got
    price = [m for m in got["marks"] if abs(m[0] - got["left"]) < 3]
    assert price and any(abs(price[0][2] - width) < 3 for width in got["widths"]), f"an underline from {PRICE} to a word's end: {got}"
    feed.page.screenshot(screenshot_path(f"{feed.browser}-instagram-comment-underlined{shot}"))

    feed.page.evaluate(CARET_TO_START, box)
    feed.page.type("Hi! ")
    moved = feed.page.evaluate(TEXTAREA_MARKS, [box, PRICE])
    feed.page.wait_for_function(TEXTAREA_MARK_AT, [box, PRICE, moved["left"]])
    assert feed.page.evaluate(TEXTAREA_MARKS, [box, PRICE])["inside"]

    feed.page.evaluate(FOCUS_END, box)
    for _ in range(len(" FOB Ningbo, ask me") + len(PRICE)):
        feed.page.press("Backspace")
    feed.page.wait_for_function("(s) => !document.querySelector(s).value.includes('0.4')", box)
    feed.page.wait_for_function(f"([s, w]) => ({TEXTAREA_MARKS})([s, w]) === null", [box, PRICE])
    assert feed.actions() == [], "typing sends nothing"


# A page function: whether the textarea a selector names holds more lines than it shows, scrolled to its end.
SCROLLED_DOWN = ("(s) => { const el = document.querySelector(s);"
                 " return el.scrollHeight > el.clientHeight + 4 && el.scrollTop > 0; }")
# A page function: scroll the textarea a selector names back to its first line.
SCROLL_TO_TOP = "(s) => { const el = document.querySelector(s); el.scrollTop = 0; }"
MORE_WORDS = " and we can ship the samples next week"


def instagram_words_scrolled_out_of_the_comment_box_stay_unmarked(feed: FeedHands, shot: str = "") -> None:
    """A comment longer than Instagram's box scrolls inside it: the price on its first line, scrolled out
    of sight, is underlined nowhere (it was drawn above the box, over the post); scrolled back, its
    underline is where the words are, inside the box."""
    box = feed.comment_box("clean")
    feed.type_comment("clean", LEAKY_COMMENT)
    feed.page.wait_for_function(TEXTAREA_MARKS, [box, PRICE], timeout_ms=30_000)
    for _ in range(20):
        if feed.page.evaluate(SCROLLED_DOWN, box):
            break
        feed.page.type(MORE_WORDS)
    feed.page.wait_for_function(SCROLLED_DOWN, box)
    # The typed words' check has run once the box holds them all and the marks are drawn again for them.
    feed.page.wait_for_function(f"([s, w]) => {{ const got = ({TEXTAREA_MARKS})([s, w]); return got === null || got.inside; }}",
                                [box, PRICE], timeout_ms=30_000)
    got = feed.page.evaluate(TEXTAREA_MARKS, [box, PRICE])
    assert got is None or got["inside"], f"underlines outside the comment box: {got}"
    feed.page.screenshot(screenshot_path(f"{feed.browser}-instagram-comment-scrolled{shot}"))

    feed.page.evaluate(SCROLL_TO_TOP, box)
    feed.page.wait_for_function(f"([s, w]) => {{ const got = ({TEXTAREA_MARKS})([s, w]);"
                                " return Boolean(got) && got.inside && got.marks.some((m) => Math.abs(m[0] - got.left) < 3); }",
                                [box, PRICE], timeout_ms=30_000)
    feed.page.screenshot(screenshot_path(f"{feed.browser}-instagram-comment-scrolled-back{shot}"))
    assert feed.actions() == [], "typing sends nothing"


def the_card_leaves_the_author_and_the_control_in_sight(feed: FeedHands, post: str = "competitor") -> dict:
    """With the post's Like at the bottom of the window (no room below it), the held like's card lies
    over neither the author's name nor the Like, and inside the window. Returns the rects."""
    control = feed.within(post, LIKE_BUTTONS[feed.site])
    feed.page.evaluate(TO_BOTTOM, control)
    feed.like(post)
    feed.card_text()
    author = feed.within(post, AUTHOR_LINES[feed.site])
    try:
        feed.page.wait_for_function(CARD_CLEAR, [author, control])
    except Exception as err:  # noqa: BLE001 - Playwright's and Puppeteer's timeouts differ
        raise AssertionError(f"the card covers the author or the Like, or leaves the window: {feed.geometry(post, control)}") from err
    where = feed.geometry(post, control)
    assert overlap(where["card"], where["author"]) == 0 and overlap(where["card"], where["control"]) == 0, where
    return where


def overlap(a: dict, b: dict) -> float:
    """The area two rects share."""
    w = min(a["left"] + a["width"], b["left"] + b["width"]) - max(a["left"], b["left"])
    h = min(a["top"] + a["height"], b["top"] + b["height"]) - max(a["top"], b["top"])
    return w * h if w > 0 and h > 0 else 0


def a_clients_post_is_only_recorded_by_default(feed: FeedHands, companion, before: int) -> None:
    """The default policy monitors a client's post: the like goes out, and is recorded with the list's name."""
    feed.like("client")
    assert feed.wait_actions(1)[0]["kind"] == "react"
    assert feed.page.count(feed.card) == 0
    monitored = reaction_events(companion, 1, after=before)[0]
    assert monitored["details"]["decision"] == "monitored" and monitored["details"]["reasons"] == ["client"]
    assert monitored["details"]["list_entry"]["name"] == CLIENT
    assert POST_WORDS["client"] not in repr(monitored)


def as_the_company_the_card_says_so_until_switched_back(feed: FeedHands, companion, before: int) -> None:
    """Acting as the company, a like on a competitor's post names the page on its own line (the
    competitor is still said); switched back to the personal account, no identity line. Both are
    audited with who acted only as a hash and whether it was the company."""
    feed.act_as(COMPANY[feed.site]).like("competitor")
    assert "is a competitor. Your like is public" in feed.card_text(), "the competitor is still said"
    assert feed.page.texts(feed.identity) == [company_message(feed.site)]
    feed.page.screenshot(screenshot_path(f"{feed.browser}-reaction-card-company-{feed.site}"))
    feed.cancel()

    feed.act_as(PERSONAL[feed.site]).like("competitor")
    assert "is a competitor" in feed.card_text()
    assert feed.page.count(feed.identity) == 0, "no identity warning once switched back to the personal account"
    feed.cancel()
    assert feed.actions() == [], "Cancel: the site did nothing"
    events = reaction_events(companion, 2, after=before)
    assert [(e["details"]["decision"], e["details"]["acted_as_company"]) for e in events] == [
        ("cancelled", True), ("cancelled", False)]
    assert events[0]["details"]["acting_hash"] != events[1]["details"]["acting_hash"]
    assert COMPANY[feed.site] not in repr(events) and PERSONAL[feed.site] not in repr(events), "who acted only as a hash"


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


def decision_events(companion, count: int = 1, after: int = 0, timeout_s: float = 60.0) -> list[dict]:
    """The companion's `decision` events (what the user did after a text check) after the first `after`."""
    deadline = time.monotonic() + timeout_s
    while True:
        events = [e for e in audit_events(companion.data_dir) if e["kind"] == "decision"][after:]
        if len(events) >= count:
            return events
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(events)} of {count} decision events; last: {events[-3:]}")
        time.sleep(0.3)


def decision_count(companion) -> int:
    return len([e for e in audit_events(companion.data_dir) if e["kind"] == "decision"])


def reaction_count(companion) -> int:
    """How many `reaction` events the companion holds now (for a companion shared between tests)."""
    return len([e for e in audit_events(companion.data_dir) if e["kind"] == "reaction"])
