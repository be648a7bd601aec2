"""Compliance reviews the whole sales force at the central service's URL, in real headless Chromium over
a real PostgreSQL: the review tool (the laptop's /audit page, companion/review) behind the service's
own sign-in, showing the events two laptops sent.

The reviewer opens the posts page, is sent to sign in, comes back to it, sees both laptops' posts,
searches with two characters (a Chinese name, a word of a reason) and for a category by its label
(价格, Pricing),
opens one and comments (the entry carries the account's name, which the form does not let anyone change),
goes to the approval queue by the tool's Approvals tab and back through the queue's header, and signs out
from the review page, which ends the service's sign-in too. The comment and the sign-out are form posts
carrying the service's CSRF token, as the browser sends them (Origin `null` under the page's no-referrer).
Screenshots: test-output/screenshots/central-review-*.png; any script or CSP error fails the test.
"""

from __future__ import annotations

import sys

import pytest
from playwright.sync_api import Page, expect

from harness.chromium import REPO_ROOT
from harness.replica_page import screenshot_path

sys.path.insert(0, str(REPO_ROOT / "tests" / "companion"))
sys.path.insert(0, str(REPO_ROOT / "bench"))
from bench_central_ingest import chained_events  # noqa: E402
from central_servers import PASSWORD, running_central  # noqa: E402
from sink_servers import new_database, postgres  # noqa: E402,F401 (fixture)

from companion.central.client import CentralClient  # noqa: E402

pytestmark = pytest.mark.e2e

LAPTOPS = ("OSLO-01", "SHANGHAI-02")


def watch_errors(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def shanghai_events(host: str) -> list[dict]:
    """Four checks by the salesperson 王伟, and a post anyway with a reason in Chinese, chained."""
    from companion.audit.chain import GENESIS, event_hash

    events = chained_events(5, host)
    for event in events:
        event.update(os_user="王伟", scan_id=f"{event['scan_id']}sh")  # scan ids are the laptop's own
    events[-1].update(kind="decision", scan_id="s1sh", action="overridden", justification="价格已在官网公布",
                      verdict="warn", excerpts=[], value_hashes=[], counts={})
    prev = GENESIS
    for event in events:
        event["prev_hash"] = prev
        event["hash"] = prev = event_hash(event, prev)
    return events


def search_short_terms(page: Page) -> None:
    """Two characters are a whole Chinese name or word: a search for them finds the person, the reason."""
    search = page.locator('#pg-filters input[name="q"]')
    search.fill("王伟")
    search.press("Enter")
    expect(page.locator("#pg-count [data-total]")).to_have_attribute("data-total", "4")
    expect(page.locator("#pg-posts tbody tr[data-post]")).to_have_count(4)
    for row in page.locator("#pg-posts tbody tr[data-post]").all():
        expect(row).to_contain_text("王伟")
    page.screenshot(path=screenshot_path("central-review-search-short"), full_page=True)
    search = page.locator('#pg-filters input[name="q"]')
    search.fill("官网")
    search.press("Enter")
    expect(page.locator("#pg-count [data-total]")).to_have_attribute("data-total", "1")
    expect(page.locator("#pg-posts tbody tr[data-post]")).to_contain_text("价格已在官网公布")
    page.locator('.pg-language [data-language="zh"]').click()
    expect(page.locator("#pg-posts tbody tr[data-post]")).to_contain_text("价格已在官网公布")
    expect(page.locator('#pg-filters input[name="q"]')).to_have_value("官网")
    page.screenshot(path=screenshot_path("central-review-search-short-zh"), full_page=True)
    search_category_by_label(page)  # ends on the English page
    expect(page.locator("html")).to_have_attribute("lang", "en")


def search_category_by_label(page: Page) -> None:
    """价格 is how the Chinese page names the Pricing category: every post found with it (all eight
    here), the one whose reason says 价格 among them; "Pricing" finds the same in English."""
    search = page.locator('#pg-filters input[name="q"]')
    search.fill("价格")
    search.press("Enter")
    expect(page.locator("#pg-count [data-total]")).to_have_attribute("data-total", "8")
    expect(page.locator("#pg-posts tbody")).to_contain_text("价格已在官网公布")
    page.screenshot(path=screenshot_path("central-review-search-label-zh"), full_page=True)
    page.locator('.pg-language [data-language="en"]').click()
    search = page.locator('#pg-filters input[name="q"]')
    search.fill("Pricing")
    search.press("Enter")
    expect(page.locator("#pg-count [data-total]")).to_have_attribute("data-total", "8")
    page.screenshot(path=screenshot_path("central-review-search-label"), full_page=True)


def test_a_reviewer_reviews_both_laptops_posts_at_the_central_url(postgres, launch_browser, tmp_path):
    with running_central(new_database(postgres), tmp_path) as central:
        central.account("rita")
        code = central.enroll_code(uses=2)
        for index, host in enumerate(LAPTOPS):  # each laptop's own client: enroll, then send its log
            laptop = CentralClient(central.url, tmp_path / f"laptop-{index}")
            laptop.enroll(code, host=host, os_user=f"seller{index}")
            laptop.send_events(f"laptop-{host}", shanghai_events(host) if index else chained_events(4, host))

        page = launch_browser().new_page()
        problems = watch_errors(page)
        page.goto(f"{central.url}/audit/posts")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("User name").fill("rita")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        page.wait_for_url(f"{central.url}/audit/posts")
        expect(page.locator("#pg-count [data-total]")).to_have_attribute("data-total", "8")
        for host in LAPTOPS:
            expect(page.locator("main")).to_contain_text(host)
        expect(page.locator(".pg-source")).to_contain_text("all laptops")
        page.screenshot(path=screenshot_path("central-review-posts"), full_page=True)

        search_short_terms(page)
        page.goto(f"{central.url}/audit/posts")
        page.locator('a[href^="/audit/posts/s"]').first.click()
        expect(page.get_by_label("Your name")).to_have_value("rita")
        expect(page.get_by_label("Your name")).not_to_be_editable()  # the account's name, not a choice
        page.get_by_label("Comment").fill("Price list is public since October.")
        page.get_by_role("button", name="Add comment").click()
        entry = page.locator('li[data-action="comment"]')
        expect(entry).to_contain_text("rita")
        expect(entry).to_contain_text("Price list is public since October.")
        page.screenshot(path=screenshot_path("central-review-post"), full_page=True)

        page.locator('.pg-language [data-language="zh"]').click()  # the same page in Chinese
        expect(page.locator(".pg-tabs")).to_contain_text("审批")
        page.screenshot(path=screenshot_path("central-review-post-zh"), full_page=True)
        page.locator('.pg-language [data-language="en"]').click()
        expect(page.locator(".pg-tabs")).to_contain_text("Approvals")

        page.locator(".pg-tabs").get_by_role("link", name="Approvals").click()  # the service's tab on the tool
        page.wait_for_url(f"{central.url}/approvals")
        page.locator("#pg-nav-review").click()
        page.wait_for_url(f"{central.url}/audit/posts")
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.goto(f"{central.url}/approvals")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert problems == [], problems
