/**
 * Underlines while the user types, as the editors change their text: Quill edits a text node in place
 * (the mark's Range moves with it), Lexical rewrites a node's whole text (the words may still be at the
 * same place), and either may move the words elsewhere (the editor is read whole again). In each case
 * the mark stays on the author's words, and of two places with the same words it keeps the one it
 * was on. The pre-check's timer follows the last keystroke.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSite } from "./helpers/content-dom.js";
import { facebookPage, until, wait } from "./helpers/facebook-composer.js";

const WORDS = "USD 0.42/pc";
const TWICE = `Price ${WORDS}, again ${WORDS}`;

function composerWith(text) {
  const win = loadSite("facebook-feed.html", "www.facebook.com");
  const dialog = win.document.querySelector('[role="dialog"]');
  const editor = dialog.querySelector("[data-lexical-editor]");
  editor.textContent = text;
  return { composer: { editor, root: dialog, submit: null }, pg: win.postguard, node: editor.firstChild };
}

function marked(pg, composer, text, start) {
  const finding = { category: "pricing", severity: "warn", source: "text", start, end: start + WORDS.length, message: "", excerpt: "" };
  pg.liveMarks.set(composer, { text, answer: { ok: true, result: { verdict: "warn", findings: [finding] } } });
  return finding;
}

test("typing after and before the words in their text node keeps the mark on them", () => {
  const { composer, pg, node } = composerWith(TWICE);
  const finding = marked(pg, composer, TWICE, TWICE.lastIndexOf(WORDS));
  node.appendData(" FOB");
  pg.liveMarks.follow(composer, true);
  node.insertData(0, "Hi all! ");
  pg.liveMarks.follow(composer, true);
  const mark = pg.liveMarks.locate(finding);
  assert.equal(mark.range.toString(), WORDS);
  assert.equal(mark.start, `Hi all! ${TWICE}`.lastIndexOf(WORDS));
});

test("a text node rewritten whole keeps the mark where its words still are, on the same one of two", () => {
  const { composer, pg, node } = composerWith(TWICE);
  const finding = marked(pg, composer, TWICE, TWICE.lastIndexOf(WORDS));
  node.insertData(0, "Hi all! "); // in place: the mark's Range moves with its words
  pg.liveMarks.follow(composer, true);
  node.data = `${node.data} FOB`; // rewritten whole after the words (Lexical): they did not move
  pg.liveMarks.follow(composer, true);
  node.data = `Yes! ${node.data}`; // rewritten whole before them: they moved, the editor is read again
  pg.liveMarks.follow(composer, true);
  const text = `Yes! Hi all! ${TWICE} FOB`;
  const mark = pg.liveMarks.locate(finding);
  assert.equal(mark.start, text.lastIndexOf(WORDS), "still the second of the two");
  assert.equal(mark.range.toString(), WORDS);
});

test("a mark whose words are typed over is dropped at the next frame", () => {
  const { composer, pg, node } = composerWith(TWICE);
  marked(pg, composer, TWICE, TWICE.indexOf(WORDS));
  node.data = "Price on request";
  pg.liveMarks.follow(composer, true);
  assert.equal(pg.liveMarks.count(), 0);
});

test("the pre-check waits for the last keystroke's delay, and a shorter delay (a photo) comes sooner", async () => {
  const page = facebookPage();
  await wait(20);
  const { precheck } = page.win.postguard;
  const dialog = page.doc.querySelector('[role="dialog"]');
  const composer = { editor: page.editor, root: dialog, submit: null };
  page.editor.firstChild.replaceChildren(page.doc.createTextNode("Special price USD 0.42/pc"));
  precheck.schedule(composer, "facebook", 20);
  precheck.schedule(composer, "facebook", 600_000); // typed again: the first, shorter timer must not check
  await wait(200);
  assert.equal(page.sent.filter((m) => m.type === "check").length, 0, "not checked while the last keystroke's delay runs");
  precheck.schedule(composer, "facebook", 0);
  await until(() => page.answered.includes("Special price USD 0.42/pc"), "checked at the shorter delay");
  assert.equal(page.sent.filter((m) => m.type === "check").length, 1);
});
