"""Alert rules firing through the real companion to a real SMTP server, a webhook and rsyslog.

Checks go through /v1/check with the real engine; the alert service listens to the audit
store. Every alert must name the rule, the person and the outcome, and hold no post text.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alert_servers import SmtpServer, WebhookServer
from leak_check import leaked
from sink_servers import wait_for

from companion.alerts import load_alerts
from companion.app import create_app
from companion.config import Settings
from companion.errors import ConfigError

PRICE_POST = "Hi Sarah, our price for the HX-200 hinge is USD 0.42/pc FOB Ningbo, valid this month."
RAW_VALUES = ["0.42", "Sarah", "HX-200 hinge"]


def clear_of_midnight_utc(margin_s: float = 120.0) -> None:
    """When UTC midnight is less than `margin_s` away, wait until it has passed: a day's count of
    overrides is what the test is about, and overrides recorded on both sides of midnight are
    two days' counts (the store stamps events with the real clock)."""
    now = datetime.now(timezone.utc)
    midnight = datetime(now.year, now.month, now.day, tzinfo=timezone.utc) + timedelta(days=1)
    left_s = (midnight - now).total_seconds()
    if left_s < margin_s:
        time.sleep(left_s + 1)


def alerts_file(tmp_path: Path, smtp_port: int, webhook_url: str, syslog_port: int | None = None) -> Path:
    channels = (f"  mail: {{kind: email, smtp: 'smtp://127.0.0.1:{smtp_port}', from: postguard@example.com, "
                f"to: [compliance@example.com]}}\n  hook: {{kind: webhook, url: '{webhook_url}'}}\n")
    if syslog_port:
        channels += f"  siem: {{kind: syslog, target: 'tcp://127.0.0.1:{syslog_port}'}}\n"
    path = tmp_path / "alerts.yaml"
    path.write_text("channels:\n" + channels + "rules:\n"
                    "  - {name: Block or override on pricing, category: pricing, outcomes: [blocked, overridden], "
                    f"channels: [mail, hook{', siem' if syslog_port else ''}]}}\n"
                    "  - {name: Many overrides in a day, overrides_per_day: 2, channels: [hook]}\n", encoding="utf-8")
    return path


@pytest.fixture
def alerting(tmp_path, api_engine):
    """The companion with alerts to a real SMTP server and a real webhook."""
    with SmtpServer() as smtp, WebhookServer() as hook:
        settings = Settings(data_dir=tmp_path / "data", ocr_budget_s=30.0,
                            alerts_file=alerts_file(tmp_path, smtp.port, hook.url))
        app = create_app(settings, engine=api_engine)
        yield app.test_client(), smtp, hook, app
        app.extensions["postguard_review"].alerts.close()
        app.extensions["postguard"].audit.close()


def override(client, text: str, why: str) -> str:
    check = client.post("/v1/check", json={"text": text, "platform": "linkedin",
                                           "url": "https://www.linkedin.com/feed/"}).get_json()
    client.post("/v1/decision", json={"scan_id": check["scan_id"], "action": "overridden", "justification": why})
    return check["scan_id"]


def test_an_override_on_pricing_reaches_smtp_and_the_webhook_without_post_text(alerting):
    client, smtp, hook, _ = alerting
    scan_id = override(client, PRICE_POST, "Customer asked for the public list price")
    wait_for(lambda: smtp.inbox.messages and hook.bodies)
    sender, recipients, message = smtp.inbox.messages[0]
    assert recipients == ["compliance@example.com"]
    assert message["Subject"].startswith("Postguard alert: Block or override on pricing")
    body = message.get_payload()
    assert "Outcome: overridden" in body and "pricing" in body and f"/audit/posts/{scan_id}" in body
    alert = hook.bodies[0]
    assert alert["rule"] == "Block or override on pricing" and alert["outcome"] == "overridden"
    assert alert["post"] == scan_id and "pricing" in alert["categories"]
    for raw in [*smtp.inbox.raw, *hook.raw]:
        assert not leaked([*RAW_VALUES, "public list price", PRICE_POST[:30]], raw)


def test_more_than_n_overrides_by_one_person_in_a_day_fires_once(alerting):
    client, _, hook, app = alerting
    clear_of_midnight_utc()
    for n in range(4):
        override(client, f"Our price is USD {n}.25 per piece FOB Ningbo.", "ok")
    service = app.extensions["postguard_review"].alerts
    assert service.wait_idle(60)
    many = [b for b in hook.bodies if b["rule"] == "Many overrides in a day"]
    assert len(many) == 1 and many[0]["overrides_today"] == 3


