/*
 * "Ask for approval" in the panel, when IT set up a central service (the companion's /v1/health says
 * `approvals`). The salesperson confirms that the draft (text and photos) goes to the company's
 * reviewers; it goes through the companion and nowhere else, the panel closes, and a notice says
 * "Waiting for approval". The draft stays in the composer. The answer comes back in a notice:
 * approved, and the post is still exactly what was approved (same content hash) → Post goes through
 * without being held; any edit is checked again as usual. Rejected, changes requested (with the
 * reviewer's comment), expired or not sent: said plainly.
 *
 * Additive: review.js calls `offer` after opening the panel and hands over the `ask-approval` and
 * `confirm-approval` actions; the rest of the guard is unchanged. The content hash is the one in
 * docs/audit.md ("Approval before posting"), computed with Web Crypto.
 */
import { MESSAGES } from "../../shared/messages.js";
import { imageStore } from "../core/images.js";
import { precheck } from "../core/precheck.js";
import { runtime } from "../core/runtime.js";
import { joinSentences, t } from "../../ui/i18n.js";
import { notice } from "../../ui/notice.js";
import { panelUi } from "../../ui/panel.js";
import { ui } from "../../ui/styles.js";

const root = globalThis;

const POLL_MS = 4000;
const POLL_FOR_MS = 4 * 3600 * 1000;
let waiting = null; // {id, timer}

/** Adds "Ask for approval" to an open panel when approvals can reach a central service. */
async function offer(ctx, outcome, panel) {
  if (!outcome.answer?.ok || !panel?.host) return;
  const answer = await runtime.send(MESSAGES.APPROVAL_STATUS.type, {});
  const actions = panel.host.isConnected ? panel.host.shadowRoot?.querySelector(".pg-actions") : null;
  if (!answer.ok || !answer.available || !actions || actions.querySelector('[data-postguard-action$="-approval"]')) return;
  const cancel = actions.querySelector('[data-postguard-action="cancel"]');
  actions.insertBefore(panelUi.button(root.document, "ask-approval", t("actionAskApproval")), cancel);
}

/** First click: say where the draft goes and turn the button into "Send to reviewers". */
function confirmStep(panel) {
  const button = panel.host.shadowRoot.querySelector('[data-postguard-action="ask-approval"]');
  if (!button) return;
  button.closest(".pg-actions").before(ui.el(root.document, "p", {
    className: "pg-note", "data-postguard-part": "approval", text: t("approvalConfirm"),
  }));
  button.setAttribute("data-postguard-action", "confirm-approval");
  button.textContent = t("actionSendForApproval");
  button.focus();
}

/** The panel's `ask-approval` (confirm first) and `confirm-approval` (send) actions. */
async function act(ctx, outcome, action, panel) {
  if (action === "ask-approval") { confirmStep(panel); return; }
  panel.setBusy(true);
  const { adapter, composer } = ctx;
  const sent = await runtime.send(MESSAGES.APPROVAL_ASK.type, {
    text: outcome.text || "",
    images: (outcome.images || []).map(({ name, mime, data }) => ({ name, mime, data })),
    platform: adapter.platform,
    scanId: outcome.answer.result.scan_id ?? null,
  });
  panelUi.close();
  const anchor = composer.root || composer.editor;
  if (!sent.ok) {
    notice.show(notSentMessage(sent), { tone: "warn", kind: "approval-not-sent", anchor, timeoutMs: 0 });
    return;
  }
  wait(ctx, sent.approval, outcome.answer.result.scan_id ?? null);
}

/**
 * Why the draft was not sent. Unreachable is said in the extension's own words; any other refusal
 * (an unknown or revoked laptop, a used-up enrollment code, a draft too large) carries the central
 * service's reason, which the companion asked for in the language this panel is shown in, so the
 * salesperson can tell IT what happened. It never holds the draft's text.
 */
function notSentMessage(sent) {
  const { error } = sent;
  if (error?.code === "central_unreachable" || error?.code === "companion_unreachable") {
    return t("noticeApprovalUnreachable");
  }
  // Only the companion's own envelope is in the panel's language; the extension's words are English.
  const fromCompanion = sent.status > 0 && error?.code !== "companion_error";
  const reason = fromCompanion && typeof error?.message === "string" ? error.message.trim() : "";
  return reason ? t("noticeApprovalNotSentBecause", [reason]) : t("noticeApprovalNotSent");
}

function wait(ctx, approval, scanId) {
  stop();
  const anchor = ctx.composer.root || ctx.composer.editor;
  notice.show(t("noticeApprovalWaiting"), { kind: "approval-waiting", anchor, timeoutMs: 0 });
  const started = Date.now();
  const mine = { id: approval.id, timer: 0 };
  waiting = mine;
  const poll = async () => {
    if (waiting !== mine || runtime.detached) return;
    const answer = await runtime.send(MESSAGES.APPROVAL_STATUS.type, { id: approval.id });
    if (waiting !== mine) return;
    if (answer.ok && answer.approval?.status && answer.approval.status !== "pending") {
      waiting = null;
      await answered(ctx, answer.approval, scanId);
      return;
    }
    if (Date.now() - started < POLL_FOR_MS) mine.timer = root.setTimeout(poll, POLL_MS);
  };
  mine.timer = root.setTimeout(poll, POLL_MS);
}

function stop() {
  if (waiting) root.clearTimeout(waiting.timer);
  waiting = null;
}

/** The answer, in a notice; an approval of exactly what is in the composer lets Post through. */
async function answered(ctx, approval, scanId) {
  const { composer } = ctx;
  const anchor = composer.root || composer.editor;
  const who = approval.decided_by || "";
  let line;
  let kind = `approval-${approval.status}`;
  if (approval.status === "approved") {
    const images = await imageStore.imagesOf(composer.root);
    const { text } = precheck.readText(composer);
    if (await contentHash(text, images.map((img) => img.hash)) === approval.content_hash) {
      approveExactly(ctx, text, images, approval, scanId);
      line = t("noticeApprovalApproved", [who]);
    } else {
      kind = "approval-approved-changed";
      line = t("noticeApprovalApprovedChanged", [who]);
    }
  } else if (approval.status === "rejected") line = t("noticeApprovalRejected", [who]);
  else if (approval.status === "changes_requested") line = t("noticeApprovalChanges", [who]);
  else line = t("noticeApprovalExpired");
  if (approval.comment) line = joinSentences(line, t("approvalComment", [approval.comment]));
  notice.show(line, { tone: approval.status === "approved" && kind === "approval-approved" ? "info" : "warn",
    kind, anchor, timeoutMs: 0 });
}

/** The pre-check's answer for exactly this content becomes "allow": Post is not held for it. */
function approveExactly(ctx, text, images, approval, scanId) {
  const answer = { ok: true, result: { scan_id: scanId, verdict: "allow", findings: [], approval: approval.id } };
  precheck.settle(ctx.composer, ctx.adapter.platform, text, images, answer);
}

/** sha256: over "postguard draft v1\0", the text's SHA-256, and each photo's hex SHA-256 after a NUL. */
async function contentHash(text, photoHashes) {
  const enc = new root.TextEncoder();
  const digest = async (bytes) => new Uint8Array(await root.crypto.subtle.digest("SHA-256", bytes));
  const parts = [enc.encode("postguard draft v1\0"), await digest(enc.encode(text))];
  for (const hash of photoHashes) parts.push(enc.encode(`\0${hash}`));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { all.set(part, at); at += part.length; }
  return `sha256:${Array.from(await digest(all), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export const approvalFlow = { offer, act, contentHash, stop };
runtime?.onDetach?.(stop);
