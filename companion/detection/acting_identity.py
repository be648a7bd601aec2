"""The wrong-account check: is this post going out from the identity it should?

The extension reads who the user is acting as (the share box's "Post as" line, "Comment as ‹Name›",
Instagram's current account) and sends it with the check. Against the org's `identities.yaml`:
- a company identity posting red-line content (a sensitive topic, disparagement) gets a finding
  "You are acting as the company page ‹name›";
- a personal identity posting work content gets "You are posting as ‹name›, your personal account".
  Work content is what `work_content` says: any finding (default), a mention of the company's own
  name, products or prices, or every post.
Sites with no company identity declared are not judged: nothing says which identity is expected.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.detection.normalize import normalize_with_map
from companion.detection.types import Finding, ScanResult, verdict_for
from companion.identities import Identities

RED_LINE = ("sensitive_topic", "disparagement")
COMPANY_MENTIONS = ("pricing", "unreleased_product", "client_confidential")

MESSAGES = {
    "identity.personal_account": {
        "en": "You are posting as {name}, your personal account. This reads as work: switch to {company} "
              "to post it.",
        "zh": "你正在以个人账号 {name} 发布。这是工作内容：请切换到 {company} 再发布。",
    },
    "identity.company_page": {
        "en": "You are acting as the company page {name}: this touches a red-line topic, and the "
              "company must not say it.",
        "zh": "你正在以公司主页 {name} 的身份发布。内容涉及红线话题，不能以公司名义发布。",
    },
}


@dataclass(frozen=True)
class ActingJudgement:
    """Whether the acting identity is a company one, and the finding to add (or None)."""

    acted_as_company: bool
    finding: Finding | None = None


def judge_acting_identity(org, platform: str, acting_as: str | None, text: str, result: ScanResult,
                          lang: str = "en") -> ActingJudgement | None:
    """The judgement for one check, or None when there is no acting identity or nothing declared
    for the site. `org` (OrgMatchers) holds the identities and finds the company's own name and
    products in the text."""
    identities: Identities = org.identities
    if not acting_as or not acting_as.strip() or not identities.declared(platform):
        return None
    company = identities.company_name(platform, acting_as)
    if company is not None:
        risky = any(f.category in RED_LINE for f in result.findings)
        return ActingJudgement(True, _finding("identity.company_page", lang, name=company) if risky else None)
    if not _is_work(identities, org, text, result):
        return ActingJudgement(False)
    expected = identities.company[platform][0]
    return ActingJudgement(False, _finding("identity.personal_account", lang, name=acting_as.strip(),
                                           company=expected))


def apply_judgement(result: ScanResult, judgement: ActingJudgement | None) -> None:
    """Put the identity finding first (it is what the user must fix before anything else)."""
    if judgement is not None and judgement.finding is not None:
        result.findings.insert(0, judgement.finding)
        result.verdict = verdict_for(result.findings)


def _is_work(identities: Identities, org, text: str, result: ScanResult) -> bool:
    policy = identities.work_content
    if policy == "all_posts":
        return bool(text.strip()) or bool(result.findings)
    if policy == "any_finding":
        return bool(result.findings)
    if any(f.category in COMPANY_MENTIONS for f in result.findings):
        return True
    norm = normalize_with_map(text)
    return bool(org.allow_terms.find(norm, text) or org.products.find(norm, text))


def _finding(rule: str, lang: str, **names: str) -> Finding:
    template = MESSAGES[rule]["zh" if lang == "zh" else "en"]
    return Finding(category="wrong_account", severity="warn", rule=rule, matched="", excerpt="",
                   message=template.format(**names))
