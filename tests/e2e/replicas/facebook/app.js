/**
 * Facebook home replica (www.facebook.com/): top bar, left shortcuts, the "Create a post" region
 * (`div[role="region"][aria-label="Create a post"]` with the "What's on your mind, Li Wei?" button and
 * `[aria-label="Photo/video"]`), and a feed story with a Lexical comment box where Enter submits and
 * Shift+Enter breaks the line. All handlers are React-style: registered per element, dispatched by one
 * bubble-phase listener per event type on the app root `div[id^="mount_0_0"]`.
 */

import { avatar, delegate, h, icon, onPress } from "../common/dom.js";
import { LexicalLikeEditor } from "../common/lexical-like-editor.js";
import { markReady, recordSubmission } from "../common/replica-record.js";
import { openComposer } from "./composer.js";
import { reactionPosts } from "./feed-posts.js";
import { ME, WHATS_ON_YOUR_MIND } from "./profile.js";

function topBar() {
  const tab = (label, active) => h("a", { href: "#", class: "fb-tab" + (active ? " fb-tab--active" : ""), "aria-label": label }, h("span", { class: "fb-tab__icon" }));
  return h("div", { role: "banner", class: "fb-banner" },
    h("div", { class: "fb-banner__left" }, h("a", { href: "/", class: "fb-logo", "aria-label": "Facebook", text: "f" }),
      h("input", { type: "search", class: "fb-search", placeholder: "Search Facebook", "aria-label": "Search Facebook" })),
    h("div", { class: "fb-banner__tabs" }, tab("Home", true), tab("Video"), tab("Marketplace"), tab("Groups"), tab("Gaming")),
    h("div", { class: "fb-banner__right" }, ["Menu", "Messenger", "Notifications"].map((l) => h("div", { role: "button", tabindex: "0", class: "fb-round", "aria-label": l })),
      avatar(ME.initials, 40, ME.color)));
}

function leftRail() {
  const item = (label, color) => h("li", { class: "fb-rail__item" }, h("span", { class: "fb-rail__icon", style: `background:${color}` }), h("span", { text: label }));
  return h("div", { class: "fb-rail", role: "navigation", "aria-label": "Facebook" },
    h("ul", {}, h("li", { class: "fb-rail__item" }, avatar(ME.initials, 36, ME.color), h("span", { text: ME.name })),
      item("Friends", "#1877f2"), item("Memories", "#1877f2"), item("Saved", "#a33bc2"), item("Groups", "#1877f2"),
      item("Marketplace", "#1877f2"), item("Feeds", "#e41e3f")));
}

/** The feed's create-post card. */
function createPostRegion() {
  const mind = onPress(h("div", { role: "button", tabindex: "0", class: "fb-create__mind" },
    h("span", { text: WHATS_ON_YOUR_MIND })), () => openComposer());
  const action = (label, color, path, onClick) => {
    const el = h("div", { role: "button", tabindex: "0", class: "fb-create__action", "aria-label": label }, icon(path, { fill: color }), h("span", { text: label }));
    return onClick ? onPress(el, onClick) : el;
  };
  return h("div", { role: "region", "aria-label": "Create a post", class: "fb-card fb-create" },
    h("div", { class: "fb-create__row" }, avatar(ME.initials, 40, ME.color), mind),
    h("div", { class: "fb-create__actions" },
      action("Live video", "#f02849", "M17 10.5V7a1 1 0 00-1-1H4a1 1 0 00-1 1v10a1 1 0 001 1h12a1 1 0 001-1v-3.5l4 4v-11z"),
      action("Photo/video", "#45bd62", "M19 3H5a2 2 0 00-2 2v14a2 2 0 002 2h14a2 2 0 002-2V5a2 2 0 00-2-2zM8.5 7A1.5 1.5 0 117 8.5 1.5 1.5 0 018.5 7zM5 19l4-5 3 3.5 3-4 4 5.5z", () => openComposer({ withMedia: true })),
      action("Feeling/activity", "#f7b928", "M12 2a10 10 0 1010 10A10 10 0 0012 2zm-3.5 7A1.5 1.5 0 117 10.5 1.5 1.5 0 018.5 9zm3.5 9a5 5 0 01-4.6-3h9.2A5 5 0 0112 18zm3.5-6A1.5 1.5 0 1117 10.5 1.5 1.5 0 0115.5 12z")));
}

