/**
 * A page admin's per-post identity switcher (shared/feed-dom.md, live probes 2026-08): the first button
 * of the action bar, `button.content-admin-identity-toggle-button[aria-label="Open menu for switching
 * identity when interacting with this post"]` with `img` alt "Photo of ‹acting name›", opens the modal
 * `[aria-labelledby="content-admin-identity-modal"]` "Comment, react, and repost as" with radios and
 * `[aria-label="Save selection"]`. The choice sticks: every post's switcher then shows it, and the
 * reactions the replica records say who acted (`as`).
 */

import { avatar, h } from "../common/dom.js";
import { ME } from "./profile.js";
import { COMPANY_PAGE } from "./identity-switcher.js";

let acting = ME.name;
const toggles = new Set();

/** Who the user comments, reacts and reposts as right now. */
export function actingOnPosts() {
  return acting;
}

function show(toggle) {
  toggle.querySelector("img").setAttribute("alt", `Photo of ${acting}`);
  toggle.querySelector(".replica-avatar").textContent = acting === ME.name ? ME.initials : "LH";
}

function openModal() {
  document.querySelector('[aria-labelledby="content-admin-identity-modal"]')?.remove();
  const options = [ME.name, COMPANY_PAGE].map((name) => {
    const radio = h("input", { type: "radio", name: "pg-replica-act-as", value: name });
    radio.checked = name === acting;
    return h("label", { class: "content-admin-identity-modal__option" }, radio, h("span", { text: name }));
  });
  const save = h("button", { class: "artdeco-button artdeco-button--primary", type: "button", "aria-label": "Save selection", text: "Save" });
  const modal = h("div", { role: "dialog", class: "artdeco-modal content-admin-identity-modal", "aria-labelledby": "content-admin-identity-modal" },
    h("h2", { id: "content-admin-identity-modal", text: "Comment, react, and repost as" }), ...options, save);
  save.addEventListener("click", () => {
    acting = modal.querySelector("input:checked")?.value || acting;
    toggles.forEach(show);
    modal.remove();
  });
  document.body.append(modal);
}

/** The switcher for one post's action bar. */
export function identityToggle() {
  const toggle = h("button", { type: "button", class: "content-admin-identity-toggle-button",
    "aria-label": "Open menu for switching identity when interacting with this post" },
  h("img", { alt: "", src: "data:,", class: "content-admin-identity-toggle-button__img" }), avatar(ME.initials, 24, "#5e6368"));
  toggle.addEventListener("click", openModal);
  toggles.add(toggle);
  show(toggle);
  return toggle;
}
