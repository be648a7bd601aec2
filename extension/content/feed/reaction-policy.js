/*
 * What the reaction guard does with a checked post, by policy: per action group (react,
 * share = repost and share, comment) and per reason (competitor, client, red_line), one of
 * monitor | warn | block. The worker fills every cell (background/policy.js); a missing cell
 * here means an old worker, and counts as warn.
 */
(function defineReactionPolicy(root) {
  "use strict";
  const pg = (root.postguard = root.postguard || {});
  const RANK = Object.freeze({ allow: 0, monitor: 1, warn: 2, block: 3 });
  const GROUP = Object.freeze({ react: "react", repost: "share", share: "share", comment: "comment" });

  /** "allow" for a harmless post, else the strictest level among the post's reasons for this action. */
  function levelFor(policy, action, reasons) {
    const table = policy?.reactionPolicy?.[GROUP[action] || "react"] || {};
    let level = "allow";
    for (const reason of reasons || []) {
      const cell = table[reason] in RANK && table[reason] !== "allow" ? table[reason] : "warn";
      if (RANK[cell] > RANK[level]) level = cell;
    }
    return level;
  }

  /** The reasons whose level is `level` (the card names what holds the click, not what only monitors). */
  function reasonsAt(policy, action, reasons, level) {
    return (reasons || []).filter((reason) => levelFor(policy, action, [reason]) === level);
  }

  pg.reactionPolicy = Object.freeze({ levelFor, reasonsAt, GROUP });
})(globalThis);
