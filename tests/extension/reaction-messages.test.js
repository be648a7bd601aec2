/**
 * The worker's side of the reaction guard: what a content script may send (a content script runs next
 * to a hostile page), batches of pre-checks answered post by post against a real loopback companion
 * stand-in, and the companion being down reported as such (the content script then applies failMode).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { reactionCheckRequest, reactionHandlers, reactionRecord } from "../../extension/background/reaction-handlers.js";
import { queuedDecisions } from "../../extension/background/audit-queue.js";
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

function companionStandIn({ orgPolicy = null, port = 0 } = {}) {
  const seen = [];
  const recorded = new Map(); // delivery_id -> event id, as the companion keeps them
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      const sent = JSON.parse(body);
      seen.push({ path: req.url, ...sent });
      res.setHeader("Content-Type", "application/json");
      if (req.url === "/v1/reaction") {
        if (!recorded.has(sent.delivery_id)) recorded.set(sent.delivery_id, `e${recorded.size + 1}`);
        res.end(JSON.stringify({ ok: true, event_id: recorded.get(sent.delivery_id) }));
        return;
      }
      const competitor = sent.author_name.startsWith("Northwind");
      const company = sent.acting_as === "Lumen Hardware Co., Ltd.";
      res.end(JSON.stringify({ reasons: competitor ? ["competitor"] : [], listed: competitor ? { kind: "competitor", name: "Northwind Hardware Co." } : null,
        red_line: [], acting: sent.acting_as ? { company, name: company ? sent.acting_as : null } : null, policy: orgPolicy, timings_ms: {} }));
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ server, seen, recorded, url: `http://127.0.0.1:${server.address().port}` })));
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
    assert.deepEqual(Object.keys(seen[0]).sort(), ["author_handle", "author_name", "path", "site", "text"]);
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

test("the acting identity goes with each post's check and with the record; a bad one is refused", async () => {
  const { server, seen, url } = await companionStandIn();
  try {
    const chrome = createChromeFake({ local: { userSettings: { companionUrl: url } } });
    const answer = await reactionHandlers["reaction-check"]({ site: "linkedin", posts: [post({ acting_as: "Lumen Hardware Co., Ltd." }), post({ acting_as: "Li Wei" })] },
      { chrome, background: () => {} });
    assert.deepEqual(seen.map((s) => s.acting_as), ["Lumen Hardware Co., Ltd.", "Li Wei"]);
    assert.deepEqual(answer.results.map((r) => r.acting), [{ company: true, name: "Lumen Hardware Co., Ltd." }, { company: false, name: null }]);
  } finally {
    server.close();
  }
  assert.equal(reactionCheckRequest({ site: "linkedin", posts: [post({ acting_as: 7 })] }), null);
  assert.equal(reactionCheckRequest({ site: "linkedin", posts: [post({ acting_as: "x".repeat(301) })] }), null);
  const ok = { site: "linkedin", action: "react", decision: "overridden", reasons: ["competitor"], red_line: [],
    author_name: "Northwind Hardware Co.", author_handle: "", post_id: "urn:li:activity:1" };
  assert.equal(reactionRecord({ ...ok, acting_as: "Lumen Hardware Co., Ltd." }).acting_as, "Lumen Hardware Co., Ltd.");
  assert.equal(reactionRecord({ ...ok, acting_as: ["Li Wei"] }), null);
});

test("the org directory's reaction policy sits over the user's and under the managed policy, and stays when the companion is down", async () => {
  const orgPolicy = { react: { client: "block", competitor: "monitor" }, share: { competitor: "monitor", rival: "block" }, comment: { red_line: "loud" } };
  const { server, url } = await companionStandIn({ orgPolicy });
  const chrome = createChromeFake({
    managed: { reactionPolicy: { share: { competitor: "block" } } },
    local: { userSettings: { companionUrl: url, reactionPolicy: { react: { client: "monitor", red_line: "block" } } } },
  });
  try {
    const answer = await reactionHandlers["reaction-check"]({ site: "linkedin", posts: [post()] }, { chrome, background: () => {} });
    const table = answer.policy.reactionPolicy;
    assert.equal(table.react.client, "block", "the org directory over the user's setting");
    assert.equal(table.react.competitor, "monitor", "the org directory over the default");
    assert.equal(table.react.red_line, "block", "a cell the org directory leaves alone keeps the user's");
    assert.equal(table.share.competitor, "block", "the managed policy over the org directory");
    assert.equal(table.comment.red_line, "warn", "a level the guard does not know is ignored");
    assert.ok(!("rival" in table.share));
    assert.ok(!("policy" in answer.results[0]), "the cells travel once, in the policy");
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const down = await reactionHandlers["reaction-check"]({ site: "linkedin", posts: [post()] }, { chrome, background: () => {} });
  assert.equal(down.ok, false);
  assert.equal(down.policy.reactionPolicy.react.client, "block", "the last cells the companion sent still apply");
});

test("reactions recorded while the companion is down wait in the queue and are delivered exactly once when it is back", async () => {
  const first = await companionStandIn();
  const port = Number(new URL(first.url).port);
  await new Promise((resolve) => first.server.close(resolve));
  const chrome = createChromeFake({ local: { userSettings: { companionUrl: first.url } } });
  const pending = [];
  const deps = { chrome, background: (p) => pending.push(p) };
  const record = { site: "facebook", action: "react", decision: "allowed_unchecked", reasons: [], red_line: [],
    author_name: "Northwind Hardware Co.", author_handle: "/northwindhardware", post_id: "/northwindhardware/posts/1", acting_as: "Li Wei" };
  for (const decision of ["allowed_unchecked", "overridden"]) {
    const answer = await reactionHandlers.reaction({ ...record, decision }, deps);
    assert.deepEqual(answer, { ok: true, delivered: false, queued: true });
  }
  await Promise.all(pending.splice(0));
  const queued = await queuedDecisions(chrome);
  assert.deepEqual(queued.map((e) => [e.kind, e.body.decision]), [["reaction", "allowed_unchecked"], ["reaction", "overridden"]]);
  assert.ok(queued.every((e) => e.id === e.body.delivery_id && /^[A-Za-z0-9-]+$/.test(e.id)));
  assert.ok(!JSON.stringify(queued).includes("New hinges"), "never the post's text");

  const back = await companionStandIn({ port }); // the companion is back on its port
  try {
    const answer = await reactionHandlers["reaction-check"]({ site: "facebook", posts: [post()] }, deps);
    assert.equal(answer.ok, true);
    await Promise.all(pending.splice(0)); // the check that answered delivers what waited
    assert.deepEqual(await queuedDecisions(chrome), []);
    const delivered = back.seen.filter((s) => s.path === "/v1/reaction");
    assert.deepEqual(delivered.map((s) => s.decision), ["allowed_unchecked", "overridden"]);
    assert.deepEqual(delivered.map((s) => s.delivery_id), queued.map((e) => e.id));
    assert.equal(delivered[0].acting_as, "Li Wei");
    await reactionHandlers["reaction-check"]({ site: "facebook", posts: [post()] }, deps); // another check answers
    await Promise.all(pending.splice(0));
    assert.equal(back.seen.filter((s) => s.path === "/v1/reaction").length, 2, "each sent once, nothing again");
    const live = await reactionHandlers.reaction({ ...record, decision: "cancelled" }, deps);
    assert.deepEqual(live, { ok: true, delivered: true }, "with nothing waiting, a record goes at once");
  } finally {
    back.server.close();
  }
});
