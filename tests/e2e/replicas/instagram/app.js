/**
 * Instagram home replica (www.instagram.com/): the left navigation with "Create" (its icon labelled
 * "New post"), stories and one feed post. Handlers are React-style, delegated from the app root
 * `div[id^="mount_0_0"]`; the create flow itself lives in create-flow.js.
 */

import { avatar, delegate, h, icon, onDelegated } from "../common/dom.js";
import { markReady } from "../common/replica-record.js";
import { openCreateFlow } from "./create-flow.js";
import { reactionPosts } from "./feed-posts.js";
import { CURRENT, ME } from "./profile.js";

const NAV = [
  ["Home", "M12 3l9 8h-3v9h-5v-6h-2v6H6v-9H3z"],
  ["Search", "M10 3a7 7 0 015.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1110 3zm0 2a5 5 0 100 10 5 5 0 000-10z"],
  ["Explore", "M12 2a10 10 0 110 20 10 10 0 010-20zm3.5 6.5l-5 2-2 5 5-2z"],
  ["Reels", "M5 3h14a2 2 0 012 2v14a2 2 0 01-2 2H5a2 2 0 01-2-2V5a2 2 0 012-2zm5 6v6l5-3z"],
  ["Messages", "M3 11L21 3l-8 18-2-8z"],
  ["Notifications", "M12 21s-8-5.5-8-11a4.5 4.5 0 018-2.8A4.5 4.5 0 0120 10c0 5.5-8 11-8 11z"],
];
const NEW_POST_ICON = "M5 3h14a2 2 0 012 2v14a2 2 0 01-2 2H5a2 2 0 01-2-2V5a2 2 0 012-2zm0 2v14h14V5zm6 3h2v3h3v2h-3v3h-2v-3H8v-2h3z";

function navLink(label, path, extra = {}) {
  return h("a", { href: "#", role: "link", class: "ig-nav__link", tabindex: "0", ...extra }, icon(path, { label: extra.iconLabel || label }),
    h("span", { class: "ig-nav__text", text: label }));
}

function sideNav() {
  const create = navLink("Create", NEW_POST_ICON, { iconLabel: "New post" });
  onDelegated(create, "click", (event) => {
    event.preventDefault();
    openCreateFlow();
  });
  return h("div", { class: "ig-nav", role: "navigation" },
    h("div", { class: "ig-wordmark", "aria-label": "Instagram", text: "Instagram" }),
    NAV.map(([label, path]) => navLink(label, path)), create,
    h("a", { href: `/${CURRENT}/`, role: "link", class: "ig-nav__link" },
      h("img", { alt: `${CURRENT}'s profile picture`, src: "data:,", class: "ig-post__avatar-img" }),
      avatar(ME.initials, 24, ME.color), h("span", { class: "ig-nav__text", text: "Profile" })));
}

function stories() {
  return h("div", { class: "ig-stories" }, [["Mei", "#c13584"], ["Tomas", "#5851db"], ["Sofia", "#e1306c"], ["Ahmed", "#f77737"], ["Ana", "#405de6"]].map(([name, color]) =>
    h("div", { class: "ig-story" }, h("div", { class: "ig-story__ring" }, avatar(name.slice(0, 2).toUpperCase(), 56, color)), h("span", { text: name.toLowerCase() }))));
}

function feedPost() {
  return h("article", { class: "ig-post" },
    h("div", { class: "ig-post__head" }, avatar("HI", 32, "#405de6"), h("strong", { text: "harbor.industrial" }), h("span", { class: "ig-post__time", text: "• 3h" })),
    h("div", { class: "ig-post__media", role: "img", "aria-label": "Photo by harbor.industrial" }),
    h("div", { class: "ig-post__actions", text: "♡  ○  ➤" }),
    h("div", { class: "ig-post__caption" }, h("strong", { text: "harbor.industrial " }), h("span", { text: "New season, new samples on the showroom wall." })));
}

function build() {
  const root = document.querySelector("[id^='mount_0_0']");
  delegate(root, ["click", "keydown", "dblclick"]);
  const extra = Math.min(Number(new URLSearchParams(location.search).get("posts")) || 0, 1000);
  root.append(h("div", { class: "ig-app" }, sideNav(), h("main", { class: "ig-main", role: "main" }, stories(), feedPost(), ...reactionPosts(extra))));
  markReady();
}

build();
