/*
 * What happens to a held post: the panel with its actions (Edit, Redact, Post anyway, Cancel), the
 * fail mode when the companion cannot be reached, and the audit of every decision through the
 * service worker (which queues decisions while the companion is down).
 */
import { MESSAGES } from "../../shared/messages.js";
import { approvalFlow } from "../approval/ask.js";
import { dismissals } from "./dismissals.js";
import { editorActions } from "./editor-actions.js";
import { findingActions } from "./finding-actions.js";
import { findingsCount } from "./findings-count.js";
import { imageStore } from "./images.js";
import { liveMarks } from "./live-marks.js";
import { photoNotices } from "./photo-notices.js";
import { policyStore } from "./policy-store.js";
import { precheck } from "./precheck.js";
import { runtime } from "./runtime.js";
import { editorText } from "./text.js";
import { countBadge } from "../../ui/count-badge.js";
import { highlights } from "../../ui/highlights.js";
import { joinSentences, t } from "../../ui/i18n.js";
import { notice } from "../../ui/notice.js";
import { panelUi } from "../../ui/panel.js";

const root = globalThis;

/** Sends one decision to the audit log; never waits for the companion on the user's path. */
function audit(platform, scanId, action, justification) {
  runtime.send(MESSAGES.DECISION.type, { scanId: scanId ?? null, action, justification, platform });
}

/** What the panel may offer under this policy for this verdict. */
function viewFor(result, policy, outcome) {
  const canOverride = result.verdict === "warn" && policy.enforcement === "warn" && policy.allowOverride === true;
  let blockNote = null;
  if (result.verdict === "block") blockNote = "panelBlockedSeverity";
  else if (!canOverride) blockNote = "panelBlockedByPolicy";
  const findings = result.findings || [];
  const textRedactable = Boolean(outcome.extracted || outcome.text) && findings.some((f) => f.source === "text" && Number.isInteger(f.start));
  const imageRedactable = findings.some((f) => f.source === "image" && Array.isArray(f.bbox));
  return {
    // The text that was checked: the panel shows the author's own words from it at each finding.
    result, text: typeof outcome.text === "string" ? outcome.text : "", canOverride, blockNote,
    canRedact: textRedactable || imageRedactable,
    fixFor: (finding) => (finding.source === "text" && Number.isInteger(finding.start) ? findingActions.replacementFor(finding) : null),
    requireJustification: policy.requireJustification !== false,
    photoNotFullyChecked: photoNotices.notFullyChecked(result),
    textNotFullyChecked: photoNotices.textNotFullyChecked(result),
  };
}

/** True when two views offer different actions (the panel must be drawn again). */
function actionsDiffer(a, b) {
  return a.canOverride !== b.canOverride || a.blockNote !== b.blockNote || a.requireJustification !== b.requireJustification;
}

/**
 * Shows the panel for a held post. `ctx` = {adapter, composer, policy, replay} where replay() lets
 * the post go through once.
 */
function showPanel(ctx, outcome) {
  const { composer, policy } = ctx;
  const result = outcome.answer.result;
  const textFindings = (result.findings || []).filter((f) => f.source === "text");
  const parent = composer.root && composer.root !== composer.editor ? composer.root : null;
  let spans = [];
  try {
    spans = highlights.spansFor(outcome.extracted, textFindings);
    liveMarks.set(composer, outcome); // underlined, and kept on the words while the user edits
  } catch (_err) {
    // Highlights are a help; the panel must open even if the editor's DOM moved under us.
  }
  const view = viewFor(result, policy, outcome);
  ctx.resolved = new Map(); // cards fixed or dismissed in this panel
  const panel = panelUi.open({
    parent,
    anchor: composer.editor || composer.root,
    avoid: keepVisible(ctx, spans, result),
    view,
    onAction: (action, details, controller) => onAction(ctx, outcome, action, details, controller),
  });
  ctx.shown = { host: panel.host, view };
  followPolicy(ctx, outcome);
  countBadge?.hide(); // the panel lists what the badge counted
  approvalFlow?.offer(ctx, outcome, panel); // "Ask for approval", when IT set up a central service
  return panel;
}

/**
 * What the panel must not cover: the site's Post control, the highlighted spans, the editor's text
 * (line by line, not the editor's empty area) and, when photos have findings, the photo previews.
 */
function keepVisible(ctx, spans, result) {
  const { composer, adapter } = ctx;
  const avoid = spans.map((span) => ({ kind: "highlight", target: span.range }));
  const submit = (composer.submit?.isConnected && composer.submit) || adapter.refindSubmit?.(composer);
  if (submit) avoid.push({ kind: "submit", target: submit });
  if (composer.editor?.isConnected) avoid.push(...textRanges(composer.editor).map((target) => ({ kind: "text", target })));
  if (composer.root && (result.findings || []).some((f) => f.source === "image")) {
    for (const el of composer.root.querySelectorAll('img, canvas, [role="img"]')) avoid.push({ kind: "photo", target: el });
  }
  return avoid;
}

