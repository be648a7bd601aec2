/*
 * Hosts for Postguard's in-page UI and their styles. Every piece of UI (panel, notice, highlight
 * overlay) lives in its own shadow root so the page's CSS cannot restyle it and ours cannot leak
 * into the page (Bitwarden's habit). Styles go in through a constructed stylesheet: it is CSSOM, so
 * a page CSP without 'unsafe-inline' styles (or Trusted Types on LinkedIn) does not block it.
 *
 * The shadow roots are OPEN on purpose: the end-to-end tests and assistive tools must be able to
 * reach the panel (Playwright's CSS engine pierces open roots only). Nothing secret is in it; the
 * page could read the post itself anyway.
 */
const BASE_CSS = `
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "WenQuanYi Micro Hei", sans-serif; }
  .pg-panel { position: fixed; z-index: 2147483646; width: 380px; max-width: calc(100vw - 16px);
    max-height: min(80vh, 600px); display: flex; flex-direction: column; background: #fff; color: #1d2226; border-radius: 10px;
    border: 1px solid #c9ced6; border-top: 5px solid #c37d16; box-shadow: 0 8px 28px rgba(0,0,0,.28);
    padding: 14px 16px 12px; font-size: 14px; line-height: 1.4; text-align: left; }
  .pg-panel.pg-block { border-top-color: #c0392b; }
  .pg-panel:focus { outline: none; }
  .pg-head { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; }
  .pg-badge { font-size: 11px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; color: #fff;
    background: #175caa; border-radius: 4px; padding: 2px 6px; }
  h2 { font-size: 16px; margin: 0; flex: 1; font-weight: 650; }
  .pg-intro, .pg-note { margin: 0 0 8px; color: #434649; }
  .pg-note { color: #8a1f11; font-weight: 600; }
  .pg-note.pg-ocr { color: #6b4300; }
  ul { list-style: none; margin: 0 0 10px; padding: 0 2px 0 0; overflow: auto; flex: 1 1 auto; min-height: 60px; }
  .pg-actions, .pg-head, .pg-justify, .pg-note { flex: 0 0 auto; }
  li { border-left: 4px solid #e0a526; background: #fdf7ea; border-radius: 6px; padding: 8px 10px; margin: 0 0 8px; }
  li.pg-sev-block { border-left-color: #c0392b; background: #fcefed; }
  li.pg-sev-info { border-left-color: #7a8b99; background: #f3f5f7; }
  .pg-cat { font-weight: 650; }
  .pg-where { color: #5e6368; font-size: 12px; margin-left: 6px; white-space: nowrap; }
  .pg-message { margin: 4px 0; }
  .pg-own { background: rgba(245, 180, 0, .28); color: inherit; border-bottom: 2px solid #d48a00; border-radius: 2px;
    padding: 0 2px; white-space: pre-wrap; word-break: break-word; font-weight: 600; }
  .pg-masked { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; word-break: break-word; }
  li.pg-sev-block .pg-own { background: rgba(192, 57, 43, .16); border-bottom-color: #c0392b; }
  .pg-why { margin: 4px 0 0; color: #5e6368; font-size: 12.5px; }
  .pg-actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
  button { font: inherit; font-size: 14px; border-radius: 16px; padding: 5px 11px; cursor: pointer; white-space: nowrap;
    border: 1px solid #175caa; background: #fff; color: #175caa; }
  button.pg-primary { background: #175caa; color: #fff; }
  button.pg-danger { border-color: #8a1f11; color: #8a1f11; }
  button:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #f5b400; outline-offset: 1px; }
  button[disabled] { opacity: .55; cursor: default; }
  .pg-close { border: none; padding: 2px 8px; font-size: 18px; color: #5e6368; }
  .pg-justify { margin-top: 10px; border-top: 1px solid #e3e6ea; padding-top: 10px; display: grid; gap: 6px; }
  .pg-justify[hidden] { display: none; }
  label { font-weight: 600; font-size: 13px; }
  select, textarea { font: inherit; font-size: 14px; width: 100%; border: 1px solid #aab1b9; border-radius: 6px; padding: 5px; }
  textarea { min-height: 56px; resize: vertical; }
  .pg-error { color: #8a1f11; margin: 0; min-height: 1em; font-size: 13px; }
  .pg-notice { position: fixed; z-index: 2147483646; max-width: 420px; background: #1d2226; color: #fff; border-radius: 8px;
    padding: 10px 14px; box-shadow: 0 6px 20px rgba(0,0,0,.3); font-size: 14px; line-height: 1.4; display: flex; gap: 10px; align-items: flex-start; }
  .pg-notice.pg-closed { background: #8a1f11; }
  .pg-notice.pg-warn { background: #6b4300; }
  .pg-notice a { color: #ffd98a; }
  .pg-notice code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: rgba(255,255,255,.15); padding: 0 4px; border-radius: 3px; white-space: nowrap; }
  .pg-notice button { border-color: #fff; color: #fff; background: transparent; padding: 1px 8px; flex: 0 0 auto; }
  .pg-hl-layer { position: fixed; inset: 0; pointer-events: none; z-index: 2147483645; }
  .pg-hl { position: absolute; pointer-events: none; background: rgba(245, 180, 0, .28); border-bottom: 2px solid #d48a00; border-radius: 2px; }
  .pg-hl.pg-sev-block { background: rgba(192, 57, 43, .22); border-bottom-color: #c0392b; }
  .pg-hl.pg-live { background: transparent; border-radius: 0; }
  .pg-hl.pg-current { background: rgba(245, 180, 0, .38); outline: 2px solid #175caa; outline-offset: 1px; }
  .pg-photo-list { overflow: auto; flex: 1 1 auto; min-height: 60px; margin: 0 0 8px; }
  .pg-photo-card { border: 1px solid #e3e6ea; border-radius: 8px; padding: 8px; margin: 0 0 8px; }
  .pg-photo-title { display: flex; align-items: baseline; gap: 6px; margin-bottom: 6px; }
  .pg-preview { display: block; max-width: 100%; border: 1px solid #c9ced6; border-radius: 4px; background: #f3f5f7; margin: 0 0 6px; }
  .pg-photo-card ul { overflow: visible; min-height: 0; margin: 6px 0 0; }
  .pg-photo-card li { margin: 0 0 3px; padding: 3px 8px; font-size: 13px; }
  [hidden] { display: none !important; }
  li[data-postguard-finding] { cursor: pointer; }
  li[data-postguard-finding]:focus-visible { outline: 3px solid #f5b400; }
  .pg-item-actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
  .pg-item-actions button { font-size: 13px; padding: 2px 10px; }
  .pg-fix-to { color: #5e6368; font-size: 12.5px; margin: 2px 0 0; }
  .pg-count { position: fixed; z-index: 2147483646; display: inline-flex; align-items: center; gap: 6px; height: 28px;
    padding: 0 10px 0 4px; border-radius: 14px; border: 1px solid #d48a00; background: #fff8e6; color: #6b4300;
    font-size: 13px; font-weight: 650; box-shadow: 0 2px 8px rgba(0,0,0,.18); }
  .pg-count:hover { background: #ffefc2; }
  .pg-count-dot { display: inline-flex; align-items: center; justify-content: center; width: 20px; height: 20px;
    border-radius: 50%; background: #d48a00; color: #fff; font-size: 13px; font-weight: 800; }
`;

