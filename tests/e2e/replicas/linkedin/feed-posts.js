/**
 * LinkedIn feed posts in both renderings of shared/feed-dom.md, with working social actions.
 *
 * Ember: `div[data-id] > div.feed-shared-update-v2[role=article][data-urn]`, actor link
 * `a.update-components-actor__meta-link`, name in `.update-components-actor__title span[aria-hidden]`,
 * an optional social-proof header above the actor, text `.update-components-text span.break-words`,
 * action bar `div.feed-shared-social-action-bar`: Like `span.reactions-react-button >
 * button.react-button__trigger[aria-pressed]` ("React Like" ↔ "Unreact ‹Reaction›"), the reactions flyout
 * that mounts on hover (buttons "React ‹Reaction›" without aria-pressed, with
 * `img[data-test-reactions-icon-type]`), `button.comment-button`, the reshare dropdown ("Repost",
 * "Repost with your thoughts") and `button.send-privately-button`.
 * SDUI: `[data-testid=mainFeed] [role=listitem][componentkey]`, the author only in
 * `button[aria-label^="Open control menu for post by "]`, text `[data-testid=expandable-text-box]`,
 * buttons by `data-view-name`; the share button opens a menu (replica assumption: `[role=menu]` with
 * `[role=menuitem]` "Repost" / "Repost with your thoughts", not described in feed-dom.md).
 *
 * Handlers are bubble-phase listeners on the controls (as the composer replica's). Every handler records
 * what the site did with `recordAction` (react, unreact, repost, repost-open, comment-open). A page admin's
 * Ember posts start their bar with the per-post identity switcher (post-identity.js).
 */

import { avatar, h } from "../common/dom.js";
import { recordAction } from "../common/replica-record.js";
import { actingOnPosts, identityToggle } from "./post-identity.js";

const REACTIONS = [["Like", "LIKE"], ["Celebrate", "PRAISE"], ["Support", "APPRECIATION"], ["Love", "EMPATHY"],
  ["Insightful", "INTEREST"], ["Funny", "ENTERTAINMENT"]];

/** The Like trigger, its reactions flyout (mounted while the pointer is over the button) and the menu trigger. */
function emberReactButton(id, reacted) {
  const trigger = h("button", { class: "react-button__trigger artdeco-button artdeco-button--tertiary social-action", type: "button",
    "aria-pressed": reacted ? "true" : "false", "aria-label": reacted ? `Unreact ${reacted}` : "React Like", text: reacted || "Like" });
  const set = (reaction) => {
    trigger.setAttribute("aria-pressed", reaction ? "true" : "false");
    trigger.setAttribute("aria-label", reaction ? `Unreact ${reaction}` : "React Like");
    trigger.textContent = reaction || "Like";
  };
  trigger.addEventListener("click", () => {
    if (trigger.getAttribute("aria-pressed") === "true") { set(null); recordAction("unreact", id); return; }
    set("Like");
    recordAction("react", id, { reaction: "like", as: actingOnPosts() });
  });
  const wrapper = h("span", { class: "reactions-react-button feed-shared-social-action-bar__action-button" }, trigger,
    h("button", { class: "reactions-menu__trigger", type: "button", "aria-label": "Open reactions menu" }));
  let flyout = null;
  let leaveTimer = 0;
  const mount = () => {
    clearTimeout(leaveTimer);
    if (flyout) return;
    flyout = h("div", { class: "reactions-menu reactions-menu--active" }, REACTIONS.map(([name, type]) => {
      const button = h("button", { class: "reactions-menu__reaction-index", type: "button", "aria-label": `React ${name}` },
        h("img", { "data-test-reactions-icon-type": type, alt: name, class: "reactions-icon", src: "data:," }),
        h("span", { class: "reactions-menu__reaction-description", text: name }));
      button.addEventListener("click", () => {
        set(name);
        recordAction("react", id, { reaction: name.toLowerCase(), as: actingOnPosts() });
        unmount();
      });
      return button;
    }));
    wrapper.append(flyout);
  };
  const unmount = () => { flyout?.remove(); flyout = null; };
  wrapper.addEventListener("mouseenter", mount);
  wrapper.addEventListener("mouseleave", () => { leaveTimer = setTimeout(unmount, 400); });
  wrapper.querySelector(".reactions-menu__trigger").addEventListener("click", mount);
  return wrapper;
}

function reshareDropdown(id, onRepost) {
  const trigger = h("button", { class: "social-reshare-button artdeco-dropdown__trigger social-action", type: "button", "aria-expanded": "false", text: "Repost" });
  const item = (label, handler) => {
    const el = h("div", { role: "button", tabindex: "0", class: "social-reshare-button__sharing-as-is artdeco-dropdown__item", text: label });
    el.addEventListener("click", () => { content.hidden = true; handler(); });
    return el;
  };
  const content = h("div", { class: "social-reshare-button__share-dropdown-content artdeco-dropdown__content", hidden: true },
    item("Repost", () => { recordAction("repost", id); onRepost?.(); }),
    item("Repost with your thoughts", () => recordAction("repost-open", id)));
  trigger.addEventListener("click", () => { content.hidden = !content.hidden; trigger.setAttribute("aria-expanded", String(!content.hidden)); });
  return h("div", { class: "social-reshare-button__container" }, trigger, content);
}

/**
 * One Ember update. `author`: {name, href, initials, color, headline}; `proof`: a social-proof line;
 * `admin`: the user is a page admin, so the bar starts with the per-post identity switcher.
 */
