/**
 * "Ask for approval": the composer's draft goes through the companion to the company's reviewers on
 * the central service (POST /v1/approvals), and the answer is read back (GET /v1/approvals?id=).
 * Without an id, `approval-status` only says whether the companion can reach a central service
 * (/v1/health `approvals`): the panel offers the button only then. Payloads are validated here: a
 * content script runs next to a hostile page.
 */
import "../shared/messages.js";
import "../shared/sites.js";
import { readPolicy } from "./policy.js";
import { acceptLanguage, callCompanion, profileIdentity } from "./companion-client.js";

const { MESSAGES: M, ERROR_CODES, error } = globalThis.postguardMessages;

const PLATFORMS = globalThis.postguardSites.map((site) => site.id);
const MIMES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
// The companion checks the draft (OCR of its photos) and then waits up to 15 s for the central service.
export const APPROVAL_TIMEOUTS_MS = Object.freeze({ available: 1500, ask: 45000, status: 20000 });

const str = (value, max) => typeof value === "string" && value.length <= max;

/** The request as the companion takes it, or null when malformed. */
export function approvalRequest(p) {
  if (!p || !str(p.text, 100000) || !PLATFORMS.includes(p.platform)) return null;
  if (!Array.isArray(p.images) || p.images.length > 10) return null;
  const images = p.images.map((i) => (i && str(i.name, 255) && MIMES.includes(i.mime) && str(i.data, 40 * 1024 * 1024) && i.data
    ? { name: i.name, mime: i.mime, data: i.data } : null));
  if (!images.every(Boolean) || (!p.text.trim() && !images.length)) return null;
  if (p.scanId != null && !str(p.scanId, 64)) return null;
  return { text: p.text, images, platform: p.platform, ...(p.scanId ? { scan_id: p.scanId } : {}) };
}

async function connection(deps) {
  const { policy } = await readPolicy(deps.chrome);
  return { baseUrl: policy.companionUrl, language: acceptLanguage(deps.chrome), fetchImpl: deps.fetchImpl };
}

async function handleAsk(payload, deps) {
  const body = approvalRequest(payload);
  if (!body) return error(ERROR_CODES.BAD_REQUEST, "Malformed approval request.");
  const identity = await profileIdentity();
  if (identity) body.identity = identity;
  const answer = await callCompanion({ ...(await connection(deps)), method: "POST", path: "/v1/approvals", body,
    timeoutMs: APPROVAL_TIMEOUTS_MS.ask });
  return answer.ok ? { ok: true, approval: answer.body } : { ok: false, error: answer.error };
}

async function handleStatus(payload, deps) {
  const conn = await connection(deps);
  if (payload?.id === undefined) {
    const health = await callCompanion({ ...conn, path: "/v1/health", timeoutMs: APPROVAL_TIMEOUTS_MS.available });
    return { ok: true, available: Boolean(health.ok && health.body.approvals === true) };
  }
  if (!str(payload.id, 64) || !/^[0-9a-f-]{36}$/i.test(payload.id)) return error(ERROR_CODES.BAD_REQUEST, "Malformed approval id.");
  const answer = await callCompanion({ ...conn, path: `/v1/approvals?id=${encodeURIComponent(payload.id)}`,
    timeoutMs: APPROVAL_TIMEOUTS_MS.status });
  return answer.ok ? { ok: true, available: true, approval: answer.body } : { ok: false, error: answer.error };
}

export const approvalHandlers = Object.freeze({
  [M.APPROVAL_ASK.type]: handleAsk,
  [M.APPROVAL_STATUS.type]: handleStatus,
});
