/**
 * The reaction guard's policy: the strictest level among a post's reasons for the action's group
 * (react; repost and share; comment), harmless posts allowed, a missing cell counted as warn.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mergePolicy } from "../../extension/background/policy.js";
import { reactionPolicy } from "../../extension/content/feed/reaction-policy.js";

const levels = () => reactionPolicy;

test("defaults: a competitor or red-line post warns, a client's is monitored, a harmless one is allowed", () => {
  const { levelFor } = levels();
  const { policy } = mergePolicy({}, {});
  assert.equal(levelFor(policy, "react", ["competitor"]), "warn");
  assert.equal(levelFor(policy, "comment", ["red_line"]), "warn");
  assert.equal(levelFor(policy, "repost", ["client"]), "monitor");
  assert.equal(levelFor(policy, "share", []), "allow");
});

test("the strictest reason wins, per action group; repost and share share a group", () => {
  const { levelFor } = levels();
  const { policy } = mergePolicy({ reactionPolicy: { share: { client: "block" }, react: { competitor: "monitor" } } }, {});
  assert.equal(levelFor(policy, "repost", ["client", "competitor"]), "block");
  assert.equal(levelFor(policy, "share", ["client"]), "block");
  assert.equal(levelFor(policy, "react", ["client"]), "monitor");
  assert.equal(levelFor(policy, "react", ["competitor", "red_line"]), "warn");
});

test("an old worker's policy without the table holds every risky post (warn), never lets it pass silently", () => {
  const { levelFor } = levels();
  assert.equal(levelFor({}, "react", ["client"]), "warn");
  assert.equal(levelFor(null, "comment", []), "allow");
});

test("as the company, a competitor's or red-line post is held at least at warn; a client's post and a personal identity are as policy says", () => {
  const { levelForRisk, asCompanyMatters } = levels();
  const { policy } = mergePolicy({ reactionPolicy: { react: { competitor: "monitor", red_line: "block" } } }, {});
  const company = { company: true, name: "Lumen Hardware Co., Ltd." };
  assert.equal(levelForRisk(policy, "react", { reasons: ["competitor"], acting: company }), "warn", "monitored, but not as the company");
  assert.equal(levelForRisk(policy, "react", { reasons: ["competitor"], acting: { company: false, name: null } }), "monitor");
  assert.equal(levelForRisk(policy, "react", { reasons: ["competitor"], acting: null }), "monitor");
  assert.equal(levelForRisk(policy, "react", { reasons: ["red_line"], acting: company }), "block", "never lowered");
  assert.equal(levelForRisk(policy, "react", { reasons: ["client"], acting: company }), "monitor");
  assert.equal(levelForRisk(policy, "react", { reasons: [], acting: company }), "allow", "a harmless post as the company is fine");
  assert.equal(asCompanyMatters({ reasons: ["client"], acting: company }), false);
  assert.equal(asCompanyMatters({ reasons: ["red_line"], acting: company }), true);
});