export function emberPost({ id, author, text, proof = null, reacted = null, commentBox = null, admin = false }) {
  const urn = `urn:li:activity:${id}`;
  const comment = h("button", { class: "comment-button artdeco-button--tertiary social-action", type: "button", "aria-label": "Comment", text: "Comment" });
  comment.addEventListener("click", () => { recordAction("comment-open", urn); commentBox?.querySelector("[contenteditable]")?.focus(); });
  const bar = h("div", { class: "feed-shared-social-action-bar" }, admin ? identityToggle() : null, emberReactButton(urn, reacted), comment, reshareDropdown(urn),
    h("button", { class: "send-privately-button social-action", type: "button", "aria-label": "Send in a private message", text: "Send" }));
  const update = h("div", { class: "feed-shared-update-v2 artdeco-card", role: "article", "data-urn": urn, "data-view-name": "feed-full-update" },
    proof ? h("div", { class: "update-components-header", text: proof }) : null,
    h("div", { class: "update-components-actor" }, avatar(author.initials, 48, author.color),
      h("div", { class: "update-components-actor__container" },
        h("a", { class: "update-components-actor__meta-link", href: author.href },
          h("span", { class: "update-components-actor__title" },
            h("span", { dir: "ltr" }, h("span", { "aria-hidden": "true", text: author.name }), h("span", { class: "visually-hidden", text: author.name })))),
        h("div", { class: "update-components-actor__description", text: author.headline }))),
    h("div", { class: "update-components-text" }, h("span", { class: "break-words" }, h("span", { dir: "ltr", text }))),
    bar, commentBox);
  return h("div", { "data-id": urn, class: "feed-update-wrapper" }, update);
}

/** One SDUI list item (hashed classes, no data-urn). */
export function sduiPost({ id, author, text, reacted = null, commentBox = null }) {
  const key = `urn:li:activity:${id}-FeedType_MAIN_FEED`;
  const like = h("button", { type: "button", class: "_8f2a1c social-action", "data-view-name": "reaction-button",
    "aria-label": `Reaction button state: ${reacted ? reacted : "no reaction"}`, text: reacted || "Like" });
  like.addEventListener("click", () => {
    const on = !/no reaction$/.test(like.getAttribute("aria-label"));
    like.setAttribute("aria-label", `Reaction button state: ${on ? "no reaction" : "Like"}`);
    recordAction(on ? "unreact" : "react", key, on ? {} : { reaction: "like" });
  });
  const comment = h("button", { type: "button", class: "_8f2a1c social-action", "data-view-name": "feed-comment-button", text: "Comment" });
  comment.addEventListener("click", () => recordAction("comment-open", key));
  const menu = h("div", { role: "menu", class: "_3c91de", hidden: true });
  for (const label of ["Repost", "Repost with your thoughts"]) {
    const item = h("div", { role: "menuitem", tabindex: "-1", class: "_77ab10", text: label });
    item.addEventListener("click", () => { menu.hidden = true; recordAction(label === "Repost" ? "repost" : "repost-open", key); });
    menu.append(item);
  }
  const share = h("button", { type: "button", class: "_8f2a1c social-action", "data-view-name": "feed-share-button", text: "Repost" });
  share.addEventListener("click", () => { menu.hidden = !menu.hidden; });
  return h("div", { role: "listitem", componentkey: key, class: "_1b7e4f artdeco-card sdui-update" },
    h("div", { class: "_e21f0a sdui-update__actor" },
      h("a", { href: author.href, class: "_4c0b1d", "aria-label": author.name }, avatar(author.initials, 48, author.color)),
      h("div", {}, h("p", { class: "_a1d2e3 sdui-update__name", text: author.name }), h("p", { class: "_f0e9d8 sdui-update__headline", text: author.headline })),
      h("button", { type: "button", class: "_9e8d7c sdui-update__menu", "aria-label": `Open control menu for post by ${author.name}`, text: "…" })),
    h("div", { "data-testid": "expandable-text-box", class: "_5d4c3b sdui-update__text", text }),
    h("div", { class: "_2b3c4d feed-shared-social-action-bar" }, like, comment, h("div", { class: "sdui-update__share" }, share, menu),
      h("button", { type: "button", class: "_8f2a1c social-action", "data-view-name": "feed-send-as-message-button", text: "Send" })),
    commentBox);
}

const PEOPLE = [
  ["Anna Berg", "AB", "#5f9b41", "/in/anna-berg-4711/"], ["Kenji Mori", "KM", "#0a66c2", "/in/kenji-mori/"],
  ["Sofia Rossi", "SR", "#c37d16", "/in/sofia-rossi-design/"], ["Omar Haddad", "OH", "#915907", "/in/omar-haddad/"],
];

/** `count` harmless posts in both renderings, for measuring the cost of a long feed. */
export function manyCleanPosts(count) {
  const ember = [];
  const sdui = [];
  for (let i = 0; i < count; i += 1) {
    const [name, initials, color, href] = PEOPLE[i % PEOPLE.length];
    const post = { id: String(9000 + i), author: { name, initials, color, href, headline: "Sourcing and logistics" },
      text: `Week ${i + 1} at the warehouse: ${20 + i} containers out on time. Thanks to the whole team!` };
    (i % 2 ? sdui : ember).push(i % 2 ? sduiPost(post) : emberPost(post));
  }
  return { ember, sdui };
}
