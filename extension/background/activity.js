/**
 * What the options page shows about recent work: the last checks (verdict, categories, timing —
 * never the text) and per-site adapter health counters, which are the first sign that a site changed
 * its markup (refined-github's habit of warning when a selector stops matching).
 */
import { readArea, updateLocal, withLock, writeArea } from "./storage.js";

export const RECENT_KEY = "recentChecks";
export const ADAPTER_KEY = "adapterHealth";
export const HEALTH_KEY = "companionHealth";
export const MAX_RECENT = 25;

/** Records one finished check, newest first. */
export async function recordCheck(chromeApi, { platform, verdict, categories, ms, error }, now = Date.now()) {
  const entry = { at: now, platform, verdict: verdict || null, categories: categories || [], ms, error: error || null };
  await updateLocal(chromeApi, RECENT_KEY, (list) => [entry, ...(Array.isArray(list) ? list : [])].slice(0, MAX_RECENT));
}

/** Bumps a site's matched/missed counter for one probe (e.g. "submit", "editor", "scope"). */
export async function recordAdapter(chromeApi, { site, outcome, probe }, now = Date.now()) {
  await updateLocal(chromeApi, ADAPTER_KEY, (table) => {
    const all = table && typeof table === "object" ? table : {};
    const row = all[site] || { matched: 0, missed: 0, probes: {}, lastMatchedAt: null, lastMissedAt: null };
    const counters = row.probes[probe] || { matched: 0, missed: 0 };
    counters[outcome] += 1;
    row[outcome] += 1;
    row.probes[probe] = counters;
    row[outcome === "matched" ? "lastMatchedAt" : "lastMissedAt"] = now;
    all[site] = row;
    return all;
  });
}

/**
 * Remembers the companion's last answer to a health call. Written only when it differs from the one
 * stored (`at` is when it last changed): every write is a storage change that every extension page
 * and guarded tab hears, and the options page and the popup ask for the health every few seconds.
 * Answers whether it changed.
 */
export async function recordHealth(chromeApi, health, now = Date.now()) {
  let changed = false;
  await withLock(`postguard:${HEALTH_KEY}`, async () => {
    const stored = (await readArea(chromeApi, "local", HEALTH_KEY))[HEALTH_KEY];
    const { at: _at, ...previous } = stored || {};
    if (stored && JSON.stringify(previous) === JSON.stringify(health)) return;
    changed = true;
    await writeArea(chromeApi, "local", { [HEALTH_KEY]: { ...health, at: now } });
  });
  return changed;
}

/** Everything the options page lists. */
export async function readActivity(chromeApi) {
  const stored = await readArea(chromeApi, "local", [RECENT_KEY, ADAPTER_KEY, HEALTH_KEY]);
  return {
    recentChecks: stored[RECENT_KEY] || [],
    adapterHealth: stored[ADAPTER_KEY] || {},
    lastHealth: stored[HEALTH_KEY] || null,
  };
}
