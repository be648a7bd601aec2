/*
 * The comment gate: one decision for a comment sent from a comment box that is already open under a
 * feed post (LinkedIn's "Comment" / comment-post button, Enter in Facebook's "Comment as ‹Name›" box,
 * Instagram's "Add a comment…" with "Post" or Enter). The composer guard takes the send (it owns the
 * box: editor, photos, text check) and asks this gate first (`take`), so one guard holds each send:
 *
 *   the post is harmless (or only monitored)  → handed back at once: the composer guard checks the
 *                                               comment's text as for any comment (its panel, fixes);
 *   the post is a competitor's, a client's when
 *   policy says so, or red line (warn/block)  → held on ONE reaction card: the post's reasons, and
 *                                               the comment's own findings listed under them; Cancel or
 *                                               "Comment anyway" with a reason;
 *   the post's check has not answered yet     → held until it does, then as above;
 *   the post could not be checked             → failMode: closed holds it with the checker-down card,
 *                                               open hands it back (recorded `allowed_unchecked`).
 *
 * Audit: the send is one `reaction` event (action comment; decision cancelled, overridden, monitored or
 * allowed_unchecked; no comment text, the author and post as keyed hashes by the companion), and the
 * comment's text check its decision as the composer guard records it (cancelled, overridden, posted).
 * Once the user went ahead with a comment on a post (here or at its Comment button), or a monitored one
 * was recorded, later sends on that post are the composer's alone: the post is not asked about twice.
 */
import { dismissals } from "../core/dismissals.js";
import { policyStore } from "../core/policy-store.js";
import { precheck as textCheck } from "../core/precheck.js";
import { postReview } from "../core/review.js";
import { t } from "../../ui/i18n.js";
import { createCommentFixes } from "./comment-fixes.js";
import { reactionCard } from "./reaction-card.js";
import { reactionPolicy } from "./reaction-policy.js";

const POLICY_WAIT_MS = 60;
const UNCHECKED = "unchecked: companion unreachable (fail open)";

/**
 * `guard`: the reaction guard's parts {adapter, enabled(), precheck(post, urgent), record(ctl, post,
 * decision, entry, justification), explain(ctl, post, entry) → {identity, message}, holdUnchecked(ctl)}.
 */
