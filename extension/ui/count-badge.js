/*
 * The count badge: how many findings the pre-check has for what is in the composer now, shown beside
 * the site's Post control before the user clicks it (as Grammarly's counter sits in the corner of the
 * text box). It follows the pre-check's answers and the underlines (a finding whose words were typed
 * away stops counting at the next frame), disappears when nothing is left, and opens the panel when
 * clicked.
 *
 * Host `data-postguard="count"` with an open shadow root (styles.js), inside the composer's dialog like
 * the panel (one stacking context, the site's focus trap keeps working). Where it goes is
 * placement.js's `besideControl`: next to the Post control, never over it, nor over the text.
 */
import { runtime } from "../content/core/runtime.js";
import { t } from "./i18n.js";
import { placement } from "./placement.js";
import { ui } from "./styles.js";

const root = globalThis;

let current = null; // {host, button, parent, control, onOpen, count, onMove, observer}

/**
 * Shows `count` beside `control` (the site's Post button) in `parent` (the composer's dialog);
 * `count` 0 hides it. `onOpen()` runs when the user clicks it. `avoid`: more rects-to-be ([Element]).
 */
function show({ count, control, parent, onOpen, avoid = [] }) {
  if (!count || !control?.isConnected) { hide(); return; }
  const holder = parent?.isConnected ? parent : root.document.body || root.document.documentElement;
  if (!current || current.parent !== holder || !current.host.isConnected) build(holder);
  const moved = current.control !== control || current.count !== count;
  Object.assign(current, { control, onOpen, avoid });
  if (current.count !== count) {
    current.count = count;
    current.text.textContent = t("countBadgeText", [String(count)]);
    current.button.setAttribute("aria-label", t("countBadgeLabel", [String(count)]));
    current.button.dataset.count = String(count);
  }
  // Called on every frame while the user types: placed again only when the Post control moved.
  const at = rectOf(control);
  const key = at ? `${at.left},${at.top},${at.width},${at.height}` : "";
  if (moved || key !== current.placedFor) { current.placedFor = key; place(); }
}

function build(holder) {
  hide();
  const doc = root.document;
  const { host, shadow } = ui.createHost("count", holder);
  const button = ui.el(doc, "button", { type: "button", className: "pg-count", "data-postguard-action": "open-findings" });
  const dot = ui.el(doc, "span", { className: "pg-count-dot", "aria-hidden": "true", text: "!" });
  const text = ui.el(doc, "span", { className: "pg-count-text" });
  button.append(dot, text);
  // mousedown would move the focus out of the editor (and Lexical would drop its selection): keep it there.
  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", () => current?.onOpen?.());
  shadow.append(button);
  let frame = 0;
  const onMove = () => {
    if (frame) return;
    frame = root.requestAnimationFrame(() => { frame = 0; if (current?.host === host) { current.placedFor = null; place(); } });
  };
  const signal = runtime.signal();
  root.addEventListener("scroll", onMove, { capture: true, passive: true, signal });
  root.addEventListener("resize", onMove, { passive: true, signal });
  // The dialog grows when a photo is attached: the Post button moves with it.
  const observer = typeof root.ResizeObserver === "function" ? new root.ResizeObserver(onMove) : null;
  observer?.observe(holder);
  current = { host, button, text, parent: holder, count: 0, onMove, observer };
}

function rectOf(target) {
  if (!target || target.isConnected === false || typeof target.getBoundingClientRect !== "function") return null;
  const rect = target.getBoundingClientRect();
  return rect.width > 0 || rect.height > 0 ? rect : null;
}

/** Beside the Post control (placement.js), corrected for a transformed ancestor as the panel is. */
function place() {
  const { button, control } = current;
  const target = rectOf(control);
  if (!target) { button.hidden = true; return; }
  button.hidden = false;
  const size = { width: button.offsetWidth || 96, height: button.offsetHeight || 28 };
  const avoid = [{ kind: "submit", rect: target }];
  for (const el of current.avoid || []) {
    const rect = rectOf(el);
    if (rect) avoid.push({ kind: "text", rect });
  }
  const view = { width: root.innerWidth || 1200, height: root.innerHeight || 800 };
  const spot = placement.besideControl({ view, size, control: target, avoid });
  button.style.left = `${spot.left}px`;
  button.style.top = `${spot.top}px`;
  const placed = button.getBoundingClientRect();
  if (placed.width && (Math.abs(placed.left - spot.left) > 1 || Math.abs(placed.top - spot.top) > 1)) {
    button.style.left = `${2 * spot.left - placed.left}px`;
    button.style.top = `${2 * spot.top - placed.top}px`;
  }
}

/** Removes the badge, if shown. */
function hide() {
  if (!current) return;
  root.removeEventListener("scroll", current.onMove, { capture: true });
  root.removeEventListener("resize", current.onMove);
  current.observer?.disconnect();
  current.host.remove();
  current = null;
}

export const countBadge = { show, hide, count: () => current?.count || 0 };
runtime?.onDetach(hide);
