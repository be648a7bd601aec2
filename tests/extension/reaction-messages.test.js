/**
 * The worker's side of the reaction guard: what a content script may send (a content script runs next
 * to a hostile page), batches of pre-checks answered post by post against a real loopback companion
 * stand-in, and the companion being down reported as such (the content script then applies failMode).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { reactionCheckRequest, reactionHandlers, reactionRecord } from "../../extension/background/reaction-handlers.js";
import { createChromeFake } from "./helpers/chrome-fake.js";

const post = (extra = {}) => ({ author_name: "Northwind Hardware Co.", author_handle: "/company/northwind/", text: "New hinges", ...extra });

test("a pre-check carries 1 to 8 posts of bounded strings on a guarded site", () => {
  assert.equal(reactionCheckRequest({ site: "linkedin", posts: [post()] }).length, 1);
  assert.equal(reactionCheckRequest({ site: "linkedin", posts: Array(8).fill(post()) }).length, 8);
  assert.equal(reactionCheckRequest({ site: "linkedin", posts: Array(9).fill(post()) }), null);
  assert.equal(reactionCheckRequest({ site: "linkedin", posts: [] }), null);
  assert.equal(reactionCheckRequest({ site: "myspace", posts: [post()] }), null);
  assert.equal(reactionCheckRequest({ site: "facebook", posts: [post({ text: 5 })] }), null);
  assert.equal(reactionCheckRequest({ site: "facebook", posts: [post({ author_name: "x".repeat(301) })] }), null);
});

test("a reaction record names a known action, decision and reasons only", () => {
  const ok = { site: "instagram", action: "react", decision: "cancelled", reasons: ["competitor"], red_line: [],
    author_name: "", author_handle: "northwind.hardware", post_id: "/p/C0/" };
  assert.equal(reactionRecord(ok).decision, "cancelled");
  assert.equal(reactionRecord({ ...ok, decision: "liked" }), null);
  assert.equal(reactionRecord({ ...ok, action: "poke" }), null);
  assert.equal(reactionRecord({ ...ok, reasons: ["rival"] }), null);
  assert.equal(reactionRecord({ ...ok, justification: "y".repeat(2001) }), null);
});

function companionStandIn() {
  const seen = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      const sent = JSON.parse(body);
      seen.push(sent);
      const competitor = sent.author_name.startsWith("Northwind");
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ reasons: competitor ? ["competitor"] : [], listed: competitor ? { kind: "competitor", name: "Northwind Hardware Co." } : null,
        red_line: [], timings_ms: {} }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` })));
}

test("a batch is answered post by post, in order, each post sent on its own", async () => {
  const { server, seen, url } = await companionStandIn();
  try {
    const chrome = createChromeFake({ local: { userSettings: { companionUrl: url } } });
    const answer = await reactionHandlers["reaction-check"]({ site: "linkedin", posts: [post(), post({ author_name: "Anna Berg" })] },
      { chrome, background: () => {} });
    assert.equal(answer.ok, true);
    assert.deepEqual(answer.results.map((r) => r.reasons), [["competitor"], []]);
    assert.equal(seen.length, 2);
    assert.deepEqual(Object.keys(seen[0]).sort(), ["author_handle", "author_name", "site", "text"]);
    assert.ok(answer.policy.reactionPolicy.react, "the policy travels with the answer");
  } finally {
    server.close();
  }
});

test("the companion down: the batch fails as unreachable, with the policy for failMode", async () => {
  const { server, url } = await companionStandIn();
  await new Promise((resolve) => server.close(resolve));
  const chrome = createChromeFake({ local: { userSettings: { companionUrl: url, failMode: "closed" } } });
  const answer = await reactionHandlers["reaction-check"]({ site: "facebook", posts: [post()] }, { chrome, background: () => {} });
  assert.equal(answer.ok, false);
  assert.equal(answer.error.code, "companion_unreachable");
  assert.equal(answer.policy.failMode, "closed");
});