let sheet = null;
function styleSheetFor(doc) {
  const view = doc.defaultView;
  if (!sheet && view && typeof view.CSSStyleSheet === "function" && "replaceSync" in view.CSSStyleSheet.prototype) {
    sheet = new view.CSSStyleSheet();
    sheet.replaceSync(BASE_CSS);
  }
  return sheet;
}

/**
 * Creates a host `<div data-postguard="kind">` with an open shadow root and our styles, appended
 * to `parent`. Returns {host, shadow}.
 */
function createHost(kind, parent) {
  const doc = parent.ownerDocument || parent;
  const host = doc.createElement("div");
  host.setAttribute("data-postguard", kind);
  host.style.setProperty("all", "initial");
  host.style.setProperty("display", "contents");
  const shadow = host.attachShadow({ mode: "open" });
  const constructed = styleSheetFor(doc);
  if (constructed) {
    shadow.adoptedStyleSheets = [constructed];
  } else {
    const style = doc.createElement("style");
    style.textContent = BASE_CSS;
    shadow.append(style);
  }
  // Keys and clicks inside our UI are ours: the site must not see Esc (it would close its dialog)
  // or clicks (it could treat them as "outside" clicks).
  for (const type of ["keydown", "keyup", "keypress", "click", "mousedown", "pointerdown", "input", "paste"]) {
    host.addEventListener(type, (event) => event.stopPropagation());
  }
  parent.append(host);
  return { host, shadow };
}

/** Shortcut for building UI nodes: text always goes in through textContent. */
function el(doc, tag, props = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export const ui = { createHost, el };
