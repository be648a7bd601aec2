/*
 * Changes to the editor made the way a user would: selection plus document.execCommand("insertText"),
 * which fires beforeinput/input so Quill, Lexical and ProseMirror update their own models (assigning
 * textContent would be reverted by Lexical and never reach the site's Post). No HTML strings, so
 * LinkedIn's Trusted Types policy has nothing to refuse.
 */
import { editorText } from "./text.js";

const root = globalThis;

/** The Selection for an editor, also inside a shadow root (Chrome's shadowRoot.getSelection). */
function selectionFor(editor) {
  const tree = editor.getRootNode();
  if (tree && tree !== editor.ownerDocument && typeof tree.getSelection === "function") return tree.getSelection();
  return editor.ownerDocument.getSelection();
}

function select(editor, range) {
  if (editor.tagName === "TEXTAREA") {
    // A Range over a textarea's words lies in its mirror's one text node (textarea-mirror.js): the
    // same offsets into the value.
    editor.focus({ preventScroll: true });
    editor.setSelectionRange(range.startOffset, range.endOffset);
    return;
  }
  const selection = selectionFor(editor);
  if (typeof selection.setBaseAndExtent === "function") {
    selection.setBaseAndExtent(range.startContainer, range.startOffset, range.endContainer, range.endOffset);
  } else {
    selection.removeAllRanges();
    selection.addRange(range);
  }
}

/** Focuses the editor with the caret at a UTF-16 text offset (Edit: "back to the first finding"). */
function placeCaret(editor, offset) {
  editor.focus({ preventScroll: false });
  if (editor.tagName === "TEXTAREA") { editor.setSelectionRange(offset, offset); return; }
  const extracted = editorText.extract(editor);
  const range = editorText.rangeFor(extracted, offset, offset + 1) || editorText.rangeFor(extracted, Math.max(0, offset - 1), offset);
  if (!range) return;
  range.collapse(true);
  select(editor, range);
}

const tick = () => new Promise((resolve) => root.setTimeout(resolve, 0));

/**
 * Replaces text spans (companion findings, code-point offsets into `sentText`) with a placeholder (or
 * `placeholder(finding)`: the words for that finding, "" to take them out),
 * last span first so earlier offsets stay valid. Re-reads the editor before each span because the
 * editor may re-render its nodes after every input. Returns the number of spans replaced.
 */
async function redactSpans(editor, sentText, findings, placeholder) {
  const wordsFor = typeof placeholder === "function" ? placeholder : () => placeholder;
  const spans = mergeSpans(findings.map((f) => {
    const span = editorText.findingSpan(sentText, f);
    return span && { ...span, finding: f };
  }).filter(Boolean));
  let replaced = 0;
  editor.focus({ preventScroll: true });
  for (const span of spans.sort((a, b) => b.start - a.start)) {
    if (!selectSpan(editor, span, sentText)) continue;
    const words = wordsFor(span.finding);
    const doc = editor.ownerDocument;
    const ok = words ? doc.execCommand("insertText", false, words) : doc.execCommand("delete", false);
    if (ok) replaced += 1;
    await tick();
  }
  return replaced;
}

/** Selects a span if the editor still holds the same characters there. */
function selectSpan(editor, span, sentText) {
  const expected = sentText.slice(span.start, span.end);
  if (editor.tagName === "TEXTAREA") {
    if (editor.value.slice(span.start, span.end) !== expected) return false;
    editor.setSelectionRange(span.start, span.end);
    return true;
  }
  const extracted = editorText.extract(editor);
  if (extracted.text.slice(span.start, span.end) !== expected) return false;
  const range = editorText.rangeFor(extracted, span.start, span.end);
  if (!range) return false;
  select(editor, range);
  return true;
}

/** Overlapping findings (a phone inside a client contact) become one span. */
function mergeSpans(spans) {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const merged = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

export const editorActions = { placeCaret, redactSpans, select, selectSpan };
