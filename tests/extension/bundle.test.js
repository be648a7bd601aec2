/**
 * The content scripts the browser loads are the bundles in extension/dist/, built by
 * scripts/build-extension.mjs (scripts/install.sh runs it): one per site in shared/sites.json, the
 * manifest loading exactly that bundle, and each bundle what a fresh build of today's sources gives.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EXTENSION_DIR, bundlePath, readSites, staleness } from "../../scripts/build-extension.mjs";

test("extension/dist holds a fresh build of the content scripts (else: node scripts/build-extension.mjs)", async () => {
  const problems = await staleness();
  assert.deepEqual(problems, [], `${problems.join("; ")}: build the extension with node scripts/build-extension.mjs`);
});

test("each site's content script is its bundle alone, at document_start", () => {
  const manifest = JSON.parse(readFileSync(`${EXTENSION_DIR}manifest.json`, "utf8"));
  const sites = readSites();
  assert.equal(manifest.content_scripts.length, sites.length);
  for (const site of sites) {
    const block = manifest.content_scripts.find((cs) => JSON.stringify(cs.matches) === JSON.stringify(site.matches));
    assert.ok(block, `manifest.json has no content script for ${site.id}`);
    assert.deepEqual(block.js, [bundlePath(site)], site.id);
    assert.equal(block.run_at, "document_start");
  }
});

test("a bundle runs its site's own adapters and no other site's", () => {
  for (const site of readSites()) {
    const bundle = readFileSync(`${EXTENSION_DIR}${bundlePath(site)}`, "utf8");
    for (const other of readSites()) {
      const has = bundle.includes(`// ${other.composer}\n`) && bundle.includes(`// ${other.feed}\n`);
      assert.equal(has, other.id === site.id, `${bundlePath(site)} and ${other.id}'s adapters`);
    }
  }
});
