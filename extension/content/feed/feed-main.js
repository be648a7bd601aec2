/*
 * Content-script entry of the reaction guard: picks this site's feed adapter (the manifest injects
 * only the matching one) and starts the guard at document_start, beside the composer guard.
 */
(function feedMain(root) {
  "use strict";
  const pg = root.postguard;
  if (!pg || pg.reactionGuard || !pg.createReactionGuard) return;
  const adapter = Object.values(pg.feedAdapters || {})[0];
  if (!adapter) return;
  pg.reactionGuard = pg.createReactionGuard(adapter);
  pg.reactionGuard.start(pg.runtime.signal());
})(globalThis);
