/*
 * LinkedIn feed adapter. Two renderings live side by side (seen on one URL minutes apart, 2025–26):
 * - Ember: div.feed-shared-update-v2[role=article][data-urn^="urn:li:activity:"], actor link
 *   a.update-components-actor__meta-link, action bar div.feed-shared-social-action-bar with
 *   button.react-button__trigger[aria-pressed], the hover flyout of "React ‹Reaction›" buttons,
 *   button.comment-button and the reshare dropdown ("Repost", "Repost with your thoughts");
 * - React/SDUI: [data-testid="mainFeed"] [role=listitem] without data-urn, author only in
 *   button[aria-label^="Open control menu for post by "], buttons by data-view-name.
 * A social-proof line ("X likes this") can sit above the actor: the author is the actor.
 * "Send" (send-privately-button, feed-send-as-message-button) is private and not guarded.
 */
import { defineFeedAdapter, feedBase } from "./feed-adapter-base.js";

const root = globalThis;

const { labelOf, textOf, afterPrefix, isOneOf, handleFromHref, firstOf } = feedBase;

// Label tables. English is from feed-dom.md; the other languages follow LinkedIn's usual
// wording and are not confirmed on the live site (2026-12): a miss only loses the SDUI name,
// the handle-less fallback, never a click (controls are found by data hooks and classes).
const CONTROL_MENU_PREFIXES = [
  "Open control menu for post by ", "Steuerungsmenü für Beitrag öffnen von ",
  "Ouvrir le menu de commandes de la publication de ", "打开帖子控制菜单，发布者：",
];
const REPOST_LABELS = ["Repost", "Repost with your thoughts", "Reposten", "Republier", "转发", "转发并发表想法"];
const UNDO_REPOST_LABELS = ["Undo repost", "Repost rückgängig machen", "Annuler la republication", "撤销转发"];
const NO_REACTION = /:\s*(no reaction|keine reaktion|aucune réaction|无回应)\s*$/i;

// Who the user reacts as (feed-dom.md, live probes 2026-08): a page admin's per-post identity switcher
// ("Photo of ‹acting name›"; the choice sticks), a comment box's "Comment as ‹Page›…", else the member in
// the global nav. The same readings as the composer's adapter (content/sites/linkedin.js).
const PHOTO_OF = [/^Photo of (.+)$/i, /^(.+?)的照片$/];
const COMMENT_AS = [/^Comment as (.+?)\s*(?:…|\.\.\.)?$/i, /^以\s*(.+?)\s*(?:的)?身份(?:发表)?评论/];
const member = feedBase.pageReading(() => root.document.querySelector("img.global-nav__me-photo")?.getAttribute("alt"));

const POSTS = [
  'div.feed-shared-update-v2[data-urn^="urn:li:activity:"]',
  '[data-testid="mainFeed"] [role="listitem"]',
].join(", ");

function postId(post) {
  return post.getAttribute("data-urn") || post.closest("[data-id]")?.getAttribute("data-id")
    || post.getAttribute("componentkey") || "";
}

function author(post) {
  const link = post.querySelector("a.update-components-actor__meta-link");
  if (link) {
    const name = post.querySelector('.update-components-actor__title span[aria-hidden="true"]')
      || post.querySelector(".update-components-actor__title");
    return { name: textOf(name), handle: handleFromHref(link.getAttribute("href")) };
  }
  for (const button of post.querySelectorAll('button[aria-label]')) {
    const name = afterPrefix(labelOf(button), CONTROL_MENU_PREFIXES);
    if (name) {
      const profile = post.querySelector('a[href*="/company/"], a[href*="/in/"]');
      return { name, handle: handleFromHref(profile?.getAttribute("href")) };
    }
  }
  return { name: "", handle: "" };
}

/** The author's name line: Ember's actor link, else the row of SDUI's "Open control menu for post by …". */
function authorLine(post) {
  const ember = post.querySelector("a.update-components-actor__meta-link");
  if (ember) return ember;
  for (const button of post.querySelectorAll("button[aria-label]")) {
    if (afterPrefix(labelOf(button), CONTROL_MENU_PREFIXES)) return button.parentElement;
  }
  return null;
}

function text(post) {
  return textOf(firstOf(post, [
    ".update-components-text", '[data-testid="expandable-text-box"]', '[data-view-name="feed-commentary"]',
  ]));
}

function identity(post) {
  const toggle = post.querySelector("button.content-admin-identity-toggle-button img[alt]");
  const switched = feedBase.nameIn(toggle?.getAttribute("alt"), PHOTO_OF);
  if (switched) return switched;
  for (const box of post.querySelectorAll('[contenteditable="true"]')) {
    for (const attr of ["aria-placeholder", "data-placeholder", "aria-label"]) {
      const name = feedBase.nameIn(box.getAttribute(attr), COMMENT_AS);
      if (name) return name;
    }
  }
  return member();
}

/** Repost menu items: the dropdown can mount at the end of the body (a portal), so no post may hold it. */
function repostItem(target) {
  const item = target.closest('.social-reshare-button__share-dropdown-content [role="button"], '
    + '.social-reshare-button__share-dropdown-content button, [role="menuitem"]');
  if (!item) return null;
  const label = labelOf(item);
  if (isOneOf(label, UNDO_REPOST_LABELS)) return { action: "repost", el: item, turnsOn: false };
  const inReshare = item.closest(".social-reshare-button__share-dropdown-content");
  if (!inReshare && !isOneOf(label, REPOST_LABELS)) return null;
  return { action: "repost", el: item, turnsOn: true };
}

function control(target) {
  const ember = target.closest("button.react-button__trigger");
  if (ember) return { action: "react", el: ember, turnsOn: ember.getAttribute("aria-pressed") !== "true", reaction: "like" };
  const flyout = target.closest('.reactions-menu button, button[aria-label^="React "]');
  if (flyout && !flyout.hasAttribute("aria-pressed")) {
    const trigger = feedBase.firstOf(flyout.closest(POSTS) || document, ["button.react-button__trigger"]);
    const reaction = (afterPrefix(labelOf(flyout), ["React "]) || "like").toLowerCase();
    return { action: "react", el: flyout, turnsOn: trigger?.getAttribute("aria-pressed") !== "true", reaction };
  }
  const sdui = target.closest('button[data-view-name="reaction-button"]');
  if (sdui) return { action: "react", el: sdui, turnsOn: NO_REACTION.test(labelOf(sdui)), reaction: "like" };
  const comment = target.closest('button.comment-button, [data-view-name="feed-comment-button"]');
  if (comment) return { action: "comment", el: comment, turnsOn: true };
  return repostItem(target);
}

export default defineFeedAdapter({ id: "linkedin", posts: POSTS, postId, author, authorLine, text, control, identity });
