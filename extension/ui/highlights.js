/*
 * Highlights over the editor's risky text spans, drawn as a separate overlay (as Grammarly does) and
 * positioned from Range.getClientRects(). The editor's DOM is never touched: Quill, Lexical and
 * ProseMirror own theirs and would revert or choke on foreign nodes.
 *
 * The overlay lives in the same parent as the panel (the composer's dialog) and before it, so both share
 * one stacking context and the panel is drawn over the highlights; an overlay on <html> with a top
 * z-index was painted over the panel inside Facebook's dialog.
 */
import { runtime } from "../content/core/runtime.js";
import { editorText } from "../content/core/text.js";
import { ui } from "./styles.js";

const root = globalThis;

let current = null; // {host, layer, ranges, onMove}

/**
 * Draws boxes for [{range, severity, current?}] inside `parent` (default <html>) and keeps them in place
 * while the page scrolls. `live`: underlines while the user writes (content/core/live-marks.js), drawn
 * again in the same overlay on every change instead of a new one.
 */
function show(spans, { parent = null, live = false } = {}) {
  const doc = root.document;
  const holder = parent && parent.isConnected ? parent : doc.documentElement;
  if (current && current.host.parentNode === holder && current.host.isConnected) {
    current.spans = spans;
    current.live = live;
    draw(current.layer, spans, live);
    return;
  }
  clear();
  const { host, shadow } = ui.createHost("highlights", holder);
  const layer = ui.el(doc, "div", { className: "pg-hl-layer", "aria-hidden": "true" });
  shadow.append(layer);
  let frame = 0;
  const onMove = () => {
    if (frame) return;
    frame = root.requestAnimationFrame(() => { frame = 0; if (current?.layer === layer) draw(layer, current.spans, current.live); });
  };
  const signal = runtime.signal();
  root.addEventListener("scroll", onMove, { capture: true, passive: true, signal });
  root.addEventListener("resize", onMove, { passive: true, signal });
  current = { host, layer, spans, onMove, live };
  draw(layer, spans, live);
}

/**
 * The client rects of the spans (layout-less DOMs such as jsdom have none), each cut to what the boxes
 * around its text let show. A Range's rects say where its words would be drawn, scrolled out of sight
 * or not: words scrolled out of a textarea longer than its box (Instagram's comment box) or of a
 * composer's scrolling body were underlined above or below it, over the page.
 */
function rectsOf(spans) {
  const rects = [];
  const views = new Map(); // clipping element -> its visible area, read once per draw
  for (const { range, severity, current: isCurrent } of spans) {
    const list = typeof range.getClientRects === "function" ? range.getClientRects() : [];
    const clips = clippersOf(range.commonAncestorContainer);
    for (const whole of list) {
      const rect = clips.reduce((cut, element) => cut && intersect(cut, visibleArea(element, views)), whole);
      if (rect && rect.width >= 1 && rect.height >= 1) rects.push({ rect, severity, isCurrent });
    }
  }
  return rects;
}

/**
 * The elements around `node` that hide what overflows them (overflow other than visible), nearest
 * first, through shadow roots (the textarea mirror lives in one). Kept per element for a second: the
 * ancestors and their overflow rarely change while a user types, and a computed style per ancestor on
 * every frame would cost more than the drawing; read again after that, since a composer's body may
 * start to scroll (overflow: auto) only once it reaches its largest height.
 */
const clippers = new WeakMap(); // element -> {found, at}
const CLIPPERS_FRESH_MS = 1000;

function clippersOf(node) {
  const start = node?.nodeType === 1 ? node : node?.parentElement || node?.parentNode?.host || null;
  if (!start) return [];
  const now = root.performance?.now?.() ?? Date.now();
  const known = clippers.get(start);
  if (known && now - known.at < CLIPPERS_FRESH_MS && known.found.every((element) => element.isConnected)) return known.found;
  const found = [];
  const view = start.ownerDocument?.defaultView;
  for (let element = start; element && element.nodeType === 1; element = element.parentElement || element.parentNode?.host) {
    // <body> and <html> hand their overflow to the window, which the overlay already covers.
    if (element === start.ownerDocument.body || element === start.ownerDocument.documentElement || !view) break;
    const style = view.getComputedStyle(element);
    const clips = style.overflowX !== "visible" || style.overflowY !== "visible";
    if (clips && style.display !== "inline" && style.display !== "contents") found.push(element); // overflow is a block's
  }
  clippers.set(start, { found, at: now });
  return found;
}

