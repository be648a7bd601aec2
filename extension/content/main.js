/*
 * Content-script entry: picks the adapter of this site (the manifest injects only the matching
 * adapter file) and starts the guard at document_start, before the site's own scripts run.
 */
(function main(root) {
  "use strict";
  const pg = root.postguard;
  if (!pg || pg.started) return;
  const adapter = Object.values(pg.adapters || {})[0];
  if (!adapter) return;
  pg.started = true;
  pg.guard = pg.createGuard(adapter);
  pg.guard.start().catch(() => {});
})(globalThis);
