/**
 * Loads a site's content scripts into a jsdom window: the site's own bundle entry
 * (scripts/build-extension.mjs's entrySource: its two adapters handed to startContent), bundled and
 * evaluated in the window, with the modules the tests look into exported as `window.postguard`.
 */
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
import { createChromeFake } from "./chrome-fake.js";
import { evalModules } from "./bundle.js";
import { entrySource, readSites } from "../../../scripts/build-extension.mjs";

export const FIXTURES = new URL("../fixtures/", import.meta.url);

// What the tests inspect, beside what the shipped entry does (which exports nothing).
const INSPECTED = [
  'export { adapters } from "./content/core/adapter-base.js";',
  'export { editorText as text } from "./content/core/text.js";',
  'export { panelUi as panel } from "./ui/panel.js";',
  'export { placement } from "./ui/placement.js";',
  'export { photoNotices } from "./content/core/photo-notices.js";',
  'export { precheck } from "./content/core/precheck.js";',
  'export { policyStore } from "./content/core/policy-store.js";',
  'export { runtime } from "./content/core/runtime.js";',
  'export { liveMarks } from "./content/core/live-marks.js";',
  'export { findingActions } from "./content/core/finding-actions.js";',
].join("\n");

/** The entry of `host`'s site, started (as shipped) or only imported, exporting what the tests inspect. */
function siteEntry(host, start) {
  const site = readSites().find((s) => s.origins.includes(`https://${host}`));
  if (!site) throw new Error(`no site in extension/shared/sites.json has the origin https://${host}`);
  return `${entrySource(site, { start })}${INSPECTED}\n`;
}

/** A jsdom window showing a saved fixture, with the site's content scripts loaded (started or not). */
export function loadSite(fixture, host, { start = false, chrome, withScripts = true } = {}) {
  const html = readFileSync(new URL(fixture, FIXTURES), "utf8");
  const dom = new JSDOM(html, { url: `https://${host}/feed/`, runScripts: "outside-only", pretendToBeVisual: true });
  const win = dom.window;
  win.chrome = chrome || createChromeFake();
  if (withScripts) evalModules(win, siteEntry(host, start));
  return win;
}
