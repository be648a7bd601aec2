/*
 * The message catalogue: every message a content script or an extension page may send to the
 * service worker, in one place, so that both ends agree and docs/extension.md can list them.
 * An ES module: the worker and the extension pages import it, and the content scripts' bundle
 * (scripts/build-extension.mjs) carries its own copy.
 *
 * `trust` says who may send a message: "content" (a content script in a guarded page; the page
 * itself cannot reach us, but a content script runs next to a hostile page, so its input is
 * validated) or "extension" (our own options page). Extension pages may also send content messages.
 */
export const MESSAGES = Object.freeze({
  CHECK: Object.freeze({
    type: "check", trust: "content",
    request: "{text: string, images: [{name, mime, data(base64)}], platform, url, actingAs?: string}",
    response: "{ok: true, result: {scan_id, verdict, findings, timings_ms, ocr_incomplete, warnings}, policy} | {ok: false, error, policy}",
    why: "Runs /v1/check in the worker: a content-script fetch would carry the page's Origin.",
  }),
  DECISION: Object.freeze({
    type: "decision", trust: "content",
    request: "{scanId: string|null, action: posted|edited|cancelled|overridden|redacted, justification?, platform}",
    response: "{ok: true, delivered: boolean}",
    why: "Audits what the user did; queued in storage.local while the companion is down.",
  }),
  REDACT_IMAGE: Object.freeze({
    type: "redact-image", trust: "content",
    request: "{image: {name, mime, data}, boxes: [[x,y,w,h], ...]}",
    response: "{ok: true, image: {name, mime, data}} | {ok: false, error}",
    why: "Blacks out the finding boxes of a photo through /v1/redact.",
  }),
  POLICY_GET: Object.freeze({
    type: "policy-get", trust: "content",
    request: "{}",
    response: "{ok: true, policy, locked: [keys set by IT]}",
    why: "The effective policy: managed over user over defaults.",
  }),
  ADAPTER_REPORT: Object.freeze({
    type: "adapter-report", trust: "content",
    request: "{site, outcome: matched|missed, probe: string}",
    response: "{ok: true}",
    why: "Counts adapter hits and misses so a site's markup change shows in the options page.",
  }),
  REACTION_CHECK: Object.freeze({
    type: "reaction-check", trust: "content",
    request: "{site, posts: [{author_name, author_handle, text}] (1 to 8)}",
    response: "{ok: true, results: [{reasons, listed, red_line, timings_ms} | null per post], policy} | {ok: false, error, policy}",
    why: "Runs /v1/reaction-check for posts scrolling into view or hovered, in batches (also over the postguard-reaction-check port); nothing is stored.",
  }),
  REACTION: Object.freeze({
    type: "reaction", trust: "content",
    request: "{site, action: react|repost|share|comment, decision: cancelled|overridden|monitored|allowed_unchecked, reasons, red_line, author_name, author_handle, post_id, justification?}",
    response: "{ok: true, delivered: boolean}",
    why: "Audits what the user did with a risky post (POST /v1/reaction); best effort, not queued.",
  }),
  APPROVAL_ASK: Object.freeze({
    type: "approval-ask", trust: "content",
    request: "{text: string, images: [{name, mime, data(base64)}], platform, scanId: string|null}",
    response: "{ok: true, approval: {id, status: pending, content_hash}} | {ok: false, error}",
    why: "'Ask for approval': the draft goes through the companion (/v1/approvals) to the company's reviewers.",
  }),
  APPROVAL_STATUS: Object.freeze({
    type: "approval-status", trust: "content",
    request: "{id?: string}",
    response: "{ok: true, available: boolean, approval?: {id, status, content_hash, comment, decided_by, decided_at}} | {ok: false, error}",
    why: "Without id: may the panel offer 'Ask for approval' (/v1/health approvals); with id: the answer so far.",
  }),
  APPROVAL_LIST: Object.freeze({
    type: "approval-list", trust: "extension",
    request: "{}",
    response: "{ok: true, enabled: boolean, approvals: [{id, platform, askedAt, status, comment, decidedBy, decidedAt, stale}]}",
    why: "The toolbar popup: the answer to each request this browser sent (ids kept in storage.local, answers asked afresh).",
  }),
  STATUS_GET: Object.freeze({
    type: "status-get", trust: "extension",
    request: "{}",
    response: "{ok: true, policy, locked, user, health: {reachable, versions, org}, recentChecks, adapterHealth, queuedDecisions}",
    why: "Everything the options page and the toolbar popup show (reads the companion's health).",
  }),
  SETTINGS_SET: Object.freeze({
    type: "settings-set", trust: "extension",
    request: "{settings: {key: value, ...}}",
    response: "{ok: true, policy, locked} | {ok: false, error}",
    why: "Stores the user's own settings; keys locked by policy are refused.",
  }),
  AUDIT_FLUSH: Object.freeze({
    type: "audit-flush", trust: "extension",
    request: "{}",
    response: "{ok: true, delivered: number, remaining: number}",
    why: "Delivers queued decisions now (the options page's 'Send now').",
  }),
});

export const ERROR_CODES = Object.freeze({
  COMPANION_UNREACHABLE: "companion_unreachable",
  COMPANION_ERROR: "companion_error",
  BAD_REQUEST: "bad_request",
  FORBIDDEN: "forbidden",
  UNKNOWN_MESSAGE: "unknown_message",
  LOCKED: "locked_by_policy",
});

const byType = {};
for (const spec of Object.values(MESSAGES)) byType[spec.type] = spec;

/** The catalogue entry for a message type, or undefined for an unknown one. */
export function specFor(type) { return Object.prototype.hasOwnProperty.call(byType, type) ? byType[type] : undefined; }

/** Builds one message; the only shape the router accepts. */
export function make(type, payload) { return { type, payload: payload || {} }; }

/** The one error envelope, as the companion uses it. */
export function error(code, message) { return { ok: false, error: { code, message } }; }
