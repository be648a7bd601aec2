/**
 * The panel of a held post follows IT's managed policy for as long as it is open: every change is
 * drawn (not only a policy that came late), so it never offers what IT has just turned off, and offers
 * again what IT turned back on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { facebookPage, prechecked, until, wait } from "./helpers/facebook-composer.js";

const TEXT = "Special price USD 0.42/pc";
const overrideOf = (page) => page.panel()?.querySelector('[data-postguard-action="override"]') || null;

/** IT changes the managed policy: the worker answers the new one, and storage says it changed. */
async function itSets(page, values) {
  Object.assign(page.live.policy, values);
  await page.chrome.storage.managed.set(values);
}

test("every managed policy change while the panel is open is drawn in it", async () => {
  const page = facebookPage();
  await wait(20); // the start-up policy read
  page.type(TEXT);
  await prechecked(page, TEXT);
  assert.equal(page.click(), false, "held");
  await until(() => overrideOf(page), "the panel offers 'Post anyway'");
  await itSets(page, { allowOverride: false });
  await until(() => page.panel() && !overrideOf(page), "first change: 'Post anyway' taken away");
  await itSets(page, { allowOverride: true });
  await until(() => overrideOf(page), "second change: 'Post anyway' offered again");
  await itSets(page, { enforcement: "block" });
  await until(() => page.panel() && !overrideOf(page), "third change: blocked, nothing to post anyway");
  assert.equal(page.siteClicks.length, 0, "still held");
});

test("a panel opened from the count badge closes without posting when IT switches to monitoring", async () => {
  const page = facebookPage();
  await wait(20);
  page.type(TEXT);
  await prechecked(page, TEXT);
  await until(() => page.badge(), "the count badge shows");
  page.badge().click();
  await until(() => overrideOf(page), "the panel opened from the badge");
  await itSets(page, { enforcement: "monitor" });
  await until(() => !page.panel(), "the panel closed");
  assert.equal(page.siteClicks.length, 0, "nothing was posted: the user never clicked Post");
});

test("'Post anyway' when IT has just switched to monitoring: the post goes out once", async () => {
  const page = facebookPage({ policy: { requireJustification: false } });
  await wait(20);
  page.type(TEXT);
  await prechecked(page, TEXT);
  page.click();
  await until(() => overrideOf(page), "the panel offers 'Post anyway'");
  page.live.policy.enforcement = "monitor"; // the worker knows; no storage event reached the page yet
  overrideOf(page).click();
  await until(() => page.siteClicks.length > 0, "posted");
  await until(() => page.decisions("posted").length > 0, "recorded as posted under monitoring");
  await wait(50); // a second replay would come right after the first
  assert.equal(page.siteClicks.length, 1, "posted once");
  assert.equal(page.panel(), undefined);
});
