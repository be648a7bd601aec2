/**
 * The count badge and Dismiss at the Post click, on the Facebook fixture with a fake worker: the badge
 * counts the pre-check's findings and opens the panel; a finding dismissed there (recorded once as
 * "overridden") does not hold the Post click again for the same words; changed words bring it back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { facebookPage as sharedPage, until, wait } from "./helpers/facebook-composer.js";

// Dismissals need no reason here, and each risky text gets a scan of its own.
const facebookPage = () => sharedPage({ policy: { requireJustification: false }, scanId: (text) => `risky-${text.length}` });

test("the badge counts the pre-check's findings, opens the panel, and goes once nothing is left", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Special price USD 0.42/pc");
  await until(() => page.badge(), "badge shown after the pre-check");
  assert.equal(page.badge().dataset.count, "1");
  assert.equal(page.badge().textContent, "!1 to review");
  page.badge().click();
  await until(() => page.panel(), "panel opened from the badge");
  assert.ok(page.panel().querySelector('[data-postguard-finding][data-category="pricing"]'));
  assert.equal(page.badge(), undefined, "the panel takes the badge's place");
  assert.equal(page.siteClicks.length, 0, "nothing posted");
  page.panel().querySelector('[data-postguard-action="edit"]').click();
  assert.equal(page.decisions("edited").length, 0, "closing a panel the badge opened is no decision");
  page.type("Special day at the fair");
  await until(() => !page.badge(), "badge gone once the pre-check finds nothing");
});

test("a dismissed finding does not hold the Post click again for the same words; recorded once", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Special price USD 0.42/pc");
  await until(() => page.badge(), "badge shown");
  page.badge().click();
  await until(() => page.panel(), "panel");
  page.panel().querySelector('[data-postguard-action="dismiss"]').click();
  await until(() => !page.panel(), "the last card dismissed from the badge closes the panel");
  assert.equal(page.siteClicks.length, 0, "and posts nothing");
  assert.equal(page.decisions("overridden").length, 1);
  page.type("Hi! Special price USD 0.42/pc"); // an edit elsewhere: same words
  await until(() => page.answered.includes("Hi! Special price USD 0.42/pc"), "the edit pre-checked");
  await wait(10); // the answer is taken in before the next timer fires
  assert.equal(page.badge(), undefined, "a dismissed finding is not counted");
  assert.equal(page.click(), true, "not held");
  assert.equal(page.siteClicks.length, 1);
  await until(() => page.decisions("posted").length === 1, "posted recorded");
  assert.equal(page.decisions("overridden").length, 1, "the dismissal is recorded once");
});

test("changing the dismissed words brings the finding back at the Post click", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Special price USD 0.42/pc");
  await until(() => page.badge(), "badge shown");
  page.badge().click();
  await until(() => page.panel(), "panel");
  page.panel().querySelector('[data-postguard-action="dismiss"]').click();
  await until(() => !page.panel(), "panel closed");
  page.type("Special price USD 0.45/pc");
  await until(() => page.badge(), "the changed words are counted again");
  assert.equal(page.click(), false, "held");
  await until(() => page.panel()?.querySelector('[data-category="pricing"]'), "the finding is back in the panel");
});

test("where IT no longer allows posting anyway, a dismissal does not let the post through", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Special price USD 0.42/pc");
  await until(() => page.badge(), "badge shown");
  page.badge().click();
  await until(() => page.panel(), "panel");
  page.panel().querySelector('[data-postguard-action="dismiss"]').click();
  await until(() => !page.panel(), "panel closed");
  const { policyStore } = page.win.postguard;
  policyStore.accept({ ...policyStore.current(), allowOverride: false });
  assert.equal(page.click(), false, "held");
});
