/**
 * LinkedIn feed replica (www.linkedin.com/feed/): global nav, profile card, the "Start a post" entry,
 * two feed updates with the two comment boxes LinkedIn ships (older Quill, newer TipTap), and the
 * hidden decoy `.ql-editor` LinkedIn leaves in the light DOM. The share box itself opens inside the
 * open shadow root of `div#interop-outlet` (see sharebox.js), as on LinkedIn in 2025–26.
 */

import { avatar, h, icon } from "../common/dom.js";
import { markReady } from "../common/replica-record.js";
import { recordAction } from "../common/replica-record.js";
import { buildNewCommentBox, buildOldCommentBox } from "./comments.js";
import { emberPost, manyCleanPosts, sduiPost } from "./feed-posts.js";
import { ME } from "./profile.js";
import { openShareBox } from "./sharebox.js";


const NAV_ITEMS = ["Home", "My Network", "Jobs", "Messaging", "Notifications", "Me"];

function globalNav() {
  return h(
    "header",
    { class: "global-nav", id: "global-nav" },
    h(
      "div",
      { class: "global-nav__content" },
      h("a", { class: "global-nav__logo", href: "/feed/", "aria-label": "LinkedIn", text: "in" }),
      h("input", { class: "search-global-typeahead__input", type: "search", placeholder: "Search", "aria-label": "Search" }),
      h("nav", { class: "global-nav__nav", "aria-label": "Primary Navigation" },
        NAV_ITEMS.map((label, i) =>
          h("a", { class: "global-nav__primary-link" + (i === 0 ? " global-nav__primary-link--active" : ""), href: "#" },
            h("span", { class: "global-nav__icon", "aria-hidden": "true" }),
            h("span", { class: "global-nav__primary-link-text", text: label })))),
    ),
  );
}

function profileCard() {
  return h(
    "aside",
    { class: "scaffold-layout__sidebar profile-card artdeco-card" },
    h("div", { class: "profile-card__cover" }),
    h("div", { class: "profile-card__avatar" }, avatar(ME.initials, 72, ME.color)),
    h("div", { class: "profile-card__name", text: ME.name }),
    h("div", { class: "profile-card__headline", text: ME.headline }),
    h("div", { class: "profile-card__stat" }, h("span", { text: "Profile viewers" }), h("strong", { text: "138" })),
  );
}

/** The "Start a post" entry: a role-less div with an aria-label (2026), plus the media shortcuts. */
function shareEntry() {
  const trigger = h(
    "div",
    { class: "share-box-feed-entry__top-bar", "aria-label": "Start a post", tabindex: "0" },
    h("span", { class: "share-box-feed-entry__trigger-text", text: "Start a post" }),
  );
  trigger.addEventListener("click", () => openShareBox());
  trigger.addEventListener("keydown", (event) => {
    if (event.key === "Enter") openShareBox();
  });
  const shortcut = (label, color, path) =>
    h("button", { class: "share-box-feed-entry-toolbar__item artdeco-button artdeco-button--tertiary", type: "button" },
      icon(path, { fill: color }), h("span", { text: label }));
  const photo = shortcut("Photo", "#378fe9", "M19 4H5a3 3 0 00-3 3v10a3 3 0 003 3h14a3 3 0 003-3V7a3 3 0 00-3-3zm1 13a1 1 0 01-.29.71L16 14l-2 2-6-6-4 4V7a1 1 0 011-1h14a1 1 0 011 1zm-2-7a2 2 0 11-2-2 2 2 0 012 2z");
  photo.addEventListener("click", () => openShareBox({ pickMedia: true }));
  return h(
    "div",
    { class: "share-box-feed-entry__closed-share-box artdeco-card" },
    h("div", { class: "share-box-feed-entry__row" }, avatar(ME.initials, 48, ME.color), trigger),
    h("div", { class: "share-box-feed-entry__toolbar" },
      shortcut("Video", "#5f9b41", "M19 4H5a3 3 0 00-3 3v10a3 3 0 003 3h14a3 3 0 003-3V7a3 3 0 00-3-3zm-9 12V8l6 4z"),
      photo,
      shortcut("Write article", "#e06847", "M21 3v2H3V3zm-6 6h6V7h-6zm0 4h6v-2h-6zm0 4h6v-2h-6zM3 21h18v-2H3zM13 7H3v10h10z")),
  );
}

function feedUpdate({ id, author, initials, color, headline, text, commentBox, href = "/in/member/" }) {
  return emberPost({ id, author: { name: author, initials, color, headline, href }, text, commentBox });
}

/**
 * The posts the reaction guard is tested on (authors from the example org's lists): a competitor's
 * (Ember, under a social-proof line), a competitor's already liked (SDUI), a red-line post (SDUI), a
 * client's (SDUI) and a harmless one (Ember). `?posts=N` adds N harmless posts in both renderings. Li Wei
 * administers the company page, so the two Ember posts carry the per-post identity switcher.
 * `?comments=open`: the competitor's, the harmless, the red-line and the client's post show their comment
 * box open, as a post's own page does (the Ember ones the older Quill form, the SDUI ones the newer
 * TipTap box); a comment sent from it is recorded as the post's "comment" action with its text. Each of
 * those boxes has Mei Chen's comment under it, whose "Reply" opens a reply box of the same generation;
 * a reply sent from it is recorded as the post's "reply" action with its text.
 */
