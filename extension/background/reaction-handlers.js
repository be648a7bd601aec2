/**
 * The reaction guard's two messages. `reaction-check` asks the companion whether reacting to each of a
 * few posts (a batch of up to eight) is risky (author on the competitor or client list, red-line text)
 * and whether the user would react as a company identity, and answers with the policy, so the content
 * script applies fresh values; the companion stores none of it. `reaction` audits what the user did with
 * a risky post; while the companion is down it waits in the audit queue (audit-queue.js) and is
 * delivered once, under its delivery id. Payloads are validated here: a content script runs next to a
 * hostile page.
 *
 * The reaction policy's cells come, strictest source first, from the browser's managed policy, the org
 * directory (`reaction_policy.yaml`, sent by the companion with each check and kept for when it is
 * down), the user's settings, the defaults: the same order as every other policy value.
 */
import { MESSAGES as M, ERROR_CODES, error } from "../shared/messages.js";
import { SITES } from "../shared/sites.js";
import { readPolicy, sanitizeSettings } from "./policy.js";
import { acceptLanguage, callCompanion, isRetryable, sendDecision } from "./companion-client.js";
import { showCompanionState } from "./badge.js";
import { enqueueReaction, flushQueue, newDeliveryId, queuedDecisions, sendQueuedAs } from "./audit-queue.js";
import { readArea, updateLocal, withLock } from "./storage.js";

const SITE_IDS = SITES.map((site) => site.id);
const ACTIONS = ["react", "repost", "share", "comment"];
const DECISIONS = ["cancelled", "overridden", "monitored", "allowed_unchecked"];
const REASONS = ["competitor", "client", "red_line"];
const TIMEOUT_MS = 4000;
const MAX_BATCH = 8;

const GROUPS = ["react", "share", "comment"];
const LEVELS = ["monitor", "warn", "block"];
export const ORG_POLICY_KEY = "orgReactionPolicy";

const str = (value, max) => typeof value === "string" && value.length <= max;
const optionalStr = (value, max) => value == null || str(value, max);
const listOf = (value, allowed) => Array.isArray(value) && value.length <= 8 && value.every((v) => allowed.includes(v));

/** One post of a check request as the companion takes it, or null when malformed. */
function postToCheck(site, p) {
  if (!p || !str(p.author_name, 300) || !str(p.author_handle, 300) || !str(p.text, 20000)) return null;
  if (!optionalStr(p.acting_as, 300)) return null;
  const post = { site, author_name: p.author_name, author_handle: p.author_handle, text: p.text };
  if (p.acting_as) post.acting_as = p.acting_as;
  return post;
}

/** The posts of a check request (1 to MAX_BATCH), each as the companion takes it, or null when malformed. */
export function reactionCheckRequest(p) {
  if (!p || !SITE_IDS.includes(p.site) || !Array.isArray(p.posts) || p.posts.length < 1 || p.posts.length > MAX_BATCH) return null;
  const posts = p.posts.map((post) => postToCheck(p.site, post));
  return posts.every(Boolean) ? posts : null;
}

/** The audit record as the companion takes it, or null when malformed. */
export function reactionRecord(p) {
  if (!p || !SITE_IDS.includes(p.site) || !ACTIONS.includes(p.action) || !DECISIONS.includes(p.decision)) return null;
  if (!listOf(p.reasons, REASONS) || !Array.isArray(p.red_line) || !p.red_line.every((c) => str(c, 40))) return null;
  if (!str(p.author_name, 300) || !str(p.author_handle, 300) || !str(p.post_id, 300)) return null;
  if (p.justification != null && !str(p.justification, 2000)) return null;
  if (!optionalStr(p.acting_as, 300)) return null;
  const { site, action, decision, reasons, author_name, author_handle, post_id } = p;
  const record = { site, action, decision, reasons, red_line: p.red_line, author_name, author_handle, post_id,
    justification: p.justification || null };
  if (p.acting_as) record.acting_as = p.acting_as;
  return record;
}

/** The org directory's cells as the companion sent them, only the known groups, reasons and levels. */
export function orgCells(raw) {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const cells = {};
  for (const group of GROUPS) {
    const row = raw[group];
    if (!row || typeof row !== "object") continue;
    for (const reason of REASONS) {
      if (LEVELS.includes(row[reason])) (cells[group] = cells[group] || {})[reason] = row[reason];
    }
  }
  return cells;
}

/**
 * The reaction policy with the org directory's cells in their place: over the user's and the defaults,
 * under the managed policy's. `policy.reactionPolicy` is already managed over user over defaults.
 */
export function withOrgPolicy(policy, managedCells, org) {
  if (!org) return policy;
  const table = {};
  for (const group of GROUPS) {
    table[group] = { ...policy.reactionPolicy?.[group] };
    for (const [reason, level] of Object.entries(org[group] || {})) {
      if (!managedCells?.[group]?.[reason]) table[group][reason] = level;
    }
  }
  return { ...policy, reactionPolicy: table };
}

