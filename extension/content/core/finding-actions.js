/*
 * What a card in the panel can do with its own finding:
 *   select  — clicking the card selects the author's words in the editor and scrolls them into view
 *             (the mark follows the text as it changed since the check: live-marks.js);
 *   fix     — replaces the words with neutral wording for the category, from the locale file
 *             ("a client", "[price on request]", "[contact details]"), or takes them out where no
 *             wording reads naturally (an opinion, a remark about a competitor); typed the way a user
 *             would (selection + execCommand("insertText")), so the site's editor model takes it;
 *   dismiss — only where the policy lets the user post anyway, with the reason the policy asks for
 *             (the panel asks at the card): recorded once in the audit log as posting anyway over that
 *             finding ("overridden", with the reason), then remembered (dismissals.js) so that neither
 *             the underlines, the count badge nor the Post click bring it back while its words are
 *             unchanged; the card and its mark go.
 * When the last card with words of its own is resolved: some fixed → the post is checked again (a
 * notice when nothing is left, the panel again when something is); all dismissed → the held post goes
 * out (a panel opened from the count badge held nothing: it closes), unless a card without words of
 * its own is left (a photo, the wrong account): then the "Post anyway" step, with its reason.
 */
import { dismissals } from "./dismissals.js";
import { editorActions } from "./editor-actions.js";
import { findingsCount } from "./findings-count.js";
import { liveMarks } from "./live-marks.js";
import { postReview } from "./review.js";
import { t } from "../../ui/i18n.js";
import { panelUi } from "../../ui/panel.js";

const root = globalThis;

// Categories whose words are taken out: no neutral stand-in reads naturally in their place.
const TAKE_OUT = new Set(["sensitive_topic", "disparagement"]);
const ACTIONABLE = 'li[data-postguard-finding] [data-postguard-action="fix"], '
  + 'li[data-postguard-finding] [data-postguard-action="dismiss"]';

/** The words that replace a finding ("" = take them out). */
function replacementFor(finding) {
  if (TAKE_OUT.has(finding.category)) return "";
  const key = `fix_${finding.category}`;
  const words = t(key);
  return words === key ? t("redactedPlaceholder") : words;
}

/** Runs a card's action; `details.item` is the finding's index in the answer. */
async function handle(ctx, outcome, action, details, panel) {
  const finding = (outcome.answer.result.findings || [])[Number(details.item)];
  if (!finding) return;
  if (action === "select") select(ctx, finding);
  else if (action === "fix") await fix(ctx, outcome, finding, panel);
  else if (action === "dismiss") dismiss(ctx, outcome, finding, details, panel);
}

/** Records the dismissal once (with its reason), remembers it for these words, takes the card off. */
function dismiss(ctx, outcome, finding, details, panel) {
  const words = liveMarks.locate(finding)?.words || dismissals.wordsOf(outcome.text, finding);
  dismissals.add(ctx.composer.root, finding, words);
  postReview.audit(ctx.adapter.platform, outcome.answer.result.scan_id, "overridden", details.justification || undefined);
  resolve(ctx, outcome, finding, panel, "dismissed");
}

function select(ctx, finding) {
  const mark = liveMarks.locate(finding);
  if (!mark?.range || !ctx.composer.editor) return;
  editorActions.select(ctx.composer.editor, mark.range);
  const el = mark.range.startContainer.nodeType === 1 ? mark.range.startContainer : mark.range.startContainer.parentElement;
  el?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  liveMarks.point(finding);
}

async function fix(ctx, outcome, finding, panel) {
  const { editor } = ctx.composer;
  const mark = liveMarks.locate(finding);
  if (editor?.tagName === "TEXTAREA") {
    // A textarea (Instagram's comment box) has no Range over its words: they are picked by offset,
    // when they are still as they were checked.
    await editorActions.redactSpans(editor, outcome.text, [finding], replacementFor);
  } else if (editor && mark?.range) {
    editor.focus({ preventScroll: true });
    editorActions.select(editor, mark.range);
    const words = replacementFor(finding);
    const doc = editor.ownerDocument;
    if (words) doc.execCommand("insertText", false, words); else doc.execCommand("delete", false);
    await new Promise((done) => root.setTimeout(done, 0)); // the editor commits its model
  }
  resolve(ctx, outcome, finding, panel, "fixed");
}

/** Takes the card off the panel; when it was the last, finishes as the module comment says. */
function resolve(ctx, outcome, finding, panel, how) {
  const index = outcome.answer.result.findings.indexOf(finding);
  liveMarks.drop(finding, { dismiss: how === "dismissed" });
  const shadow = panel.panel;
  shadow.querySelector(`li[data-postguard-item="${index}"]`)?.remove();
  (ctx.resolved = ctx.resolved || new Map()).set(finding, how);
  // Cards without words of their own (posting from the wrong account, a photo) follow from the
  // others: once every card with a Fix or Dismiss is resolved, the post is checked again or
  // posted anyway, and such a card comes back only if it still holds.
  if (shadow.querySelector(ACTIONABLE)) { shadow.focus({ preventScroll: true }); return; }
  if ([...ctx.resolved.values()].includes("fixed")) { postReview.afterFixes(ctx, outcome); return; }
  if (shadow.querySelector("li[data-postguard-finding]")) {
    // A card without words of its own is left: posting over it is the "Post anyway" step.
    shadow.querySelector('[data-postguard-action="override"]')?.click();
    return;
  }
  panelUi.close();
  liveMarks.clear();
  if (ctx.fromBadge) { ctx.composer.editor?.focus(); findingsCount?.update(ctx.composer); return; }
  ctx.replay(); // every finding dismissed, each recorded with its reason: the held post goes out
}

export const findingActions = { replacementFor, handle };
