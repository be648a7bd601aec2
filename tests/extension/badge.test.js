/**
 * The toolbar button: its badge turns red while the checker (companion) does not answer and clears
 * when it answers again; the status the popup reads carries the org lists' version and whether they
 * are the shipped example's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { routeMessage } from "../../extension/background/router.js";
import { DOWN_COLOR } from "../../extension/background/badge.js";
import { refreshHealth } from "../../extension/background/handlers.js";
import { USER_SETTINGS_KEY } from "../../extension/background/policy.js";
import { createChromeFake, EXTENSION_ID } from "./helpers/chrome-fake.js";
import { startStubCompanion } from "./helpers/stub-companion.js";

const content = { id: EXTENSION_ID, url: "https://www.linkedin.com/feed/", origin: "https://www.linkedin.com", tab: { id: 1 } };
const popup = { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/popup/popup.html` };
const check = { type: "check", payload: { text: "Hello", images: [], platform: "linkedin", url: "" } };

async function closedPort() {
  const stub = await startStubCompanion();
  await stub.close();
  return stub.url;
}

function chromeFor(url) {
  return createChromeFake({ local: { [USER_SETTINGS_KEY]: { companionUrl: url } } });
}

test("a check that cannot reach the checker turns the badge red; one that can clears it", async () => {
  const chrome = chromeFor(await closedPort());
  const deps = { chrome, background: () => {} };
  await routeMessage(check, content, deps);
  assert.equal(chrome.action.badge.text, "!");
  assert.equal(chrome.action.badge.color, DOWN_COLOR);
  assert.match(chrome.action.badge.title, /checker isn't running/);
  const stub = await startStubCompanion();
  try {
    await chrome.storage.local.set({ [USER_SETTINGS_KEY]: { companionUrl: stub.url } });
    await routeMessage(check, content, deps);
    assert.equal(chrome.action.badge.text, "");
  } finally {
    await stub.close();
  }
});

test("the health alarm's read sets the badge without any post being checked", async () => {
  const chrome = chromeFor(await closedPort());
  await refreshHealth({ chrome, background: () => {} });
  assert.equal(chrome.action.badge.text, "!");
});

test("the status carries the org lists' version and whether they are the example's; health is stored once while it stays the same", async () => {
  const stub = await startStubCompanion();
  try {
    const chrome = chromeFor(stub.url);
    let healthWrites = 0;
    chrome.storage.onChanged.addListener((changes) => { if (changes.companionHealth) healthWrites += 1; });
    const deps = { chrome, background: () => {} };
    const status = await routeMessage({ type: "status-get", payload: {} }, popup, deps);
    assert.deepEqual(status.health.org, { version: "sha256:0123456789ab", example: true });
    await routeMessage({ type: "status-get", payload: {} }, popup, deps);
    await routeMessage({ type: "status-get", payload: {} }, popup, deps);
    assert.equal(healthWrites, 1, "a status read that learns nothing new writes nothing (the options page looped on it)");
  } finally {
    await stub.close();
  }
});
