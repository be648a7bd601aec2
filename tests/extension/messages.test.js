/**
 * The message catalogue: one definition shared by content scripts and the worker, every message
 * handled and documented, and the router refusing senders by trust.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as catalogue from "../../extension/shared/messages.js";
import { contentHandlers, extensionHandlers } from "../../extension/background/handlers.js";
import { routeMessage, senderTrust } from "../../extension/background/router.js";
import { createChromeFake, EXTENSION_ID } from "./helpers/chrome-fake.js";

const specs = Object.values(catalogue.MESSAGES);
const deps = (chrome) => ({ chrome, background: () => {} });
const contentSender = { id: EXTENSION_ID, url: "https://www.linkedin.com/feed/", origin: "https://www.linkedin.com", tab: { id: 1 } };
const optionsSender = { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/options/options.html` };

test("message types are unique and every one has a handler for its trust level", () => {
  assert.equal(new Set(specs.map((s) => s.type)).size, specs.length);
  for (const spec of specs) {
    assert.ok(extensionHandlers[spec.type], `${spec.type} has no handler`);
    assert.equal(Boolean(contentHandlers[spec.type]), spec.trust === "content", spec.type);
  }
});

test("docs/extension.md documents every message type", () => {
  const docs = readFileSync(new URL("../../docs/extension.md", import.meta.url), "utf8");
  for (const spec of specs) assert.ok(docs.includes(`\`${spec.type}\``), `${spec.type} missing from docs`);
});

test("sender trust: our options page, our content script on a guarded site, nobody else", () => {
  const chrome = createChromeFake();
  assert.equal(senderTrust(optionsSender, chrome), "extension");
  assert.equal(senderTrust(contentSender, chrome), "content");
  assert.equal(senderTrust({ ...contentSender, id: "abcdefghijklmnopabcdefghijklmnop" }, chrome), null);
  assert.equal(senderTrust({ ...contentSender, url: "https://evil.example/", origin: "https://evil.example" }, chrome), null);
});

test("a content script cannot change settings; the options page can", async () => {
  const chrome = createChromeFake();
  const refused = await routeMessage(catalogue.make("settings-set", { settings: { enforcement: "monitor" } }), contentSender, deps(chrome));
  assert.equal(refused.ok, false);
  assert.equal(refused.error.code, "forbidden");
  const accepted = await routeMessage(catalogue.make("settings-set", { settings: { enforcement: "monitor" } }), optionsSender, deps(chrome));
  assert.equal(accepted.ok, true);
  assert.equal(accepted.policy.enforcement, "monitor");
});

test("settings locked by IT are refused with the error envelope", async () => {
  const chrome = createChromeFake({ managed: { enforcement: "block" } });
  const answer = await routeMessage(catalogue.make("settings-set", { settings: { enforcement: "monitor" } }), optionsSender, deps(chrome));
  assert.deepEqual(Object.keys(answer.error).sort(), ["code", "message"]);
  assert.equal(answer.error.code, "locked_by_policy");
});

test("unknown and malformed messages get an error, not an exception", async () => {
  const chrome = createChromeFake();
  assert.equal((await routeMessage({ type: "eval" }, contentSender, deps(chrome))).error.code, "unknown_message");
  const bad = await routeMessage(catalogue.make("check", { text: 42, platform: "linkedin" }), contentSender, deps(chrome));
  assert.equal(bad.error.code, "bad_request");
});
