"""The review tool in real headless Chromium against the real `postguard serve`, with alerts
going to a real SMTP server (aiosmtpd) and a real webhook, and IT's identity map in force.

A compliance officer's session: the posts list (one row per post, merged outcome), search,
sort, a saved view, a person's page, a comment and "reviewed" on a post, exports with the
outcome, and the alert settings; then the same pages in a browser whose language is Chinese,
which get them in Chinese, and the switch back to English. Screenshots go to
test-output/screenshots/review-*.png (review-*-zh.png for the Chinese ones).
"""

from __future__ import annotations

import csv
import getpass
import json
import re
import socket
import sys

import pytest
from playwright.sync_api import expect

from harness.chromium import REPO_ROOT
from harness.companion import start_companion
from harness.replica_page import screenshot_path

sys.path.insert(0, str(REPO_ROOT / "tests" / "companion"))
from alert_servers import SmtpServer, WebhookServer  # noqa: E402
from leak_check import leaked  # noqa: E402
from sink_servers import wait_for  # noqa: E402
from test_audit_page import admin_token, api, watch_csp  # noqa: E402

pytestmark = pytest.mark.e2e

POSTS = [  # (platform, text, identity sent by the browser profile, decision, justification)
    ("linkedin", "Shipped 40,000 hinges to Hansen Maschinenbau GmbH today, price USD 0.42/pc FOB Ningbo.", None,
     "overridden", "Price list already public on our website since May"),
    ("facebook", "Call me on +86 138 0013 8000 for the new catalogue, EUR 1.15 per piece this month.",
     "anna.k@example.com", "edited", None),
    ("instagram", "Sneak peek: Project Falcon launches next spring!", None, "cancelled", None),
    ("linkedin", "Great week at the Canton Fair, thanks to everyone who stopped by our booth.", None, None, None),
]
RAW_VALUES = ["Hansen Maschinenbau", "0.42", "138 0013 8000", "1.15", "Project Falcon"]


