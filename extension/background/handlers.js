/**
 * What each message does. Grouped by how much the sender is trusted (uBlock Origin Lite's habit):
 * `contentHandlers` serve content scripts in guarded pages, `extensionHandlers` serve our own
 * options page. Every handler reads policy and state from storage on each call: the worker keeps no
 * module state because Chrome may evict it between two messages.
 */
import { MESSAGES as M, ERROR_CODES, error } from "../shared/messages.js";
import { readPolicy, sanitizeSettings, USER_SETTINGS_KEY, SITE_IDS } from "./policy.js";
import { readArea, withLock, writeArea } from "./storage.js";
import * as companion from "./companion-client.js";
import { enqueueDecision, flushQueue, queuedDecisions, DROPPED_KEY } from "./audit-queue.js";
import { recordCheck, recordAdapter, readActivity } from "./activity.js";
import { probeHealth, showCompanionState } from "./badge.js";
import * as validate from "./validate.js";
import { reactionHandlers } from "./reaction-handlers.js";
import { approvalHandlers, approvalPageHandlers } from "./approval-handlers.js";

async function companionContext(deps) {
  const { policy, locked } = await readPolicy(deps.chrome);
  return {
    policy,
    locked,
    conn: { baseUrl: policy.companionUrl, language: companion.acceptLanguage(deps.chrome), fetchImpl: deps.fetchImpl },
  };
}

/** Reads the companion's health for the badge (health alarm, start-up, a changed companion URL). */
export async function refreshHealth(deps) {
  const { conn } = await companionContext(deps);
  return probeHealth(deps.chrome, conn);
}

/** Delivers queued decisions; called after any successful companion call and by the retry alarm. */
export async function flushAudit(deps) {
  const { conn } = await companionContext(deps);
  return flushQueue(deps.chrome, (entry) => companion.sendDecision(conn, entry), companion.isRetryable);
}

async function handleCheck(payload, deps) {
  const request = validate.checkRequest(payload);
  if (!request) return error(ERROR_CODES.BAD_REQUEST, "Malformed check request.");
  const { conn, policy } = await companionContext(deps);
  const started = Date.now();
  const answer = await companion.checkPost(conn, request);
  const ms = Date.now() - started;
  if (answer.error?.code === "companion_unreachable" || answer.ok) await showCompanionState(deps.chrome, answer.ok);
  if (!answer.ok) {
    await recordCheck(deps.chrome, { platform: request.platform, ms, error: answer.error.code });
    // The policy travels with every answer: the content script applies failMode with fresh values.
    return { ok: false, error: answer.error, policy };
  }
  const result = answer.body;
  const categories = [...new Set((result.findings || []).map((f) => f.category))];
  await recordCheck(deps.chrome, { platform: request.platform, verdict: result.verdict, categories, ms });
  deps.background(flushAudit(deps));
  return { ok: true, result, policy };
}

async function handleDecision(payload, deps) {
  const decision = validate.decisionRequest(payload);
  if (!decision) return error(ERROR_CODES.BAD_REQUEST, "Malformed decision.");
  // One decision at a time (the content script never waits for this answer): a second decision must
  // not overtake the first while the first is still on its way or failing into the queue.
  const answer = await withLock("postguard:decision", async () => {
    const pending = await queuedDecisions(deps.chrome);
    if (pending.length === 0) {
      const { conn } = await companionContext(deps);
      const sent = await companion.sendDecision(conn, decision);
      if (sent.ok) return { ok: true, delivered: true };
      if (!companion.isRetryable(sent)) return { ok: true, delivered: false, rejected: sent.error.code };
    }
    // Down, or older decisions still waiting (order matters for the audit trail): queue it.
    await enqueueDecision(deps.chrome, decision);
    return { ok: true, delivered: false, queued: true };
  });
  if (answer.queued) deps.background(flushAudit(deps));
  return answer;
}

async function handleRedact(payload, deps) {
  const request = validate.redactRequest(payload);
  if (!request) return error(ERROR_CODES.BAD_REQUEST, "Malformed redaction request.");
  const { conn } = await companionContext(deps);
  const answer = await companion.redactImage(conn, request);
  return answer.ok ? { ok: true, image: answer.body.image } : { ok: false, error: answer.error };
}

async function handlePolicyGet(_payload, deps) {
  const { policy, locked } = await readPolicy(deps.chrome);
  return { ok: true, policy, locked };
}

async function handleAdapterReport(payload, deps) {
  const report = validate.adapterReport(payload, SITE_IDS);
  if (!report) return error(ERROR_CODES.BAD_REQUEST, "Malformed adapter report.");
  await recordAdapter(deps.chrome, report);
  return { ok: true };
}

async function handleStatusGet(_payload, deps) {
  const { policy, locked, conn } = await companionContext(deps);
  const { user } = await readPolicy(deps.chrome);
  const health = await probeHealth(deps.chrome, conn);
  if (health.reachable) deps.background(flushAudit(deps));
  const activity = await readActivity(deps.chrome);
  const queue = await queuedDecisions(deps.chrome);
  const dropped = (await readArea(deps.chrome, "local", DROPPED_KEY))[DROPPED_KEY] || 0;
  return {
    ok: true, policy, locked, user, health,
    recentChecks: activity.recentChecks, adapterHealth: activity.adapterHealth,
    queuedDecisions: queue.length, droppedDecisions: dropped,
  };
}

async function handleSettingsSet(payload, deps) {
  const requested = payload?.settings;
  if (!requested || typeof requested !== "object") return error(ERROR_CODES.BAD_REQUEST, "No settings given.");
  const { locked, user } = await readPolicy(deps.chrome);
  const lockedTried = Object.keys(requested).filter((key) => locked.includes(key));
  if (lockedTried.length) return error(ERROR_CODES.LOCKED, `Set by your organisation: ${lockedTried.join(", ")}.`);
  const clean = sanitizeSettings(requested);
  if (Object.keys(clean).length !== Object.keys(requested).length) {
    return error(ERROR_CODES.BAD_REQUEST, "A setting has a value that is not allowed.");
  }
  await writeArea(deps.chrome, "local", { [USER_SETTINGS_KEY]: { ...user, ...clean } });
  const merged = await readPolicy(deps.chrome);
  return { ok: true, policy: merged.policy, locked: merged.locked };
}

async function handleAuditFlush(_payload, deps) {
  const result = await flushAudit(deps);
  return { ok: true, ...result };
}

export const contentHandlers = Object.freeze({
  [M.CHECK.type]: handleCheck,
  [M.DECISION.type]: handleDecision,
  [M.REDACT_IMAGE.type]: handleRedact,
  [M.POLICY_GET.type]: handlePolicyGet,
  [M.ADAPTER_REPORT.type]: handleAdapterReport,
  ...reactionHandlers,
  ...approvalHandlers,
});

export const extensionHandlers = Object.freeze({
  ...contentHandlers,
  [M.STATUS_GET.type]: handleStatusGet,
  [M.SETTINGS_SET.type]: handleSettingsSet,
  [M.AUDIT_FLUSH.type]: handleAuditFlush,
  ...approvalPageHandlers,
});
