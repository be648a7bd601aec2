/**
 * Routes runtime messages to handlers by who sent them. A sender is trusted as "extension" when it
 * is one of our own pages, as "content" when it is our content script in a guarded site's tab, and
 * not at all otherwise (another extension, a page that found our ID).
 */
import { ERROR_CODES, error, specFor } from "../shared/messages.js";
import { SITES } from "../shared/sites.js";
import { contentHandlers, extensionHandlers } from "./handlers.js";

export const GUARDED_ORIGINS = Object.freeze(SITES.flatMap((site) => site.origins));

/** "extension", "content" or null for a runtime.onMessage sender. */
export function senderTrust(sender, chromeApi) {
  if (!sender || sender.id !== chromeApi.runtime.id) return null;
  const extensionBase = chromeApi.runtime.getURL("");
  if (typeof sender.url === "string" && sender.url.startsWith(extensionBase)) return "extension";
  let origin = sender.origin;
  if (!origin && typeof sender.url === "string") {
    try { origin = new URL(sender.url).origin; } catch (_err) { origin = null; }
  }
  if (sender.tab && GUARDED_ORIGINS.includes(origin)) return "content";
  return null;
}

/** Answers one message; never throws (a thrown error would leave the content script waiting). */
export async function routeMessage(message, sender, deps) {
  const trust = senderTrust(sender, deps.chrome);
  if (!trust) return error(ERROR_CODES.FORBIDDEN, "Sender not allowed.");
  const type = message?.type;
  if (typeof type !== "string" || !specFor(type)) return error(ERROR_CODES.UNKNOWN_MESSAGE, "Unknown message.");
  const table = trust === "extension" ? extensionHandlers : contentHandlers;
  const handler = Object.prototype.hasOwnProperty.call(table, type) ? table[type] : null;
  if (!handler) return error(ERROR_CODES.FORBIDDEN, "This sender may not send that message.");
  try {
    return await handler(message.payload || {}, deps);
  } catch (err) {
    // Name only the error class: an exception message could quote the post.
    return error("internal_error", `The extension failed to handle ${type} (${err?.name || "Error"}).`);
  }
}
