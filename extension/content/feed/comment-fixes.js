/*
 * The reaction card's per-finding Fix and select, for a held comment whose own text gives something
 * away: what the composer panel's cards do (content/core/finding-actions.js), through the same code.
 * The replacement words are `findingActions.replacementFor` ("[price on request]", "a client"; an
 * opinion is taken out), typed in by `editorActions.redactSpans`, which picks a finding by its offsets
 * into the checked text and refuses when the box no longer holds those words there.
 *
 * The card holds the box still, so its text changes only through these fixes: after each one the text
 * as checked is rewritten here the same way, and the findings after it shift by the change in length
 * (offsets count code points, as the companion's do), so the next Fix on the same card still finds
 * its words. A box the user edited meanwhile refuses: nothing is typed, the line stays on the card.
 */
import { editorActions } from "../core/editor-actions.js";
import { findingActions } from "../core/finding-actions.js";
import { editorText } from "../core/text.js";

/**
 * Fixes for one held comment: `editor` is its box, `text` the text that was checked, `findings` the
 * check's findings (code-point offsets). Returns {fixLabel(finding), fix(finding) → Promise<findings
 * settled>, select(finding), fixed: how many fixes went in}.
 */
function createCommentFixes(editor, text, findings) {
  let checked = text;
  // Where each finding is in the text as it is now (code points), moved as earlier fixes change it.
  const at = new Map(findings.map((finding) => [finding, { start: finding.start, end: finding.end }]));
  const state = { fixed: 0 };

  const now = (finding) => ({ ...finding, ...at.get(finding) });

  /** Selects the finding's words in the box (as a panel card's click does), when they are still there. */
  function select(finding) {
    const span = editor?.isConnected && at.has(finding) ? editorText.findingSpan(checked, now(finding)) : null;
    if (!span) return;
    editor.focus({ preventScroll: true });
    editorActions.selectSpan(editor, span, checked);
  }

  /**
   * Types the finding's replacement over its words. Resolves to the findings it settled: this one and
   * any other inside the same words (a phone inside a client's contact), or [] when the box refused.
   */
  async function fix(finding) {
    if (!editor?.isConnected || !at.has(finding)) return [];
    const place = at.get(finding);
    const words = findingActions.replacementFor(finding);
    const replaced = await editorActions.redactSpans(editor, checked, [now(finding)], () => words);
    if (!replaced) return [];
    const shift = [...words].length - (place.end - place.start);
    const points = [...checked];
    checked = [...points.slice(0, place.start), words, ...points.slice(place.end)].join("");
    const settled = [];
    for (const [other, where] of at) {
      if (where.start < place.end && where.end > place.start) { settled.push(other); at.delete(other); continue; }
      if (where.start >= place.end) { where.start += shift; where.end += shift; }
    }
    state.fixed += settled.length ? 1 : 0;
    return settled;
  }

  return Object.assign(state, { fixLabel: (finding) => findingActions.replacementFor(finding), fix, select });
}

export { createCommentFixes };
