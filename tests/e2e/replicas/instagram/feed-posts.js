/**
 * Instagram feed posts with working controls, from shared/feed-dom.md: an `article` whose header links
 * the author (`a[href="/‹user›/"]` with `img[alt="‹user›'s profile picture"]`), the caption a
 * `span[dir=auto]` after the username, controls `svg[aria-label]` inside `div[role=button]` (Like ↔ Unlike,
 * Comment, Repost, Share Post, Save), a double click on the photo that likes it (never unlikes), and
 * the comment box under the caption: `textarea[aria-label="Add a comment…"]` (the same placeholder) with
 * its "Post" control (a div[role=button], aria-disabled while the box is empty). "Post", or Enter in the
 * box, sends the comment without the Comment button ever being pressed. feed-dom.md says only "Enter
 * submits"; Shift+Enter is the textarea's own line break here, and Enter that confirms an IME
 * composition (Chinese input) sends nothing.
 * Handlers are React-style (delegated from the app root); each records what the site did.
 */

import { avatar, h, icon, onDelegated, onPress } from "../common/dom.js";
import { recordAction } from "../common/replica-record.js";

const HEART = "M12 21s-8-5.5-8-11a4.5 4.5 0 018-2.8A4.5 4.5 0 0120 10c0 5.5-8 11-8 11z";
const BUBBLE = "M12 3a9 9 0 00-7.8 13.5L3 21l4.6-1.2A9 9 0 1012 3z";
const REPOST = "M7 7h10v3l4-4-4-4v3H5v6h2zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2z";
const PLANE = "M3 11L21 3l-8 18-2-8z";

function control(label, path) {
  const button = h("div", { role: "button", tabindex: "0", class: "ig-post__control" });
  const setLabel = (next) => button.replaceChildren(icon(path, { label: next, size: 24 }));
  setLabel(label);
  button.setLabel = setLabel;
  return button;
}

const ADD_A_COMMENT = "Add a comment…";

/** The box under a post: typing enables "Post"; "Post" or Enter sends the text once and empties the box. */
function commentBox(id) {
  const box = h("textarea", { "aria-label": ADD_A_COMMENT, placeholder: ADD_A_COMMENT, autocomplete: "off",
    autocorrect: "off", rows: "1", class: "ig-post__comment-box" });
  const send = h("div", { role: "button", tabindex: "0", "aria-disabled": "true", class: "ig-post__comment-post", text: "Post" });
  // The box grows with what is typed, up to four lines, then scrolls (as Instagram's does).
  const sync = () => {
    send.setAttribute("aria-disabled", box.value.trim() ? "false" : "true");
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 80)}px`;
  };
  box.addEventListener("input", sync);
  const submit = () => {
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    sync();
    recordAction("comment", id, { text });
  };
  onPress(send, submit);
  onDelegated(box, "keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    submit();
  });
  return h("section", { class: "ig-post__comment" }, h("form", { method: "POST", class: "ig-post__comment-form" }, box, send));
}

/** One post. `liked`: the viewer liked it already. */
export function feedPost({ username, initials, color, code, caption, liked = false }) {
  const id = `/p/${code}/`;
  const like = control(liked ? "Unlike" : "Like", HEART);
  const isLiked = () => like.querySelector("svg").getAttribute("aria-label") === "Unlike";
  const setLiked = (on) => { like.setLabel(on ? "Unlike" : "Like"); like.classList.toggle("ig-post__control--on", on); };
  setLiked(liked);
  onDelegated(like, "click", () => {
    const on = !isLiked();
    setLiked(on);
    recordAction(on ? "react" : "unreact", id, on ? { reaction: "like" } : {});
  });
  const comment = onDelegated(control("Comment", BUBBLE), "click", () => recordAction("comment-open", id));
  const repost = onDelegated(control("Repost", REPOST), "click", () => recordAction("repost", id));
  const share = onDelegated(control("Share Post", PLANE), "click", () => recordAction("send", id));
  const media = h("div", { class: "ig-post__media", role: "img", "aria-label": `Photo by ${username}` });
  onDelegated(media, "dblclick", () => {
    if (isLiked()) return; // a double tap never takes a like back
    setLiked(true);
    recordAction("react", id, { reaction: "like", doubleTap: true });
  });
  return h("article", { class: "ig-post" },
    h("header", { class: "ig-post__head" },
      h("a", { href: `/${username}/`, class: "ig-post__avatar" }, h("img", { alt: `${username}'s profile picture`, src: "data:,", class: "ig-post__avatar-img" }), avatar(initials, 32, color)),
      h("a", { href: `/${username}/`, class: "ig-post__user" }, h("span", { text: username })),
      h("a", { href: id, class: "ig-post__time" }, h("time", { text: "• 3h" }))),
    media,
    h("section", { class: "ig-post__controls" }, like, comment, repost, share),
    h("div", { class: "ig-post__caption" }, h("a", { href: `/${username}/`, class: "ig-post__user" }, h("span", { text: username })), " ",
      h("span", { dir: "auto", text: caption })),
    commentBox(id));
}

/** The reaction guard's posts (authors from the example org's lists) and `extra` harmless ones. */
export function reactionPosts(extra = 0) {
  const posts = [
    feedPost({ username: "northwind.hardware", initials: "NH", color: "#8a1f11", code: "C0NW7310",
      caption: "Our new KT-series cabinet hinges are here: softer close, 50,000 cycles tested." }),
    feedPost({ username: "kenji.mori", initials: "KM", color: "#405de6", code: "C0KM7311",
      caption: "Proud of our logistics team: every spring order left Ningbo on schedule this year." }),
    feedPost({ username: "daniel.novak88", initials: "DN", color: "#737373", code: "C0DN7320",
      caption: "The election was stolen and everyone who voted for that party is a traitor." }),
    feedPost({ username: "hansen.maschinenbau", initials: "HM", color: "#175caa", code: "C0HM7321",
      caption: "60 years today. Thank you to every partner who built it with us." }),
    feedPost({ username: "starlight.hardware", initials: "SH", color: "#c37d16", code: "C0SH7322", liked: true,
      caption: "A new plant in Ningbo." }),
  ];
  for (let i = 0; i < extra; i += 1) {
    posts.push(feedPost({ username: `sofia.rossi.${i}`, initials: "SR", color: "#e1306c", code: `C0X${9000 + i}`,
      caption: `Week ${i + 1} at the warehouse: ${20 + i} containers out on time.` }));
  }
  return posts;
}
