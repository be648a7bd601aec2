/**
 * The panel: page- and companion-derived strings stay text, actions follow policy, the keyboard works,
 * and the justification is required when policy says so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSite } from "./helpers/content-dom.js";
import { createChromeFake } from "./helpers/chrome-fake.js";

const EVIL = '<img src=x onerror="window.pwned=1">';
// What the author typed: the panel quotes it back at the finding's offsets (code points).
const TEXT = `Offer for ${EVIL}: USD 0.42/pc FOB Ningbo`;
const PRICE_AT = TEXT.indexOf("USD");
const RESULT = {
  scan_id: "s1", verdict: "warn", ocr_incomplete: false,
  findings: [
    { category: "pricing", severity: "warn", source: "text", start: PRICE_AT, end: PRICE_AT + "USD 0.42/pc".length, bbox: null, rule: "r",
      message: "This looks like a price quote (USD 0.**/pc). Quotes and commercial terms are confidential.", excerpt: "USD 0.**/pc" },
    { category: "client_confidential", severity: "warn", source: "text", start: 10, end: 10 + EVIL.length, bbox: null, rule: "r",
      message: "This names a client (<i** s**=x ...>). Who our clients are is confidential.", excerpt: "<i** s**=x ...>" },
    { category: "contact_pii", severity: "warn", source: "image", image_index: 0, start: null, end: null, bbox: [1, 2, 3, 4], rule: "r", message: "Email in photo", excerpt: "j.h*****@x.de" },
  ],
};

const count = (haystack, needle) => haystack.split(needle).length - 1;

function openPanel({ view = {}, locale = "en" } = {}) {
  const win = loadSite("facebook-feed.html", "www.facebook.com", { chrome: createChromeFake({ locale }) });
  const actions = [];
  const dialog = win.document.querySelector('[role="dialog"]');
  win.postguard.panel.open({
    parent: dialog,
    anchor: dialog.querySelector("[data-lexical-editor]"),
    view: { result: RESULT, text: TEXT, canOverride: true, canRedact: true, requireJustification: true, blockNote: null, ...view },
    onAction: (action, details) => actions.push({ action, details }),
  });
  const host = win.document.querySelector('[data-postguard="panel"]');
  return { win, host, shadow: host.shadowRoot, actions };
}

test("the author's words that look like HTML stay text: no element is created from them", () => {
  const { win, shadow } = openPanel();
  assert.equal(shadow.querySelector("img"), null);
  assert.equal(win.pwned, undefined);
  const client = shadow.querySelector('[data-postguard-finding][data-category="client_confidential"]');
  assert.equal(client.querySelector(".pg-own").textContent, EVIL);
});

test("a card shows the author's own words, not the mask, and says each thing once", () => {
  const { shadow } = openPanel();
  const card = shadow.querySelector('[data-postguard-finding][data-category="pricing"]').textContent;
  assert.ok(card.includes("USD 0.42/pc"), card);
  assert.ok(!card.includes("0.**"), "no masked value for the person who typed it");
  assert.equal(count(card, "USD 0.42/pc"), 1, "the value once");
  assert.equal(count(card, "confidential"), 1, "the reason once");
  assert.ok(!card.includes("undercut our negotiations"), "no second sentence saying the same");
  assert.match(card, /^Price quote or commercial terms/);
});

test("a photo finding keeps the companion's masked excerpt, once, with the photo's number", () => {
  const { shadow } = openPanel();
  const card = shadow.querySelector('[data-category="contact_pii"]');
  assert.equal(card.querySelector(".pg-own"), null, "a mask is not shown as the author's words");
  assert.equal(card.querySelector(".pg-masked").textContent, "j.h*****@x.de");
  const photo = card.textContent;
  assert.match(photo, /Personal contact or payment data/);
  assert.match(photo, /In photo 1/);
  assert.equal(count(photo, "j.h*****@x.de"), 1);
  assert.match(photo, /Email in photo/);
});

test("a finding with no sentence from the companion gets the category's reason", () => {
  const finding = { ...RESULT.findings[0], message: "" };
  const { shadow } = openPanel({ view: { result: { ...RESULT, findings: [finding] } } });
  const card = shadow.querySelector('[data-category="pricing"]').textContent;
  assert.ok(card.includes("USD 0.42/pc") && card.includes("undercut our negotiations"), card);
});