/** One Range per text node of the editor (at most 200): where its text is on screen. */
function textRanges(editor) {
  const doc = editor.ownerDocument;
  const walker = doc.createTreeWalker(editor, 4 /* NodeFilter.SHOW_TEXT */);
  const ranges = [];
  for (let node = walker.nextNode(); node && ranges.length < 200; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    const range = doc.createRange();
    range.selectNodeContents(node);
    ranges.push(range);
  }
  return ranges;
}

/**
 * While its panel is open, a post's review follows every policy the store takes in (a late answer of
 * the worker, IT changing the managed policy, the user's settings), once per panel however often it
 * is drawn again; the subscription ends at the first policy after the panel closed.
 */
function followPolicy(ctx, outcome) {
  ctx.outcome = outcome;
  if (ctx.stopFollowing) return;
  ctx.stopFollowing = policyStore.subscribe((fresh) => {
    if (ctx.shown?.host.isConnected) { policyChanged(ctx, ctx.outcome, fresh); return; }
    ctx.stopFollowing();
  });
}

/**
 * A policy came in while the panel is open (the worker was slow, or IT changed it) and may differ from
 * the one the panel was drawn with: draw it again, so it never offers what IT has just turned off.
 */
function policyChanged(ctx, outcome, policy) {
  ctx.policy = policy;
  if (!ctx.shown?.host.isConnected) return;
  if (policy.enforcement === "monitor" || !policy.sites?.includes(ctx.adapter.id)) {
    // Monitoring only now, or this site no longer guarded: the post the user asked for goes out (a
    // panel opened from the count badge held nothing: it only closes).
    panelUi.close();
    liveMarks.clear();
    if (ctx.fromBadge) return;
    audit(ctx.adapter.platform, outcome.answer.result.scan_id, "posted");
    ctx.replay();
    return;
  }
  if (actionsDiffer(ctx.shown.view, viewFor(outcome.answer.result, policy, outcome))) showPanel(ctx, outcome);
}

async function onAction(ctx, outcome, action, details, panel) {
  const { adapter, composer } = ctx;
  const scanId = outcome.answer.result.scan_id;
  if (action === "ask-approval" || action === "confirm-approval") return approvalFlow.act(ctx, outcome, action, panel);
  if (action === "redact") return redact(ctx, outcome, panel);
  if (action === "select" || action === "fix" || action === "dismiss") return findingActions.handle(ctx, outcome, action, details, panel);
  if (action === "override") return override(ctx, outcome, details, panel);
  panelUi.close();
  // A panel opened from the count badge held nothing: closing it is no decision about a post.
  if (action === "cancel") {
    liveMarks.clear();
    if (!ctx.fromBadge) audit(adapter.platform, scanId, "cancelled");
    composer.editor?.focus();
    return undefined;
  }
  // "edit" (and Esc): back to the editor, caret at the first text finding; highlights stay until typing.
  if (!ctx.fromBadge) audit(adapter.platform, scanId, "edited");
  const first = firstTextOffset(outcome);
  if (composer.editor) editorActions.placeCaret(composer.editor, first ?? 0);
  findingsCount?.update(composer);
  return undefined;
}

/** Post anyway: allowed only if the policy, read again now, still allows it. */
async function override(ctx, outcome, details, panel) {
  panel.setBusy(true);
  const shown = ctx.shown?.host;
  const policy = (await policyStore.read()) || ctx.policy;
  // The panel follows the policy it read (followPolicy): closed (monitoring: the post went out) or
  // drawn again with other actions, the user's click was for a panel that is gone.
  if (ctx.shown?.host !== shown || !shown?.isConnected) return;
  if (!viewFor(outcome.answer.result, policy, outcome).canOverride) {
    ctx.policy = policy;
    showPanel(ctx, outcome);
    return;
  }
  panelUi.close();
  liveMarks.clear();
  audit(ctx.adapter.platform, outcome.answer.result.scan_id, "overridden", details.justification || undefined);
  ctx.replay();
}

function firstTextOffset(outcome) {
  const spans = (outcome.answer.result.findings || [])
    .map((f) => editorText.findingSpan(outcome.text, f)).filter(Boolean).map((s) => s.start);
  return spans.length ? Math.min(...spans) : null;
}

/** Redacts text spans in the editor and boxes in photos, then checks the post again. */
async function redact(ctx, outcome, panel) {
  const { adapter, composer } = ctx;
  const result = outcome.answer.result;
  panel.setBusy(true);
  liveMarks.clear();
  let changed = 0;
  const textFindings = result.findings.filter((f) => f.source === "text");
  if (composer.editor && textFindings.length) {
    // Each span gets its category's neutral wording ("a client", "[price on request]"), not one placeholder.
    changed += await editorActions.redactSpans(composer.editor, outcome.text, textFindings, findingActions.replacementFor);
  }
  const photos = await redactImages(ctx, outcome);
  changed += photos.swapped;
  audit(adapter.platform, result.scan_id, "redacted");
  panelUi.close();
  if (photos.stuck.length) {
    // The site gave no way to swap the photo in place: say so, and offer to take it off in one click.
    offerPhotoRemoval(ctx, photos.stuck);
    return;
  }
  if (!changed) {
    notice.show(t("noticeRedactFailed"), { anchor: composer.root || composer.editor, timeoutMs: 8000 });
    return;
  }
  await checkAgain(ctx);
}

