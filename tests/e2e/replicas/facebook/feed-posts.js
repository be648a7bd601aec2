/**
 * Facebook feed posts with working reactions, comments and shares, from shared/feed-dom.md:
 * `div[aria-posinset] > div[role=article]` under `[role=feed]`; author
 * `[data-ad-rendering-role="profile_name"] a[href] strong span`; text
 * `[data-ad-rendering-role="story_message"]`; Like `div[role=button][aria-label="Like"]` wrapping
 * `[data-ad-rendering-role="like_button"]` (label "Remove Like|Love|…" once reacted, no aria-pressed);
 * the reactions toolbar that opens on hover (Like, Love, Care, Haha, Wow, Sad, Angry) and the share menu
 * ("Share now (Friends)", "Share to Feed", "Send in Messenger") mount in a layer at the end of the app root,
 * outside the post; comments are articles too ("Comment by ‹Name›") with their own Like.
 * `?comments=open`: each post shows its Lexical comment box open, labelled "Comment as ‹acting name›"
 * (Enter sends the comment, recorded as the post's "comment" action with its text; Shift+Enter breaks
 * the line). A comment's "Reply" opens a reply box under it: a Lexical textbox labelled "Reply to
 * ‹Name›" (replica assumption, not described in feed-dom.md), Enter sends the reply, recorded as the
 * post's "reply" action with its text.
 * Handlers are React-style (onPress, delegated from the app root). Each records what the site did.
 */

import { avatar, h, onPress } from "../common/dom.js";
import { LexicalLikeEditor } from "../common/lexical-like-editor.js";
import { recordAction } from "../common/replica-record.js";
import { ACTING, ME } from "./profile.js";

const REACTIONS = ["Like", "Love", "Care", "Haha", "Wow", "Sad", "Angry"];

function layer() {
  let el = document.querySelector(".fb-layer");
  if (!el) {
    el = h("div", { class: "fb-layer" });
    document.querySelector("[id^='mount_0_0']").append(el);
  }
  return el;
}

/** A floating box in the layer, placed under `anchor`; replaces any other open one. */
function float(anchor, box) {
  layer().replaceChildren(box);
  const rect = anchor.getBoundingClientRect();
  box.style.left = `${rect.left + window.scrollX}px`;
  box.style.top = `${rect.top + window.scrollY - 52}px`;
  return box;
}

function likeButton(id, reacted) {
  const label = h("span", { "data-ad-rendering-role": "like_button", text: reacted || "Like" });
  const button = h("div", { role: "button", tabindex: "0", class: "fb-story__action fb-like", "aria-label": reacted ? `Remove ${reacted}` : "Like" }, label);
  const set = (reaction) => {
    button.setAttribute("aria-label", reaction ? `Remove ${reaction}` : "Like");
    label.textContent = reaction || "Like";
    button.classList.toggle("fb-like--on", Boolean(reaction));
  };
  set(reacted);
  onPress(button, () => {
    if (button.getAttribute("aria-label").startsWith("Remove ")) { set(null); recordAction("unreact", id); return; }
    set("Like");
    recordAction("react", id, { reaction: "like" });
  });
  const toolbar = () => h("div", { class: "fb-reactions", role: "dialog", "aria-label": "Reactions" }, REACTIONS.map((name) =>
    onPress(h("div", { role: "button", tabindex: "0", "aria-label": name, class: "fb-reactions__item", text: name }), () => {
      set(name);
      layer().replaceChildren();
      recordAction("react", id, { reaction: name.toLowerCase() });
    })));
  button.addEventListener("mouseenter", () => float(button, toolbar()));
  return button;
}

function shareButton(id) {
  const button = h("div", { role: "button", tabindex: "0", class: "fb-story__action", "aria-label": "Send this to friends or post it on your profile." },
    h("span", { "data-ad-rendering-role": "share_button", text: "Share" }));
  const item = (label, kind) => onPress(h("div", { role: "button", tabindex: "0", "aria-label": label, class: "fb-menu__item", text: label }), () => {
    layer().replaceChildren();
    recordAction(kind, id);
  });
  onPress(button, () => float(button, h("div", { class: "fb-menu", role: "menu" },
    item("Share now (Friends)", "share"), item("Share to Feed", "share-open"), item("Send in Messenger", "send"))));
  return button;
}

/** A Lexical textbox labelled `label`; Enter records `kind` for the post with the text (Shift+Enter: a new line). */
function lexicalBox(label, kind, permalink) {
  return new LexicalLikeEditor(() => h("div", {
    class: "notranslate fb-comment__input", contenteditable: "true", role: "textbox", spellcheck: "true", tabindex: "0",
    "data-lexical-editor": "true", "aria-label": label, style: "user-select: text; white-space: pre-wrap; word-break: break-word;",
  }), {
    onEnter(event, ed) {
      if (event.shiftKey) return false;
      if (ed.isBlank()) return true;
      recordAction(kind, permalink, { text: ed.text });
      ed.clear();
      return true;
    },
  });
}

