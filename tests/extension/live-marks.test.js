/**
 * Underlines that follow the text: a mark stays on the author's words when text is typed before them,
 * moves to the nearest place they are when they moved, and is dropped when they are gone; a dismissed
 * finding is not marked again by a later check of the same words.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSite } from "./helpers/content-dom.js";

const TEXT = "Offer for Hansen: USD 0.42/pc FOB Ningbo";
const PRICE = { category: "pricing", severity: "warn", source: "text", start: 18, end: 29, message: "", excerpt: "USD 0.**/pc" };
const CLIENT = { category: "client_confidential", severity: "warn", source: "text", start: 10, end: 16, message: "", excerpt: "H*****" };

function composerWith(text) {
  const win = loadSite("facebook-feed.html", "www.facebook.com");
  const dialog = win.document.querySelector('[role="dialog"]');
  const editor = dialog.querySelector("[data-lexical-editor]");
  editor.textContent = text;
  return { win, composer: { editor, root: dialog, submit: null }, pg: win.postguard };
}

function outcome(text, findings) {
  return { text, answer: { ok: true, result: { verdict: "warn", findings } } };
}

test("a mark follows its words when text is typed before them", () => {
  const { composer, pg } = composerWith(TEXT);
  pg.liveMarks.set(composer, outcome(TEXT, [PRICE, CLIENT]));
  assert.equal(pg.liveMarks.count(), 2);
  composer.editor.textContent = `Hi all! ${TEXT}`;
  pg.liveMarks.follow(composer, true);
  const price = pg.liveMarks.locate(PRICE);
  assert.equal(price.start, 18 + "Hi all! ".length);
  assert.equal(price.range.toString(), "USD 0.42/pc");
});

test("a mark whose words are gone is dropped; one whose words moved goes to the nearest place", () => {
  const { composer, pg } = composerWith(TEXT);
  pg.liveMarks.set(composer, outcome(TEXT, [PRICE, CLIENT]));
  composer.editor.textContent = "USD 0.42/pc FOB Ningbo, for a client";
  pg.liveMarks.follow(composer, true);
  assert.equal(pg.liveMarks.locate(CLIENT), null);
  assert.equal(pg.liveMarks.locate(PRICE).start, 0);
  assert.equal(pg.liveMarks.count(), 1);
});

test("a dismissed finding is not marked again by a later check of the same words", () => {
  const { composer, pg } = composerWith(TEXT);
  pg.liveMarks.set(composer, outcome(TEXT, [PRICE, CLIENT]));
  pg.liveMarks.drop(CLIENT, { dismiss: true });
  pg.liveMarks.set(composer, outcome(TEXT, [{ ...PRICE }, { ...CLIENT }]));
  assert.equal(pg.liveMarks.count(), 1);
});

test("Fix words per category come from the locale file; opinions are taken out", () => {
  const { pg } = composerWith(TEXT);
  assert.equal(pg.findingActions.replacementFor(PRICE), "[price on request]");
  assert.equal(pg.findingActions.replacementFor(CLIENT), "a client");
  assert.equal(pg.findingActions.replacementFor({ category: "sensitive_topic" }), "");
});