def test_compliance_reviews_posts_people_workflow_exports_and_alerts(launch_browser, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(f"os_user,host,email\n{getpass.getuser()},{socket.gethostname()},li.wei@example.com\n",
                      encoding="utf-8")
    with SmtpServer() as smtp, WebhookServer() as hook:
        alerts = tmp_path / "alerts.yaml"
        alerts.write_text(
            f"channels:\n  mail: {{kind: email, smtp: 'smtp://127.0.0.1:{smtp.port}', from: postguard@example.com, "
            f"to: [compliance@example.com]}}\n  hook: {{kind: webhook, url: '{hook.url}'}}\n"
            "rules:\n  - {name: Block or override on pricing, category: pricing, outcomes: [blocked, overridden], "
            "channels: [mail, hook]}\n  - {name: Client list in a photo, category: client_confidential, in_image: true, "
            "channels: [hook]}\n", encoding="utf-8")
        companion = start_companion(tmp_path / "data", env={"POSTGUARD_ALERTS_FILE": str(alerts),
                                                            "POSTGUARD_IDENTITY_MAP": str(people)})
        try:
            run_session(companion, launch_browser, smtp, hook)
        finally:
            companion.stop()


def fill(companion) -> list[str]:
    scan_ids = []
    for platform, text, identity, action, why in POSTS:
        body = {"text": text, "platform": platform, "url": f"https://www.{platform}.com/feed/"}
        if identity:
            body["identity"] = identity
        check = api(companion, "/v1/check", body)
        scan_ids.append(check["scan_id"])
        if action:
            decision = {"scan_id": check["scan_id"], "action": action, **({"justification": why} if why else {})}
            api(companion, "/v1/decision", {**decision, **({"identity": identity} if identity else {})})
    return scan_ids


def run_session(companion, launch_browser, smtp, hook) -> None:
    scans = fill(companion)

    # The alert for the pricing override reached the real SMTP server and the webhook, without post text.
    wait_for(lambda: smtp.inbox.messages and hook.bodies, 60)
    assert smtp.inbox.messages[0][2]["Subject"].startswith("Postguard alert: Block or override on pricing (li.wei@example.com)")
    assert hook.bodies[0]["post"] == scans[0] and hook.bodies[0]["outcome"] == "overridden"
    for raw in [*smtp.inbox.raw, *hook.raw]:
        assert not leaked(RAW_VALUES, raw)

    page = launch_browser().new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    problems = watch_csp(page)
    page.goto(f"{companion.url}/audit/posts")
    page.get_by_label("Admin token").fill(admin_token(companion))
    page.get_by_role("button", name="Sign in").click()

    # One row per post, with its outcome and the full justification; the clean post is hidden.
    rows = page.locator("#pg-posts tbody tr[data-post]")
    expect(rows).to_have_count(3)
    first = page.locator(f"tr[data-post='{scans[0]}']")
    expect(first).to_contain_text("Overridden")
    expect(first).to_contain_text("Price list already public on our website since May")
    expect(first).to_contain_text("li.wei@example.com")
    expect(page.locator(f"tr[data-post='{scans[1]}']")).to_contain_text("anna.k@example.com")
    page.screenshot(path=screenshot_path("review-posts"), full_page=True)

    # Search over the justification.
    page.get_by_label("Search").fill("already public")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-post", scans[0])

    # Sort by person, then reverse.
    page.goto(f"{companion.url}/audit/posts")
    page.locator("a.pg-sort[data-sort=person]").click()
    page.wait_for_url(re.compile(r"sort=person&dir=desc"))
    people = rows.evaluate_all("rs => rs.map(r => r.dataset.person)")
    assert people == sorted(people, reverse=True) and len(people) == 3
    page.locator("a.pg-sort[data-sort=person]").click()
    page.wait_for_url(re.compile(r"sort=person&dir=asc"))
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.person)") == sorted(people)

    # A saved view: overridden posts, opened again from its own address.
    page.goto(f"{companion.url}/audit/posts?outcome=overridden")
    page.get_by_label("View name").fill("Overrides")
    page.get_by_role("button", name="Save view").click()
    view = page.locator("#pg-views a[data-view='Overrides']")
    expect(view).to_be_visible()
    page.goto(f"{companion.url}/audit/posts")
    expect(rows).to_have_count(3)
    page.goto(f"{companion.url}/audit/views/Overrides")
    page.wait_for_url(re.compile(r"/audit/posts\?outcome=overridden$"))
    expect(rows).to_have_count(1)

    # The person's page.
    first.locator("td.pg-person a").click()
    expect(page.locator("#pg-person h1")).to_have_text("li.wei@example.com")
    expect(page.locator("[data-stat=checks]")).to_have_text("3")
    expect(page.locator("[data-stat=overrides]")).to_have_text("1")
    expect(page.locator("[data-stat=rate]")).to_have_text("50%")
    page.screenshot(path=screenshot_path("review-person"), full_page=True)

    # A comment and "reviewed" on the overridden post, then the list says so.
    page.goto(f"{companion.url}/audit/posts/{scans[0]}")
    page.get_by_label("Your name").fill("Ann (compliance)")
    page.get_by_label("Comment").fill("Asked Li to take the price out next time")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#pg-review-log")).to_contain_text("Asked Li to take the price out next time")
    expect(page.get_by_label("Your name")).to_have_value("Ann (compliance)")  # remembered
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.locator("#pg-review-log li[data-action=reviewed]")).to_contain_text("marked it reviewed")
    expect(page.locator("#pg-review-state")).to_contain_text("Reviewed")
    page.screenshot(path=screenshot_path("review-post"), full_page=True)
    page.goto(f"{companion.url}/audit/posts?review=open")
    expect(rows).to_have_count(2)

    # Exports of the view carry the merged outcome and the justification.
    page.goto(f"{companion.url}/audit/posts?clean=1")
    expect(rows).to_have_count(4)
    for fmt in ("csv", "jsonl"):
        with page.expect_download() as download:
            page.locator(f"#pg-export-{fmt}").click()
        text = open(download.value.path(), encoding="utf-8").read()
        records = list(csv.DictReader(text.splitlines())) if fmt == "csv" else [json.loads(l) for l in text.splitlines()]
        outcomes = {r["post"]: r["outcome"] for r in records}
        assert outcomes == {scans[0]: "overridden", scans[1]: "edited", scans[2]: "cancelled", scans[3]: "clean"}
        row = next(r for r in records if r["post"] == scans[0])
        assert row["justification"] == "Price list already public on our website since May"
        assert str(row["reviewed"]).lower() == "true"
        assert not leaked(RAW_VALUES[2:], text)

    # The team overview and the alert settings.
    page.goto(f"{companion.url}/audit/people")
    expect(page.locator("#pg-people tbody tr[data-person]")).to_have_count(2)
    page.screenshot(path=screenshot_path("review-team"), full_page=True)
    page.goto(f"{companion.url}/audit/alerts")
    expect(page.locator("#pg-alert-rules")).to_contain_text("Block or override on pricing")
    expect(page.locator("#pg-alerts-sent tr[data-sent]")).to_have_count(2)
    expect(page.locator("#pg-alert-rules")).to_contain_text("blocked or posted anyway, with Pricing")
    expect(page.locator("#pg-alert-rules")).to_contain_text("Client confidential found in a photo")
    expect(page.locator("#pg-alerts-sent td[data-result=sent]").first).to_have_text("sent")
    page.screenshot(path=screenshot_path("review-alerts"), full_page=True)
    page.goto(f"{companion.url}/audit")
    expect(page.locator("#pg-chart")).to_be_visible()
    page.screenshot(path=screenshot_path("review-events"), full_page=True)
    assert problems == []
    in_chinese(companion, launch_browser, scans)