function reactionPosts() {
  const org = (name, initials, color, href, headline) => ({ name, initials, color, href, headline });
  const open = new URLSearchParams(location.search).get("comments") === "open";
  const box = (build, urn) => (open ? build({ onSend: (text) => recordAction("comment", urn, { text }),
    existing: [["Mei Chen", "MC", "#915907", "Looks great, see you there!"]], onReply: (text) => recordAction("reply", urn, { text }) }) : null);
  const ember = [
    emberPost({ id: "7310", admin: true, proof: "Mei Chen likes this", text: "Our new KT-series cabinet hinges are here: softer close, 50,000 cycles tested. Meet us in Hall 3 at the Canton Fair.",
      author: org("Northwind Hardware Co.", "NH", "#8a1f11", "/company/northwind-hardware/", "Hardware manufacturer · 12,400 followers"),
      commentBox: box(buildOldCommentBox, "urn:li:activity:7310") }),
    emberPost({ id: "7311", admin: true, text: "Proud of our logistics team: every spring order left Ningbo on schedule this year.",
      author: org("Kenji Mori", "KM", "#0a66c2", "/in/kenji-mori/", "Logistics Manager at Pacific Freight"),
      commentBox: box(buildOldCommentBox, "urn:li:activity:7311") }),
  ];
  const sdui = [
    sduiPost({ id: "7320", text: "The election was stolen and everyone who voted for that party is a traitor.",
      author: org("Daniel Novak", "DN", "#5e6368", "/in/daniel-novak-88/", "Sales Director"),
      commentBox: box(buildNewCommentBox, "urn:li:activity:7320-FeedType_MAIN_FEED") }),
    sduiPost({ id: "7321", text: "Hansen Maschinenbau is 60 years old today. Thank you to every partner who built it with us.",
      author: org("Hansen Maschinenbau GmbH", "HM", "#175caa", "/company/hansen-mb/", "Machinery · Hamburg"),
      commentBox: box(buildNewCommentBox, "urn:li:activity:7321-FeedType_MAIN_FEED") }),
    sduiPost({ id: "7322", reacted: "Like", text: "Starlight Hardware opens a new plant in Ningbo.",
      author: org("Ningbo Starlight Hardware Co.", "SH", "#c37d16", "/company/starlight-hardware/", "Hardware · Ningbo") }),
  ];
  const extra = Number(new URLSearchParams(location.search).get("posts")) || 0;
  const many = manyCleanPosts(Math.min(extra, 1000));
  return { ember: [...ember, ...many.ember], sdui: [...sdui, ...many.sdui] };
}

/** The decoy: an old, hidden share editor LinkedIn leaves in the light DOM. */
function hiddenDecoyEditor() {
  return h(
    "div",
    { class: "share-box-v2__legacy-editor", hidden: true, "aria-hidden": "true" },
    h("div", {
      class: "ql-editor ql-blank",
      contenteditable: "true",
      "data-test-ql-editor-contenteditable": "true",
      role: "textbox",
      "aria-label": "Text editor for creating content",
      "data-placeholder": "What do you want to talk about?",
    }, h("p", {}, h("br"))),
  );
}

/** Add a just-posted update at the top of the feed (what the user sees after Post). */
function prependOwnUpdate(text) {
  const feed = document.querySelector(".scaffold-finite-scroll__content");
  const update = feedUpdate({ id: String(Date.now()), author: ME.name, initials: ME.initials, color: ME.color, headline: "Just now", text, commentBox: null, href: "/in/li-wei/" });
  update.firstChild.classList.add("feed-shared-update-v2--own");
  feed.prepend(update);
}

function build() {
  const posts = reactionPosts();
  const feed = h("div", { class: "scaffold-finite-scroll__content" },
    feedUpdate({ id: "7301", author: "Mei Chen", initials: "MC", color: "#0a66c2", headline: "Procurement Lead at Harbor Industrial",
      text: "We are sourcing 20,000 cabinet hinges for Q3. Who is exhibiting at the Canton Fair this spring?",
      commentBox: buildOldCommentBox() }),
    feedUpdate({ id: "7302", author: "Tomas Berg", initials: "TB", color: "#5f9b41", headline: "Founder, Nordic Fixings AB",
      text: "Shipping lead times from Ningbo are finally back to normal. What are you seeing on your lanes?",
      commentBox: buildNewCommentBox() }),
    ...posts.ember);
  const sduiFeed = h("div", { "data-testid": "mainFeed", class: "sdui-main-feed" }, posts.sdui);
  const main = h("main", { class: "scaffold-layout__main", "aria-label": "Main Feed" }, shareEntry(),
    h("div", { class: "feed-sort-divider", text: "Sort by: Top" }), feed, sduiFeed);
  const layout = h("div", { class: "scaffold-layout__inner" }, profileCard(), main,
    h("aside", { class: "scaffold-layout__aside artdeco-card" }, h("h2", { text: "LinkedIn News" }),
      h("ul", {}, ["Port congestion eases", "Hardware exports rise 4%", "Trade fair season opens"].map((t) => h("li", { text: t })))));
  document.getElementById("main-app").append(globalNav(), layout, hiddenDecoyEditor(),
    h("div", { class: "artdeco-toasts_toasts", "aria-live": "assertive" }));
  document.getElementById("interop-outlet").attachShadow({ mode: "open" });
  document.addEventListener("replica:posted", (event) => prependOwnUpdate(event.detail.text));
  markReady();
}

build();
