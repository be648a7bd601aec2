/*
 * The reaction card: a small card next to the held control that says why ("Northwind Hardware Co. is
 * a competitor. Your like is public and your clients can see it."), led by "You are acting as the company
 * page ‹Name›…" when the user reacts as the company, with Cancel and, when policy
 * allows, "Like anyway" with a reason. In its own open shadow root (the page's CSS cannot restyle it,
 * tests can reach it), styles through a constructed stylesheet (LinkedIn's CSP and Trusted Types),
 * every string through textContent. One card at a time; Escape cancels. Placed next to the control
 * without covering it or the post's author (card-placement.js), and kept there while the page scrolls.
 * A held comment's own findings are listed with the composer panel's per-finding actions: a click on
 * the words selects them in the box, "Fix: ‹words›" replaces them (comment-fixes.js).
 */
import { t } from "../../ui/i18n.js";
import { cardPlacement } from "./card-placement.js";

const root = globalThis;

const CSS = `
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "WenQuanYi Micro Hei", sans-serif; }
  .pg-card { position: fixed; z-index: 2147483646; width: 340px; max-width: calc(100vw - 16px); background: #fff;
    color: #1d2226; border: 1px solid #c9ced6; border-top: 5px solid #c37d16; border-radius: 10px;
    box-shadow: 0 8px 28px rgba(0,0,0,.28); padding: 12px 14px; font-size: 14px; line-height: 1.4; }
  .pg-card.pg-block { border-top-color: #c0392b; }
  .pg-card { overflow-y: auto; }
  .pg-card:focus { outline: none; }
  .pg-title { font-weight: 650; font-size: 15px; margin: 0 0 6px; }
  .pg-message { margin: 0 0 6px; }
  .pg-identity { margin: 0 0 6px; padding: 6px 8px; border-radius: 6px; background: #fdf0dc; color: #5c3a06; font-weight: 600; }
  .pg-note { margin: 0 0 8px; color: #8a1f11; font-weight: 600; font-size: 13px; }
  .pg-findings-title { margin: 8px 0 4px; font-weight: 600; font-size: 13px; }
  .pg-findings { margin: 0 0 8px; padding: 0 0 0 18px; font-size: 13px; }
  .pg-findings li { margin: 2px 0; }
  .pg-findings .pg-cat { font-weight: 600; margin-right: 6px; }
  .pg-findings mark { background: #fde2df; color: inherit; border-radius: 3px; padding: 0 2px; }
  .pg-findings button.pg-words { border: 0; border-radius: 3px; padding: 0; background: none; color: inherit;
    font-size: 13px; white-space: normal; text-align: start; cursor: pointer; }
  .pg-findings button.pg-words:hover mark { text-decoration: underline; }
  .pg-findings .pg-fix-row { margin: 3px 0 4px; }
  .pg-findings button.pg-fix { font-size: 12px; padding: 2px 10px; white-space: normal; text-align: start; }
  .pg-reason { display: grid; gap: 4px; margin: 6px 0 8px; }
  .pg-reason[hidden] { display: none; }
  label { font-weight: 600; font-size: 13px; }
  select { font: inherit; font-size: 14px; width: 100%; border: 1px solid #aab1b9; border-radius: 6px; padding: 4px; }
  .pg-actions { display: flex; flex-wrap: wrap; gap: 6px; justify-content: flex-end; }
  button { font: inherit; font-size: 14px; border-radius: 16px; padding: 5px 12px; cursor: pointer; white-space: nowrap;
    border: 1px solid #175caa; background: #fff; color: #175caa; }
  button.pg-primary { background: #175caa; color: #fff; }
  button[disabled] { opacity: .55; cursor: default; }
  button:focus-visible, select:focus-visible { outline: 3px solid #f5b400; outline-offset: 1px; }
`;
const REASON_KEYS = ["reactionReasonPartner", "reactionReasonNews", "reactionReasonPersonal", "reactionReasonOther"];

let current = null;
let sheet = null;

