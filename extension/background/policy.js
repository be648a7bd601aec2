/**
 * The effective policy: IT's managed values over the user's own settings over the pinned defaults.
 *
 * Read live on every request (chrome.storage.managed changes when IT pushes a new policy; the
 * worker keeps no copy). A value of the wrong type or outside its enum is ignored at its level, so
 * a typo in a policy file falls back to the next level instead of breaking the guard.
 */
import { SITES } from "../shared/sites.js";
import { readArea } from "./storage.js";

/** The guarded sites' ids, from shared/sites.json. */
export const SITE_IDS = Object.freeze(SITES.map((site) => site.id));

/** Pinned defaults: acceptance checks rely on them. */
export const DEFAULT_POLICY = Object.freeze({
  companionUrl: "http://127.0.0.1:7717",
  enforcement: "warn",
  failMode: "open",
  allowOverride: true,
  requireJustification: true,
  sites: SITE_IDS,
  supportUrl: "",
  supportText: "",
  askForApproval: true,
  reactionPolicy: Object.freeze({
    react: Object.freeze({ competitor: "warn", client: "monitor", red_line: "warn" }),
    share: Object.freeze({ competitor: "warn", client: "monitor", red_line: "warn" }),
    comment: Object.freeze({ competitor: "warn", client: "monitor", red_line: "warn" }),
  }),
});

const REACTION_GROUPS = ["react", "share", "comment"];
const REACTION_REASONS = ["competitor", "client", "red_line"];
const LEVELS = ["monitor", "warn", "block"];

/** A reaction policy is an object of action groups, each an object of reasons with a level; any subset. */
function isReactionPolicy(v) {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  return Object.entries(v).every(([group, cells]) => REACTION_GROUPS.includes(group) && cells && typeof cells === "object"
    && !Array.isArray(cells) && Object.entries(cells).every(([reason, level]) => REACTION_REASONS.includes(reason) && LEVELS.includes(level)));
}

/** Every cell filled: IT may set only `{react: {client: "warn"}}`; the rest keeps the user's or the default. */
function fillReactionPolicy(...levels) {
  const filled = {};
  for (const group of REACTION_GROUPS) {
    filled[group] = Object.assign({}, ...levels.map((level) => (level && level[group]) || {}));
  }
  return filled;
}

export const USER_SETTINGS_KEY = "userSettings";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function isLoopbackUrl(value) {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK_HOSTS.has(url.hostname);
  } catch (_err) {
    return false;
  }
}

function isHttpUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch (_err) {
    return false;
  }
}

/** One validator per key: why a value is acceptable, in one place. */
const VALIDATORS = Object.freeze({
  companionUrl: (v) => typeof v === "string" && isLoopbackUrl(v),
  enforcement: (v) => ["monitor", "warn", "block"].includes(v),
  failMode: (v) => ["open", "closed"].includes(v),
  allowOverride: (v) => typeof v === "boolean",
  requireJustification: (v) => typeof v === "boolean",
  sites: (v) => Array.isArray(v) && v.every((s) => SITE_IDS.includes(s)),
  supportUrl: (v) => typeof v === "string" && (v === "" || isHttpUrl(v)),
  // Plain words shown after "Contact IT:" (a phone extension, a desk's name); never HTML (textContent).
  supportText: (v) => typeof v === "string" && v.length <= 200,
  reactionPolicy: isReactionPolicy,
  // "Ask for approval" in the panel (offered only when the companion can also reach a central service).
  askForApproval: (v) => typeof v === "boolean",
});

export const POLICY_KEYS = Object.freeze(Object.keys(VALIDATORS));

/** Keeps only known keys with valid values. */
export function sanitizeSettings(raw) {
  const clean = {};
  if (!raw || typeof raw !== "object") return clean;
  for (const key of POLICY_KEYS) {
    if (key in raw && VALIDATORS[key](raw[key])) clean[key] = raw[key];
  }
  if (clean.companionUrl) clean.companionUrl = clean.companionUrl.replace(/\/+$/, "");
  return clean;
}

/**
 * Merges the three levels. Returns the policy and the keys IT locked (present and valid in the
 * managed level), which the options page shows as read-only.
 */
export function mergePolicy(managedRaw, userRaw, defaults = DEFAULT_POLICY) {
  const managed = sanitizeSettings(managedRaw);
  const user = sanitizeSettings(userRaw);
  const policy = { ...defaults, ...user, ...managed };
  policy.sites = [...policy.sites];
  policy.reactionPolicy = fillReactionPolicy(defaults.reactionPolicy, user.reactionPolicy, managed.reactionPolicy);
  return { policy, locked: Object.keys(managed), user };
}

/** Reads both levels from chrome.storage and merges them. */
export async function readPolicy(chromeApi) {
  const [managed, local] = await Promise.all([
    readArea(chromeApi, "managed", null),
    readArea(chromeApi, "local", USER_SETTINGS_KEY),
  ]);
  return mergePolicy(managed, local[USER_SETTINGS_KEY]);
}
