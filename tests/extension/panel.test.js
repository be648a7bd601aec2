/**
 * The panel: page- and companion-derived strings stay text, actions follow policy, the keyboard works,
 * and the justification is required when policy says so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSite } from "./helpers/content-dom.js";
import { createChromeFake } from "./helpers/chrome-fake.js";

const EVIL = '<img src=x onerror="window.pwned=1">';
const RESULT = {
  scan_id: "s1", verdict: "warn", ocr_incomplete: false,
  findings: [
    { category: "pricing", severity: "warn", source: "text", start: 0, end: 5, bbox: null, rule: "r", message: `Price ${EVIL}`, excerpt: EVIL },
    { category: "contact_pii", severity: "warn", source: "image", image_index: 0, start: null, end: null, bbox: [1, 2, 3, 4], rule: "r", message: "Email in photo", excerpt: "j.h*****@x.de" },
  ],
};

function openPanel({ view = {}, locale = "en" } = {}) {
  const win = loadSite("facebook-feed.html", "www.facebook.com", { chrome: createChromeFake({ locale }) });
  const actions = [];
  const dialog = win.document.querySelector('[role="dialog"]');
  win.postguard.panel.open({
    parent: dialog,
    anchor: dialog.querySelector("[data-lexical-editor]"),
    view: { result: RESULT, canOverride: true, canRedact: true, requireJustification: true, blockNote: null, ...view },
    onAction: (action, details) => actions.push({ action, details }),
  });
  const host = win.document.querySelector('[data-postguard="panel"]');
  return { win, host, shadow: host.shadowRoot, actions };
}

test("an excerpt with HTML stays text: no element is created from it", () => {
  const { win, shadow } = openPanel();
  assert.equal(shadow.querySelector("img"), null);
  assert.equal(win.pwned, undefined);
  const first = shadow.querySelector('[data-postguard-finding][data-category="pricing"]');
  assert.equal(first.querySelector(".pg-excerpt").textContent, EVIL);
  assert.ok(first.querySelector(".pg-message").textContent.includes(EVIL));
});

test("findings show category, where, message, masked excerpt and why", () => {
  const { shadow } = openPanel();
  const photo = shadow.querySelector('[data-category="contact_pii"]');
  assert.match(photo.textContent, /Personal contact or payment data/);
  assert.match(photo.textContent, /In photo 1/);
  assert.match(photo.textContent, /j\.h\*\*\*\*\*@x\.de/);
  assert.match(photo.textContent, /must not be published/);
});

test("the host is an open shadow root holding the contract's buttons; focus moves in", () => {
  const { win, host, shadow } = openPanel();
  assert.equal(host.shadowRoot.mode, "open");
  const actions = [...shadow.querySelectorAll("[data-postguard-action]")].map((b) => b.dataset.postguardAction);
  assert.deepEqual(actions, ["edit", "redact", "override", "cancel", "confirm-override"]);
  assert.equal(shadow.activeElement, shadow.querySelector(".pg-panel"));
  assert.equal(win.document.activeElement, host);
});

test("block verdict or policy without override: no 'Post anyway'", () => {
  const { shadow } = openPanel({ view: { canOverride: false, blockNote: "panelBlockedSeverity", result: { ...RESULT, verdict: "block" } } });
  assert.equal(shadow.querySelector('[data-postguard-action="override"]'), null);
  assert.match(shadow.querySelector(".pg-note").textContent, /must not be posted/);
});

test("Post anyway asks for a reason and text before it acts", () => {
  const { shadow, actions } = openPanel();
  shadow.querySelector('[data-postguard-action="override"]').click();
  const select = shadow.querySelector('select[data-postguard-field="reason"]');
  assert.equal(shadow.activeElement, select);
  shadow.querySelector('[data-postguard-action="confirm-override"]').click();
  assert.equal(actions.length, 0);
  assert.match(shadow.querySelector('[data-postguard-part="error"]').textContent, /choose a reason/);
  select.value = "approved";
  shadow.querySelector('textarea[data-postguard-field="justification"]').value = "Client agreed in writing";
  shadow.querySelector('[data-postguard-action="confirm-override"]').click();
  assert.deepEqual(actions.map((a) => [a.action, a.details.justification]), [["override", "approved: Client agreed in writing"]]);
});

test("Esc goes back to the editor (Edit) and does not reach the site", () => {
  const { win, shadow, actions } = openPanel();
  let siteSawEscape = false;
  win.document.querySelector('[role="dialog"]').addEventListener("keydown", () => { siteSawEscape = true; });
  shadow.querySelector(".pg-panel").dispatchEvent(new win.KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true }));
  assert.deepEqual(actions.map((a) => a.action), ["edit"]);
  assert.equal(siteSawEscape, false);
});

test("Chinese UI", () => {
  const { shadow } = openPanel({ locale: "zh_CN" });
  assert.equal(shadow.querySelector('[data-postguard-action="edit"]').textContent, "编辑");
  assert.match(shadow.querySelector('[data-category="pricing"]').textContent, /报价/);
});

test("a photo that could not be read completely says so in the panel", () => {
  const { shadow } = openPanel({ view: { photoNotFullyChecked: true } });
  assert.match(shadow.querySelector('[data-postguard-part="ocr"]').textContent, /The photo could not be fully checked/);
  const clean = openPanel();
  assert.equal(clean.shadow.querySelector('[data-postguard-part="ocr"]'), null);
});

test("a post whose text was too long to check completely says so in the panel, in English and Chinese", () => {
  const { shadow } = openPanel({ view: { textNotFullyChecked: true } });
  assert.match(shadow.querySelector('[data-postguard-part="text-incomplete"]').textContent, /too long to check completely/);
  const zh = openPanel({ locale: "zh_CN", view: { textNotFullyChecked: true } });
  assert.match(zh.shadow.querySelector('[data-postguard-part="text-incomplete"]').textContent, /未能完全检查/);
  assert.equal(openPanel().shadow.querySelector('[data-postguard-part="text-incomplete"]'), null);
});

test("the companion's text_incomplete warning counts as text not fully checked, not as a photo", () => {
  const win = loadSite("facebook-feed.html", "www.facebook.com");
  const { notFullyChecked, textNotFullyChecked } = win.postguard.photoNotices;
  assert.equal(textNotFullyChecked({ warnings: ["text_incomplete"] }), true);
  assert.equal(notFullyChecked({ warnings: ["text_incomplete"] }), false);
  assert.equal(textNotFullyChecked({ warnings: ["ocr_incomplete"] }), false);
});

test("companion warnings ocr_unavailable / ocr_incomplete count as a photo not fully checked", () => {
  const win = loadSite("facebook-feed.html", "www.facebook.com");
  const { notFullyChecked } = win.postguard.photoNotices;
  assert.equal(notFullyChecked({ warnings: ["ocr_unavailable", "ocr_incomplete"] }), true);
  assert.equal(notFullyChecked({ ocr_incomplete: true }), true);
  assert.equal(notFullyChecked({ warnings: [], ocr_incomplete: false }), false);
});