def test_the_alert_settings_page_lists_rules_channels_and_what_was_sent(alerting):
    client, smtp, hook, app = alerting
    from companion.review.auth import admin_token
    from test_review_page import sign_in

    override(client, PRICE_POST, "x")
    wait_for(lambda: hook.bodies)
    app.extensions["postguard_review"].alerts.wait_idle(30)
    sign_in(client, admin_token(app.extensions["postguard"].settings.data_dir)[0])
    html = client.get("/audit/alerts").get_data(as_text=True)
    assert "Block or override on pricing" in html and "more than 2 times in a day" in html
    assert f"smtp://127.0.0.1:{smtp.port}" in html and "/hooks/postguard" in html
    assert html.count('data-sent="Block or override on pricing"') == 2  # mail and hook
    assert "blocked or posted anyway, with Pricing" in html and html.count('data-result="sent">sent<') == 2
    zh = client.get("/audit/alerts", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "已阻止或强行发布，且涉及价格" in zh and "同一人在一天内（UTC）强行发布超过 2 次" in zh
    assert "<td>电子邮件</td>" in zh and zh.count('data-result="sent">已发送<') == 2
    assert "posted anyway" not in zh and ">email<" not in zh


def test_a_client_list_in_a_photo_and_syslog(rsyslog, tmp_path):
    from companion.alerts.service import AlertService

    path = tmp_path / "alerts.yaml"
    path.write_text(f"channels:\n  siem: {{kind: syslog, target: 'tcp://127.0.0.1:{rsyslog.port}'}}\n"
                    "rules:\n  - {name: Client list in a photo, category: client_confidential, in_image: true, "
                    "channels: [siem]}\n", encoding="utf-8")
    service = AlertService(load_alerts(path))
    photo = {"kind": "check", "seq": 7, "ts": "2026-12-04T10:00:00.000000Z", "os_user": "li.wei", "host": "LW",
             "platform": "instagram", "verdict": "warn", "categories": ["client_confidential"],
             "rules": ["client_list"], "scan_id": "abc", "details": {"identity": "li.wei@example.com"},
             "excerpts": [{"category": "client_confidential", "rule": "client_list", "source": "image",
                           "excerpt": "order for [client] shipped", "image_index": 0}]}
    in_text = {**photo, "seq": 8, "excerpts": [{**photo["excerpts"][0], "source": "text"}]}
    service.on_event(in_text)
    service.on_event(photo)
    assert service.wait_idle(30)
    wait_for(lambda: rsyslog.raw_messages())
    service.close()
    messages = rsyslog.raw_messages()
    assert len(messages) == 1
    assert b'rule="Client list in a photo"' in messages[0] and b"li.wei@example.com" in messages[0]
    assert b"order for" not in messages[0]


@pytest.mark.parametrize("text, field", [
    ("channels: {}\nrules:\n  - {name: x, channels: [nowhere], category: pricing}\n", "rules.0.channels"),
    ("channels:\n  m: {kind: email, smtp: 'smtp://h:25', from: a@b.c, to: [nobody]}\nrules: []\n", "channels.m.email.to"),
    ("channels: {}\nrules:\n  - {name: x, category: prices, channels: []}\n", "rules.0.category"),
])
def test_a_broken_alerts_file_names_the_file_and_the_field(tmp_path, text, field):
    path = tmp_path / "alerts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_alerts(path)
    assert str(path) in caught.value.message and field in caught.value.message


def test_the_daily_count_is_the_same_however_far_behind_the_alert_thread_runs(tmp_path):
    from sink_servers import _result

    from companion.alerts.service import AlertService
    from companion.audit import AuditStore
    from companion.audit.sqlite_reader import SqliteAuditReader
    from companion.review.people import overrides_on_day
    from companion.review.sql import SQLITE

    store = AuditStore.open(tmp_path / "data")
    reader = SqliteAuditReader(store)
    clear_of_midnight_utc()
    try:
        decisions = []
        for n in range(4):
            check = store.record_check(scan_id=f"s{n}", platform="linkedin", url_host=None, result=_result(0),
                                       versions={})
            decisions.append(store.record_decision(scan_id=check["scan_id"], action="overridden", justification="x"))
        with WebhookServer() as hook:
            path = tmp_path / "alerts.yaml"
            path.write_text(f"channels:\n  hook: {{kind: webhook, url: '{hook.url}'}}\n"
                            "rules:\n  - {name: Many, overrides_per_day: 2, channels: [hook]}\n", encoding="utf-8")
            service = AlertService(load_alerts(path),
                                   count_overrides=lambda p, day, ts: overrides_on_day(reader, SQLITE, p, day, ts))
            for event in decisions:  # all four are on disk before the thread sees the first
                service.on_event(event)
            assert service.wait_idle(30)
            service.close()
        assert [a["overrides_today"] for a in hook.bodies] == [3] and hook.bodies[0]["event_seq"] == decisions[2]["seq"]
    finally:
        reader.close()
        store.close()
