"""The review page in real headless Chromium against the real `postguard serve`.

A compliance officer's session: sign in (first with a wrong token), filter, open an
event, download the filtered view as CSV and JSONL, then someone edits the database with
the sqlite3 shell and the page shows the chain as broken at that event. Screenshots go to
test-output/screenshots/audit-*.png. Any Content-Security-Policy violation fails the test:
the page must work under its own strict policy.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from harness.chromium import REPO_ROOT
from harness.companion import COMPANION_SCRIPT, CompanionProcess
from harness.replica_page import screenshot_path

sys.path.insert(0, str(REPO_ROOT / "tests" / "companion"))
from leak_check import leaked  # noqa: E402
from test_review_scale import write_synthetic_log  # noqa: E402  (a year of chained events)

pytestmark = pytest.mark.e2e

POSTS = [
    ("linkedin", "Shipped 40,000 hinges to Hansen Maschinenbau GmbH today, price USD 0.42/pc FOB Ningbo."),
    ("linkedin", "Call me on +86 138 0013 8000 for the new catalogue, EUR 1.15 per piece this month."),
    ("facebook", "Sneak peek: Project Falcon launches next spring!"),
    ("linkedin", "Great week at the Canton Fair, thanks to everyone who stopped by our booth."),
    ("instagram", "Our showroom in Ningbo, new finishes on display."),
]
RAW_VALUES = ["Hansen Maschinenbau", "0.42", "138 0013 8000", "1.15", "Project Falcon"]
JUSTIFICATION = "Price list already public on our website <b>since May</b>"


def api(companion: CompanionProcess, path: str, body: dict) -> dict:
    """Call the companion as the CLI would (no Origin header)."""
    request = urllib.request.Request(f"{companion.url}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def fill_log(companion: CompanionProcess) -> list[dict]:
    """Real checks through /v1/check, and a decision with a justification after the first."""
    checks = [api(companion, "/v1/check", {"text": text, "platform": platform,
                                           "url": f"https://www.{platform}.com/feed/"})
              for platform, text in POSTS]
    api(companion, "/v1/decision", {"scan_id": checks[0]["scan_id"], "action": "overridden",
                                    "justification": JUSTIFICATION})
    return checks


def admin_token(companion: CompanionProcess) -> str:
    result = subprocess.run([str(COMPANION_SCRIPT), "audit", "token", "--data-dir", str(companion.data_dir)],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip()


def watch_csp(page: Page) -> list[str]:
    """Console errors the page produces (a CSP refusal shows up here)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "401" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def row_seqs(page: Page) -> list[int]:
    """The seqs of the table's rows, read once the page a click led to has been parsed."""
    page.wait_for_load_state("domcontentloaded")
    return [int(s) for s in page.locator("#pg-events tbody tr[data-seq]").evaluate_all(
        "rows => rows.map(r => r.dataset.seq)")]


