/**
 * Finding messages come in the language the extension shows: the worker asks the companion in the
 * language of the _locales file Chrome picked (its `localeCode` message), not in `getUILanguage()`
 * or `@@ui_locale`, which both reported en-US in a worker that showed Chinese messages.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { routeMessage } from "../../extension/background/router.js";
import { acceptLanguage } from "../../extension/background/companion-client.js";
import { USER_SETTINGS_KEY } from "../../extension/background/policy.js";
import { createChromeFake, EXTENSION_ID } from "./helpers/chrome-fake.js";
import { startStubCompanion } from "./helpers/stub-companion.js";

const sender = { id: EXTENSION_ID, url: "https://www.linkedin.com/feed/", origin: "https://www.linkedin.com", tab: { id: 1 } };

test("a Chinese extension UI asks for Chinese even when getUILanguage and @@ui_locale say en-US", () => {
  const chrome = createChromeFake({ locale: "zh_CN", uiLanguage: "en-US" });
  const getMessage = chrome.i18n.getMessage;
  chrome.i18n.getMessage = (key, subs) => (key === "@@ui_locale" ? "en_US" : getMessage(key, subs));
  assert.match(acceptLanguage(chrome), /^zh-CN\b/);
});

test("every locale names its own language for the companion", () => {
  assert.equal(createChromeFake({ locale: "en" }).i18n.getMessage("localeCode"), "en");
  assert.equal(createChromeFake({ locale: "zh_CN" }).i18n.getMessage("localeCode"), "zh-CN");
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
