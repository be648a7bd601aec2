/*
 * Findings underlined in the editor while the user writes (as Grammarly does), and kept true to the
 * text as it changes: each mark remembers the author's words and where they were; after an edit the
 * words are found again (where they were, else the nearest place they now are) and a mark whose words
 * are gone is dropped. So highlights neither vanish at the next keystroke nor stay on text that moved.
 *
 * Marks come from the pre-check (answered while the user pauses) and from the panel's answer; the
 * drawing is ui/highlights.js (an overlay, the editor's DOM is never touched). Per keystroke this costs
 * one requestAnimationFrame request; the marks are checked once per frame.
 *
 * Each mark keeps one Range over its words, moved rather than made again. On a frame, a mark whose
 * words are still where its Range (live: the DOM shifts it when text is inserted before it in the same
 * node, as Quill edits) or its text node (rewritten whole, as Lexical re-renders) says is left there;
 * only when some mark's words are not is the whole editor read again and every mark placed from the
 * text (extract + relocate). Typing away from the marks thus reads a few characters per mark instead
 * of walking the editor; in Firefox every DOM call from a content script crosses its Xray wrapper,
 * so those calls are what a keystroke costs (docs/performance.md, "The composer", 2026-12-05).
 *
 * Dismissed findings (panel: Dismiss) are remembered per composer by category + words (dismissals.js)
 * and not marked again by later pre-checks of the same words.
 *
 * The listener given to `whenRedrawn(listener)` (the count badge's) is called with the composer after
 * every redraw.
 */
import { dismissals } from "./dismissals.js";
import { runtime } from "./runtime.js";
import { editorText } from "./text.js";
import { highlights } from "../../ui/highlights.js";

const root = globalThis;

// {composer, marks: [{finding, words, start, end, range, node, from, to}], frame}; start/end
// are offsets into the text as last read whole (an edit in an earlier block leaves them behind until
// the next whole read: they only pick the nearest of several places with the same words).
let current = null;

/** Marks the text findings of a check answer in its composer (replacing the marks shown before). */
function set(composer, outcome) {
  const result = outcome?.answer?.ok ? outcome.answer.result : null;
  if (!composer?.editor || !result || typeof outcome.text !== "string") return;
  const marks = [];
  for (const finding of result.findings || []) {
    const span = editorText.findingSpan(outcome.text, finding);
    if (!span || span.end > outcome.text.length) continue;
    const words = outcome.text.slice(span.start, span.end);
    if (!words.trim() || dismissals.has(composer.root, finding, words)) continue;
    marks.push({ finding, words, start: span.start, end: span.end });
  }
  current = { composer, marks, frame: 0 };
  follow(composer, true);
}

/** After an edit in `composer`'s editor: find each mark's words again on the next frame and redraw. */
function follow(composer, now = false) {
  if (!current || current.composer.editor !== composer.editor) return;
  if (now) { redraw(); return; }
  if (current.frame) return;
  current.frame = root.requestAnimationFrame(() => { if (current) { current.frame = 0; redraw(); } });
}

/** Finds the marks again (whole read only when one is not where it was) and redraws them. */
function redraw({ whole = false } = {}) {
  const { composer } = current;
  if (!composer.editor.isConnected) { clear(); return; }
  if (whole || !current.marks.every(inPlace)) {
    const extracted = editorText.extract(composer.editor);
    current.marks = current.marks.map((mark) => relocate(mark, extracted)).filter(Boolean);
  }
  const spans = current.marks.filter((mark) => mark.range)
    .map((mark) => ({ range: mark.range, severity: mark.finding.severity, current: mark.current }));
  if (!spans.length) highlights.clear();
  else highlights.show(spans, { parent: composer.root && composer.root !== composer.editor ? composer.root : null, live: true });
  redrawListener?.(composer);
}

/** The words of a text node between two offsets, as extract() reads them (no-break spaces as spaces). */
function reads(node, from, to, words) {
  const data = node.data;
  return to <= data.length && data.slice(from, to).replace(/\u00a0/g, " ") === words;
}

/**
 * True when the mark's words are still where it was last placed, inside one text node: where its live
 * Range moved with an edit before it, else at the same offsets of that node (rewritten in place).
 * The Range is then set to them, and the text offsets follow a move inside the node.
 */
function inPlace(mark) {
  const { range, node } = mark;
  if (!range || !node?.isConnected) return false;
  if (range.startContainer === node && range.endContainer === node && reads(node, range.startOffset, range.endOffset, mark.words)) {
    const shift = range.startOffset - mark.from;
    if (shift) { mark.start += shift; mark.end += shift; mark.from += shift; mark.to += shift; }
    return true;
  }
  if (!reads(node, mark.from, mark.to, mark.words)) return false;
  range.setStart(node, mark.from);
  range.setEnd(node, mark.to);
  return true;
}

/**
 * The mark at its words' place in the text read whole: where it was, else the nearest occurrence;
 * null when gone. Its Range is moved there (made on first placing).
 */
function relocate(mark, extracted) {
  const text = extracted.text;
  let best = text.startsWith(mark.words, mark.start) ? mark.start : -1;
  for (let at = best < 0 ? text.indexOf(mark.words) : -1; at >= 0; at = text.indexOf(mark.words, at + 1)) {
    if (best < 0 || Math.abs(at - mark.start) < Math.abs(best - mark.start)) best = at;
  }
  if (best < 0) return null;
  mark.start = best;
  mark.end = best + mark.words.length;
  mark.range = editorText.rangeFor(extracted, mark.start, mark.end, mark.range);
  const single = mark.range && mark.range.startContainer === mark.range.endContainer && mark.range.startContainer.nodeType === 3;
  mark.node = single ? mark.range.startContainer : null;
  mark.from = single ? mark.range.startOffset : 0;
  mark.to = single ? mark.range.endOffset : 0;
  return mark;
}

/** The mark of a finding now (after edits, the text read whole), with its own Range over it; null when its words are gone. */
function locate(finding) {
  if (!current) return null;
  redraw({ whole: true });
  const mark = current?.marks.find((m) => m.finding === finding);
  if (!mark) return null;
  return { ...mark, range: mark.range ? mark.range.cloneRange() : null };
}

/** Shows one finding's mark as the current one (the card the user clicked). */
function point(finding) {
  if (!current) return;
  current.marks.forEach((mark) => { mark.current = mark.finding === finding; });
  redraw();
}

/** Stops marking a finding (Fix applied, or Dismiss); a dismissed one stays unmarked in later checks. */
function drop(finding, { dismiss = false } = {}) {
  if (!current) return;
  const mark = current.marks.find((m) => m.finding === finding);
  if (mark && dismiss) dismissals.add(current.composer.root, finding, mark.words);
  current.marks = current.marks.filter((m) => m.finding !== finding);
  redraw();
}

/** Removes every mark (post sent, cancelled, or the composer went away). */
function clear() {
  const composer = current?.composer;
  if (current?.frame) root.cancelAnimationFrame(current.frame);
  current = null;
  highlights.clear();
  if (composer) redrawListener?.(composer);
}

/** How many findings are marked in `composer` now (0 when the marks are another composer's). */
function countFor(composer) {
  return current && current.composer.root === composer?.root ? current.marks.length : 0;
}

let redrawListener = null;

/** Sets the one listener `(composer)` called after every redraw of the underlines. */
function whenRedrawn(listener) {
  redrawListener = listener;
}

export const liveMarks = { set, follow, locate, point, drop, clear, countFor, count: () => current?.marks.length || 0, whenRedrawn };
runtime?.onDetach(clear);
