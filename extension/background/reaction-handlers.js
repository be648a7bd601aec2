/**
 * The reaction guard's two messages. `reaction-check` asks the companion whether reacting to each of a
 * few posts (a batch of up to eight) is risky (author on the competitor or client list, red-line text) and answers with the policy, so the
 * content script applies fresh values; the companion stores none of it. `reaction` audits what the user
 * did with a risky post. Payloads are validated here: a content script runs next to a hostile page.
 */
import "../shared/messages.js";
import "../shared/sites.js";
import { readPolicy } from "./policy.js";
import { acceptLanguage, callCompanion } from "./companion-client.js";
import { showCompanionState } from "./badge.js";

const { MESSAGES: M, ERROR_CODES, error } = globalThis.postguardMessages;

const SITES = globalThis.postguardSites.map((site) => site.id);
const ACTIONS = ["react", "repost", "share", "comment"];
const DECISIONS = ["cancelled", "overridden", "monitored", "allowed_unchecked"];
const REASONS = ["competitor", "client", "red_line"];
const TIMEOUT_MS = 4000;
const MAX_BATCH = 8;

const str = (value, max) => typeof value === "string" && value.length <= max;
const listOf = (value, allowed) => Array.isArray(value) && value.length <= 8 && value.every((v) => allowed.includes(v));

/** One post of a check request as the companion takes it, or null when malformed. */
function postToCheck(site, p) {
  if (!p || !str(p.author_name, 300) || !str(p.author_handle, 300) || !str(p.text, 20000)) return null;
  return { site, author_name: p.author_name, author_handle: p.author_handle, text: p.text };
}

/** The posts of a check request (1 to MAX_BATCH), each as the companion takes it, or null when malformed. */
export function reactionCheckRequest(p) {
  if (!p || !SITES.includes(p.site) || !Array.isArray(p.posts) || p.posts.length < 1 || p.posts.length > MAX_BATCH) return null;
  const posts = p.posts.map((post) => postToCheck(p.site, post));
  return posts.every(Boolean) ? posts : null;
}

/** The audit record as the companion takes it, or null when malformed. */
export function reactionRecord(p) {
  if (!p || !SITES.includes(p.site) || !ACTIONS.includes(p.action) || !DECISIONS.includes(p.decision)) return null;
  if (!listOf(p.reasons, REASONS) || !Array.isArray(p.red_line) || !p.red_line.every((c) => str(c, 40))) return null;
  if (!str(p.author_name, 300) || !str(p.author_handle, 300) || !str(p.post_id, 300)) return null;
  if (p.justification != null && !str(p.justification, 2000)) return null;
  const { site, action, decision, reasons, author_name, author_handle, post_id } = p;
  return { site, action, decision, reasons, red_line: p.red_line, author_name, author_handle, post_id,
    justification: p.justification || null };
}

async function connection(deps) {
  const { policy } = await readPolicy(deps.chrome);
  return { policy, conn: { baseUrl: policy.companionUrl, language: acceptLanguage(deps.chrome), fetchImpl: deps.fetchImpl } };
}

async function handleReactionCheck(payload, deps) {
  const posts = reactionCheckRequest(payload);
  if (!posts) return error(ERROR_CODES.BAD_REQUEST, "Malformed reaction check.");
  const { policy, conn } = await connection(deps);
  // One request per post, side by side: the companion answers each on its own thread.
  const answers = await Promise.all(posts.map((body) => callCompanion({
    ...conn, method: "POST", path: "/v1/reaction-check", body, timeoutMs: TIMEOUT_MS })));
  const down = answers.find((a) => a.error?.code === "companion_unreachable");
  if (answers.some((a) => a.ok) || down) await showCompanionState(deps.chrome, !down);
  if (down) return { ok: false, error: down.error, policy };
  return { ok: true, results: answers.map((a) => (a.ok ? a.body : null)), policy };
}

async function handleReaction(payload, deps) {
  const body = reactionRecord(payload);
  if (!body) return error(ERROR_CODES.BAD_REQUEST, "Malformed reaction record.");
  const { conn } = await connection(deps);
  const sent = await callCompanion({ ...conn, method: "POST", path: "/v1/reaction", body, timeoutMs: TIMEOUT_MS });
  return { ok: true, delivered: sent.ok };
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