async function effectivePolicy(deps, org) {
  const { policy } = await readPolicy(deps.chrome);
  const kept = org === undefined ? (await readArea(deps.chrome, "local", ORG_POLICY_KEY))[ORG_POLICY_KEY] : org;
  if (!kept) return policy;
  const managed = sanitizeSettings(await readArea(deps.chrome, "managed", null)).reactionPolicy;
  return withOrgPolicy(policy, managed, kept);
}

async function connection(deps) {
  const { policy } = await readPolicy(deps.chrome);
  return { policy, conn: { baseUrl: policy.companionUrl, language: acceptLanguage(deps.chrome), fetchImpl: deps.fetchImpl } };
}

/** Keeps the org directory's cells from the companion's answer (for when it is down) and returns them. */
async function keepOrgPolicy(deps, answers) {
  const answered = answers.find((a) => a.ok && a.body && "policy" in a.body);
  if (!answered) return undefined;
  const org = orgCells(answered.body.policy);
  const stored = (await readArea(deps.chrome, "local", ORG_POLICY_KEY))[ORG_POLICY_KEY] || null;
  if (JSON.stringify(stored) !== JSON.stringify(org)) await updateLocal(deps.chrome, ORG_POLICY_KEY, () => org);
  return org;
}

/** Delivers queued decisions and reactions (after a companion call that answered). */
async function flushQueued(deps, conn) {
  return flushQueue(deps.chrome, (entry) => sendDecision(conn, entry), isRetryable);
}

async function handleReactionCheck(payload, deps) {
  const posts = reactionCheckRequest(payload);
  if (!posts) return error(ERROR_CODES.BAD_REQUEST, "Malformed reaction check.");
  const { conn } = await connection(deps);
  // One request per post, side by side: the companion answers each on its own thread.
  const answers = await Promise.all(posts.map((body) => callCompanion({
    ...conn, method: "POST", path: "/v1/reaction-check", body, timeoutMs: TIMEOUT_MS })));
  const down = answers.find((a) => a.error?.code === "companion_unreachable");
  if (answers.some((a) => a.ok) || down) await showCompanionState(deps.chrome, !down);
  const policy = await effectivePolicy(deps, await keepOrgPolicy(deps, answers));
  if (down) return { ok: false, error: down.error, policy };
  if (answers.some((a) => a.ok) && (await queuedDecisions(deps.chrome)).length) deps.background?.(flushQueued(deps, conn));
  const results = answers.map((a) => {
    if (!a.ok) return null;
    const { policy: _org, ...result } = a.body;
    return result;
  });
  return { ok: true, results, policy };
}

/** POSTs one reaction record (with its delivery id) to the companion. */
async function sendReaction(chromeApi, body, fetchImpl) {
  const { policy } = await readPolicy(chromeApi);
  return callCompanion({ baseUrl: policy.companionUrl, language: acceptLanguage(chromeApi), fetchImpl,
    method: "POST", path: "/v1/reaction", body, timeoutMs: TIMEOUT_MS });
}

sendQueuedAs("reaction", (entry, chromeApi) => sendReaction(chromeApi, entry.body));

/**
 * Records a reaction: sent at once when nothing older waits; else (the companion down, or older events
 * still queued: order matters for the audit trail) queued and delivered when it answers again.
 */
async function handleReaction(payload, deps) {
  const record = reactionRecord(payload);
  if (!record) return error(ERROR_CODES.BAD_REQUEST, "Malformed reaction record.");
  const body = { ...record, delivery_id: newDeliveryId() };
  const answer = await withLock("postguard:decision", async () => {
    if ((await queuedDecisions(deps.chrome)).length === 0) {
      const sent = await sendReaction(deps.chrome, body, deps.fetchImpl);
      if (sent.ok) return { ok: true, delivered: true };
      if (!isRetryable(sent)) return { ok: true, delivered: false, rejected: sent.error?.code };
    }
    await enqueueReaction(deps.chrome, body);
    return { ok: true, delivered: false, queued: true };
  });
  if (answer.queued) {
    const { conn } = await connection(deps);
    deps.background?.(flushQueued(deps, conn));
  }
  return answer;
}

/** The long-lived port content scripts send pre-checks over (a port message costs the page far less than
 * a runtime.sendMessage: about 0.005 ms against 0.45 ms, measured on the loaded test machine). */
export const PRECHECK_PORT = "postguard-reaction-check";

/** Answers `{id, message}` on a pre-check port through the same router (and sender trust) as sendMessage. */
export function servePrecheckPort(port, deps, route) {
  port.onMessage.addListener(async (envelope) => {
    const answer = await route(envelope?.message, port.sender, deps);
    try {
      port.postMessage({ id: envelope?.id, answer });
    } catch (_err) {
      // The tab went away while the check ran.
    }
  });
}

export const reactionHandlers = Object.freeze({
  [M.REACTION_CHECK.type]: handleReactionCheck,
  [M.REACTION.type]: handleReaction,
});
