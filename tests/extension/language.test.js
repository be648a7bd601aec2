/**
 * Finding messages come in the language the extension shows: the worker asks the companion in the
 * locale Chrome picked for the extension's UI (`@@ui_locale`), not in `getUILanguage()`, which
 * reported en-US in a browser whose Postguard panel was Chinese.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import "../../extension/shared/messages.js";
import { routeMessage } from "../../extension/background/router.js";
import { acceptLanguage } from "../../extension/background/companion-client.js";
import { USER_SETTINGS_KEY } from "../../extension/background/policy.js";
import { createChromeFake, EXTENSION_ID } from "./helpers/chrome-fake.js";
import { startStubCompanion } from "./helpers/stub-companion.js";

const sender = { id: EXTENSION_ID, url: "https://www.linkedin.com/feed/", origin: "https://www.linkedin.com", tab: { id: 1 } };

test("a Chinese extension UI asks for Chinese even when getUILanguage says en-US", () => {
  const chrome = createChromeFake({ locale: "zh_CN", uiLanguage: "en-US" });
  assert.match(acceptLanguage(chrome), /^zh-CN\b/);
});

test("an English extension UI asks for English even when getUILanguage says zh-CN", () => {
  const chrome = createChromeFake({ locale: "en", uiLanguage: "zh-CN" });
  assert.match(acceptLanguage(chrome), /^en\b/);
});

test("the check request carries the extension's UI language to the companion", async () => {
  const stub = await startStubCompanion();
  try {
    const chrome = createChromeFake({ locale: "zh_CN", uiLanguage: "en-US", local: { [USER_SETTINGS_KEY]: { companionUrl: stub.url } } });
    const deps = { chrome, background: () => {} };
    const answer = await routeMessage({ type: "check", payload: { text: "USD 1", images: [], platform: "linkedin", url: "" } }, sender, deps);
    assert.equal(answer.ok, true);
    const check = stub.received.find((r) => r.path === "/v1/check");
    assert.match(check.headers["accept-language"], /^zh-CN\b/);
  } finally {
    await stub.close();
  }
});