def in_chinese(companion, launch_browser, scans) -> None:
    """A browser set to Chinese gets every review page in Chinese; the switch goes back to English."""
    page = launch_browser(locale="zh-CN").new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    problems = watch_csp(page)
    page.goto(f"{companion.url}/audit/posts")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("管理员令牌").fill(admin_token(companion))
    page.get_by_role("button", name="登录").click()
    rows = page.locator("#pg-posts tbody tr[data-post]")
    expect(rows).to_have_count(3)
    expect(page.locator("#pg-posts thead")).to_contain_text("结果")
    expect(page.locator(f"tr[data-post='{scans[0]}']")).to_contain_text("强行发布")
    expect(page.get_by_role("button", name="保存视图")).to_be_visible()
    page.screenshot(path=screenshot_path("review-posts-zh"), full_page=True)
    page.locator(f"tr[data-post='{scans[0]}'] td.pg-person a").click()
    expect(page.locator("#pg-person")).to_contain_text("强行发布率")
    page.screenshot(path=screenshot_path("review-person-zh"), full_page=True)
    page.goto(f"{companion.url}/audit/posts/{scans[0]}")
    expect(page.locator("#pg-review-log li[data-action=reviewed]")).to_contain_text("标记为已审查")
    expect(page.get_by_role("button", name="重新打开")).to_be_visible()
    page.screenshot(path=screenshot_path("review-post-zh"), full_page=True)
    page.goto(f"{companion.url}/audit/people")
    expect(page.locator("#pg-top-rules h2")).to_have_text("最常触发的规则")
    page.screenshot(path=screenshot_path("review-team-zh"), full_page=True)
    page.goto(f"{companion.url}/audit/alerts")
    expect(page.locator("#pg-alert-rules h2")).to_have_text("告警规则")
    expect(page.locator("#pg-alert-rules")).to_contain_text("已阻止或强行发布，且涉及价格")
    expect(page.locator("#pg-alert-rules")).to_contain_text("在图片中发现客户机密")
    expect(page.locator("#pg-alert-channels tbody")).to_contain_text("电子邮件")
    expect(page.locator("#pg-alerts-sent td[data-result=sent]")).to_have_text(["已发送", "已发送"])
    assert "posted anyway" not in page.locator("main").inner_text()
    page.screenshot(path=screenshot_path("review-alerts-zh"), full_page=True)
    page.goto(f"{companion.url}/audit")
    expect(page.locator(".pg-chart-card h2")).to_have_text("按类别统计的每日警告")
    page.screenshot(path=screenshot_path("review-events-zh"), full_page=True)
    page.locator(".pg-language a[data-language=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".pg-chart-card h2")).to_have_text("Warnings per day by category")
    assert problems == []
