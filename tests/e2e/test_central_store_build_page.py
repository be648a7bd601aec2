"""A reviewer opens the central service while it builds the review tables of a store that lacked them
(companion/central/store_build.py), in real headless Chromium over a real PostgreSQL: the posts are all
there, under a notice that says the tables are being built and how far, in English and in Chinese; once
the build is done the notice is gone. The build is held in its "waiting for writers" phase by a writer's
lock on the events, as an ingest transaction would hold it.
Screenshots: test-output/screenshots/central-store-building(-zh).png; any script or CSP error fails the test.
"""

from __future__ import annotations

import sys

import pytest
import requests
from playwright.sync_api import expect

from harness.chromium import REPO_ROOT
from harness.replica_page import screenshot_path

sys.path.insert(0, str(REPO_ROOT / "tests" / "companion"))
from central_servers import PASSWORD, Central, postguard, wait_until  # noqa: E402
from sink_servers import postgres  # noqa: E402,F401 (fixture)
from test_central_short_search_index import WriterLock  # noqa: E402
from test_review_tables_build import upgraded_store  # noqa: E402,F401 (fixture)

pytestmark = pytest.mark.e2e


def build_state(central: Central) -> str:
    return requests.get(f"{central.url}/health", timeout=30).json()["review_tables"]["state"]


def test_the_review_page_says_the_tables_are_being_built_and_lists_every_post(upgraded_store, launch_browser,
                                                                               tmp_path):
    """The same posts while the tables are built as once they are ready."""
    url, _, _ = upgraded_store
    key_dir = tmp_path / "keys"
    postguard("central", "keygen", "--key-dir", str(key_dir))
    writer = WriterLock(url)
    central = Central(url, key_dir, tmp_path / "central.log")
    try:
        central.start()
        wait_until(lambda: build_state(central) == "building", 60, "the build to start")
        central.account("rita")
        page = launch_browser().new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{central.url}/signin?next=/audit/posts")
        page.get_by_label("User name").fill("rita")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{central.url}/audit/posts")

        notice = page.get_by_role("status").filter(has_text="review tables")
        expect(notice).to_contain_text("The review tables are being built (")
        expect(notice).to_contain_text("nothing is left out")
        during = int(page.locator("#pg-count [data-total]").get_attribute("data-total"))
        assert during > 0
        page.screenshot(path=screenshot_path("central-store-building"), full_page=True)

        page.locator('.pg-language [data-language="zh"]').click()
        expect(page.locator("#pg-store-build")).to_contain_text("审阅表正在建立（")
        page.screenshot(path=screenshot_path("central-store-building-zh"), full_page=True)
        page.locator('.pg-language [data-language="en"]').click()
    finally:
        writer.release()
    try:
        wait_until(lambda: build_state(central) == "ready", 180, "the build to finish")
        page.reload()
        expect(page.locator("#pg-store-build")).to_have_count(0)
        expect(page.locator("#pg-count [data-total]")).to_have_attribute("data-total", str(during))
        assert problems == [], problems
    finally:
        central.stop()
