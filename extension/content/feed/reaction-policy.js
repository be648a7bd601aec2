/*
 * What the reaction guard does with a checked post, by policy: per action group (react,
 * share = repost and share, comment) and per reason (competitor, client, red_line), one of
 * monitor | warn | block. The worker fills every cell (background/policy.js, with the org directory's
 * cells from background/reaction-handlers.js); a missing cell here means an old worker, and counts as
 * warn. Acting as a company identity, a competitor's or red-line post is held at least at warn.
 */
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

/**
 * True when the user would react as one of the company's own identities to a competitor's or a
 * red-line post: then the company itself would be seen cheering for a rival or taking a side.
 */
function asCompanyMatters(risk) {
  return Boolean(risk?.acting?.company && (risk.reasons || []).some((r) => r === "competitor" || r === "red_line"));
}

/** levelFor a checked post; as the company, a competitor's or red-line post is held at least at warn. */
function levelForRisk(policy, action, risk) {
  const level = levelFor(policy, action, risk?.reasons);
  return asCompanyMatters(risk) && RANK[level] < RANK.warn ? "warn" : level;
}

export const reactionPolicy = Object.freeze({ levelFor, levelForRisk, asCompanyMatters });
