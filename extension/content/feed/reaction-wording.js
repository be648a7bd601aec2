/*
 * What the reaction card says about a held action on a risky post: "Northwind Hardware Co. is a
 * competitor. Your like is public and your clients can see it.", led by "You are acting as the company
 * page ‹Name›…" when the user reacts as the company. Every sentence comes from the locale files.
 */
import { joinSentences, t } from "../../ui/i18n.js";
import { reactionPolicy } from "./reaction-policy.js";

/** The name the page shows; with the list's name beside it when the page shows only a handle. */
function displayName(author, listed) {
  const shown = author.name || author.handle || "";
  const squash = (value) => value.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  if (!listed?.name || squash(shown).includes(squash(listed.name))) return shown || listed?.name || "";
  return shown ? `${shown} (${listed.name})` : listed.name;
}

/** "like", "reaction", "repost", "share" or "comment", in the user's language. */
function nounOf(ctl) {
  return t(ctl.action === "react" && ctl.reaction && ctl.reaction !== "like" ? "reactionNoun_reaction" : `reactionNoun_${ctl.action}`);
}

function reasons(ctl, author, risk) {
  const noun = nounOf(ctl);
  const who = displayName(author, risk.listed);
  const lines = [];
  if (risk.reasons.includes("competitor")) lines.push(t("reactionWhyCompetitor", [who, noun]));
  if (risk.reasons.includes("client")) lines.push(t("reactionWhyClient", [who, noun]));
  if (risk.reasons.includes("red_line")) {
    const key = risk.red_line?.includes("sensitive_topic") ? "reactionWhyRedLine" : "reactionWhyDisparagement";
    lines.push(t(key, [noun]));
  }
  return lines.reduce((all, line) => (all ? joinSentences(all, line) : line), "");
}

/**
 * What the card says about a risky post: the identity line (or "") and the reasons. `author` is the
 * adapter's {name, handle} of the post, `entry` the post's check.
 */
function explain(ctl, author, entry) {
  return {
    // Said first, on its own line: of everything on the card, the identity is what the user can change at once.
    identity: reactionPolicy.asCompanyMatters(entry.risk)
      ? t("reactionActingAsCompany", [entry.risk.acting.name, nounOf(ctl)]) : "",
    message: reasons(ctl, author, entry.risk),
  };
}

export const reactionWording = Object.freeze({ explain, nounOf, displayName });
