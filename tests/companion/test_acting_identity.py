"""The wrong-account check: work from a personal identity and red-line content as the company page.

What a salesperson relies on: a post with a finding sent from their own account is named for what
it is ("You are posting as Li Wei, your personal account"), the same post from the company page is
not, a harmless personal post as the company page goes out unremarked, a red-line one does not;
IT's identities.yaml is refused with file, line and field when broken; the audit log holds the
identity only as a keyed hash and a company flag.
"""

from __future__ import annotations

import json

import pytest

from companion.errors import ConfigError
from companion.identities import Identities, load_identities

WORK = "Hansen Maschinenbau GmbH confirmed the order at USD 0.42/pc FOB Ningbo."
CLEAN = "Great week at the Canton Fair, thanks to everyone who visited our booth!"
RED_LINE = "The election was stolen and everyone who voted for that party is a traitor."


def check(client, text, acting_as=None, platform="linkedin", lang="en"):
    body = {"text": text, "platform": platform, **({"acting_as": acting_as} if acting_as else {})}
    response = client.post("/v1/check", json=body, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def identity_messages(answer):
    return [f["message"] for f in answer["findings"] if f["category"] == "wrong_account"]


def test_work_from_a_personal_account_is_named_in_english_and_chinese(client):
    answer = check(client, WORK, acting_as="Li Wei")
    assert answer["verdict"] == "warn"
    assert identity_messages(answer)[0].startswith("You are posting as Li Wei, your personal account.")
    assert "Lumen Hardware Co., Ltd." in identity_messages(answer)[0]
    assert answer["findings"][0]["category"] == "wrong_account", "the identity is said first"
    zh = check(client, WORK, acting_as="li.wei.exports", platform="instagram", lang="zh-CN")
    assert identity_messages(zh) == ["你正在以个人账号 li.wei.exports 发布。这是工作内容：请切换到 "
                                     "lumenhardware.official 再发布。"]


@pytest.mark.parametrize("platform, company", [("linkedin", "lumen hardware co., ltd."),
                                                ("instagram", "@LumenHardware.Official"),
                                                ("facebook", "Lumen Hardware")])
def test_the_same_post_from_the_company_identity_has_no_identity_warning(client, platform, company):
    answer = check(client, WORK, acting_as=company, platform=platform)
    assert identity_messages(answer) == []
    assert answer["findings"], "the post's own findings stay"


def test_a_clean_personal_post_as_the_company_page_goes_out_but_a_red_line_one_is_named(client):
    assert check(client, CLEAN, acting_as="Lumen Hardware Co., Ltd.")["verdict"] == "allow"
    assert check(client, CLEAN, acting_as="Li Wei")["verdict"] == "allow"
    answer = check(client, RED_LINE, acting_as="Lumen Hardware Co., Ltd.")
    assert identity_messages(answer) == ["You are acting as the company page Lumen Hardware Co., Ltd.: "
                                         "this touches a red-line topic, and the company must not say it."]


def test_without_an_acting_identity_or_a_declared_site_nothing_changes(client):
    assert identity_messages(check(client, WORK)) == []
    assert identity_messages(check(client, WORK, acting_as="Li Wei", platform="other")) == []


def test_the_audit_event_holds_a_keyed_hash_and_the_company_flag_never_the_name(client, audit_store):
    check(client, WORK, acting_as="Li Wei")
    check(client, CLEAN, acting_as="@Lumen Hardware Co., Ltd.")
    check(client, CLEAN)
    events = [e for e in audit_store.events() if e["kind"] == "check"][-3:]
    personal, company, unknown = (e.get("details") or {} for e in events)
    assert personal["acted_as_company"] is False and company["acted_as_company"] is True
    assert "acting_hash" not in unknown and "acted_as_company" not in unknown
    assert len(personal["acting_hash"]) >= 32 and personal["acting_hash"] != company["acting_hash"]
    stored = json.dumps(events)
    assert "Li Wei" not in stored and "Lumen Hardware Co" not in stored and "personal account" not in stored


def test_the_decision_after_a_check_carries_the_same_hash_and_flag(client, audit_store):
    scan_id = check(client, WORK, acting_as="Li Wei")["scan_id"]
    response = client.post("/v1/decision", json={"scan_id": scan_id, "action": "cancelled"})
    assert response.status_code == 200
    check_event, decision = [e for e in audit_store.events() if e["scan_id"] == scan_id]
    assert decision["kind"] == "decision"
    assert decision["details"]["acting_hash"] == check_event["details"]["acting_hash"]
    assert decision["details"]["acted_as_company"] is False


def test_the_openapi_document_names_the_acting_identity_and_the_category(client):
    doc = client.get("/v1/openapi.json").get_json()
    assert "wrong_account" in json.dumps(doc)
    assert "acting_as" in json.dumps(doc)


@pytest.mark.parametrize("text, line, field", [
    ("linkedin:\n  company: Lumen\n", 2, "linkedin.company"),
    ("linkedin:\n  company: [Lumen]\n  pages: [x]\n", 3, "linkedin.pages"),
    ("facebook:\n  company: [Lumen]\nmyspace:\n  company: [x]\n", 3, "myspace"),
    ("instagram:\n  company: ['', lumen]\n", 2, "instagram.company[0]"),
    ("work_content: sometimes\n", 1, "work_content"),
    ("linkedin: [Lumen]\n", 1, "linkedin"),
])
def test_a_broken_identities_file_names_file_line_and_field(tmp_path, text, line, field):
    path = tmp_path / "identities.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_identities(path)
    assert (raised.value.path, raised.value.line, raised.value.field) == (str(path), line, field)
    assert f"{path}:{line} {field}:" in str(raised.value)


def test_a_missing_file_declares_nothing_and_the_example_declares_every_site(tmp_path):
    from companion.config import EXAMPLE_ORG_DIR

    assert load_identities(tmp_path / "identities.yaml") == Identities()
    example = load_identities(EXAMPLE_ORG_DIR / "identities.yaml")
    assert all(example.declared(site) for site in ("linkedin", "facebook", "instagram"))
    assert example.work_content == "any_finding"


def test_company_mentions_and_all_posts_policies_decide_what_is_work(api_engine):
    from dataclasses import replace

    from companion.detection.acting_identity import judge_acting_identity

    def warned(policy, text):
        org = replace(api_engine.org, identities=Identities({"linkedin": ("Lumen Hardware Co., Ltd.",)}, policy))
        result = api_engine.check(text)
        return judge_acting_identity(org, "linkedin", "Li Wei", text, result).finding is not None

    assert warned("any_finding", WORK) and not warned("any_finding", CLEAN)
    assert warned("company_mentions", "Lumen Hardware is hiring in Ningbo!")
    assert not warned("company_mentions", CLEAN)
    assert warned("all_posts", CLEAN)


# --- postguard check --acting-as: IT reproduces a warning from the terminal -----------------------

def cli(runner, *args):
    from companion.cli import main

    return runner.invoke(main, ["check", *args], catch_exceptions=False)


def test_the_cli_names_a_work_post_from_the_personal_account_and_not_from_the_company_page(runner):
    personal = cli(runner, "--site", "linkedin", "--acting-as", "Li Wei", WORK)
    assert personal.exit_code == 0, personal.output
    assert "wrong_account (the whole post, rule identity.personal_account): You are posting as Li Wei, " \
           "your personal account." in personal.output
    assert "Identity: a personal identity on linkedin." in personal.output
    company = cli(runner, "--site", "linkedin", "--acting-as", "Lumen Hardware Co., Ltd.", WORK)
    assert "wrong_account" not in company.output and "pricing" in company.output
    assert "Identity: a company identity on linkedin." in company.output


def test_the_cli_json_carries_the_identity_finding_and_the_company_flag(runner):
    body = json.loads(cli(runner, "--site", "instagram", "--acting-as", "@LumenHardware.Official", "--format", "json",
                          "--lang", "zh", RED_LINE).output)
    assert body["acted_as_company"] is True
    assert body["findings"][0]["category"] == "wrong_account"
    assert body["findings"][0]["message"].startswith("你正在以公司主页 lumenhardware.official 的身份发布")


def test_the_cli_says_when_a_site_has_no_company_identity(runner, tmp_path, example_org):
    import shutil

    org = tmp_path / "org"
    shutil.copytree(example_org, org)
    (org / "identities.yaml").write_text("linkedin: {company: [Lumen Hardware Co., Ltd.]}\n", encoding="utf-8")
    result = cli(runner, "--org", str(org), "--site", "facebook", "--acting-as", "Li Wei", WORK)
    assert "wrong_account" not in result.output
    assert "Identity: not judged (identities.yaml declares no company identity for facebook)." in result.output


def test_the_cli_reproduces_the_reaction_guards_company_page_warning(runner):
    as_page = cli(runner, "--site", "linkedin", "--acting-as", "Lumen Hardware Co., Ltd.",
                  "--author", "Northwind Hardware Co.", "--author-handle", "/company/northwind-hardware/", CLEAN)
    assert as_page.output.splitlines()[:3] == [
        "Reaction: RISKY (competitor)",
        "  You are acting as the company page Lumen Hardware Co., Ltd.: the reaction would be the company's.",
        "  The author is on the competitor list (Northwind Hardware Co.).",
    ]
    personal = cli(runner, "--site", "linkedin", "--acting-as", "Li Wei", "--author", "Northwind Hardware Co.", CLEAN)
    assert "acting as the company page" not in personal.output
    assert "Identity: a personal identity on linkedin." in personal.output
    body = json.loads(cli(runner, "--site", "facebook", "--acting-as", "Lumen Hardware", "--author", "Kenji Mori",
                          "--format", "json", RED_LINE).output)
    assert body["reasons"] == ["red_line"] and body["acting_as_company_warning"] is True
    assert body["acting"] == {"company": True, "name": "Lumen Hardware"}


@pytest.mark.parametrize("args, says", [
    (["--acting-as", "Li Wei", WORK], "need --site"),
    (["--author", "Northwind Hardware Co.", CLEAN], "need --site"),
    (["--site", "linkedin", "--acting-as", "Li Wei", "--jsonl", __file__], "not a --jsonl batch"),
    (["--site", "myspace", "--acting-as", "Li Wei", WORK], "'myspace' is not one of"),
])
def test_the_cli_refuses_an_identity_without_its_site(runner, args, says):
    from companion.cli import main

    result = runner.invoke(main, ["check", *args])
    assert result.exit_code == 2 and says in result.output
