/**
 * The only code that talks to the local companion. It runs in the service worker so that requests
 * carry the extension's Origin (chrome-extension://<id>), which the companion allows; a fetch from a
 * content script would carry linkedin.com's Origin and be refused.
 *
 * Every call has a timeout and answers with {ok: true, body} or the error envelope
 * {ok: false, error: {code, message}}; messages never include the post text.
 */

export const TIMEOUTS_MS = Object.freeze({
  health: 1500,
  checkText: 4000,
  checkImages: 20000,
  decision: 3000,
  redact: 15000,
});

/**
 * The language the extension's own UI is shown in, sent as Accept-Language so finding messages come
 * in the same language as the panel around them (en or zh). Each _locales file names its own
 * language (`localeCode`), so this is the language of the messages Chrome actually picked.
 * `getUILanguage()` and even `@@ui_locale` can disagree with them: in a Chromium started with
 * --lang=zh-CN the service worker got Chinese messages while both said en-US (checked 2026-12-04),
 * and the panel's Chinese labels came with English findings. They are only fallbacks.
 */
export function acceptLanguage(chromeApi) {
  try {
    const i18n = chromeApi?.i18n;
    const shown = i18n?.getMessage?.("localeCode") || i18n?.getMessage?.("@@ui_locale") || i18n?.getUILanguage?.() || "en";
    const lang = shown.replace(/_/g, "-");
    return lang.toLowerCase().startsWith("zh") ? "zh-CN,zh;q=0.9,en;q=0.5" : `${lang},en;q=0.5`;
  } catch (_err) {
    return "en";
  }
}

/**
 * One request to the companion. `fetchImpl` is a seam for unit tests only; the extension always
 * uses the real fetch.
 */
export async function callCompanion({ baseUrl, method = "GET", path, body, timeoutMs, language, fetchImpl }) {
  const doFetch = fetchImpl || globalThis.fetch.bind(globalThis);
  const headers = { Accept: "application/json", "Accept-Language": language || "en" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await doFetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (err) {
    const timedOut = err?.name === "TimeoutError" || err?.name === "AbortError";
    return unreachable(timedOut ? "The companion did not answer in time." : "The companion is not running.");
  }
  let parsed = null;
  try {
    parsed = await response.json();
  } catch (_err) {
    parsed = null;
  }
  if (response.ok && parsed && typeof parsed === "object") return { ok: true, body: parsed };
  const envelope = parsed?.error;
  return {
    ok: false,
    status: response.status,
    error: {
      code: typeof envelope?.code === "string" ? envelope.code : "companion_error",
      message: typeof envelope?.message === "string" ? envelope.message : `Companion answered HTTP ${response.status}.`,
    },
  };
}

function unreachable(message) {
  return { ok: false, status: 0, error: { code: "companion_unreachable", message } };
}

/** True when an error means "try again later" (down, timed out, overloaded), not "this was wrong". */
export function isRetryable(result) {
  return !result.ok && (result.status === 0 || result.status >= 500 || result.status === 429);
}

let profileEmail;

/**
 * The company email of the browser profile (a managed Chrome signed in with the corporate account),
 * or null. The companion audits it as the person; without it, IT's identity map names them. Needs the
 * "identity" and "identity.email" permissions; read once per service worker start.
 */
export async function profileIdentity(identityApi = globalThis.chrome?.identity) {
  if (profileEmail !== undefined) return profileEmail;
  try {
    const info = identityApi?.getProfileUserInfo ? await identityApi.getProfileUserInfo({ accountStatus: "ANY" }) : null;
    profileEmail = info?.email || null;
  } catch {
    profileEmail = null;
  }
  return profileEmail;
}

/** POST /v1/check. */
export async function checkPost({ baseUrl, language, fetchImpl }, { text, images, platform, url, actingAs }) {
  const timeoutMs = images.length ? TIMEOUTS_MS.checkImages : TIMEOUTS_MS.checkText;
  const body = { text, images, platform, url };
  if (actingAs) body.acting_as = actingAs; // the site identity, judged against identities.yaml
  const identity = await profileIdentity();
  if (identity) body.identity = identity;
  return callCompanion({ baseUrl, language, fetchImpl, timeoutMs, method: "POST", path: "/v1/check", body });
}

/** POST /v1/decision. */
export async function sendDecision({ baseUrl, language, fetchImpl }, decision) {
  const body = { scan_id: decision.scan_id ?? null, action: decision.action };
  const identity = await profileIdentity();
  if (identity) body.identity = identity;
  if (decision.justification) body.justification = decision.justification;
  if (decision.platform) body.platform = decision.platform;
  // No scan id: the check never ran (companion unreachable); the companion records it as offline.
  if (!decision.scan_id) body.offline = true;
  return callCompanion({
    baseUrl, language, fetchImpl, timeoutMs: TIMEOUTS_MS.decision, method: "POST", path: "/v1/decision", body,
  });
}

/** POST /v1/redact. */
export function redactImage({ baseUrl, language, fetchImpl }, { image, boxes }) {
  return callCompanion({
    baseUrl, language, fetchImpl, timeoutMs: TIMEOUTS_MS.redact, method: "POST", path: "/v1/redact",
    body: { image, boxes },
  });
}

/** GET /v1/health. */
export function health({ baseUrl, language, fetchImpl }) {
  return callCompanion({ baseUrl, language, fetchImpl, timeoutMs: TIMEOUTS_MS.health, path: "/v1/health" });
}
