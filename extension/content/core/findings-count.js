/*
 * The count badge's logic (the drawing is ui/count-badge.js): how many findings stand in a composer
 * before the user clicks Post, and the panel when the badge is clicked.
 *
 *   count = the findings underlined now (live-marks.js: a finding whose words were typed away stops
 *           counting at the next frame) + the pre-check's findings that have no words in the text
 *           (a photo, posting from the wrong account); dismissed findings never count (dismissals.js).
 *
 * Updated on every pre-check answer and on every redraw of the underlines (so as the user types);
 * hidden while the panel is open, in monitor mode and where the site is not guarded.
 *
 * Clicking the badge opens the same panel a held post shows, for the post as it is now; nothing is
 * held, so resolving the last card there closes the panel instead of posting ("Post anyway" still
 * posts: the user asked for it).
 */
import { dismissals } from "./dismissals.js";
import { liveMarks } from "./live-marks.js";
import { policyStore } from "./policy-store.js";
import { precheck } from "./precheck.js";
import { postReview } from "./review.js";
import { existingSession, sessionFor } from "./session.js";
import { countBadge } from "../../ui/count-badge.js";
import { panelUi } from "../../ui/panel.js";

let guard = null; // {adapter, active, replay}

function enabled() {
  return Boolean(guard) && guard.active() && policyStore.current().enforcement !== "monitor";
}

/** Findings of an answer with no words of their own in the text (photo, wrong account), not dismissed. */
function wordless(composer, outcome) {
  const result = outcome?.answer?.ok ? outcome.answer.result : null;
  if (!result || result.verdict === "allow") return 0;
  return dismissals.standing(composer.root, result, outcome.text)
    .filter((finding) => !dismissals.wordsOf(outcome.text, finding)).length;
}

/** How many findings stand in `composer` now. */
function countFor(composer) {
  const seen = existingSession(composer.root)?.answer;
  return liveMarks.countFor(composer) + (seen ? wordless(composer, seen.outcome) : 0);
}

/** Draws (or hides) the badge of `composer`. */
function update(composer) {
  if (!composer?.root || !enabled() || panelUi.isOpen()) { countBadge.hide(); return; }
  const seen = existingSession(composer.root)?.answer;
  const count = countFor(seen?.composer || composer);
  const control = count ? guard.adapter.refindSubmit(seen?.composer || composer) : null;
  const parent = composer.root !== composer.editor ? composer.root : null;
  countBadge.show({ count, control, parent, onOpen: () => open(seen?.composer || composer), avoid: composer.editor ? [composer.editor] : [] });
}

/** A pre-check answered for `composer` (the guard's answer listener). */
function answered(composer, outcome) {
  if (outcome?.answer?.ok && composer.root) sessionFor(composer.root).answer = { composer, outcome };
  // The underlines redraw right after (live-marks' redraw listener updates the badge); a photo-only or
  // clean answer draws no underline, so update here too.
  update(composer);
}

/** The badge was clicked: the panel for the post as it is now (checked now if the text changed since). */
async function open(composer) {
  const { adapter } = guard;
  const outcome = precheck.lookupNow(composer, adapter.platform) || await precheck.checkNow(composer, adapter.platform);
  if (!outcome.answer.ok) return;
  const { outcome: standing, allDismissed } = dismissals.apply(composer.root, outcome);
  if (outcome.answer.result.verdict === "allow" || allDismissed) { countBadge.hide(); return; }
  countBadge.hide();
  const ctx = {
    adapter, composer, policy: policyStore.current(), fromBadge: true,
    replay: () => guard.replay(composer, { via: "click" }),
  };
  postReview.showPanel(ctx, standing);
}

/** Wires the badge to the guard (called once from guard.start). */
function start(guardParts) {
  guard = guardParts;
  liveMarks.whenRedrawn(update);
}

export const findingsCount = { start, answered, update, open };
