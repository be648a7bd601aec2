/*
 * A textarea's words on screen. A textarea (Instagram's "Add a comment…" box) holds no DOM text, so no
 * Range can cover a finding's words and the underlines (live-marks.js, drawn by ui/highlights.js from
 * Range rects) had nothing to draw over. The mirror is an invisible copy laid exactly over the textarea:
 * the same box, font, padding, wrapping and scroll position, holding the textarea's value in ONE text
 * node, so a text offset into the value is the same offset into that node. `editorText.extract` reads
 * a textarea through its mirror; the marks, their Ranges, the count badge and a card's select then
 * work on a textarea as on any editor.
 *
 * One mirror at a time (the box the user types in), kept current by the textarea's own input and
 * scroll events and the window's resize, all synchronously, so it is up to date before the
 * underlines' next frame. Lives in its own shadow root on <html>, `visibility: hidden` (laid out,
 * never painted), `pointer-events: none`; gone when the extension unloads.
 */
import { runtime } from "./runtime.js";

const root = globalThis;

// What decides where a character of a textarea lands; copied from its computed style.
const COPIED = [
  "box-sizing", "font-family", "font-size", "font-style", "font-weight", "font-variant", "font-stretch", "font-kerning",
  "font-feature-settings", "letter-spacing", "word-spacing", "line-height", "text-transform", "text-indent", "text-align",
  "tab-size", "direction", "writing-mode", "overflow-wrap", "word-break", "hyphens",
  "padding-top", "padding-right", "padding-bottom", "padding-left",
  "border-top-width", "border-right-width", "border-bottom-width", "border-left-width",
];

let current = null; // {textarea, host, box, node, stop: AbortController, left, top: where the box was put}

function make(textarea) {
  const doc = textarea.ownerDocument;
  const host = doc.createElement("div");
  host.setAttribute("data-postguard", "textarea-mirror");
  host.style.setProperty("all", "initial");
  const shadow = host.attachShadow({ mode: "open" });
  const box = doc.createElement("div");
  const node = doc.createTextNode("");
  box.append(node);
  shadow.append(box);
  doc.documentElement.append(host);
  const stop = new AbortController();
  const options = { signal: stop.signal, passive: true };
  textarea.addEventListener("input", () => sync(), options);
  textarea.addEventListener("scroll", () => { box.scrollTop = textarea.scrollTop; box.scrollLeft = textarea.scrollLeft; }, options);
  root.addEventListener("resize", () => sync(), options);
  // A scrolling part of the page moves the textarea under a mirror placed in page coordinates.
  root.addEventListener("scroll", () => place(), { ...options, capture: true });
  runtime?.signal?.().addEventListener("abort", () => drop(), { once: true, signal: stop.signal });
  return { textarea, host, box, node, stop };
}

/** Lays the mirror over the textarea again and copies its value. */
function sync() {
  if (!current) return;
  const { textarea, box, node } = current;
  if (!textarea.isConnected) { drop(); return; }
  const view = textarea.ownerDocument.defaultView || root;
  const style = view.getComputedStyle(textarea);
  const rect = textarea.getBoundingClientRect();
  const s = box.style;
  for (const property of COPIED) s.setProperty(property, style.getPropertyValue(property));
  // A textarea wraps its text like pre-wrap; a scrollbar narrows where it wraps.
  const scrollbar = textarea.offsetWidth - textarea.clientWidth
    - (parseFloat(style.borderLeftWidth) || 0) - (parseFloat(style.borderRightWidth) || 0);
  s.setProperty("padding-right", `${(parseFloat(style.paddingRight) || 0) + Math.max(0, scrollbar)}px`);
  s.setProperty("box-sizing", "border-box");
  s.setProperty("border-style", "solid");
  s.setProperty("border-color", "transparent");
  s.setProperty("white-space", "pre-wrap");
  s.setProperty("overflow", "hidden");
  s.setProperty("position", "absolute");
  s.setProperty("margin", "0");
  s.setProperty("visibility", "hidden");
  s.setProperty("pointer-events", "none");
  current.left = `${rect.left + view.scrollX}px`;
  current.top = `${rect.top + view.scrollY}px`;
  s.setProperty("left", current.left);
  s.setProperty("top", current.top);
  s.setProperty("width", `${rect.width}px`);
  s.setProperty("height", `${rect.height}px`);
  if (node.data !== textarea.value) node.data = textarea.value;
  box.scrollTop = textarea.scrollTop;
  box.scrollLeft = textarea.scrollLeft;
}

/**
 * Moves the mirror to where the textarea is now (a scrolling part of the page moved it). Placed in page
 * coordinates, the mirror moves with the page by itself: a page scroll reads one rect and writes nothing.
 */
function place() {
  if (!current?.textarea.isConnected) return;
  const { textarea, box } = current;
  const view = textarea.ownerDocument.defaultView || root;
  const rect = textarea.getBoundingClientRect();
  const left = `${rect.left + view.scrollX}px`;
  const top = `${rect.top + view.scrollY}px`;
  if (left === current.left && top === current.top) return;
  current.left = left;
  current.top = top;
  box.style.setProperty("left", left);
  box.style.setProperty("top", top);
}

/**
 * The mirror of `textarea`, current: the element whose one text node holds the textarea's value where
 * the textarea shows it. The mirror of another textarea before it goes.
 */
function of(textarea) {
  if (current?.textarea !== textarea) {
    drop();
    current = make(textarea);
  }
  sync();
  return current.box;
}

function drop() {
  if (!current) return;
  current.stop.abort();
  current.host.remove();
  current = null;
}

export const textareaMirror = Object.freeze({ of, drop });
