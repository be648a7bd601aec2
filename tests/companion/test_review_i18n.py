"""The review pages in English and Chinese: the browser's Accept-Language picks the language, the
switch at the top overrides it, and no label of a page is left in English in Chinese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from test_review_page import SyntheticLog, sign_in

from companion.review import alert_words, present
from companion.review.messages_zh import ZH

TEMPLATES = Path(__file__).resolve().parents[2] / "companion" / "review" / "templates" / "review"
LITERAL = r'''("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')'''
CALL = re.compile(rf"\b_[mn]?\(\s*{LITERAL}(?:\s*,\s*{LITERAL})?")
LABELLED = re.compile(rf"\(\s*{LITERAL}\s*,\s*{LITERAL}\s*(?:,\s*[\w.]+(?:\([^)]*\))?\s*)?\)")  # ("platform", "Platform", ...)
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def template_messages() -> set[str]:
    """Every literal a review template hands to _(), _m() or _n(), and the labels in its tuples."""
    found: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            found.update(ast.literal_eval(g) for g in match.groups() if g)
        for match in LABELLED.finditer(text):  # labels passed through _(label) in a loop
            label = ast.literal_eval(match.group(2))
            if label[:1].isupper():
                found.add(label)
    return found


def label_messages() -> set[str]:
    tables = (present.CATEGORY_LABELS, present.ACTION_LABELS, present.KIND_LABELS, present.PLATFORM_LABELS,
              present.OUTCOME_LABELS, present.REVIEW_LABELS, present.ACTING_LABELS, present.VERDICT_LABELS,
              alert_words.RULE_OUTCOMES, alert_words.CHANNEL_KINDS)
    return ({label for table in tables for label in table.values()} | set(alert_words.RULE_SENTENCES)
            | set(alert_words.RESULT_MESSAGES))


def test_every_message_and_label_has_its_chinese_with_the_same_placeholders():
    messages = template_messages() | label_messages()
    assert len(messages) > 150  # the extraction found the templates' words
    missing = sorted(m for m in messages if not ZH.get(m))
    assert missing == []
    for message in messages:
        assert sorted(PLACEHOLDER.findall(ZH[message])) == sorted(PLACEHOLDER.findall(message)), message


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    synthetic = SyntheticLog(tmp_path_factory.mktemp("i18n") / "data", 400)
    yield synthetic
    synthetic.close()


def pages(year) -> list[str]:
    post = re.search(r'data-post="([0-9a-f]+)"', year.client.get("/audit/posts").get_data(as_text=True)).group(1)
    seq = year.events[-1]["seq"]
    return ["/audit/posts", f"/audit/posts/{post}", "/audit/people", "/audit/people/anna.k?from=2000-01-01",
            "/audit", f"/audit/events/{seq}", "/audit/alerts", "/audit/posts?outcome=maybe"]


def test_the_browsers_language_picks_chinese_and_the_switch_overrides_it(year):
    client = year.client
    zh = client.get("/audit/posts", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh and "帖子" in zh and 'data-language="en"' in zh
    en = client.get("/audit/posts", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in en and "Saved views" in en and 'data-language="zh"' in en
    switched = client.get("/audit/language/zh?next=/audit/people", headers={"Accept-Language": "en"})
    assert switched.status_code == 303 and switched.headers["Location"].endswith("/audit/people")
    assert "pg_lang=zh" in switched.headers["Set-Cookie"]
    assert "人员与团队" in client.get("/audit/people", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.get("/audit/language/en?next=https://evil.example/")  # back to English; never leaves the page
    assert client.get("/audit/language/en?next=https://evil.example/").headers["Location"].endswith("/audit")
    assert client.get("/audit/language/fr").status_code == 404


def test_signed_out_the_sign_in_page_follows_the_browser_too(tmp_path):
    synthetic = SyntheticLog(tmp_path / "data", 20)
    try:
        fresh = synthetic.app.test_client()
        html = fresh.get("/audit/posts", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
        assert "登录审计审查" in html and "管理员令牌" in html
        sign_in(fresh, synthetic.token)
    finally:
        synthetic.close()


def visible_english(html: str) -> set[str]:
    """Catalogue messages (of some length, without placeholders) that stand as a whole text in the page."""
    texts = {t.strip() for t in re.findall(r">([^<>]+)<", html)}
    texts |= set(re.findall(r'(?:placeholder|title|aria-label)="([^"]+)"', html))
    return {m for m in ZH if ZH[m] != m and len(m) > 3 and "%(" not in m and m in texts}


def test_no_label_is_left_in_english_on_the_chinese_pages(year):
    for url in pages(year):
        year.client.get("/audit/language/en")
        en = year.client.get(url)
        year.client.get("/audit/language/zh")
        zh = year.client.get(url)
        assert zh.status_code == en.status_code, url
        english = visible_english(en.get_data(as_text=True))
        assert english, url  # the English page has catalogue words to compare
        assert visible_english(zh.get_data(as_text=True)) == set(), url


RULES = [{"name": "Pricing", "category": "pricing", "outcomes": ["blocked", "overridden"], "channels": ["m"]},
         {"name": "Many", "overrides_per_day": 3, "channels": ["m"]},
         {"name": "Photo", "category": "client_confidential", "in_image": True, "channels": ["m"]},
         {"name": "Cancelled", "outcomes": ["cancelled"], "channels": ["m"]}]


@pytest.mark.parametrize("lang, expected", [
    ("en", ["blocked or posted anyway, with Pricing", "one person posts anyway more than 3 times in a day (UTC)",
            "Client confidential found in a photo", "cancelled"]),
    ("zh", ["已阻止或强行发布，且涉及价格", "同一人在一天内（UTC）强行发布超过 3 次", "在图片中发现客户机密", "已取消"]),
])
def test_alert_rules_channels_and_results_read_in_the_pages_language(lang, expected):
    from flask import Flask

    from companion.alerts.rules import AlertRule

    rules = [AlertRule.model_validate(rule) for rule in RULES]
    with Flask(__name__).test_request_context(headers={"Accept-Language": lang}):
        assert [alert_words.rule_description(rule) for rule in rules] == expected
        kinds = [alert_words.channel_kind(k) for k in ("email", "webhook", "syslog")]
        sent = alert_words.alert_result("sent")
        failed = alert_words.alert_result("failed: webhook https://hooks.example.com/pg unreachable (URLError)")
        odd = alert_words.alert_result("failed: something new")
    if lang == "en":
        assert kinds == ["E-mail", "Webhook", "Syslog"] and sent == "sent"
        assert failed == "failed: webhook https://hooks.example.com/pg unreachable (URLError)"
        assert odd == "failed: something new"
    else:
        assert kinds == ["电子邮件", "Webhook", "Syslog"] and sent == "已发送"
        assert failed == "失败：无法连接 Webhook https://hooks.example.com/pg（URLError）"
        assert odd == "失败：something new"


def test_every_failure_the_alert_channels_record_reads_in_chinese():
    """The channels' own reasons (companion/alerts/channels.py) are the shapes alert_words knows."""
    import inspect

    from companion.alerts import channels

    source = inspect.getsource(channels)
    written = re.findall(r'AlertDeliveryError\(f"([^"]+)"', source)
    assert len(written) == 4
    shapes = [re.sub(r"\{[^}]+\}", "X", text) for text in written]
    known = [re.sub(r"%\(\w+\)s", "X", message) for _p, message in alert_words._FAILURES]
    assert sorted(shapes) == sorted(known)
