/**
 * The worker's side of "Ask for approval": what a content script may send (it runs next to a hostile
 * page), the draft relayed to a loopback stand-in of the companion as /v1/approvals takes it, the
 * answer read back by id, and the button offered only when the companion's health says approvals can
 * reach a central service. The content hash matches the companion's pinned vector
 * (tests/companion/test_central_drafts.py).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, webcrypto } from "node:crypto";
import { createServer } from "node:http";
import { approvalHandlers, approvalRequest } from "../../extension/background/approval-handlers.js";
import { createChromeFake } from "./helpers/chrome-fake.js";

const draft = (extra = {}) => ({ text: "Hansen at USD 0.42/pc", images: [], platform: "linkedin", scanId: "abc", ...extra });
const ID = "0f8b1f7e-1c1a-4c55-9a55-3c1d2f0e9b10";

test("an approval request is a bounded draft on a guarded site", () => {
  assert.deepEqual(approvalRequest(draft()), { text: "Hansen at USD 0.42/pc", images: [], platform: "linkedin", scan_id: "abc" });
  assert.equal(approvalRequest(draft({ platform: "myspace" })), null);
  assert.equal(approvalRequest(draft({ text: "", images: [] })), null, "nothing to approve");
  assert.equal(approvalRequest(draft({ images: Array(11).fill({ name: "a.png", mime: "image/png", data: "AA==" }) })), null);
  assert.equal(approvalRequest(draft({ images: [{ name: "a.svg", mime: "image/svg+xml", data: "AA==" }] })), null);
  assert.equal(approvalRequest(draft({ text: "x".repeat(100001) })), null);
  assert.equal(approvalRequest(draft({ scanId: 5 })), null);
});

function companionStandIn({ approvals = true } = {}) {
  const seen = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, body: body ? JSON.parse(body) : null });
      res.setHeader("Content-Type", "application/json");
      if (req.url === "/v1/health") return res.end(JSON.stringify({ status: "ok", versions: {}, approvals }));
      if (req.method === "POST") return res.end(JSON.stringify({ id: ID, status: "pending", content_hash: "sha256:00" }));
      return res.end(JSON.stringify({ id: ID, status: "approved", content_hash: "sha256:00", comment: "ok", decided_by: "rita", decided_at: null }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` })));
}

test("the draft goes to /v1/approvals and the answer is read back by id", async () => {
  const { server, seen, url } = await companionStandIn();
  try {
    const chrome = createChromeFake({ local: { userSettings: { companionUrl: url } } });
    const deps = { chrome, background: () => {} };
    const asked = await approvalHandlers["approval-ask"](draft({ images: [{ name: "q.png", mime: "image/png", data: "AA==" }] }), deps);
    assert.deepEqual(asked, { ok: true, approval: { id: ID, status: "pending", content_hash: "sha256:00" } });
    assert.deepEqual(seen[0].body, { text: "Hansen at USD 0.42/pc", images: [{ name: "q.png", mime: "image/png", data: "AA==" }],
      platform: "linkedin", scan_id: "abc" });
    const answer = await approvalHandlers["approval-status"]({ id: ID }, deps);
    assert.equal(answer.approval.status, "approved");
    assert.equal(seen[1].url, `/v1/approvals?id=${ID}`);
    assert.equal((await approvalHandlers["approval-status"]({ id: "../../v1/check" }, deps)).ok, false, "an id is an id");
  } finally {
    server.close();
  }
});

test("the button is offered only when the companion can reach a central service", async () => {
  for (const approvals of [true, false]) {
    const { server, url } = await companionStandIn({ approvals });
    try {
      const chrome = createChromeFake({ local: { userSettings: { companionUrl: url } } });
      const answer = await approvalHandlers["approval-status"]({}, { chrome, background: () => {} });
      assert.deepEqual(answer, { ok: true, available: approvals });
    } finally {
      server.close();
    }
  }
});

test("the content hash is the companion's (pinned vector)", async () => {
  globalThis.crypto ??= webcrypto;
  const { contentHash } = (await import("../../extension/content/approval/ask.js")).approvalFlow;
  const h = (s) => createHash("sha256").update(s).digest("hex");
  assert.equal(await contentHash("Hello 你好", []), "sha256:71acbb34d45cdfd3c653b9d42779ef1a73184e9e24167c00419f7e4e67250757");
  assert.equal(await contentHash("Hello 你好", [h("photo-1"), h("photo-2")]),
    "sha256:5ee1dff4fa374532c6e4914dc256ae97b22e0f2fdeef4531bc139d9015f08b88");
});
