/**
 * Decisions waiting for the companion. Every decision (posted, edited, cancelled, overridden,
 * redacted) must reach the audit log; while the companion is down they wait in chrome.storage.local
 * (which survives the worker being evicted and the browser restarting) and are delivered in order
 * when it is back: after the next successful call, or by the retry alarm.
 *
 * An entry holds only the scan id, the action and the justification the user typed: never the post.
 *
 * Reactions wait in the same queue (`kind: "reaction"`): the record the companion takes (action,
 * decision, reasons, the author's name and handle as the page showed them, the post id, who the user
 * acted as), never the post's text. Each carries a `delivery_id` the companion records it under, so
 * a second delivery (an answer lost on the way back, a flush after a send that did arrive) is
 * recorded once. A kind other than decisions is sent by the sender registered for it
 * (`sendQueuedAs`, from the module that owns that kind).
 */
import { readArea, updateLocal, withLock } from "./storage.js";

export const QUEUE_KEY = "auditQueue";
export const DROPPED_KEY = "auditDropped";
export const RETRY_ALARM = "postguard-audit-retry";
export const MAX_QUEUE = 5000;

/** A client-side id, so the same entry is never delivered twice after a partial flush. */
function newEntryId() {
  return globalThis.crypto?.randomUUID?.() || `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

const senders = new Map(); // entry kind -> async (entry, chromeApi) => answer like callCompanion

/** Registers how queued entries of `kind` are delivered (decisions go through flushQueue's `send`). */
export function sendQueuedAs(kind, send) {
  senders.set(kind, send);
}

async function append(chromeApi, entry) {
  await updateLocal(chromeApi, QUEUE_KEY, (queue) => {
    const list = Array.isArray(queue) ? queue : [];
    list.push(entry);
    // Beyond the cap the oldest go: a laptop offline for months must not fill the disk.
    return list.length > MAX_QUEUE ? list.slice(list.length - MAX_QUEUE) : list;
  });
  await armRetry(chromeApi);
  return entry;
}

/** Adds one reaction record (with its delivery_id) to the end of the queue and arms the retry alarm. */
export function enqueueReaction(chromeApi, body, now = Date.now()) {
  return append(chromeApi, { id: body.delivery_id || newEntryId(), kind: "reaction", body, queuedAt: now, attempts: 0 });
}

/** A new delivery id (a random UUID): the companion records a reaction once under it. */
export const newDeliveryId = () => newEntryId();

/** Adds one decision to the end of the queue and arms the retry alarm. */
export async function enqueueDecision(chromeApi, decision, now = Date.now()) {
  const entry = {
    id: newEntryId(),
    scan_id: decision.scan_id ?? null,
    action: decision.action,
    justification: decision.justification || undefined,
    platform: decision.platform || undefined,
    queuedAt: now,
    attempts: 0,
  };
  return append(chromeApi, entry);
}

/** The queued decisions, oldest first. */
export async function queuedDecisions(chromeApi) {
  const stored = (await readArea(chromeApi, "local", QUEUE_KEY))[QUEUE_KEY];
  return Array.isArray(stored) ? stored : [];
}

/**
 * Sends queued decisions in order through `send(entry)` (which answers like callCompanion). Stops at
 * the first retryable failure so order is kept; drops (and counts) an entry the companion rejects
 * as malformed, which would otherwise block the queue forever.
 */
export async function flushQueue(chromeApi, send, isRetryable) {
  const run = async () => {
    const pending = await queuedDecisions(chromeApi);
    const done = new Set();
    let dropped = 0;
    for (const entry of pending) {
      const other = entry.kind && senders.get(entry.kind);
      if (entry.kind && !other) continue; // its sender is not loaded here: it waits, never sent as a decision
      const result = other ? await other(entry, chromeApi) : await send(entry);
      if (result.ok) { done.add(entry.id); continue; }
      if (isRetryable(result)) break;
      done.add(entry.id);
      dropped += 1;
    }
    const remaining = await removeEntries(chromeApi, done);
    if (dropped) await updateLocal(chromeApi, DROPPED_KEY, (n) => (Number(n) || 0) + dropped);
    if (remaining === 0) await disarmRetry(chromeApi);
    return { delivered: done.size - dropped, dropped, remaining };
  };
  // One flush at a time: two flushes in parallel would deliver the same entries twice.
  return withLock("postguard:flush", (lock) =>
    lock ? run() : { delivered: 0, dropped: 0, remaining: -1, busy: true }, { ifAvailable: true });
}

async function removeEntries(chromeApi, ids) {
  const next = await updateLocal(chromeApi, QUEUE_KEY, (queue) =>
    (Array.isArray(queue) ? queue : []).filter((entry) => !ids.has(entry.id)));
  return next.length;
}

async function armRetry(chromeApi) {
  try {
    const existing = await chromeApi.alarms?.get?.(RETRY_ALARM);
    if (!existing) await chromeApi.alarms?.create?.(RETRY_ALARM, { periodInMinutes: 0.5 });
  } catch (_err) {
    // No alarms (unit tests, old browsers): the next successful call still flushes.
  }
}

async function disarmRetry(chromeApi) {
  try {
    await chromeApi.alarms?.clear?.(RETRY_ALARM);
  } catch (_err) {
    // See armRetry.
  }
}
