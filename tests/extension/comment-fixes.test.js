/**
 * The reaction card's Fix for a held comment (content/feed/comment-fixes.js): each Fix types the panel's
 * replacement over its finding's words, the next finding is still found after the text before it
 * changed length (code-point offsets, as the companion's), a finding inside fixed words is settled with
 * them, and a box edited meanwhile refuses. The box here is a textarea-like object whose document
 * types `insertText` over its selection as a browser does; the real boxes are tested end to end
 * (tests/e2e, reaction cases).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCommentFixes } from "../../extension/content/feed/comment-fixes.js";
import { findingActions } from "../../extension/content/core/finding-actions.js";

function textarea(value) {
  const box = {
    tagName: "TEXTAREA", value, isConnected: true, selection: [0, 0], focused: 0,
    focus() { box.focused += 1; },
    setSelectionRange(start, end) { box.selection = [start, end]; },
    ownerDocument: {
      execCommand(command, _ui, words = "") {
        const [start, end] = box.selection;
        box.value = box.value.slice(0, start) + (command === "insertText" ? words : "") + box.value.slice(end);
        return true;
      },
    },
  };
  return box;
}

/** A text finding over `words` (the `nth` time they occur), at code-point offsets into `text`. */
function finding(text, words, category, nth = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i += 1) at = text.indexOf(words, at + 1);
  const start = [...text.slice(0, at)].length;
  return { source: "text", category, start, end: start + [...words].length, severity: "warn" };
}

test("two findings fixed one after the other: the second is found after the first changed the text's length", async () => {
  const text = "😀 Hansen pays USD 0.42/pc, call +49 40 1234567";
  const client = finding(text, "Hansen", "client_confidential");
  const price = finding(text, "USD 0.42/pc", "pricing");
  const box = textarea(text);
  const fixes = createCommentFixes(box, text, [client, price]);
  assert.deepEqual(await fixes.fix(client), [client]);
  assert.deepEqual(await fixes.fix(price), [price]);
  const expected = text.replace("Hansen", findingActions.replacementFor(client)).replace("USD 0.42/pc", findingActions.replacementFor(price));
  assert.equal(box.value, expected);
  assert.equal(fixes.fixed, 2);
  assert.deepEqual(await fixes.fix(price), [], "a finding is fixed once");
});

test("select picks the finding's words in the box, where they are now", async () => {
  const text = "Deal with Hansen at USD 0.42/pc";
  const client = finding(text, "Hansen", "client_confidential");
  const price = finding(text, "USD 0.42/pc", "pricing");
  const box = textarea(text);
  const fixes = createCommentFixes(box, text, [client, price]);
  await fixes.fix(client);
  fixes.select(price);
  assert.equal(box.value.slice(...box.selection), "USD 0.42/pc");
  assert.ok(box.focused > 0, "the box has the focus, so the selection shows");
});

test("a finding inside the fixed words goes with them; a box the user changed refuses", async () => {
  const text = "Call Hansen Maschinenbau on +49 40 1234567 today";
  const contact = finding(text, "Hansen Maschinenbau on +49 40 1234567", "client_confidential");
  const phone = finding(text, "+49 40 1234567", "contact_pii");
  const box = textarea(text);
  const fixes = createCommentFixes(box, text, [contact, phone]);
  assert.deepEqual(new Set(await fixes.fix(contact)), new Set([contact, phone]));
  assert.ok(!box.value.includes("1234567"));

  const other = textarea(text);
  const refused = createCommentFixes(other, text, [phone]);
  other.value = `Hi! ${text}`;
  assert.deepEqual(await refused.fix(phone), [], "the words are no longer where they were checked");
  assert.equal(other.value, `Hi! ${text}`, "nothing typed");
  assert.equal(refused.fixed, 0);
});
