/**
 * One extension folder for Chromium and Firefox: the manifest keys each browser needs, and the add-on
 * ID that IT's Firefox policy (companion/deploy/policy.py) names. The browsers themselves load it in
 * tests/e2e/test_extension_manifest.py (Chromium) and tests/e2e/test_firefox_composers.py (Firefox).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("extension/manifest.json", root), "utf8"));

test("Chromium's service worker and Firefox's background scripts are the same module", () => {
  const { background } = manifest;
  // Firefox runs no extension service worker and Chromium 121+ ignores `scripts` beside one: each
  // browser picks its key, and both must run the same code.
  assert.deepEqual(background.scripts, [background.service_worker]);
  assert.equal(background.type, "module");
});

test("the gecko ID is the add-on ID the Firefox policy force-installs and configures", () => {
  const policySource = readFileSync(new URL("companion/deploy/policy.py", root), "utf8");
  const policyId = /^FIREFOX_ADDON_ID = "([^"]+)"$/m.exec(policySource)?.[1];
  assert.equal(manifest.browser_specific_settings.gecko.id, policyId);
});

test("Firefox gets a version that runs MV3 background modules and managed storage from policies.json", () => {
  const min = Number.parseFloat(manifest.browser_specific_settings.gecko.strict_min_version);
  assert.ok(min >= 115, `strict_min_version ${min}`);
});
