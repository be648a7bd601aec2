/**
 * Checks on what content scripts send. A content script runs beside a hostile page, so its messages
 * are shaped and bounded here before anything reaches the companion or storage.
 */
import { SITES } from "../shared/sites.js";

export const PLATFORMS = Object.freeze([...SITES.map((site) => site.id), "other"]);
export const ACTIONS = Object.freeze(["posted", "edited", "cancelled", "overridden", "redacted"]);
export const PROBES = Object.freeze(["editor", "submit", "scope", "image"]);
const MAX_TEXT = 100000;
const MAX_IMAGES = 10;
const MAX_IMAGE_B64 = 40 * 1024 * 1024;
const MAX_JUSTIFICATION = 2000;

function isImage(image) {
  return image && typeof image === "object"
    && typeof image.name === "string" && image.name.length <= 255
    && typeof image.mime === "string" && /^image\/[a-z0-9.+-]+$/i.test(image.mime)
    && typeof image.data === "string" && image.data.length <= MAX_IMAGE_B64;
}

/** A /v1/check request from a content script, or null when malformed. */
export function checkRequest(payload) {
  const { text, images = [], platform, url, actingAs } = payload || {};
  if (typeof text !== "string" || text.length > MAX_TEXT) return null;
  if (!Array.isArray(images) || images.length > MAX_IMAGES || !images.every(isImage)) return null;
  if (!PLATFORMS.includes(platform)) return null;
  const cleanImages = images.map(({ name, mime, data }) => ({ name, mime, data }));
  if (actingAs !== undefined && typeof actingAs !== "string") return null;
  const request = { text, images: cleanImages, platform, url: typeof url === "string" ? url.slice(0, 2048) : "" };
  if (actingAs && actingAs.trim()) request.actingAs = actingAs.trim().slice(0, 300); // who the user posts as on the site
  return request;
}

/** A decision from a content script, or null when malformed. */
export function decisionRequest(payload) {
  const { scanId, action, justification, platform } = payload || {};
  if (scanId !== null && scanId !== undefined && (typeof scanId !== "string" || scanId.length > 200)) return null;
  if (!ACTIONS.includes(action)) return null;
  if (justification !== undefined && typeof justification !== "string") return null;
  return {
    scan_id: scanId ?? null,
    action,
    justification: justification ? justification.slice(0, MAX_JUSTIFICATION) : undefined,
    platform: PLATFORMS.includes(platform) ? platform : undefined,
  };
}

/** An image redaction request, or null when malformed. */
export function redactRequest(payload) {
  const { image, boxes } = payload || {};
  if (!isImage(image) || !Array.isArray(boxes) || boxes.length === 0 || boxes.length > 200) return null;
  const boxesOk = boxes.every((b) => Array.isArray(b) && b.length === 4 && b.every((n) => Number.isFinite(n) && n >= 0));
  return boxesOk ? { image: { name: image.name, mime: image.mime, data: image.data }, boxes } : null;
}

/** An adapter counter report, or null when malformed. */
export function adapterReport(payload, siteIds) {
  const { site, outcome, probe } = payload || {};
  if (!siteIds.includes(site) || !["matched", "missed"].includes(outcome) || !PROBES.includes(probe)) return null;
  return { site, outcome, probe };
}
