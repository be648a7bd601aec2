/**
 * Decisions are never lost: while the companion is down they wait in storage.local, in order, and
 * are delivered once it answers again; a decision the companion rejects does not block the queue.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { make } from "../../extension/shared/messages.js";
import { routeMessage } from "../../extension/background/router.js";
import { flushAudit } from "../../extension/background/handlers.js";
import { queuedDecisions, RETRY_ALARM } from "../../extension/background/audit-queue.js";
import { USER_SETTINGS_KEY } from "../../extension/background/policy.js";
import { createChromeFake, EXTENSION_ID } from "./helpers/chrome-fake.js";
import { startStubCompanion } from "./helpers/stub-companion.js";

const sender = { id: EXTENSION_ID, url: "https://www.facebook.com/", origin: "https://www.facebook.com", tab: { id: 3 } };

function depsFor(chrome) {
  const pending = [];
  return { chrome, background: (p) => pending.push(p), settle: () => Promise.all(pending.splice(0)) };
}

async function closedPort() {
  const stub = await startStubCompanion();
  await stub.close();
  return stub.url; // nothing listens here any more: connection refused, like a stopped companion
}

test("decisions queue while the companion is down and are delivered in order when it is back", async () => {
  const chrome = createChromeFake({ local: { [USER_SETTINGS_KEY]: { companionUrl: await closedPort() } } });
  const deps = depsFor(chrome);
  for (const [scanId, action] of [["s1", "edited"], ["s2", "overridden"], [null, "posted"]]) {
    const answer = await routeMessage(make("decision", { scanId, action, justification: action === "overridden" ? "public: on our website" : undefined, platform: "facebook" }), sender, deps);
    assert.equal(answer.ok, true);
    assert.equal(answer.delivered, false);
  }
  await deps.settle();
  assert.deepEqual((await queuedDecisions(chrome)).map((e) => e.action), ["edited", "overridden", "posted"]);
  assert.ok(chrome.alarms._all.has(RETRY_ALARM), "retry alarm armed");

  const companion = await startStubCompanion();
  try {
    await chrome.storage.local.set({ [USER_SETTINGS_KEY]: { companionUrl: companion.url } });
    const result = await flushAudit(deps);
    assert.equal(result.delivered, 3);
    assert.deepEqual(companion.received.map((r) => r.body.action), ["edited", "overridden", "posted"]);
    assert.equal(companion.received[1].body.justification, "public: on our website");
    assert.equal(companion.received[0].headers.origin, undefined);
    assert.deepEqual(await queuedDecisions(chrome), []);
    assert.ok(!chrome.alarms._all.has(RETRY_ALARM), "retry alarm cleared");
  } finally {
    await companion.close();
  }
});

test("two decisions made together keep their order, even when the first one fails slower", async () => {
  // The companion answers 503 (retryable: queue it); the first decision's answer takes longer.
  const companion = await startStubCompanion({ decisionStatus: 503, decisionDelayMs: (body) => (body.scan_id === "first" ? 300 : 0) });
  try {
    const chrome = createChromeFake({ local: { [USER_SETTINGS_KEY]: { companionUrl: companion.url } } });
    const deps = depsFor(chrome);
    const decide = (scanId, action) => routeMessage(make("decision", { scanId, action, platform: "linkedin" }), sender, deps);
    const answers = await Promise.all([decide("first", "cancelled"), decide("second", "posted")]);
    assert.deepEqual(answers.map((a) => a.queued), [true, true]);
    await deps.settle();
    assert.deepEqual((await queuedDecisions(chrome)).map((e) => e.scan_id), ["first", "second"]);
  } finally {
    await companion.close();
  }
});

test("a decision the companion rejects (4xx) is dropped and counted, the rest still go", async () => {
  const companion = await startStubCompanion({ decisionStatus: (body) => (body.scan_id === "bad" ? 400 : 200) });
  try {
    const chrome = createChromeFake({ local: {
      [USER_SETTINGS_KEY]: { companionUrl: companion.url },
      auditQueue: [
        { id: "a", scan_id: "bad", action: "posted", queuedAt: 1 },
        { id: "b", scan_id: "good", action: "posted", queuedAt: 2 },
      ],
    } });
    const result = await flushAudit(depsFor(chrome));
    assert.equal(result.delivered, 1);
    assert.equal(result.dropped, 1);
    assert.equal((await chrome.storage.local.get("auditDropped")).auditDropped, 1);
  } finally {
    await companion.close();
  }
});

test("a new decision waits behind older queued ones (audit order is kept)", async () => {
  const companion = await startStubCompanion();
  try {
    const chrome = createChromeFake({ local: {
      [USER_SETTINGS_KEY]: { companionUrl: companion.url },
      auditQueue: [{ id: "old", scan_id: "s0", action: "cancelled", queuedAt: 1 }],
    } });
    const deps = depsFor(chrome);
    const answer = await routeMessage(make("decision", { scanId: "s9", action: "posted" }), sender, deps);
    assert.equal(answer.queued, true);
    await deps.settle();
    assert.deepEqual(companion.received.map((r) => r.body.scan_id), ["s0", "s9"]);
  } finally {
    await companion.close();
  }
});

test("check goes to the companion with the user's language and never stores the text", async () => {
  const companion = await startStubCompanion();
  try {
    const chrome = createChromeFake({ locale: "zh_CN", local: { [USER_SETTINGS_KEY]: { companionUrl: companion.url } } });
    const deps = depsFor(chrome);
    const text = "Our price USD 0.42/pc FOB Ningbo";
    const answer = await routeMessage(make("check", { text, images: [], platform: "facebook", url: "https://www.facebook.com/" }), sender, deps);
    await deps.settle();
    assert.equal(answer.result.verdict, "warn");
    assert.match(companion.received[0].headers["accept-language"], /^zh/);
    const stored = JSON.stringify(chrome.storage.local.data);
    assert.ok(stored.includes("pricing"));
    assert.ok(!stored.includes("0.42"), "post text must not reach storage");
  } finally {
    await companion.close();
  }
});

test("companion down: check answers companion_unreachable at once, not after the timeout", async () => {
  const chrome = createChromeFake({ local: { [USER_SETTINGS_KEY]: { companionUrl: await closedPort() } } });
  const answer = await routeMessage(make("check", { text: "hi", images: [], platform: "linkedin", url: "" }), sender, depsFor(chrome));
  assert.equal(answer.ok, false);
  assert.equal(answer.error.code, "companion_unreachable");
  // A refused connection is told apart from a timeout: the user is told to start the companion.
  assert.equal(answer.error.message, "The companion is not running.");
});

test("an entry of a kind whose sender is not loaded waits in the queue; it is never sent as a decision", async () => {
  const companion = await startStubCompanion();
  try {
    const chrome = createChromeFake({ local: {
      [USER_SETTINGS_KEY]: { companionUrl: companion.url },
      auditQueue: [
        { id: "r1", kind: "survey", body: { site: "linkedin" }, queuedAt: 1 },
        { id: "d1", scan_id: "s1", action: "posted", queuedAt: 2 },
      ],
    } });
    const result = await flushAudit(depsFor(chrome));
    assert.equal(result.delivered, 1);
    assert.deepEqual(companion.received.map((r) => r.body.scan_id), ["s1"]);
    assert.deepEqual((await queuedDecisions(chrome)).map((e) => e.id), ["r1"]);
  } finally {
    await companion.close();
  }
});