function comment(author, text, permalink) {
  const like = onPress(h("div", { role: "button", tabindex: "0", class: "fb-thread__like", text: "Like" }), () => recordAction("comment-like", author));
  const replies = h("div", { class: "fb-thread__replies" });
  const reply = onPress(h("div", { role: "button", tabindex: "0", class: "fb-thread__like fb-thread__reply", text: "Reply" }), () => {
    if (!replies.firstChild) {
      const editor = lexicalBox(`Reply to ${author}`, "reply", permalink);
      replies.append(h("div", { class: "fb-comment" }, avatar(ME.initials, 24, ME.color), h("div", { class: "fb-comment__field" }, editor.root)));
    }
    replies.querySelector('[role="textbox"]')?.focus();
  });
  return h("div", { role: "article", "aria-label": `Comment by ${author}`, class: "fb-thread__item" }, avatar(author.slice(0, 2).toUpperCase(), 32, "#65676b"),
    h("div", { class: "fb-thread__body" },
      h("div", { class: "fb-thread__bubble" }, h("span", { class: "fb-thread__author", text: author }), h("span", { class: "fb-thread__text", text })),
      h("div", { class: "fb-thread__bar" }, like, reply), replies));
}

/** The post's open comment box (feed-dom.md): a Lexical textbox "Comment as ‹acting name›"; Enter sends. */
function commentBox(permalink) {
  const editor = lexicalBox(`Comment as ${ACTING}`, "comment", permalink);
  return h("div", { class: "fb-comment" }, avatar(ME.initials, 32, ME.color), h("div", { class: "fb-comment__field" }, editor.root));
}

/** One feed post. `author`: {name, href, initials, color}; `comments`: [[name, text], ...]. */
export function feedPost({ position, id, author, text, reacted = null, comments = [] }) {
  const permalink = `${author.href.replace(/\/$/, "")}/posts/${id}`;
  const commentButton = onPress(h("div", { role: "button", tabindex: "0", class: "fb-story__action", "aria-label": "Leave a comment" },
    h("span", { "data-ad-rendering-role": "comment_button", text: "Comment" })), () => recordAction("comment-open", permalink));
  const actions = h("div", { class: "fb-story__actions" }, likeButton(permalink, reacted), commentButton, shareButton(permalink));
  return h("div", { "aria-posinset": String(position), "aria-describedby": `story-${id}`, class: "fb-story-wrapper" },
    h("div", { role: "article", class: "fb-card fb-story", "aria-labelledby": `author-${id}` },
      h("div", { class: "fb-story__head" }, avatar(author.initials, 40, author.color),
        h("div", {}, h("div", { "data-ad-rendering-role": "profile_name", id: `author-${id}` },
          h("h3", { class: "fb-story__author" }, h("a", { href: author.href, role: "link" }, h("strong", {}, h("span", { text: author.name }))))),
          h("a", { href: permalink, class: "fb-story__time", text: "3h" })),
        h("div", { role: "button", tabindex: "0", class: "fb-round fb-story__menu", "aria-label": "Actions for this post" })),
      h("div", { "data-ad-rendering-role": "story_message", id: `story-${id}`, class: "fb-story__text" }, h("div", { dir: "auto", text })),
      actions,
      comments.length ? h("div", { class: "fb-thread" }, comments.map(([name, body]) => comment(name, body, permalink))) : null,
      new URLSearchParams(location.search).get("comments") === "open" ? commentBox(permalink) : null));
}

/** The reaction guard's posts (authors from the example org's lists) and `extra` harmless ones. */
export function reactionPosts(extra = 0) {
  const person = (name, initials, color, href) => ({ name, initials, color, href });
  const posts = [
    feedPost({ position: 3, id: "pfbid0NW7310", author: person("Northwind Hardware Co.", "NH", "#8a1f11", "https://www.facebook.com/northwindhardware"),
      text: "Our new KT-series cabinet hinges are here: softer close, 50,000 cycles tested. Meet us in Hall 3 at the Canton Fair.",
      comments: [["Mei Chen", "Looks great, see you there!"]] }),
    feedPost({ position: 4, id: "pfbid0KM7311", author: person("Kenji Mori", "KM", "#1877f2", "https://www.facebook.com/kenji.mori"),
      text: "Proud of our logistics team: every spring order left Ningbo on schedule this year.",
      comments: [["Mei Chen", "Well deserved!"]] }),
    feedPost({ position: 5, id: "pfbid0DN7320", author: person("Daniel Novak", "DN", "#65676b", "https://www.facebook.com/daniel.novak.88"),
      text: "The election was stolen and everyone who voted for that party is a traitor." }),
    feedPost({ position: 6, id: "pfbid0HM7321", author: person("Hansen Maschinenbau GmbH", "HM", "#175caa", "https://www.facebook.com/hansenmb"),
      text: "Hansen Maschinenbau is 60 years old today. Thank you to every partner who built it with us." }),
    feedPost({ position: 7, id: "pfbid0SH7322", reacted: "Like", author: person("Ningbo Starlight Hardware Co.", "SH", "#c37d16", "https://www.facebook.com/starlighthardware"),
      text: "Starlight Hardware opens a new plant in Ningbo." }),
  ];
  for (let i = 0; i < extra; i += 1) {
    posts.push(feedPost({ position: 8 + i, id: `pfbid0X${9000 + i}`, author: person("Sofia Rossi", "SR", "#45bd62", `https://www.facebook.com/sofia.rossi.${i}`),
      text: `Week ${i + 1} at the warehouse: ${20 + i} containers out on time. Thanks to the whole team!` }));
  }
  return posts;
}
