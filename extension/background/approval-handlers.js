/**
 * "Ask for approval": the composer's draft goes through the companion to the company's reviewers on
 * the central service (POST /v1/approvals), and the answer is read back (GET /v1/approvals?id=).
 * Without an id, `approval-status` only says whether the button may be offered: IT's `askForApproval`
 * policy is on and the companion can reach a central service (/v1/health `approvals`). Payloads are
 * validated here: a content script runs next to a hostile page.
 *
 * The requests this browser sent are remembered in storage.local (`approvalRequests`: id, site, when,
 * the last status seen and who decided; never the draft, never the comment) so that the toolbar popup can show each
 * one's answer (`approval-list`), asked afresh from the companion every time the popup opens.
 */
import { MESSAGES as M, ERROR_CODES, error } from "../shared/messages.js";
import { SITES } from "../shared/sites.js";
import { readPolicy } from "./policy.js";
import { readArea, updateLocal } from "./storage.js";
import { acceptLanguage, callCompanion, profileIdentity } from "./companion-client.js";

const PLATFORMS = SITES.map((site) => site.id);
const MIMES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
// The companion checks the draft (OCR of its photos) and then waits up to 15 s for the central service.
// The popup asks for each remembered request at once and must not wait long for any of them.
export const APPROVAL_TIMEOUTS_MS = Object.freeze({ available: 1500, ask: 45000, status: 20000, list: 5000 });
export const APPROVALS_KEY = "approvalRequests";
export const REMEMBERED = Object.freeze({ count: 10, days: 14 });
const STATUSES = ["pending", "approved", "rejected", "changes_requested", "expired"];
const ID_PATTERN = /^[0-9a-f-]{36}$/i;

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
  return { policy, baseUrl: policy.companionUrl, language: acceptLanguage(deps.chrome), fetchImpl: deps.fetchImpl };
}

/** The remembered requests, newest first, without those older than REMEMBERED.days or malformed. */
export function rememberedRequests(stored, now = Date.now()) {
  const oldest = now - REMEMBERED.days * 86400 * 1000;
  return (Array.isArray(stored) ? stored : []).filter((r) => r && typeof r.id === "string" && ID_PATTERN.test(r.id)
    && PLATFORMS.includes(r.platform) && Number.isFinite(r.askedAt) && r.askedAt >= oldest
    && STATUSES.includes(r.status) && (r.decidedBy == null || str(r.decidedBy, 254))).slice(0, REMEMBERED.count);
}

/** Note a request this browser sent, or the status it now has (only ids and statuses are kept). */
function remember(chrome, id, change) {
  return updateLocal(chrome, APPROVALS_KEY, (stored) => {
    const list = rememberedRequests(stored);
    const known = list.find((r) => r.id === id);
    if (known) Object.assign(known, change);
    else if (change.askedAt) list.unshift({ id, ...change });
    return list.slice(0, REMEMBERED.count);
  });
}

async function handleAsk(payload, deps) {
  const body = approvalRequest(payload);
  if (!body) return error(ERROR_CODES.BAD_REQUEST, "Malformed approval request.");
  const conn = await connection(deps);
  if (!conn.policy.askForApproval) return error(ERROR_CODES.FORBIDDEN, "Asking for approval is turned off by policy.");
  const identity = await profileIdentity();
  if (identity) body.identity = identity;
  const answer = await callCompanion({ ...conn, method: "POST", path: "/v1/approvals", body,
    timeoutMs: APPROVAL_TIMEOUTS_MS.ask });
  if (!answer.ok) return { ok: false, status: answer.status, error: answer.error };
  if (ID_PATTERN.test(answer.body?.id || "")) {
    await remember(deps.chrome, answer.body.id, { platform: body.platform, askedAt: Date.now(), status: "pending" });
  }
  return { ok: true, approval: answer.body };
}

async function askCompanion(conn, id, timeoutMs) {
  return callCompanion({ ...conn, path: `/v1/approvals?id=${encodeURIComponent(id)}`, timeoutMs });
}

async function handleStatus(payload, deps) {
  const conn = await connection(deps);
  if (payload?.id === undefined) {
    if (!conn.policy.askForApproval) return { ok: true, available: false };
    const health = await callCompanion({ ...conn, path: "/v1/health", timeoutMs: APPROVAL_TIMEOUTS_MS.available });
    return { ok: true, available: Boolean(health.ok && health.body.approvals === true) };
  }
  if (!str(payload.id, 64) || !ID_PATTERN.test(payload.id)) return error(ERROR_CODES.BAD_REQUEST, "Malformed approval id.");
  const answer = await askCompanion(conn, payload.id, APPROVAL_TIMEOUTS_MS.status);
  if (!answer.ok) return { ok: false, status: answer.status, error: answer.error };
  if (STATUSES.includes(answer.body?.status)) {
    const decidedBy = typeof answer.body.decided_by === "string" ? answer.body.decided_by : null;
    await remember(deps.chrome, payload.id, { status: answer.body.status, decidedBy });
  }
  return { ok: true, available: true, approval: answer.body };
}

/**
 * For the popup: each request this browser sent, with its answer asked afresh (all at once, a few
 * seconds at most). One the companion could not answer for keeps its last status, marked `stale`.
 */
async function handleList(_payload, deps) {
  const conn = await connection(deps);
  const requests = rememberedRequests((await readArea(deps.chrome, "local", APPROVALS_KEY))[APPROVALS_KEY]);
  const answers = await Promise.all(requests.map((r) => askCompanion(conn, r.id, APPROVAL_TIMEOUTS_MS.list)));
  const list = requests.map((r, i) => {
    const a = answers[i].ok ? answers[i].body : null;
    if (!a || !STATUSES.includes(a.status)) return { decidedBy: null, ...r, comment: null, decidedAt: null, stale: true };
    return { ...r, status: a.status, comment: typeof a.comment === "string" ? a.comment : null,
      decidedBy: typeof a.decided_by === "string" ? a.decided_by : null,
      decidedAt: typeof a.decided_at === "string" ? a.decided_at : null, stale: false };
  });
  for (const item of list) {
    const known = requests.find((r) => r.id === item.id);
    if (!item.stale && (item.status !== known.status || item.decidedBy !== (known.decidedBy ?? null))) {
      await remember(deps.chrome, item.id, { status: item.status, decidedBy: item.decidedBy });
    }
  }
  return { ok: true, enabled: conn.policy.askForApproval, approvals: list };
}

/** Asked by content scripts (the panel and its notice). */
export const approvalHandlers = Object.freeze({
  [M.APPROVAL_ASK.type]: handleAsk,
  [M.APPROVAL_STATUS.type]: handleStatus,
});

/** Asked by the toolbar popup only. */
export const approvalPageHandlers = Object.freeze({
  [M.APPROVAL_LIST.type]: handleList,
});
