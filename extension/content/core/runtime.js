/*
 * Content-script runtime: messaging to the service worker, and detaching quietly when the extension
 * is updated or reloaded.
 *
 * When the extension reloads, Chrome leaves this old script running in open tabs but cuts it off:
 * chrome.runtime.id becomes undefined and sendMessage throws "Extension context invalidated". The
 * guard then removes its listeners (one AbortController for all of them) and its UI, so the page
 * behaves as if Postguard were not there, instead of holding posts it can no longer check.
 */
import { make } from "../../shared/messages.js";

const root = globalThis;

const lifecycle = {
  controller: new AbortController(),
  onDetach: [],
  detached: false,
};

/** The signal every listener is registered with; aborting it unloads the guard. */
function signal() { return lifecycle.controller.signal; }

/** Runs `fn` when the guard detaches (remove UI, clear timers). */
function onDetach(fn) { lifecycle.onDetach.push(fn); }

/** Unloads everything once; later calls do nothing. */
function detach() {
  if (lifecycle.detached) return;
  lifecycle.detached = true;
  lifecycle.controller.abort();
  for (const fn of lifecycle.onDetach.splice(0)) {
    try { fn(); } catch (_err) { /* a failing cleanup must not stop the others */ }
  }
}

/** True while the extension that injected this script is still alive. */
function contextAlive() {
  try { return Boolean(root.chrome?.runtime?.id); } catch (_err) { return false; }
}

const ORPHANED = { ok: false, error: { code: "extension_reloaded", message: "The extension was reloaded." } };

const NO_ANSWER = { ok: false, error: { code: "no_answer", message: "The extension did not answer." } };
const RETRY_AFTER_MS = 50;

/**
 * Sends one catalogue message to the worker. Never throws: an orphaned context detaches the guard
 * and answers with an error.
 *
 * A worker stopped while it handled the message (Chrome can stop it at any moment; the browser can
 * restart it) closes the message port without an answer. The message is then sent once more,
 * which starts a fresh worker: a check simply runs again, so a risky post is not let through
 * just because the worker went away mid-check. A decision may so reach the audit log twice (at
 * least once, never lost). Only a second silence is reported as "no answer" (the caller applies
 * failMode).
 */
async function send(type, payload) {
  for (let attempt = 0; ; attempt += 1) {
    if (lifecycle.detached) return ORPHANED;
    if (!contextAlive()) { detach(); return ORPHANED; }
    try {
      const answer = await root.chrome.runtime.sendMessage(make(type, payload));
      if (answer) return answer;
    } catch (err) {
      if (!contextAlive() || /context invalidated/i.test(String(err?.message))) { detach(); return ORPHANED; }
    }
    if (attempt >= 1) return NO_ANSWER;
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
  }
}

export const runtime = { signal, onDetach, detach, contextAlive, send, get detached() { return lifecycle.detached; } };