function commentRoot() {
  return h("div", {
    class: "xzsf02u x1a2a7pz x1n2onr6 x14wi4xw notranslate fb-comment__input",
    contenteditable: "true",
    role: "textbox",
    spellcheck: "true",
    tabindex: "0",
    "data-lexical-editor": "true",
    "aria-label": "Write a comment…",
    style: "user-select: text; white-space: pre-wrap; word-break: break-word;",
  });
}

/** A Lexical comment box: Enter submits (Shift+Enter is a line break), like Facebook's comment plugin. */
function commentBox() {
  const list = h("ul", { class: "fb-comments" });
  const placeholder = h("div", { class: "fb-comment__placeholder", "aria-hidden": "true", text: "Write a comment…" });
  const editor = new LexicalLikeEditor(commentRoot, {
    onEnter(event, ed) {
      if (event.shiftKey) return false;
      if (ed.isBlank()) return true;
      const text = ed.text;
      recordSubmission("comment", text, []);
      list.append(h("li", { class: "fb-comments__item" }, avatar(ME.initials, 32, ME.color),
        h("div", { class: "fb-comments__bubble" }, h("span", { class: "fb-comments__author", text: ME.name }), h("span", { class: "fb-comments__text", text }))));
      ed.clear();
      return true;
    },
  });
  editor.addEventListener("change", () => (placeholder.hidden = editor.text !== ""));
  return h("div", { class: "fb-comment-area" }, list,
    h("div", { class: "fb-comment" }, avatar(ME.initials, 32, ME.color),
      h("div", { class: "fb-comment__field" }, placeholder, editor.root)));
}

function story({ author, initials, color, time, text, withComments }) {
  const button = (label) => h("div", { role: "button", tabindex: "0", class: "fb-story__action", text: label });
  return h("div", { class: "fb-card fb-story", role: "article", "aria-label": `Post by ${author}` },
    h("div", { class: "fb-story__head" }, avatar(initials, 40, color),
      h("div", {}, h("div", { class: "fb-story__author", text: author }), h("div", { class: "fb-story__time", text: time }))),
    h("div", { class: "fb-story__text", dir: "auto", text }),
    h("div", { class: "fb-story__actions" }, button("Like"), button("Comment"), button("Share")),
    withComments ? commentBox() : null);
}

function build() {
  const root = document.querySelector("[id^='mount_0_0']");
  delegate(root, ["click", "keydown"]);
  const feed = h("div", { class: "fb-feed", role: "feed" },
    story({ author: "Mei Chen", initials: "MC", color: "#1877f2", time: "2h", withComments: true,
      text: "Back from the Canton Fair! Who else found great hardware suppliers this year?" }),
    story({ author: "Ahmed Saleh", initials: "AS", color: "#45bd62", time: "5h", withComments: false,
      text: "Our new warehouse in Jebel Ali is open. Thanks to everyone who helped." }),
    ...reactionPosts(Math.min(Number(new URLSearchParams(location.search).get("posts")) || 0, 1000)));
  const main = h("div", { role: "main", class: "fb-main" }, createPostRegion(), feed);
  root.append(topBar(), h("div", { class: "fb-page" }, leftRail(), main,
    h("div", { class: "fb-contacts", role: "complementary" }, h("h3", { text: "Contacts" }),
      ["Mei Chen", "Ahmed Saleh", "Sofia Rossi"].map((n) => h("div", { class: "fb-contacts__item", text: n })))));
  document.addEventListener("replica:posted", (event) => {
    feed.prepend(story({ author: ME.name, initials: ME.initials, color: ME.color, time: "Just now", text: event.detail.text, withComments: false }));
  });
  markReady();
}

build();
