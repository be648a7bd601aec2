/**
 * Runs extension modules in a jsdom window the way a browser runs the content scripts: bundled by
 * esbuild with the same options as scripts/build-extension.mjs, then evaluated in the window, so
 * `document`, `window` and timers are the window's own. What the entry source exports shows as
 * `window.postguard` (a test's view into the modules; the shipped bundles export nothing).
 */
import { buildSync } from "esbuild";
import { bundleOptions } from "../../../scripts/build-extension.mjs";

const built = new Map(); // entry source -> bundle text (one build per distinct entry per test file)

/** Bundles `source` (an ES module, imports relative to extension/) and evaluates it in `win`. */
export function evalModules(win, source) {
  if (!built.has(source)) {
    const result = buildSync(bundleOptions(source, "test-entry.js", { globalName: "postguard", metafile: false }));
    built.set(source, result.outputFiles[0].text);
  }
  win.eval(built.get(source));
  return win.postguard;
}
