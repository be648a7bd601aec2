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
 * Read-modify-write of one key in storage.local, serialised through navigator.locks where the
 * worker has them, so two messages arriving together (two tabs posting) do not lose an update.
 */
export async function updateLocal(chromeApi, key, update) {
  const run = async () => {
    const current = (await readArea(chromeApi, "local", key))[key];
    const next = await update(current);
    await writeArea(chromeApi, "local", { [key]: next });
    return next;
  };
  const locks = globalThis.navigator?.locks;
  if (locks?.request) return locks.request(`postguard:${key}`, run);
  return run();
}
