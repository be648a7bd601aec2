/**
 * Policy merging: IT's managed values over the user's settings over the pinned defaults; invalid
 * values fall through to the next level; keys set by IT are reported as locked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_POLICY, mergePolicy, readPolicy, USER_SETTINGS_KEY } from "../../extension/background/policy.js";
import { createChromeFake } from "./helpers/chrome-fake.js";

test("pinned defaults", () => {
  assert.deepEqual({ ...DEFAULT_POLICY, sites: [...DEFAULT_POLICY.sites] }, {
    companionUrl: "http://127.0.0.1:7717", enforcement: "warn", failMode: "open", allowOverride: true,
    requireJustification: true, sites: ["linkedin", "facebook", "instagram"], supportUrl: "",
    supportText: "", askForApproval: true,
    reactionPolicy: {
      react: { competitor: "warn", client: "monitor", red_line: "warn" },
      share: { competitor: "warn", client: "monitor", red_line: "warn" },
      comment: { competitor: "warn", client: "monitor", red_line: "warn" },
    },
  });
});

test("reaction policy: IT sets single cells, the rest keeps the user's or the default; a bad cell drops its level", () => {
  const { policy, locked } = mergePolicy(
    { reactionPolicy: { react: { client: "block" } } },
    { reactionPolicy: { comment: { competitor: "monitor" } } },
  );
  assert.deepEqual(policy.reactionPolicy.react, { competitor: "warn", client: "block", red_line: "warn" });
  assert.deepEqual(policy.reactionPolicy.comment, { competitor: "monitor", client: "monitor", red_line: "warn" });
  assert.deepEqual(locked, ["reactionPolicy"]);
  const bad = mergePolicy({ reactionPolicy: { react: { client: "strict" } } }, {});
  assert.deepEqual(bad.policy.reactionPolicy.react, { competitor: "warn", client: "monitor", red_line: "warn" });
  assert.deepEqual(bad.locked, []);
});

test("managed over user over defaults, with locked keys", () => {
  const { policy, locked } = mergePolicy(
    { enforcement: "block", requireJustification: false },
    { enforcement: "monitor", failMode: "closed" },
  );
  assert.equal(policy.enforcement, "block");
  assert.equal(policy.failMode, "closed");
  assert.equal(policy.requireJustification, false);
  assert.equal(policy.allowOverride, true);
  assert.deepEqual(locked.sort(), ["enforcement", "requireJustification"]);
});

test("invalid values are ignored at their level", () => {
  const { policy, locked } = mergePolicy(
    { enforcement: "strict", allowOverride: "no", companionUrl: "http://evil.example:7717", sites: ["myspace"] },
    { enforcement: "monitor", companionUrl: "http://localhost:7800/" },
  );
  assert.equal(policy.enforcement, "monitor");
  assert.equal(policy.allowOverride, true);
  assert.equal(policy.companionUrl, "http://localhost:7800");
  assert.deepEqual(policy.sites, ["linkedin", "facebook", "instagram"]);
  assert.deepEqual(locked, []);
});

test("readPolicy reads the managed area and the user's settings live", async () => {
  const chrome = createChromeFake({ managed: { failMode: "closed" }, local: { [USER_SETTINGS_KEY]: { sites: ["linkedin"] } } });
  let { policy } = await readPolicy(chrome);
  assert.equal(policy.failMode, "closed");
  assert.deepEqual(policy.sites, ["linkedin"]);
  await chrome.storage.managed.set({ enforcement: "block" });
  ({ policy } = await readPolicy(chrome));
  assert.equal(policy.enforcement, "block");
});

test("a broken managed area falls back to defaults instead of throwing", async () => {
  const chrome = createChromeFake();
  chrome.storage.managed.get = async () => { throw new Error("Managed storage manifest key missing"); };
  const { policy, locked } = await readPolicy(chrome);
  assert.equal(policy.enforcement, "warn");
  assert.deepEqual(locked, []);
});

test("supportText: IT's plain words after 'Contact IT:', at most 200 characters; a longer one is ignored", () => {
  assert.equal(mergePolicy({ supportText: "the help desk on ext. 4455" }, {}).policy.supportText, "the help desk on ext. 4455");
  assert.equal(mergePolicy({ supportText: "x".repeat(201) }, {}).policy.supportText, "");
});
