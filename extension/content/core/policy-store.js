/*
 * The one policy store of a page's content scripts. The composer guard, the panel, the count badge
 * and the reaction guard read the effective policy (IT's managed values over the user's own settings
 * over the defaults, merged by the worker in background/policy.js) with `current()`, and hear of a
 * change with `subscribe()`. It is fed from the background only:
 *   - the worker's answer to policy-get (`read`): at start, retried while the worker starts at
 *     document_start; whenever storage says the managed policy or the user's settings changed; and
 *     when a decision needs it fresh ("Post anyway", a held post whose answer was cached);
 *   - the policy that travels with every check answer (`accept`).
 * Until the worker first answers, the defaults below apply: every site in shared/sites.json guarded.
 *
 * The reaction table's cells from the org directory come only with reaction checks (the companion
 * sends them); a later policy without them (policy-get, a post's check) keeps the last ones seen.
 */
import { MESSAGES } from "../../shared/messages.js";
import { SITES } from "../../shared/sites.js";
import { runtime } from "./runtime.js";

const root = globalThis;

export const DEFAULT_POLICY = Object.freeze({
  enforcement: "warn", failMode: "open", allowOverride: true, requireJustification: true,
  sites: Object.freeze(SITES.map((site) => site.id)), supportUrl: "", supportText: "",
});
const START_READS = 6; // the first read and 5 retries, 0.5 s, 1 s, ... apart

let policy = DEFAULT_POLICY;
let orgReactionCells = null;
let startup = null;
const listeners = new Set();

/** The policy in force now. */
function current() {
  return policy;
}

/** Calls `listener(policy)` on every policy the store takes in; returns the function that stops it. */
function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Takes in a policy the worker sent; `orgCells`: it came with a reaction check (org reaction cells). */
function accept(next, { orgCells = false } = {}) {
  if (!next || typeof next !== "object") return;
  if (orgCells) orgReactionCells = next.reactionPolicy || null;
  policy = orgReactionCells && !orgCells ? { ...next, reactionPolicy: orgReactionCells } : next;
  for (const listener of [...listeners]) {
    try { listener(policy); } catch (_err) { /* one listener's failure must not starve the others */ }
  }
}

/** Asks the worker for the policy now; resolves to it (taken in), or null when the worker did not answer. */
async function read() {
  const answer = await runtime.send(MESSAGES.POLICY_GET.type, {});
  if (!answer?.ok || !answer.policy) return null;
  accept(answer.policy);
  return policy;
}

/**
 * Reads the policy, waiting at most `ms`: null when the fresh policy is in (`current()` has it), else
 * {later}: the read still under way (wrapped, since an async function returning a promise would wait).
 */
async function within(ms) {
  const reading = read();
  const inTime = await Promise.race([reading.then(() => true), new Promise((resolve) => root.setTimeout(() => resolve(false), ms))]);
  return inTime ? null : { later: reading };
}

async function readAtStart(attempt = 0) {
  if (await read()) return;
  if (attempt + 1 < START_READS && !runtime.detached) {
    root.setTimeout(() => readAtStart(attempt + 1), 500 * (attempt + 1));
  }
}

/** Reads the policy and follows storage changes; once per page (later calls answer the first read). */
function start() {
  if (startup) return startup;
  try {
    // Only a policy change matters here (the worker also stores activity and health in "local").
    const onChanged = (changes, area) => { if (area === "managed" || (area === "local" && changes.userSettings)) read(); };
    root.chrome.storage.onChanged.addListener(onChanged);
    runtime.onDetach(() => { try { root.chrome.storage.onChanged.removeListener(onChanged); } catch (_e) { /* orphaned */ } });
  } catch (_err) {
    // No storage events (a page without the extension's storage): the policy follows reads only.
  }
  startup = readAtStart();
  return startup;
}

export const policyStore = { current, subscribe, accept, read, within, start };
