/**
 * The share box's "Post as" choice (feed-dom.md: `button.share-unified-settings-entry-button`, line 1
 * the acting identity, line 2 the audience). A page admin clicks it, picks the member or the company
 * page in a radio list and presses Done; line 1 then names the chosen identity, and the choice sticks
 * for the next share box (as LinkedIn keeps it). `?as=page` opens the replica acting as the page, like
 * `/company/‹id›/admin/page-posts/published/?share=true` does on LinkedIn.
 */

import { h } from "../common/dom.js";
import { ME } from "./profile.js";

export const COMPANY_PAGE = "Lumen Hardware Co., Ltd.";
let acting = new URLSearchParams(location.search).get("as") === "page" ? COMPANY_PAGE : ME.name;

/** Who the share box posts as right now. */
export function actingIdentity() {
  return acting;
}

/** Opens the "Post as" list under the entry button; `title` is the entry button's first line. */
export function openIdentityMenu(entry, title) {
  const header = entry.parentElement;
  header.querySelector(".share-unified-settings-menu")?.remove();
  const options = [ME.name, COMPANY_PAGE].map((name) => {
    const radio = h("input", { type: "radio", name: "pg-replica-post-as", value: name });
    radio.checked = name === acting;
    return h("label", { class: "share-unified-settings-menu__option" }, radio, h("span", { text: name }));
  });
  const done = h("button", { class: "artdeco-button artdeco-button--primary", type: "button", text: "Done" });
  const menu = h("div", { class: "share-unified-settings-menu", role: "radiogroup", "aria-label": "Post as" },
    h("h3", { text: "Post as" }), ...options, done);
  done.addEventListener("click", () => {
    const chosen = menu.querySelector("input:checked");
    if (chosen) acting = chosen.value;
    title.textContent = acting;
    menu.remove();
  });
  entry.after(menu);
}
