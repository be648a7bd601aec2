// The browser profile's company email goes with every check and decision, and nothing breaks without it.
import { test } from "node:test";
import assert from "node:assert/strict";

test("the profile's email rides along on /v1/check and /v1/decision; absent, the bodies stay as they were", async () => {
  const sent = [];
  const fetchImpl = async (url, init) => {
    sent.push(JSON.parse(init.body));
    return new Response(JSON.stringify({ scan_id: "s1", verdict: "allow", findings: [] }), {
      status: 200, headers: { "Content-Type": "application/json" },
    });
  };
  globalThis.chrome = { identity: { getProfileUserInfo: async () => ({ email: "li.wei@example.com", id: "1" }) } };
  const client = await import("../../extension/background/companion-client.js?signed-in");
  const conn = { baseUrl: "http://127.0.0.1:7717", language: "en", fetchImpl };
  await client.checkPost(conn, { text: "hello", images: [], platform: "linkedin", url: null });
  await client.sendDecision(conn, { scan_id: "s1", action: "posted" });
  assert.equal(sent[0].identity, "li.wei@example.com");
  assert.equal(sent[1].identity, "li.wei@example.com");

  globalThis.chrome = { identity: { getProfileUserInfo: async () => ({ email: "", id: "" }) } };
  const fresh = await import("../../extension/background/companion-client.js?signed-out");
  await fresh.checkPost(conn, { text: "hello", images: [], platform: "linkedin", url: null });
  assert.equal("identity" in sent[2], false);
  delete globalThis.chrome;
});