/** Where an element shows its content now: inside its borders and scrollbars, in client coordinates. */
function visibleArea(element, views) {
  if (views.has(element)) return views.get(element);
  const box = element.getBoundingClientRect();
  const left = box.left + element.clientLeft;
  const top = box.top + element.clientTop;
  const area = { left, top, right: left + element.clientWidth, bottom: top + element.clientHeight };
  views.set(element, area);
  return area;
}

function intersect(rect, area) {
  const left = Math.max(rect.left, area.left);
  const top = Math.max(rect.top, area.top);
  const right = Math.min(rect.left + rect.width, area.right);
  const bottom = Math.min(rect.top + rect.height, area.bottom);
  return right > left && bottom > top ? { left, top, right, bottom, width: right - left, height: bottom - top } : null;
}

/**
 * Places one box per rect. Typing redraws on every frame, so the boxes already there are reused and
 * only what changed is written: a keystroke that moves no underline costs reads, not style changes.
 * What each box was given is kept beside it (`drawn`) rather than read back from `style`: browsers
 * read a fractional pixel back with six significant digits ("12.3333px" for 12.333333333333334px;
 * firefox-esr 153 and Chromium 156, 2026-12-05), so the comparison never matched and every box was
 * written again on every frame; and each read is a DOM call, which crosses a wrapper in Firefox's
 * content scripts.
 */
const drawn = new WeakMap(); // layer -> [{box, className, left, top, width, height}]

function draw(layer, spans, live = false) {
  const doc = layer.ownerDocument;
  // The layer is `fixed; inset: 0`, but a transformed ancestor makes it relative to that ancestor:
  // boxes are placed from the layer's own origin, right in both cases.
  const origin = typeof layer.getBoundingClientRect === "function" ? layer.getBoundingClientRect() : { left: 0, top: 0 };
  const rects = rectsOf(spans);
  const boxes = drawn.get(layer) || [];
  drawn.set(layer, boxes);
  while (boxes.length > rects.length) boxes.pop().box.remove();
  rects.forEach(({ rect, severity, isCurrent }, index) => {
    const was = boxes[index] || (boxes[index] = { box: layer.appendChild(ui.el(doc, "div")) });
    const className = `pg-hl pg-sev-${severity}${live ? " pg-live" : ""}${isCurrent ? " pg-current" : ""}`;
    if (was.className !== className) was.box.className = was.className = className;
    setPx(was, "left", rect.left - origin.left);
    setPx(was, "top", rect.top - origin.top);
    setPx(was, "width", rect.width);
    setPx(was, "height", rect.height);
  });
}

function setPx(was, property, value) {
  if (was[property] === value) return;
  was[property] = value;
  was.box.style[property] = `${value}px`;
}

/** Removes the overlay (on input in the editor, on panel close, on detach). */
function clear() {
  if (!current) return;
  root.removeEventListener("scroll", current.onMove, { capture: true });
  root.removeEventListener("resize", current.onMove);
  current.host.remove();
  current = null;
}

/** Builds highlight spans for a check result against the extracted editor text. */
function spansFor(extracted, findings) {
  if (!extracted) return [];
  const spans = [];
  for (const finding of findings) {
    const span = editorText.findingSpan(extracted.text, finding);
    const range = span && editorText.rangeFor(extracted, span.start, span.end);
    if (range) spans.push({ range, severity: finding.severity });
  }
  return spans;
}

/** Where the highlighted text is on screen now (the panel avoids covering it). */
function rects() {
  return current ? rectsOf(current.spans).map(({ rect }) => rect) : [];
}

export const highlights = { show, clear, spansFor, rects };
runtime?.onDetach(clear);