/** Every card was fixed one by one: the post is checked again, as after Redact. */
async function afterFixes(ctx, outcome) {
  panelUi.close();
  audit(ctx.adapter.platform, outcome.answer.result.scan_id, "redacted");
  await checkAgain(ctx);
}

/** After the post was changed: check it again; the panel when something is left, else a notice. */
async function checkAgain(ctx) {
  const { adapter, composer } = ctx;
  await new Promise((resolve) => root.setTimeout(resolve, 30)); // let the editor commit its model
  const checked = await precheck.checkNow(composer, adapter.platform);
  // Findings the user dismissed stay dismissed while their words are unchanged (dismissals.js).
  const { outcome: again, allDismissed } = dismissals.apply(composer.root, checked);
  if (again.answer.ok && again.answer.result.verdict !== "allow" && !allDismissed) {
    ctx.current = again;
    showPanel(ctx, again);
    notice.show(t("noticeStillRisky"), { anchor: composer.root || composer.editor, timeoutMs: 6000 });
    return;
  }
  notice.show(t("noticeRedacted"), { anchor: composer.root || composer.editor, timeoutMs: 6000 });
  composer.editor?.focus();
}

async function redactImages(ctx, outcome) {
  const { adapter, composer } = ctx;
  const boxesByImage = new Map();
  for (const f of outcome.answer.result.findings) {
    if (f.source !== "image" || !Array.isArray(f.bbox)) continue;
    const list = boxesByImage.get(f.image_index) || [];
    list.push(f.bbox);
    boxesByImage.set(f.image_index, list);
  }
  let swapped = 0;
  const stuck = [];
  for (const [index, boxes] of boxesByImage) {
    const image = outcome.images[index];
    if (!image) continue;
    const answer = await runtime.send(MESSAGES.REDACT_IMAGE.type, {
      image: { name: image.name, mime: image.mime, data: image.data }, boxes,
    });
    if (answer.ok && await imageStore.swap(composer.root, adapter, image.hash, answer.image)) swapped += 1;
    else stuck.push(image.hash);
  }
  return { swapped, stuck };
}

/** "Postguard can't replace the photo on this page", with one button that takes it off the post. */
function offerPhotoRemoval(ctx, hashes) {
  const { adapter, composer } = ctx;
  const anchor = composer.root || composer.editor;
  notice.show(t("noticePhotoSwapImpossible"), {
    tone: "warn", kind: "photo-swap-impossible", anchor, timeoutMs: 0, actionText: t("actionRemovePhoto"),
    onAction: async () => {
      notice.hide();
      const removed = await imageStore.removeFromSite(composer.root, adapter, hashes);
      if (!removed) notice.show(t("noticeRedactFailed"), { anchor, timeoutMs: 8000 });
      else await checkAgain(ctx);
    },
  });
}

/**
 * The companion could not be asked. failMode "open": the post goes through, a small notice says it
 * was not checked, and an audit event is queued. "closed": the post stays held, with a "Check
 * again" button. Either way the notice names what the salesperson can do — contact IT, through
 * the help link IT set — never a command: starting the checker is IT's job (docs/deploy.md).
 */
function onUnreachable(ctx, retry) {
  const { adapter, composer, policy } = ctx;
  const anchor = composer.root || composer.editor;
  if (policy.failMode === "closed") {
    notice.show(joinSentences(t("noticeFailClosed"), contactLine(policy)), {
      tone: "closed", kind: "fail-closed", anchor, ...contactLink(policy),
      actionText: t("actionRetry"), onAction: retry, timeoutMs: 0,
    });
    return;
  }
  audit(adapter.platform, null, "posted", "unchecked: companion unreachable (fail open)");
  ctx.replay();
  notice.show(joinSentences(t("noticeFailOpen"), contactLine(policy)), {
    kind: "fail-open", anchor, ...contactLink(policy), timeoutMs: 12000,
  });
}

/**
 * "Contact IT:" before IT's own words (`supportText`, e.g. "the help desk on ext. 4455") and help link,
 * or "Contact your IT team." when IT set neither.
 */
function contactLine(policy) {
  if (!policy.supportUrl && !policy.supportText) return t("contactItNoLink");
  return policy.supportText ? joinSentences(t("contactIt"), policy.supportText) : t("contactIt");
}

function contactLink(policy) {
  return policy.supportUrl ? { linkUrl: policy.supportUrl, linkText: policy.supportUrl } : {};
}

export const postReview = { audit, viewFor, showPanel, onUnreachable, afterFixes };
