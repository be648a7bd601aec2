#!/usr/bin/env node
/**
 * Builds the extension's content scripts with esbuild: one bundle per guarded site listed in
 * extension/shared/sites.json, written to extension/dist/content-<id>.js (the file the manifest's
 * content_scripts entry for that site loads). Each bundle starts from a generated entry that imports
 * the site's composer adapter and feed adapter and calls content/main.js's `startContent`, so the
 * import graph, not a load order, says what a content script needs.
 *
 * Beside the bundles, extension/dist/build.json records the SHA-256 of every bundle and of every
 * source file that went into it. The loaders that cannot run esbuild check the folder against it
 * (the end-to-end harness, `postguard deploy pack`), and the unit tests rebuild in memory and compare
 * byte for byte, so a stale or missing bundle fails loudly instead of testing or shipping old code.
 *
 *   node scripts/build-extension.mjs          write extension/dist/
 *   node scripts/build-extension.mjs --check  exit 1 when extension/dist/ is stale or missing
 *
 * scripts/install.sh runs it (so scripts/run.sh and scripts/test.sh do too).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const EXTENSION_DIR = fileURLToPath(new URL("../extension/", import.meta.url));
export const DIST = "dist";
const STAMP = `${DIST}/build.json`;
// The oldest browsers the manifest admits (Chrome's MV3 features we use; gecko strict_min_version).
const TARGET = ["chrome120", "firefox121"];

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/** The guarded sites, as extension/shared/sites.json lists them. */
export function readSites() {
  return JSON.parse(readFileSync(`${EXTENSION_DIR}shared/sites.json`, "utf8"));
}

/** The bundle a site's content_scripts entry loads, relative to extension/. */
export const bundlePath = (site) => `${DIST}/content-${site.id}.js`;

/**
 * The generated entry module of a site's bundle: its two adapters handed to startContent. The unit
 * tests' entries start from it too (tests/extension/helpers/content-dom.js), `start: false` when a
 * test only looks into the modules.
 */
export function entrySource(site, { start = true } = {}) {
  return [
    `import adapter from "./${site.composer}";`,
    `import feedAdapter from "./${site.feed}";`,
    'import { startContent } from "./content/main.js";',
    ...(start ? ["startContent(adapter, feedAdapter);"] : []),
    "",
  ].join("\n");
}

/** esbuild options for one entry source; shared with the unit tests' bundles. */
export function bundleOptions(contents, sourcefile, extra = {}) {
  return {
    stdin: { contents, resolveDir: EXTENSION_DIR, sourcefile, loader: "js" },
    absWorkingDir: EXTENSION_DIR, // paths in the bundle's comments are relative to extension/
    bundle: true,
    format: "iife",
    target: TARGET,
    charset: "utf8",
    legalComments: "none",
    write: false,
    metafile: true,
    logLevel: "silent",
    ...extra,
  };
}

/** Builds every site's bundle in memory: {files: {path: text}, stamp: object}. */
export async function buildBundles() {
  const files = {};
  const bundles = {};
  for (const site of readSites()) {
    const result = await esbuild.build(bundleOptions(entrySource(site), `content-${site.id}.entry.js`));
    const text = result.outputFiles[0].text;
    const inputs = {};
    for (const input of Object.keys(result.metafile.inputs).sort()) {
      if (input.startsWith("<stdin>") || input.includes("entry.js")) continue;
      inputs[input] = sha256(readFileSync(`${EXTENSION_DIR}${input}`));
    }
    inputs["shared/sites.json"] = sha256(readFileSync(`${EXTENSION_DIR}shared/sites.json`));
    files[bundlePath(site)] = text;
    bundles[bundlePath(site)] = { sha256: sha256(text), inputs };
  }
  const stamp = { builtBy: "scripts/build-extension.mjs", esbuild: esbuild.version, bundles };
  files[STAMP] = `${JSON.stringify(stamp, null, 2)}\n`;
  return { files, stamp };
}

/** What differs between a fresh build and extension/dist/: a list of sentences, empty when current. */
export async function staleness() {
  const { files } = await buildBundles();
  const problems = [];
  for (const [path, text] of Object.entries(files)) {
    let onDisk = null;
    try { onDisk = readFileSync(`${EXTENSION_DIR}${path}`, "utf8"); } catch { /* missing */ }
    if (onDisk === null) problems.push(`extension/${path} is missing`);
    else if (onDisk !== text) problems.push(`extension/${path} is stale`);
  }
  let present = [];
  try { present = readdirSync(`${EXTENSION_DIR}${DIST}`).map((name) => `${DIST}/${name}`); } catch { /* none */ }
  for (const path of present) if (!(path in files)) problems.push(`extension/${path} belongs to no site in sites.json`);
  return problems;
}

async function main() {
  if (process.argv.includes("--check")) {
    const problems = await staleness();
    if (problems.length) {
      console.error(`${problems.join("\n")}\nBuild the extension: node scripts/build-extension.mjs (scripts/install.sh runs it).`);
      process.exit(1);
    }
    console.log("extension/dist is up to date");
    return;
  }
  const { files } = await buildBundles();
  rmSync(`${EXTENSION_DIR}${DIST}`, { recursive: true, force: true });
  mkdirSync(`${EXTENSION_DIR}${DIST}`, { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(`${EXTENSION_DIR}${path}`, text);
  console.log(`Built ${Object.keys(files).length - 1} content-script bundles in extension/${DIST}/`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err.errors?.length ? err.message : err);
    process.exit(1);
  });
}
