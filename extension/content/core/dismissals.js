/*
 * Findings the user dismissed, per composer: what the panel's Dismiss leaves behind.
 *
 * A dismissal is bound to the finding's category and the author's exact words (not to a scan id or
 * to offsets): an edit elsewhere in the post keeps it, so the next pre-check does not underline those
 * words again, the count badge does not count them and the Post click does not hold the post for them
 * a second time; an edit that changes those words brings the finding back (its words are new).
 *
 * The dismissal is recorded in the audit log once, when it is made (finding-actions.js: action
 * "overridden" with the reason the policy asks for); this store only remembers it for the page's life.
 * Nothing here leaves the page: the words stay in memory, in the composer's session.
 */
import { existingSession, sessionFor } from "./session.js";
import { editorText } from "./text.js";

const keyOf = (category, words) => `${category}\u0000${words}`;

/** The author's words at a text finding in `text`, or null (photo finding, no words, bad offsets). */
function wordsOf(text, finding) {
  if (typeof text !== "string") return null;
  const span = editorText.findingSpan(text, finding);
  if (!span || span.end > text.length) return null;
  const words = text.slice(span.start, span.end);
  return words.trim() ? words : null;
}

/** Remembers a dismissal of `finding` (whose words are `words`) in this composer. */
function add(composerRoot, finding, words) {
  if (!composerRoot || !words) return;
  sessionFor(composerRoot).dismissed.add(keyOf(finding.category, words));
}

/** True when the user dismissed this finding's category for exactly these words in this composer. */
function has(composerRoot, finding, words) {
  return Boolean(words) && Boolean(existingSession(composerRoot)?.dismissed.has(keyOf(finding.category, words)));
}

/** True when `finding`, read against the checked `text`, was dismissed in this composer. */
function covers(composerRoot, finding, text) {
  return has(composerRoot, finding, wordsOf(text, finding));
}

/** The findings of a check result that still stand in this composer (dismissed ones left out). */
function standing(composerRoot, result, text) {
  const findings = result?.findings || [];
  if (!existingSession(composerRoot)?.dismissed.size) return findings;
  return findings.filter((finding) => !covers(composerRoot, finding, text));
}

/**
 * An outcome whose answer lists only the findings that still stand (the same object when none was
 * dismissed), so the panel and its card indexes see exactly those; `allDismissed` says none is left.
 */
function apply(composerRoot, outcome) {
  const result = outcome?.answer?.ok ? outcome.answer.result : null;
  if (!result) return { outcome, allDismissed: false };
  const findings = result.findings || [];
  const left = standing(composerRoot, result, outcome.text);
  if (left.length === findings.length) return { outcome, allDismissed: false };
  const answer = { ...outcome.answer, result: { ...result, findings: left } };
  return { outcome: { ...outcome, answer }, allDismissed: left.length === 0 };
}

export const dismissals = { add, has, covers, standing, apply, wordsOf };
