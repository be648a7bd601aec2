/**
 * The step views of the Instagram create flow that hold no flow state: the Edit step's canvas and
 * filter strip, the caption panel around the Lexical-like caption editor, and the sharing/shared screens.
 */

import { avatar, h, icon } from "../common/dom.js";
import { ME } from "./profile.js";

const CAPTION_LIMIT = "2,200";
const FILTERS = ["Original", "Aden", "Clarendon", "Crema", "Gingham", "Juno"];

/** Draw the photo centre-cropped to the square canvas, as the Edit step shows it. */
export async function drawOnCanvas(canvas, file) {
  if (!file || !file.type.startsWith("image/")) return;
  const bitmap = await createImageBitmap(file);
  const side = Math.min(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, canvas.width, canvas.height);
  bitmap.close();
}

export function filterStrip() {
  const tabs = h("div", { class: "ig-panel__tabs" }, h("div", { role: "button", tabindex: "0", class: "ig-panel__tab ig-panel__tab--active", text: "Filters" }),
    h("div", { role: "button", tabindex: "0", class: "ig-panel__tab", text: "Adjustments" }));
  const grid = h("div", { class: "ig-filters" }, FILTERS.map((name, i) =>
    h("div", { role: "button", tabindex: "0", class: "ig-filter" + (i === 0 ? " ig-filter--active" : "") },
      h("div", { class: `ig-filter__swatch ig-filter__swatch--${i}` }), h("span", { text: name }))));
  return h("div", { class: "ig-panel" }, tabs, grid);
}

/** Right-hand panel of the caption step: who posts, the caption editor and its counter. */
export function captionPanel(editor) {
  const placeholder = h("div", { class: "ig-caption__placeholder", "aria-hidden": "true", text: "Write a caption..." });
  const counter = h("div", { class: "ig-caption__counter" });
  const refresh = () => {
    placeholder.hidden = editor.text !== "";
    counter.textContent = `${editor.text.length.toLocaleString("en-US")}/${CAPTION_LIMIT}`;
  };
  editor.addEventListener("change", refresh);
  refresh();
  const row = (label) => h("div", { role: "button", tabindex: "0", class: "ig-panel__row" }, h("span", { text: label }), h("span", { class: "ig-panel__chevron", text: "›" }));
  return h("div", { class: "ig-panel ig-caption" },
    h("div", { class: "ig-caption__author" }, avatar(ME.initials, 28, ME.color), h("span", { text: ME.username })),
    h("div", { class: "ig-caption__field" }, placeholder, editor.root),
    h("div", { class: "ig-caption__meta" }, h("span", { class: "ig-caption__emoji", text: "☺" }), counter),
    row("Add location"), row("Add collaborators"), row("Accessibility"), row("Advanced settings"));
}

export function sharingView() {
  return h("div", { class: "ig-result" }, h("div", { class: "ig-spinner", role: "progressbar", "aria-label": "Sharing" }));
}

export function sharedView() {
  return h("div", { class: "ig-result" },
    h("div", { class: "ig-result__badge" }, icon("M9 16.2L4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z", { size: 56, fill: "#fff", label: "Animated checkmark" })),
    h("div", { class: "ig-result__text", text: "Your post has been shared." }));
}