def test_compliance_review_session(start_companion_process, launch_browser, tmp_path):
    companion = start_companion_process()
    checks = fill_log(companion)
    assert [c["verdict"] for c in checks][:3] == ["warn", "warn", "warn"]
    token = admin_token(companion)
    page = launch_browser().new_page()
    problems = watch_csp(page)

    # Sign in: a wrong token first.
    page.goto(f"{companion.url}/audit")
    expect(page.get_by_role("heading", name="Sign in to the audit review")).to_be_visible()
    page.get_by_label("Admin token").fill("definitely-not-the-admin-token-0000000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#pg-login-error")).to_contain_text("That is not the admin token")
    expect(page.locator("#pg-events")).to_have_count(0)
    page.screenshot(path=screenshot_path("audit-login-wrong-token"))
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-chain=ok]")).to_contain_text("Hash chain intact")
    assert row_seqs(page) == [6, 5, 4, 3, 2, 1]
    expect(page.locator("#pg-chart .pg-bar[data-total]:not([data-total='0'])")).to_have_count(1)
    page.screenshot(path=screenshot_path("audit-events"), full_page=True)

    # Filter: LinkedIn checks that found a price.
    page.locator("select[name=platform]").select_option("linkedin")
    page.locator("select[name=category]").select_option("pricing")
    page.locator("select[name=kind]").select_option("check")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/audit\?platform=linkedin&category=pricing&kind=check$"))
    assert row_seqs(page) == [2, 1]
    expect(page.locator("#pg-count")).to_contain_text("2 events match the filters")
    for row in page.locator("#pg-events tbody tr").all():
        expect(row).to_contain_text("Pricing")
    page.screenshot(path=screenshot_path("audit-filtered"), full_page=True)

    # Export the filtered view, both formats.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(open(csv_download.value.path(), encoding="utf-8")))
    assert [int(r["seq"]) for r in rows] == [2, 1] and {r["platform"] for r in rows} == {"linkedin"}
    assert re.fullmatch(r"postguard-audit-\d{8}T\d{6}Z\.csv", csv_download.value.suggested_filename)
    with page.expect_download() as jsonl_download:
        page.get_by_role("link", name="JSONL").click()
    lines = open(jsonl_download.value.path(), encoding="utf-8").read().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2, 1]
    exported = open(csv_download.value.path(), encoding="utf-8").read() + "\n".join(lines)
    assert not leaked(RAW_VALUES, exported)

    # Open the first check by clicking its row (not the link): findings, masked, with the decision.
    page.locator("#pg-events tbody tr[data-seq='1'] td.pg-time").click()
    page.wait_for_url(re.compile(r"/audit/events/1\?platform=linkedin&category=pricing&kind=check$"))
    findings = page.locator("table.pg-findings tbody tr")
    assert findings.count() == len(checks[0]["findings"])
    for finding in checks[0]["findings"]:
        expect(page.locator("table.pg-findings")).to_contain_text(finding["excerpt"])
    expect(page.locator("#pg-event")).to_contain_text("www.linkedin.com")
    expect(page.get_by_text(JUSTIFICATION)).to_be_visible()  # the decision, shown as text, not markup
    body = page.locator("body").inner_text()
    assert not leaked(RAW_VALUES[:2], body)
    page.screenshot(path=screenshot_path("audit-detail"), full_page=True)
    page.get_by_role("link", name="« Back to the events").click()
    page.wait_for_url(re.compile(r"/audit\?platform=linkedin&category=pricing&kind=check$"))
    assert row_seqs(page) == [2, 1]

    # The quick range (script) fills From/To and applies them.
    page.goto(f"{companion.url}/audit")
    page.get_by_role("button", name="7 days").click()
    page.wait_for_url(re.compile(r"/audit\?from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d$"))
    assert row_seqs(page) == [6, 5, 4, 3, 2, 1]

    # Someone edits the database behind the companion's back.
    subprocess.run(["sqlite3", str(companion.data_dir / "audit.sqlite3"),
                    "DROP TRIGGER audit_events_no_update; "
                    "UPDATE audit_events SET action = 'cancelled', justification = NULL WHERE seq = 6;"],
                   check=True, timeout=30)
    page.goto(f"{companion.url}/audit")
    badge = page.locator("[data-chain=broken]")
    expect(badge).to_contain_text("Hash chain broken at event #6")
    expect(badge).to_contain_text("event 6 does not match its hash: it was edited")
    page.screenshot(path=screenshot_path("audit-tampered"), full_page=True)
    badge.get_by_role("link", name="Open event #6").click()
    expect(page.locator("#pg-event")).to_contain_text("The hash chain breaks here")
    page.screenshot(path=screenshot_path("audit-tampered-detail"), full_page=True)

    # Sign out: the page is closed again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the audit review")).to_be_visible()
    page.goto(f"{companion.url}/audit")
    expect(page.locator("#pg-events")).to_have_count(0)
    assert problems == []


def test_a_link_from_another_site_is_refused_even_when_signed_in(start_companion_process, launch_browser,
                                                                  open_site):
    """A page on linkedin.com (replica) sends the signed-in reviewer's browser to the page."""
    companion = start_companion_process()
    api(companion, "/v1/check", {"text": "hello", "platform": "linkedin"})
    context = launch_browser()
    own = context.new_page()
    own.goto(f"{companion.url}/audit")
    own.get_by_label("Admin token").fill(admin_token(companion))
    own.get_by_role("button", name="Sign in").click()
    expect(own.locator("[data-chain=ok]")).to_be_visible()

    site = open_site(context, "linkedin")
    read = site.evaluate("""async (url) => {
        try { await (await fetch(url + '/audit', {credentials: 'include'})).text(); return 'read'; }
        catch (e) { return 'blocked'; }
    }""", companion.url)
    assert read == "blocked"
    with site.expect_navigation():
        site.evaluate("(url) => { window.location.href = url + '/audit'; }", companion.url)
    expect(site.locator("body")).to_contain_text("open the review page by typing its address")
    expect(site.locator("#pg-events")).to_have_count(0)
    own.reload()
    expect(own.locator("#pg-events")).to_be_visible()  # the reviewer's own tab still works


