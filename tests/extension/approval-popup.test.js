/**
 * What the toolbar popup learns about this browser's approval requests, and IT's `askForApproval`
 * policy: the worker remembers each request it sent (id, site, when, status, who decided; never the
 * draft or the comment), the popup's `approval-list` asks each one's answer afresh, an answer that
 * cannot be had keeps the last one seen (marked stale), and with the policy off the panel is not
 * offered the button and a request is refused. A loopback stand-in plays the companion.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { APPROVALS_KEY, REMEMBERED, approvalHandlers, approvalPageHandlers, rememberedRequests }
  from "../../extension/background/approval-handlers.js";
import { createChromeFake } from "./helpers/chrome-fake.js";

const ID = "0f8b1f7e-1c1a-4c55-9a55-3c1d2f0e9b10";
const draft = { text: "Hansen at USD 0.42/pc", images: [], platform: "linkedin", scanId: "abc" };

function companionStandIn(answer) {
  const seen = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader("Content-Type", "application/json");
      if (req.url === "/v1/health") return res.end(JSON.stringify({ status: "ok", versions: {}, approvals: true }));
      if (req.method === "POST") return res.end(JSON.stringify({ id: ID, status: "pending", content_hash: "sha256:00" }));
      return res.end(JSON.stringify({ id: ID, content_hash: "sha256:00", decided_at: "2026-12-04T23:40:00Z", ...answer.now }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` })));
}

test("a request sent is remembered without its draft, and the popup gets each answer with the comment", async () => {
  const answer = { now: { status: "pending", comment: null, decided_by: null } };
  const { server, url } = await companionStandIn(answer);
  try {
    const chrome = createChromeFake({ local: { userSettings: { companionUrl: url } } });
    const deps = { chrome, background: () => {} };
    assert.equal((await approvalHandlers["approval-ask"](draft, deps)).ok, true);
    const stored = chrome.storage.local.data[APPROVALS_KEY];
    assert.equal(stored.length, 1);
    assert.deepEqual(Object.keys(stored[0]).sort(), ["askedAt", "id", "platform", "status"]);
    assert.ok(!JSON.stringify(stored).includes("0.42"), "the draft is not kept");

    let listed = await approvalPageHandlers["approval-list"]({}, deps);
    assert.equal(listed.enabled, true);
    assert.equal(listed.approvals[0].status, "pending");

    answer.now = { status: "changes_requested", comment: "Leave out the client's name.", decided_by: "rita" };
    listed = await approvalPageHandlers["approval-list"]({}, deps);
    assert.deepEqual({ ...listed.approvals[0], askedAt: 0 }, { id: ID, platform: "linkedin", askedAt: 0,
      status: "changes_requested", comment: "Leave out the client's name.", decidedBy: "rita",
      decidedAt: "2026-12-04T23:40:00Z", stale: false });
    assert.ok(!JSON.stringify(chrome.storage.local.data[APPROVALS_KEY]).includes("client's name"),
      "the comment is asked afresh, never stored");

    server.close();
    listed = await approvalPageHandlers["approval-list"]({}, deps);
    assert.equal(listed.approvals[0].status, "changes_requested", "the last answer seen");
    assert.equal(listed.approvals[0].decidedBy, "rita");
    assert.equal(listed.approvals[0].stale, true);
    assert.equal(listed.approvals[0].comment, null);
  } finally {
    server.close();
  }
});

test("only recent, well-formed requests are listed, at most ten", () => {
  const now = Date.UTC(2026, 11, 4);
  const day = 86400 * 1000;
  const ok = (i, extra = {}) => ({ id: `0f8b1f7e-1c1a-4c55-9a55-3c1d2f0e9b${String(i).padStart(2, "0")}`, platform: "facebook",
    askedAt: now - day, status: "pending", ...extra });
  assert.equal(rememberedRequests(Array.from({ length: 12 }, (_, i) => ok(i)), now).length, REMEMBERED.count);
  assert.deepEqual(rememberedRequests([ok(1, { askedAt: now - 15 * day }), ok(2, { status: "maybe" }),
    ok(3, { id: "../v1/check" }), ok(4, { platform: "myspace" }), null, "x"], now), []);
  assert.deepEqual(rememberedRequests({ not: "a list" }, now), []);
});

test("askForApproval off: the button is not offered, a request is refused, the popup shows none", async () => {
  const { server, seen, url } = await companionStandIn({ now: { status: "pending" } });
  try {
    const chrome = createChromeFake({ managed: { askForApproval: false }, local: { userSettings: { companionUrl: url } } });
    const deps = { chrome, background: () => {} };
    assert.deepEqual(await approvalHandlers["approval-status"]({}, deps), { ok: true, available: false });
    const asked = await approvalHandlers["approval-ask"](draft, deps);
    assert.equal(asked.ok, false);
    assert.equal(asked.error.code, "forbidden");
    assert.deepEqual(seen, [], "nothing reached the companion");
    assert.equal((await approvalPageHandlers["approval-list"]({}, deps)).enabled, false);

    chrome.storage.managed.data.askForApproval = true;
    assert.deepEqual(await approvalHandlers["approval-status"]({}, deps), { ok: true, available: true });
    chrome.storage.managed.data.askForApproval = "yes";  // not a boolean: ignored, the default (true) holds
    assert.deepEqual(await approvalHandlers["approval-status"]({}, deps), { ok: true, available: true });
  } finally {
    server.close();
  }
});
