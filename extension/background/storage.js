/**
 * Storage wrappers that never throw (the uBlock Origin Lite habit): a missing managed area (no
 * policy installed, Firefox without a schema), a quota error or a context being torn down must not
 * break a check or an options page. Every read answers with a plain object; every write answers
 * true/false.
 *
 * The service worker keeps no state in module globals: it can be evicted at any moment, so every
 * piece of state lives in chrome.storage and is read when needed.
 */

/** Reads keys from a storage area ("local", "managed", "session"); {} when the area fails. */
export async function readArea(chromeApi, areaName, keys = null) {
  try {
    const area = chromeApi?.storage?.[areaName];
    if (!area) return {};
    const value = await area.get(keys);
    return value && typeof value === "object" ? value : {};
  } catch (_err) {
    return {};
  }
}

/** Writes an object into a storage area; false instead of an exception. */
export async function writeArea(chromeApi, areaName, items) {
  try {
    await chromeApi.storage[areaName].set(items);
    return true;
  } catch (_err) {
    return false;
  }
}

/**
 * Runs `fn` while holding the named lock: Web Locks in the browser (held across every context of
 * the extension); where they are missing, a promise chain in this module (in-flight coordination,
 * not state: an evicted worker takes its in-flight work with it). `ifAvailable` answers
 * `fn(null)` at once when the lock is taken, as Web Locks do.
 */
const fallbackLocks = new Map();

export function withLock(name, fn, { ifAvailable = false } = {}) {
  const locks = globalThis.navigator?.locks;
  if (locks?.request) return locks.request(name, { ifAvailable }, fn);
  const held = fallbackLocks.get(name);
  if (held && ifAvailable) return Promise.resolve().then(() => fn(null));
  const run = (held || Promise.resolve()).then(() => fn({ name }));
  const tail = run.catch(() => {}).finally(() => {
    if (fallbackLocks.get(name) === tail) fallbackLocks.delete(name);
  });
  fallbackLocks.set(name, tail);
  return run;
}

/**
 * Read-modify-write of one key in storage.local under a lock, so two messages arriving together
 * (two tabs posting) do not lose an update.
 */
export async function updateLocal(chromeApi, key, update) {
  return withLock(`postguard:${key}`, async () => {
    const current = (await readArea(chromeApi, "local", key))[key];
    const next = await update(current);
    await writeArea(chromeApi, "local", { [key]: next });
    return next;
  });
}
