/*
 * The reaction card: a small card next to the held control that says why ("Northwind Hardware Co. is
 * a competitor. Your like is public and your clients can see it."), led by "You are acting as the company
 * page ‹Name›…" when the user reacts as the company, with Cancel and, when policy
 * allows, "Like anyway" with a reason. In its own open shadow root (the page's CSS cannot restyle it,
 * tests can reach it), styles through a constructed stylesheet (LinkedIn's CSP and Trusted Types),
 * every string through textContent. One card at a time; Escape cancels.
 */
import { t } from "../../ui/i18n.js";

const root = globalThis;

const CSS = `
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "WenQuanYi Micro Hei", sans-serif; }
  .pg-card { position: fixed; z-index: 2147483646; width: 340px; max-width: calc(100vw - 16px); background: #fff;
    color: #1d2226; border: 1px solid #c9ced6; border-top: 5px solid #c37d16; border-radius: 10px;
    box-shadow: 0 8px 28px rgba(0,0,0,.28); padding: 12px 14px; font-size: 14px; line-height: 1.4; }
  .pg-card.pg-block { border-top-color: #c0392b; }
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

/** Below the control when there is room, else above; kept inside the viewport. */
function place(card, anchor) {
  const rect = anchor?.isConnected ? anchor.getBoundingClientRect() : { left: 16, top: 16, bottom: 16 };
  const width = Math.min(340, root.innerWidth - 16);
  const left = Math.max(8, Math.min(rect.left, root.innerWidth - width - 8));
  card.style.left = `${left}px`;
  const height = card.offsetHeight || 180;
  const below = rect.bottom + 8;
  card.style.top = `${below + height < root.innerHeight ? below : Math.max(8, rect.top - height - 8)}px`;
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

/** "Your comment also contains:" and one line per finding of the comment's own text: category, own words (or why). */
function findingList(findings) {
  if (!findings?.length) return [];
  const items = findings.map((f) => el("li", { "data-postguard-finding": "", "data-severity": f.severity || "" },
    [el("span", { className: "pg-cat", text: f.category }),
      f.words ? el("mark", { text: f.words }) : (f.message ? el("span", { className: "pg-why", text: f.message }) : null)]));
  return [el("p", { className: "pg-findings-title", text: t("reactionCommentFindings") }), el("ul", { className: "pg-findings" }, items)];
}

/**
 * Shows the card. `options`: {anchor, identity ("You are acting as the company page ‹Name›…", or ""),
 * message, findings ([{category, words, message}]: what a held comment's own text gives away, listed under the
 * post's reasons), note, overrideLabel (null: no override), requireReason, block, onCancel(),
 * onConfirm(reason)}. Returns a handle with close(); closing runs no callback.
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
    ...findingList(options.findings),
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
  place(card, options.anchor);
  card.focus({ preventScroll: true });
  current = { host, onCancel: options.onCancel };
  return { close };
}

/** Removes the card without running its callbacks. */
function close() {
  current?.host.remove();
  current = null;
}

export const reactionCard = Object.freeze({ show, close });
