/*
 * Small notices near the composer: "checking…", "the checker is not running" (fail open, the post
 * went through; fail closed, the post is held; both say to contact IT, with IT's help link), "redacted".
 * Host `data-postguard="notice"`; text written with textContent only.
 */
import { runtime } from "../content/core/runtime.js";
import { t } from "./i18n.js";
import { ui } from "./styles.js";

const root = globalThis;

let current = null; // {host, timer}

/**
 * Shows one notice (replacing any other). Options: tone "info"|"warn"|"closed", kind (a data-kind
 * tag for what the notice is about),
 * linkUrl/linkText, actionText/onAction, timeoutMs (0 keeps it until closed), anchor (element).
 */
function show(message, options = {}) {
  hide();
  const doc = root.document;
  const parent = options.parent && options.parent.isConnected ? options.parent : doc.body || doc.documentElement;
  const { host, shadow } = ui.createHost("notice", parent);
  const box = ui.el(doc, "div", {
    className: `pg-notice${options.tone === "closed" || options.tone === "warn" ? ` pg-${options.tone}` : ""}`,
    role: options.tone === "closed" ? "alert" : "status",
    "data-tone": options.tone || "info",
    "data-kind": options.kind,
  });
  const body = ui.el(doc, "div", {}, [ui.el(doc, "span", { className: "pg-notice-text", text: message })]);
  if (options.linkUrl) {
    body.append(doc.createTextNode(" "), ui.el(doc, "a", {
      href: options.linkUrl, target: "_blank", rel: "noopener noreferrer", text: options.linkText || options.linkUrl,
    }));
  }
  box.append(body);
  if (options.actionText && options.onAction) {
    const action = ui.el(doc, "button", { type: "button", text: options.actionText, "data-postguard-action": "notice-action" });
    action.addEventListener("click", () => { hide(); options.onAction(); });
    box.append(action);
  }
  const close = ui.el(doc, "button", { type: "button", text: "×", "aria-label": t("actionClose"), "data-postguard-action": "notice-close" });
  close.addEventListener("click", hide);
  box.append(close);
  shadow.append(box);
  place(box, options.anchor);
  const timer = options.timeoutMs ? root.setTimeout(hide, options.timeoutMs) : 0;
  current = { host, timer, follow: follow(box, options.anchor) };
  return host;
}

/**
 * Just below the anchor (the composer's dialog, so the notice covers neither the text nor the Post
 * control) when the notice fits there, else just above it; when neither fits (a dialog as tall as
 * the window), the top-right corner, away from the Post control at the composer's foot. Without
 * an anchor, bottom-right of the window.
 */
function place(box, anchor) {
  // The whole dialog around the anchor, when there is one: an editor or a photo input sits
  // above the dialog's own Post button, and "just below" them would cover it.
  const outer = anchor?.isConnected ? (anchor.closest?.('[role="dialog"]') || anchor) : null;
  const rect = outer ? outer.getBoundingClientRect() : null;
  const viewH = root.innerHeight || 800;
  const viewW = root.innerWidth || 1200;
  const height = box.offsetHeight || 60;
  box.style.left = box.style.top = box.style.right = box.style.bottom = "";
  if (!rect || rect.width <= 0) {
    box.style.right = "16px";
    box.style.bottom = "16px";
    return;
  }
  const left = `${Math.max(8, Math.min(rect.left, viewW - 428))}px`;
  if (rect.bottom + 8 + height <= viewH - 8) {
    box.style.left = left;
    box.style.top = `${rect.bottom + 8}px`;
  } else if (rect.top - 8 - height >= 8) {
    box.style.left = left;
    box.style.top = `${rect.top - 8 - height}px`;
  } else {
    box.style.right = "16px";
    box.style.top = "16px";
  }
}

/**
 * Places the notice again when the dialog changes size: a photo attached after the notice
 * appeared makes a centred dialog grow, which would bring its Post button under the notice.
 */
function follow(box, anchor) {
  const outer = anchor?.isConnected ? (anchor.closest?.('[role="dialog"]') || anchor) : null;
  if (!outer || typeof root.ResizeObserver !== "function") return null;
  const observer = new root.ResizeObserver(() => place(box, anchor));
  observer.observe(outer);
  return observer;
}

/** Removes the notice, if any. */
function hide() {
  if (!current) return;
  if (current.timer) root.clearTimeout(current.timer);
  current.follow?.disconnect();
  current.host.remove();
  current = null;
}

export const notice = { show, hide };
runtime?.onDetach(hide);