function createCommentGate(guard) {
  const { adapter } = guard;
  const deciding = new WeakSet(); // composer roots whose send is being decided (a second Enter waits)

  /** True when the gate took the send (held it, or will hand it back through `hooks.proceed`). */
  function take(event, composer, hooks) {
    if (!guard.enabled()) return false;
    const post = adapter.postOf(composer.editor || composer.submit || composer.root);
    const entry = post ? guard.precheck(post, true) : null;
    if (!entry || entry.commented) return false;
    if (entry.risk && passes(composer, post, entry)) return false;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (deciding.has(composer.root)) return true;
    deciding.add(composer.root);
    const checked = entry.risk ? Promise.resolve(entry) : entry.promise.then(async (done) => {
      if (!done.risk) await policyStore.within(POLICY_WAIT_MS);
      return done;
    });
    // A page that changed shape under the card costs the post's judgement, never the comment: its text
    // is still checked as for any comment.
    checked.then((done) => decide(composer, post, done, hooks))
      .catch(() => hooks.proceed())
      .finally(() => deciding.delete(composer.root));
    return true;
  }

  /** A checked post the policy lets the comment go under (recorded once when monitored). */
  function passes(composer, post, entry) {
    const level = reactionPolicy.levelForRisk(policyStore.current(), "comment", entry.risk);
    if (level === "monitor") guard.record(control(composer), post, "monitored", entry);
    return level === "allow" || level === "monitor";
  }

  async function decide(composer, post, entry, hooks) {
    const ctl = control(composer);
    if (!entry.risk) {
      if (policyStore.current().failMode === "closed") { guard.holdUnchecked(ctl); return; }
      guard.record(ctl, post, "allowed_unchecked", entry);
      hooks.proceed();
      return;
    }
    if (passes(composer, post, entry)) { hooks.proceed(); return; }
    const text = await commentText(composer);
    hold(ctl, composer, post, entry, text, hooks);
  }

  /** The comment's own text check (cached while the user typed, else now), as the composer guard reads it. */
  async function commentText(composer) {
    const known = textCheck.lookupNow(composer, adapter.id);
    const outcome = known || await textCheck.checkNow(composer, adapter.id);
    if (!outcome.answer.ok) return { failed: true, holds: false, findings: [], outcome };
    if (!known && outcome.answer.policy) policyStore.accept(outcome.answer.policy);
    const policy = policyStore.current();
    const { outcome: standing, allDismissed } = dismissals.apply(composer.root, outcome);
    const result = standing.answer.result;
    const holds = policy.enforcement !== "monitor" && result.verdict !== "allow" && !allDismissed;
    return {
      failed: false, holds, outcome: standing, findings: holds ? result.findings || [] : [],
      canOverride: !holds || postReview.viewFor(result, policy, standing).canOverride,
    };
  }

  /**
   * One card: the post's reasons, then what the comment itself gives away, each finding with the
   * panel's Fix and select (comment-fixes.js). Going ahead after a Fix checks the comment's text again:
   * what it still gives away holds it on a new card, else it goes out as a clean comment would.
   */
  function hold(ctl, composer, post, entry, text, hooks) {
    const policy = policyStore.current();
    const level = reactionPolicy.levelForRisk(policy, "comment", entry.risk);
    const unchecked = text.failed && policy.failMode === "closed";
    const block = level === "block" || unchecked || (text.holds && !text.canOverride);
    const { identity, message } = guard.explain(ctl, post, entry);
    const scanId = text.outcome?.answer?.result?.scan_id ?? null;
    const fixes = createCommentFixes(composer.editor, text.outcome?.text, text.findings);
    reactionCard.show({
      anchor: ctl.el,
      avoid: adapter.authorLine?.(post) || null,
      identity,
      message,
      findings: text.findings.map((finding) => findingLine(finding, text.outcome.text, fixes, text.findings)),
      note: unchecked ? t("reactionCheckerDown") : (block ? t("reactionBlocked") : ""),
      block,
      overrideLabel: !block && policy.allowOverride !== false ? t("reactionAnyway_comment") : null,
      requireReason: policy.requireJustification !== false,
      onCancel: () => {
        guard.record(ctl, post, "cancelled", entry);
        if (text.holds) postReview.audit(adapter.id, scanId, "cancelled");
        composer.editor?.focus();
      },
      onConfirm: async (reason) => {
        // What goes out is the box's text now: after a Fix, that is a text not checked yet.
        const sent = fixes.fixed ? await commentText(composer) : text;
        if (sent !== text && sent.holds) { hold(ctl, composer, post, entry, sent, hooks); return; }
        const sentScan = sent.outcome?.answer?.result?.scan_id ?? null;
        guard.record(ctl, post, "overridden", entry, reason);
        if (sent.holds) postReview.audit(adapter.id, sentScan, "overridden", reason || undefined);
        else if (sent.failed) postReview.audit(adapter.id, null, "posted", UNCHECKED);
        else if (sentScan) postReview.audit(adapter.id, sentScan, "posted");
        hooks.replay();
      },
    });
  }

  return { take };
}

/** The held send as the reaction guard's records name it: a comment, at the box's send control. */
function control(composer) {
  const el = composer.submit?.isConnected ? composer.submit : composer.editor || composer.root;
  return { action: "comment", el, turnsOn: true };
}

/**
 * A finding of the comment on the card: its category, and the author's own words at its offsets (the
 * author typed them: as in the panel, masking protects the audit log, not the author from their text);
 * a finding with no words of its own (posting from the wrong account) gives the companion's sentence.
 * With `fixes` (comment-fixes.js), a line with words of its own has the panel's Fix and select; its
 * `fix()` resolves to the indexes in `all` of the lines it settled.
 */
function findingLine(finding, text, fixes = null, all = []) {
  const category = t(`cat_${finding.category}`);
  const words = typeof text === "string" && Number.isInteger(finding.start) && Number.isInteger(finding.end)
    ? [...text].slice(finding.start, finding.end).join("").trim() : "";
  const message = typeof finding.message === "string" ? finding.message : "";
  const line = { category, words, message: words ? "" : message, severity: finding.severity };
  if (!words || !fixes || finding.source !== "text") return line;
  return {
    ...line,
    fixLabel: fixes.fixLabel(finding),
    fix: async () => (await fixes.fix(finding)).map((settled) => all.indexOf(settled)),
    select: () => fixes.select(finding),
  };
}

export { createCommentGate, findingLine };