def test_a_year_of_events_pages_older_and_filters_in_the_browser(start_companion_process, launch_browser, tmp_path):
    """A sales team's year (20,000 events) served by the real companion: chart, paging, a filter."""
    data_dir = tmp_path / "year"
    events = write_synthetic_log(data_dir, 20_000)
    companion = start_companion_process(extra_args=("--data-dir", str(data_dir)))
    token = subprocess.run([str(COMPANION_SCRIPT), "audit", "token", "--data-dir", str(data_dir)],
                           capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    page = launch_browser().new_page()
    problems = watch_csp(page)
    page.goto(f"{companion.url}/audit")
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-chain=ok]")).to_be_visible()
    newest = [e["seq"] for e in reversed(events)]
    head = int(page.locator("#pg-events tbody tr[data-seq]").first.get_attribute("data-seq"))
    assert head >= newest[0]  # the prune at start may have added its checkpoint on top
    expect(page.locator("#pg-chart .pg-bar")).to_have_count(30)
    page.screenshot(path=screenshot_path("audit-year"), full_page=True)
    first_page = row_seqs(page)
    page.get_by_role("link", name="Older »").click()
    page.wait_for_url(re.compile(r"/audit\?(.*&)?before=\d+"))
    second_page = row_seqs(page)
    assert len(first_page) == len(second_page) == 50 and second_page[0] < first_page[-1]
    page.get_by_role("button", name="year").click()
    page.wait_for_url(re.compile(r"from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d"))
    page.locator("select[name=category]").select_option("credentials")
    page.locator("input[name=user]").fill("li.wei")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"category=credentials"))
    expect(page.locator("#pg-count")).to_contain_text("match the filters")
    expect(page.locator("#pg-chart .pg-bar")).to_have_count(365)
    for row in page.locator("#pg-events tbody tr").all():
        expect(row).to_contain_text("li.wei")
        expect(row).to_contain_text("Credentials")
    page.screenshot(path=screenshot_path("audit-year-filtered"), full_page=True)
    assert problems == []


def test_the_chain_badge_says_where_the_head_is_anchored_and_names_a_cut_tail(launch_browser, tmp_path):
    """The companion forwards to a real rsyslog; the badge says when syslog anchored the head.
    Then the newest events are deleted with the head record rewritten (the chain alone still
    holds), and the badge names the cut."""
    from harness.companion import start_companion
    from sink_servers import RSYSLOGD, Rsyslog

    if not Path(RSYSLOGD).exists():
        pytest.skip("rsyslogd missing (Debian package rsyslog)")
    rsyslog = Rsyslog(tmp_path / "rsyslog").start()
    try:
        companion = start_companion(tmp_path / "companion", env={
            "POSTGUARD_SYSLOG_TARGET": f"tcp://127.0.0.1:{rsyslog.port}"})
    except FileNotFoundError as missing:
        rsyslog.stop()
        pytest.skip(f"companion not installed: {missing}")
    try:
        fill_log(companion)
        deadline = time.monotonic() + 60  # the forwarder confirms in the background
        while (companion.health() or {}).get("forwarding", [{}])[0].get("delivered_through") != 6:
            assert time.monotonic() < deadline, "syslog never confirmed the six events"
            time.sleep(0.1)
        page = launch_browser().new_page()
        problems = watch_csp(page)
        page.goto(f"{companion.url}/audit")
        page.get_by_label("Admin token").fill(admin_token(companion))
        page.get_by_role("button", name="Sign in").click()
        badge = page.locator("[data-chain=ok]")
        expect(badge.locator("[data-anchor=current]")).to_contain_text(
            f"Chain head anchored to syslog tcp://127.0.0.1:{rsyslog.port} just now (event #6).")
        page.screenshot(path=screenshot_path("audit-anchored"))

        subprocess.run(["sqlite3", str(companion.data_dir / "audit.sqlite3"),
                        "DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_head_forward_only; "
                        "DELETE FROM audit_events WHERE seq > 4; "
                        "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4);"],
                       check=True, timeout=30)
        page.goto(f"{companion.url}/audit")
        badge = page.locator("[data-chain=cut]")
        expect(badge).to_contain_text("Events cut after #4")
        expect(badge).to_contain_text("The 4 events left verify")  # the local chain alone still holds
        expect(badge.locator("[data-anchor=cut]")).to_contain_text(
            "confirmed event #6 just now, but this log ends at #4")
        page.screenshot(path=screenshot_path("audit-anchor-cut"))

        # The companion starts again: it forwards the cut log anew under a new laptop id, and the
        # badge keeps saying what syslog had confirmed before.
        companion.stop()
        companion = start_companion(companion.data_dir, env={
            "POSTGUARD_SYSLOG_TARGET": f"tcp://127.0.0.1:{rsyslog.port}"})
        deadline = time.monotonic() + 60
        while (companion.health() or {}).get("forwarding", [{}])[0].get("delivered_through") != 4:
            assert time.monotonic() < deadline, "syslog never confirmed the log forwarded anew"
            time.sleep(0.1)
        page.goto(f"{companion.url}/audit")
        if page.get_by_label("Admin token").count():
            page.get_by_label("Admin token").fill(admin_token(companion))
            page.get_by_role("button", name="Sign in").click()
        badge = page.locator("[data-chain=cut]")
        expect(badge).to_contain_text("Events cut after #4")
        expect(badge.locator("[data-anchor=cut]")).to_contain_text(
            "had confirmed event #6, but just now this log ended at #4")
        expect(badge.locator("[data-anchor=current]")).to_contain_text("(event #4)")
        page.screenshot(path=screenshot_path("audit-anchor-cut-restarted"))
        assert problems == []
    finally:
        companion.stop()
        rsyslog.stop()
