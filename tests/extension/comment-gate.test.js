/**
 * The comment gate (content/feed/comment-gate.js): which sends from an open comment box it leaves to the
 * composer guard at once, which it records, and what a held comment's own findings look like on the
 * card. The card itself, the text check and the sites are tested end to end (tests/e2e, reaction cases).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mergePolicy } from "../../extension/background/policy.js";
import { policyStore } from "../../extension/content/core/policy-store.js";
import { createCommentGate, findingLine } from "../../extension/content/feed/comment-gate.js";

const POST = { id: "post" };
const composer = { editor: { id: "editor" }, submit: null, root: { id: "root" } };

/** A send event that remembers whether it was held. */
function sendEvent() {
  const event = { held: false, preventDefault() { event.held = true; }, stopImmediatePropagation() {} };
  return event;
}

/** A gate over a fake reaction guard whose post check is `entry`; `records` collects what it audits. */
function gateWith(entry, { enabled = true, post = POST } = {}) {
  const records = [];
  const gate = createCommentGate({
    adapter: { id: "linkedin", postOf: () => post },
    enabled: () => enabled,
    precheck: () => entry,
    record: (ctl, _post, decision, checked) => {
      records.push([ctl.action, decision]);
      if (decision === "monitored" || decision === "overridden") checked.commented = true;
    },
    explain: () => ({ identity: "", message: "" }),
    holdUnchecked: () => records.push(["comment", "unchecked card"]),
  });
  return { gate, records };
}

/** Resolves once `check()` is true (polled; the gate answers asynchronously), fails after 5 s. */
async function until(check, what) {
  for (const start = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 5))) {
    if (Date.now() - start > 5000) assert.fail(`timed out waiting for ${what}`);
  }
}

const hooks = () => {
  const calls = [];
  return { calls, replay: () => calls.push("replay"), proceed: () => calls.push("proceed") };
};

test("a box under no post, a post without an id, a site turned off: the composer guard's alone", () => {
  policyStore.accept(mergePolicy({}, {}).policy);
  for (const [entry, options] of [[{ risk: { reasons: ["competitor"] } }, { post: null }], [null, {}],
    [{ risk: { reasons: ["competitor"] } }, { enabled: false }]]) {
    const { gate, records } = gateWith(entry, options);
    const event = sendEvent();
    assert.equal(gate.take(event, composer, hooks()), false);
    assert.equal(event.held, false);
    assert.deepEqual(records, []);
  }
});

test("a harmless post's comment is handed back at once, unheld and unrecorded", () => {
  policyStore.accept(mergePolicy({}, {}).policy);
  const { gate, records } = gateWith({ risk: { reasons: [] } });
  const event = sendEvent();
  assert.equal(gate.take(event, composer, hooks()), false);
  assert.equal(event.held, false);
  assert.deepEqual(records, []);
});

test("a client's post (monitored by default): the comment goes on to the text check, recorded once per post", () => {
  policyStore.accept(mergePolicy({}, {}).policy);
  const entry = { risk: { reasons: ["client"] } };
  const { gate, records } = gateWith(entry);
  for (let i = 0; i < 3; i += 1) {
    const event = sendEvent();
    assert.equal(gate.take(event, composer, hooks()), false);
    assert.equal(event.held, false);
  }
  assert.deepEqual(records, [["comment", "monitored"]]);
});

test("once the user went ahead with a comment on a risky post, its later sends are the composer's alone", () => {
  policyStore.accept(mergePolicy({}, {}).policy);
  const entry = { risk: { reasons: ["competitor"] }, commented: true };
  const { gate } = gateWith(entry);
  const event = sendEvent();
  assert.equal(gate.take(event, composer, hooks()), false, "gone ahead at the Comment button");
  assert.equal(event.held, false);
});

test("a post whose check fails: fail open records the comment unchecked and hands it to the text check", async () => {
  policyStore.accept(mergePolicy({ failMode: "open" }, {}).policy);
  const entry = { risk: null, promise: Promise.resolve({ risk: null, failed: "no_answer" }) };
  const { gate, records } = gateWith(entry);
  const event = sendEvent();
  const calls = hooks();
  assert.equal(gate.take(event, composer, calls), true);
  assert.equal(event.held, true, "held until the post's check answers");
  await until(() => calls.calls.length, "the comment handed on");
  assert.deepEqual(records, [["comment", "allowed_unchecked"]]);
  assert.deepEqual(calls.calls, ["proceed"]);
});

test("a post whose check fails: fail closed holds the comment with the checker-down card", async () => {
  policyStore.accept(mergePolicy({ failMode: "closed" }, {}).policy);
  const entry = { risk: null, promise: Promise.resolve({ risk: null, failed: "no_answer" }) };
  const { gate, records } = gateWith(entry);
  const calls = hooks();
  assert.equal(gate.take(sendEvent(), composer, calls), true);
  await until(() => records.length, "the checker-down card");
  assert.deepEqual(records, [["comment", "unchecked card"]]);
  assert.deepEqual(calls.calls, [], "neither sent nor handed on");
});

test("a post checked harmless after the send was held: handed to the text check", async () => {
  policyStore.accept(mergePolicy({}, {}).policy);
  const entry = { risk: null, promise: Promise.resolve({ risk: { reasons: [] } }) };
  const { gate, records } = gateWith(entry);
  const calls = hooks();
  assert.equal(gate.take(sendEvent(), composer, calls), true);
  await until(() => calls.calls.length, "the comment handed on");
  assert.deepEqual(calls.calls, ["proceed"]);
  assert.deepEqual(records, []);
});

test("a finding on the card: the author's own words at code-point offsets, else the companion's sentence", () => {
  const text = "😀 price 𝒳 USD 0.42/pc";
  const start = [...text].indexOf("U");
  const price = findingLine({ category: "pricing", start, end: start + 11, message: "This looks like a price quote (USD 0.**/pc).", severity: "warn" }, text);
  assert.equal(price.words, "USD 0.42/pc");
  assert.equal(price.message, "");
  const account = findingLine({ category: "wrong_account", message: "You are posting as li.wei, your personal account." }, text);
  assert.deepEqual([account.words, account.message], ["", "You are posting as li.wei, your personal account."]);
});
