/*
 * Findings underlined in the editor while the user writes (as Grammarly does), and kept true to the
 * text as it changes: each mark remembers the author's words and where they were; after an edit the
 * words are found again (where they were, else the nearest place they now are) and a mark whose words
 * are gone is dropped. So highlights neither vanish at the next keystroke nor stay on text that moved.
 *
 * Marks come from the pre-check (answered while the user pauses) and from the panel's answer; the
 * drawing is ui/highlights.js (an overlay, the editor's DOM is never touched). Per keystroke this costs
 * one requestAnimationFrame request; the text is read again once per frame.
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

let current = null; // {composer, marks: [{finding, words, start, end}], frame}

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

function redraw() {
  const { composer } = current;
  if (!composer.editor.isConnected) { clear(); return; }
  const extracted = editorText.extract(composer.editor);
  current.marks = current.marks.map((mark) => relocate(mark, extracted.text)).filter(Boolean);
  current.extracted = extracted;
  const spans = current.marks.map((mark) => ({
    range: editorText.rangeFor(extracted, mark.start, mark.end), severity: mark.finding.severity, current: mark.current,
  })).filter((span) => span.range);
  if (!spans.length) highlights.clear();
  else highlights.show(spans, { parent: composer.root && composer.root !== composer.editor ? composer.root : null, live: true });
  redrawListener?.(composer);
}

/** The mark at its words' place in `text` now: where it was, else the nearest occurrence; null when gone. */
function relocate(mark, text) {
  if (text.slice(mark.start, mark.end) === mark.words) return mark;
  let best = -1;
  for (let at = text.indexOf(mark.words); at >= 0; at = text.indexOf(mark.words, at + 1)) {
    if (best < 0 || Math.abs(at - mark.start) < Math.abs(best - mark.start)) best = at;
  }
  return best < 0 ? null : { ...mark, start: best, end: best + mark.words.length };
}

/** The mark of a finding now (after edits), with a fresh Range over it; null when its words are gone. */
function locate(finding) {
  if (!current) return null;
  redraw();
  const mark = current?.marks.find((m) => m.finding === finding);
  if (!mark) return null;
  return { ...mark, range: editorText.rangeFor(current.extracted, mark.start, mark.end) };
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