test("Tab and Shift+Tab stay inside the panel and wrap around", () => {
  const { win, host, shadow } = openPanel();
  const panel = shadow.querySelector(".pg-panel");
  const tab = (shiftKey) => shadow.activeElement.dispatchEvent(new win.KeyboardEvent("keydown", { key: "Tab", shiftKey, bubbles: true, composed: true, cancelable: true }));
  const visible = ["edit", "redact", "override", "cancel"];
  const seen = [];
  for (let i = 0; i < visible.length + 1; i += 1) {
    tab(false);
    assert.equal(win.document.activeElement, host, "focus stays in the panel");
    seen.push(shadow.activeElement.dataset.postguardAction);
  }
  assert.deepEqual(seen, [...visible, "edit"], "the hidden confirm button is skipped and Tab wraps to the first");
  tab(true);
  assert.equal(shadow.activeElement.dataset.postguardAction, "cancel", "Shift+Tab from the first goes to the last");
  assert.ok(panel.contains(shadow.activeElement));
});

test("the host is an open shadow root holding the contract's buttons; focus moves in", () => {
  const { win, host, shadow } = openPanel();
  assert.equal(host.shadowRoot.mode, "open");
  // The panel's own actions (a card's own — select, Fix, Dismiss — carry data-postguard-item).
  const actions = [...shadow.querySelectorAll("[data-postguard-action]:not([data-postguard-item])")].map((b) => b.dataset.postguardAction);
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

test("a text card has its own Fix with the category's words and Dismiss; clicking the card selects its finding", () => {
  const fixFor = (f) => ({ pricing: "[price on request]", client_confidential: "a client" })[f.category];
  const { shadow, actions } = openPanel({ view: { fixFor } });
  const price = shadow.querySelector('[data-postguard-finding][data-category="pricing"]');
  const fix = price.querySelector('[data-postguard-action="fix"]');
  assert.equal(fix.textContent, "Fix: [price on request]");
  assert.ok(price.querySelector('[data-postguard-action="dismiss"]'));
  fix.click();
  price.querySelector(".pg-message").click();
  price.querySelector('[data-postguard-action="dismiss"]').click();
  assert.deepEqual(actions.map((a) => [a.action, a.details.item]), [["fix", "0"], ["select", "0"]],
    "where the policy asks for a reason, Dismiss asks for it first");
  const form = shadow.querySelector('[data-postguard-part="justify"]');
  assert.equal(form.hidden, false);
  const confirm = shadow.querySelector('[data-postguard-action="confirm-override"]');
  assert.equal(confirm.textContent, "Dismiss");
  shadow.querySelector('[data-postguard-field="reason"]').value = "false_alarm";
  shadow.querySelector('[data-postguard-field="justification"]').value = "list price, public";
  confirm.click();
  assert.deepEqual(actions.slice(2).map((a) => [a.action, a.details.item, a.details.justification]),
    [["dismiss", "0", "false_alarm: list price, public"]]);
  assert.equal(form.hidden, true, "the form closes once the card is dismissed");
  const photo = shadow.querySelector('[data-postguard-finding][data-category="contact_pii"]');
  assert.equal(photo.querySelector('[data-postguard-action="fix"]'), null, "a photo card has no text to fix");
});

test("without a reason asked for, Dismiss acts at once", () => {
  const fixFor = () => "a client";
  const { shadow, actions } = openPanel({ view: { fixFor, requireJustification: false } });
  shadow.querySelector('[data-postguard-action="dismiss"]').click();
  assert.deepEqual(actions.map((a) => [a.action, a.details.item]), [["dismiss", "0"]]);
});

test("no Dismiss where the user may not post anyway", () => {
  const { shadow } = openPanel({ view: { canOverride: false, fixFor: () => "a client" } });
  assert.equal(shadow.querySelector('[data-postguard-action="dismiss"]'), null);
  assert.ok(shadow.querySelector('[data-postguard-action="fix"]'));
});