function el(tag, props = {}, children = []) {
  const node = root.document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function stylesheet() {
  if (!sheet) {
    sheet = new root.CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

/** Places the card next to its control, clear of the control and of the post's author (`avoid`). */
function place(card, anchor, avoid) {
  const rectOf = (node) => (node?.isConnected ? node.getBoundingClientRect() : null);
  card.style.maxHeight = "";
  const box = cardPlacement.placeCard({
    view: { width: root.innerWidth, height: root.innerHeight },
    card: { width: 340, height: card.offsetHeight || 180 },
    control: rectOf(anchor),
    author: rectOf(avoid),
  });
  card.style.left = `${box.left}px`;
  card.style.top = `${box.top}px`;
  card.style.width = `${box.width}px`;
  card.style.maxHeight = box.maxHeight ? `${box.maxHeight}px` : "";
  return box;
}

function reasonPicker(onChange) {
  const select = el("select", { id: "pg-reaction-reason" }, [
    el("option", { value: "", text: t("reactionReasonPick") }),
    ...REASON_KEYS.map((key) => el("option", { value: key, text: t(key) })),
  ]);
  select.addEventListener("change", onChange);
  const box = el("div", { className: "pg-reason" }, [el("label", { for: "pg-reaction-reason", text: t("reactionReasonLabel") }), select]);
  return { box, select };
}

/**
 * "Your comment also contains:" and one line per finding of the comment's own text: category, own words
 * (or why). A line with `fix` has the panel's actions: a click on its words runs `select()`, and
 * "Fix: ‹replacement›" runs `fix()`, which resolves to the indexes of the lines it settled (taken off).
 */
function findingList(findings, relayout) {
  if (!findings?.length) return [];
  const title = el("p", { className: "pg-findings-title", text: t("reactionCommentFindings") });
  const list = el("ul", { className: "pg-findings" });
  const items = findings.map((f, index) => {
    const words = f.words ? el("mark", { text: f.words }) : null;
    const item = el("li", { "data-postguard-finding": "", "data-postguard-item": String(index), "data-severity": f.severity || "" },
      [el("span", { className: "pg-cat", text: f.category }),
        words && f.select ? el("button", { type: "button", className: "pg-words", "data-postguard-action": "select" }, [words])
          : words || (f.message ? el("span", { className: "pg-why", text: f.message }) : null)]);
    if (f.fix) {
      const fix = el("button", { type: "button", className: "pg-fix", "data-postguard-action": "fix",
        text: f.fixLabel ? t("fixPreview", [f.fixLabel]) : t("actionFix") });
      item.append(el("div", { className: "pg-fix-row" }, [fix]));
      fix.addEventListener("click", async () => {
        fix.disabled = true;
        const settled = await f.fix();
        fix.disabled = false;
        for (const at of settled) items[at]?.remove();
        if (!list.querySelector("li")) title.remove();
        if (!list.querySelector("li")) list.remove();
        relayout();
      });
      item.querySelector(".pg-words")?.addEventListener("click", () => f.select());
    }
    return item;
  });
  list.append(...items);
  return [title, list];
}

/**
 * Shows the card. `options`: {anchor, identity ("You are acting as the company page ‹Name›…", or ""),
 * message, findings ([{category, words, message, fixLabel?, fix?, select?}]: what a held comment's own text
 * gives away, listed under the post's reasons), avoid (the post's author name: not to be covered),
 * note, overrideLabel (null: no override), requireReason, block, onCancel(), onConfirm(reason)}.
 * Returns a handle with close(); closing runs no callback.
 */
function show(options) {
  close();
  const host = el("div", { "data-postguard": "reaction-card" });
  const shadow = host.attachShadow({ mode: "open" });
  shadow.adoptedStyleSheets = [stylesheet()];
  const cancel = el("button", { className: "pg-primary", type: "button", text: t("reactionCancel") });
  const children = [
    el("p", { className: "pg-title", text: t("reactionTitle") }),
    options.identity ? el("p", { className: "pg-identity", "data-postguard-identity": "company", text: options.identity }) : null,
    el("p", { className: "pg-message", text: options.message }),
    ...findingList(options.findings, () => relayout()),
    options.note ? el("p", { className: "pg-note", text: options.note }) : null,
  ];
  let confirm = null;
  let picker = null;
  if (options.overrideLabel) {
    confirm = el("button", { type: "button", text: options.overrideLabel });
    if (options.requireReason) {
      picker = reasonPicker(() => { confirm.disabled = !picker.select.value; });
      confirm.disabled = true;
      children.push(picker.box);
    }
  }
  children.push(el("div", { className: "pg-actions" }, [confirm, cancel]));
  const card = el("div", { className: `pg-card${options.block ? " pg-block" : ""}`, role: "alertdialog",
    "aria-label": t("reactionTitle"), tabindex: "-1" }, children);
  shadow.append(card);
  root.document.documentElement.append(host);
  const finish = (fn) => { close(); fn(); };
  cancel.addEventListener("click", () => finish(options.onCancel));
  confirm?.addEventListener("click", () => {
    const reason = picker ? picker.select.value : "";
    if (picker && !reason) return;
    finish(() => options.onConfirm(reason ? t(reason) : ""));
  });
  card.addEventListener("keydown", (event) => {
    if (event.key === "Escape") finish(options.onCancel);
  });
  // The card is `fixed`: it follows its control while the page (or a scrolling part of it) moves.
  let frame = 0;
  const relayout = () => {
    if (frame) return;
    frame = root.requestAnimationFrame(() => { frame = 0; if (current?.host === host) place(card, options.anchor, options.avoid); });
  };
  const moves = new AbortController();
  root.addEventListener("scroll", relayout, { capture: true, passive: true, signal: moves.signal });
  root.addEventListener("resize", relayout, { passive: true, signal: moves.signal });
  // No clear place in this window: the page moves up under the card (once), as a menu near the bottom does.
  const first = place(card, options.anchor, options.avoid);
  if (first.scroll) root.scrollBy({ top: first.scroll, behavior: "instant" });
  card.focus({ preventScroll: true });
  current = { host, onCancel: options.onCancel, moves };
  return { close };
}

/** Removes the card without running its callbacks. */
function close() {
  current?.moves.abort();
  current?.host.remove();
  current = null;
}

export const reactionCard = Object.freeze({ show, close });
