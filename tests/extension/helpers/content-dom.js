/**
 * Loads the real content scripts (the manifest's own list for a site) into a jsdom window, the way
 * Chrome runs them: classic scripts sharing one global.
 */
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
import { EXTENSION_DIR, createChromeFake } from "./chrome-fake.js";

export const FIXTURES = new URL("../fixtures/", import.meta.url);
const manifest = JSON.parse(readFileSync(`${EXTENSION_DIR}manifest.json`, "utf8"));

/** The content-script files the manifest injects on `host`. */
export function contentFilesFor(host) {
  const entry = manifest.content_scripts.find((cs) => cs.matches.some((m) => m.includes(host)));
  return entry.js;
}

/** A jsdom window showing a saved fixture, with the site's content scripts loaded (main.js optional). */
export function loadSite(fixture, host, { start = false, chrome, withScripts = true } = {}) {
  const html = readFileSync(new URL(fixture, FIXTURES), "utf8");
  const dom = new JSDOM(html, { url: `https://${host}/feed/`, runScripts: "outside-only", pretendToBeVisual: true });
  const win = dom.window;
  win.chrome = chrome || createChromeFake();
  if (withScripts) {
    for (const file of contentFilesFor(host)) {
      if (!start && file === "content/main.js") continue;
      win.eval(readFileSync(`${EXTENSION_DIR}${file}`, "utf8"));
    }
  }
  return win;
}
