/**
 * Text extraction from Quill, Lexical and ProseMirror markup, and the map back from companion
 * offsets (code points) to DOM ranges used by highlights, Edit and Redact.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { evalModules } from "./helpers/bundle.js";

function withText(html) {
  const dom = new JSDOM(`<!doctype html><body><div id="ed" contenteditable="true">${html}</div></body>`, { runScripts: "outside-only" });
  const { text } = evalModules(dom.window, 'export { editorText as text } from "./content/core/text.js";');
  return { win: dom.window, editor: dom.window.document.getElementById("ed"), text };
}

const CASES = [
  ["Quill paragraphs with an empty line", "<p>Hello</p><p><br></p><p>World</p>", "Hello\n\nWorld"],
  ["Quill empty editor", "<p><br></p>", ""],
  ["Lexical spans", '<p><span data-lexical-text="true">USD 0.42/pc </span><strong data-lexical-text="true">FOB Ningbo</strong></p>', "USD 0.42/pc FOB Ningbo"],
  ["ProseMirror with hard break", "<p>line one<br>line two</p><p>next</p>", "line one\nline two\nnext"],
  ["non-breaking spaces become spaces", "<p>a\u00a0b</p>", "a b"],
  ["Chinese", "<p>单价 2.35 美元/件</p>", "单价 2.35 美元/件"],
];

for (const [name, html, expected] of CASES) {
  test(`extract: ${name}`, () => {
    const { editor, text } = withText(html);
    assert.equal(text.extract(editor).text, expected);
  });
}

test("rangeFor covers exactly the finding's characters across nodes", () => {
  const { editor, text } = withText('<p><span>Quote: USD </span><b>0.42/pc</b><span> FOB Ningbo</span></p><p>Call +86 574</p>');
  const extracted = text.extract(editor);
  const start = extracted.text.indexOf("USD");
  const end = extracted.text.indexOf("Ningbo") + "Ningbo".length;
  assert.equal(text.rangeFor(extracted, start, end).toString(), "USD 0.42/pc FOB Ningbo");
  const phone = extracted.text.indexOf("+86");
  assert.equal(text.rangeFor(extracted, phone, phone + 7).toString(), "+86 574");
});

test("code-point offsets from the companion are converted past emoji", () => {
  const { editor, text } = withText("<p>🎉🎉 price USD 5</p>");
  const extracted = text.extract(editor);
  // Python counts each emoji as one character: "USD" starts at 9 there, at 11 in UTF-16.
  const span = text.findingSpan(extracted.text, { source: "text", start: 9, end: 14 });
  assert.deepEqual({ ...span }, { start: 11, end: 16 });
  assert.equal(text.rangeFor(extracted, span.start, span.end).toString(), "USD 5");
});

test("image findings have no text span", () => {
  const { text } = withText("<p>x</p>");
  assert.equal(text.findingSpan("x", { source: "image", start: null, end: null, bbox: [1, 2, 3, 4] }), null);
});
