/*
 * Instagram feed adapter. A post is an `article`; its header links the author (`a[href="/‹user›/"]`
 * beside `img[alt="‹user›'s profile picture"]`), the caption is a span[dir=auto] after the username.
 * Controls are svg[aria-label] inside div[role=button]: Like ↔ Unlike, Comment, Repost (2025),
 * Share Post / Share (a private send, not guarded), Save (private). A double click on the photo likes.
 * Under the caption, `textarea[aria-label="Add a comment…"]` and its "Post" control send a comment
 * without the Comment button: that send is the composer guard's (content/sites/instagram.js), which
 * asks the reaction guard about this post first (comment-gate.js).
 */
import { defineFeedAdapter, feedBase } from "./feed-adapter-base.js";

const root = globalThis;

const { labelOf, textOf, isOneOf, handleFromHref } = feedBase;

// English from feed-dom.md; other languages unconfirmed (2026-12).
const LIKE = ["Like", "Gefällt mir", "J’aime", "赞"];
const UNLIKE = ["Unlike", "Gefällt mir nicht mehr", "Je n’aime plus", "取消赞"];
const COMMENT = ["Comment", "Kommentieren", "Commenter", "评论"];
const REPOST = ["Repost", "Reposten", "Republier", "转发"];
const UNDO_REPOST = ["Remove repost", "Undo repost", "撤销转发"];
// The current account (feed-dom.md): the nav's "Profile" link a[href="/‹current›/"], its picture
// "‹current›'s profile picture". No per-post identity; switching accounts reloads the page. The same
// reading as the composer's adapter (content/sites/instagram.js).
const PROFILE = ["Profile", "个人主页", "主页", "個人檔案", "Profil", "Perfil", "Profilo", "プロフィール", "프로필"];
const PICTURE_ALT = [/^(.+?)(?:'|’)s profile picture$/i, /^(.+?)的头像$/, /^(.+?)的大頭貼照$/];
const identity = feedBase.pageReading(() => {
  for (const link of root.document.querySelectorAll('a[href^="/"]')) {
    if (link.closest("article")) continue; // a post's header links its author, not the account
    const labels = [link.getAttribute("aria-label"), ...[...link.querySelectorAll("span, div")].filter((el) => !el.children.length).map((el) => el.textContent)];
    if (!labels.some((label) => isOneOf((label || "").trim(), PROFILE))) continue;
    const handle = /^\/([^/?#]+)\/?$/.exec(link.getAttribute("href"))?.[1];
    if (handle) return decodeURIComponent(handle);
    for (const img of link.querySelectorAll("img[alt]")) {
      const name = feedBase.nameIn(img.getAttribute("alt"), PICTURE_ALT);
      if (name) return name;
    }
  }
  return "";
});

function postId(post) {
  const link = post.querySelector('a[href^="/p/"], a[href^="/reel/"]');
  return handleFromHref(link?.getAttribute("href")) || "";
}

function headerLink(post) {
  for (const link of post.querySelectorAll('a[href^="/"]')) {
    const path = link.getAttribute("href");
    if (/^\/[A-Za-z0-9._]+\/$/.test(path) && !/^\/(p|reel|explore|stories)\/$/.test(path)) return link;
  }
  return null;
}

function author(post) {
  const link = headerLink(post);
  const handle = link ? link.getAttribute("href").replace(/\//g, "") : "";
  return { name: handle, handle };
}

/** The author's name line: the post's header (the card is placed clear of it). */
function authorLine(post) {
  const link = headerLink(post);
  return link?.closest("header") || link;
}

function text(post) {
  const handle = author(post).handle;
  let best = "";
  for (const span of post.querySelectorAll('span[dir="auto"]')) {
    const value = textOf(span);
    if (value && value !== handle && !span.closest("header") && value.length > best.length) best = value;
  }
  return best;
}

function control(target) {
  const button = target.closest('[role="button"], button');
  const svg = button?.querySelector("svg[aria-label]");
  if (!svg) return null;
  const label = labelOf(svg);
  if (isOneOf(label, LIKE)) return { action: "react", el: button, turnsOn: true, reaction: "like" };
  if (isOneOf(label, UNLIKE)) return { action: "react", el: button, turnsOn: false, reaction: "like" };
  if (isOneOf(label, COMMENT)) return { action: "comment", el: button, turnsOn: true };
  if (isOneOf(label, REPOST)) return { action: "repost", el: button, turnsOn: true };
  if (isOneOf(label, UNDO_REPOST)) return { action: "repost", el: button, turnsOn: false };
  return null;
}

/** A double click on the photo likes the post, unless it is liked already (then it does nothing). */
function doubleTap(target) {
  const post = target.closest("article");
  if (!post || target.closest('[role="button"], button, a, textarea, header')) return null;
  const liked = [...post.querySelectorAll("svg[aria-label]")].some((svg) => isOneOf(labelOf(svg), UNLIKE));
  return { action: "react", el: target, turnsOn: !liked, reaction: "like", doubleTap: true };
}

export default defineFeedAdapter({ id: "instagram", posts: "article", postId, author, authorLine, text, control, doubleTap, identity });
