/*
 * Text extraction from a rich-text editor (Quill, Lexical, ProseMirror), with a map from text
 * offsets back to DOM positions.
 *
 * Why our own walk instead of innerText: the companion answers with offsets into the text we sent,
 * and to highlight or redact a finding we must turn those offsets back into a DOM Range. innerText
 * gives no such map, so we build the text (paragraphs joined by "\n", <br> as "\n", like innerText
 * for these editors) and remember which text node each run of characters came from.
 *
 * Offsets from the companion count code points (Python strings); JavaScript strings count UTF-16
 * units. `codePointToUtf16` converts, so an emoji before a finding does not shift the highlight.
 */
import { textareaMirror } from "./textarea-mirror.js";

const BLOCK_TAGS = new Set([
  "P", "DIV", "LI", "UL", "OL", "H1", "H2", "H3", "H4", "H5", "H6", "BLOCKQUOTE", "PRE", "TABLE", "TR",
]);

/**
 * Walks the editor and returns {text, segments: [{node, start, length}]}. A textarea is read through its
 * mirror (textarea-mirror.js): one text node holding its value where the textarea shows it.
 */
function extract(editor) {
  const state = { text: "", segments: [] };
  walk(editor.tagName === "TEXTAREA" ? textareaMirror.of(editor) : editor, state);
  state.text = state.text.replace(/\n+$/, "");
  return state;
}

function walk(parent, state) {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 3) {
      // One-for-one replacement keeps text offsets equal to node offsets.
      const data = node.data.replace(/\u00a0/g, " ");
      state.segments.push({ node, start: state.text.length, length: data.length });
      state.text += data;
    } else if (node.nodeType === 1) {
      walkElement(node, state);
    }
  }
}

function walkElement(element, state) {
  if (element.tagName === "BR") { state.text += "\n"; return; }
  if (element.getAttribute("aria-hidden") === "true" || element.tagName === "STYLE" || element.tagName === "SCRIPT") return;
  const block = BLOCK_TAGS.has(element.tagName);
  if (block && state.text.length && !state.text.endsWith("\n")) state.text += "\n";
  walk(element, state);
  // A block holding only <br> already produced its "\n": do not add another.
  if (block && !state.text.endsWith("\n")) state.text += "\n";
}

/** Converts a code-point offset into `text` to a UTF-16 offset. */
function codePointToUtf16(text, codePoints) {
  let units = 0;
  let seen = 0;
  while (seen < codePoints && units < text.length) {
    const code = text.charCodeAt(units);
    units += code >= 0xd800 && code <= 0xdbff && units + 1 < text.length ? 2 : 1;
    seen += 1;
  }
  return units;
}

/** The DOM position {node, offset} of a UTF-16 text offset; `preferEnd` picks the earlier node at a seam. */
function positionAt(extracted, offset, preferEnd) {
  const segments = extracted.segments;
  for (let i = 0; i < segments.length; i += 1) {
    const seg = segments[i];
    const end = seg.start + seg.length;
    if (offset < end || (preferEnd && offset === end)) {
      if (offset >= seg.start) return { node: seg.node, offset: offset - seg.start };
      return { node: seg.node, offset: 0 };
    }
  }
  const last = segments[segments.length - 1];
  return last ? { node: last.node, offset: last.length } : null;
}

/**
 * A Range covering [start, end) in UTF-16 offsets of the extracted text, or null. `reuse`: a Range to
 * move there instead of making a new one (the underlines keep one per mark while the user types).
 */
function rangeFor(extracted, start, end, reuse = null) {
  if (!(end > start)) return null;
  const from = positionAt(extracted, start, false);
  const to = positionAt(extracted, end, true);
  if (!from || !to) return null;
  const range = reuse || from.node.ownerDocument.createRange();
  range.setStart(from.node, from.offset);
  range.setEnd(to.node, to.offset);
  return range;
}

/** Offsets of a companion finding in UTF-16 units of `text`, or null for image findings. */
function findingSpan(text, finding) {
  if (finding.source !== "text" || !Number.isInteger(finding.start) || !Number.isInteger(finding.end)) return null;
  return { start: codePointToUtf16(text, finding.start), end: codePointToUtf16(text, finding.end) };
}

export const editorText = { extract, rangeFor, findingSpan };
