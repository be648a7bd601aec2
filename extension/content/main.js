/*
 * Content-script entry: starts this site's composer guard and reaction guard at document_start,
 * before the site's own scripts run. Each site's bundle (scripts/build-extension.mjs, one per
 * entry of shared/sites.json) imports the site's two adapters and calls `startContent` with them.
 */
import { createGuard } from "./core/guard.js";
import { runtime } from "./core/runtime.js";
import { createReactionGuard } from "./feed/reaction-guard.js";

let started = null;

/** Starts both guards once per page; later calls answer the guards already running. */
export function startContent(adapter, feedAdapter) {
  if (started) return started;
  const reactionGuard = feedAdapter ? createReactionGuard(feedAdapter) : null;
  // A comment under a feed post is decided with its post, on one card (feed/comment-gate.js).
  const guard = createGuard(adapter, { commentGate: reactionGuard?.commentGate || null });
  guard.start().catch(() => {});
  reactionGuard?.start(runtime.signal());
  started = { guard, reactionGuard };
  return started;
}
