"""The extension when the browser pulls the ground away: its service worker stopped in the middle of a
check (Chrome may stop it at any moment), and the browser closed and started again with decisions still
waiting for the companion. Nothing risky slips out, and no decision is lost.
"""

from __future__ import annotations

import json

import pytest

from harness.chromium import EXTENSION_ID, stop_extension_worker
from harness.companion import start_companion
from harness.held_companion import HeldCompanion
from test_extension_support import (CLEAN_TEXT, NOTICE, PANEL, attach_photo, click_post, extension_page,
                                    open_composer, png_bytes, screenshot, sent, type_post, wait_for_audit,
                                    wait_for_queued_decisions, wait_sent)

pytestmark = pytest.mark.e2e

QUOTE_PHOTO = ["Quotation LQ-2024-0815", "USD 0.42/pc FOB Ningbo", "30% T/T deposit", "Item 1: cabinet hinge 35 mm",
               "Item 2: drawer slide 450 mm", "Item 3: door handle 128 mm", "Packing: 200 pcs per carton",
               "Delivery: 35 days after deposit", "Validity: 30 days", "Payment: balance before shipment"]
OPTIONS_URL = f"chrome-extension://{EXTENSION_ID}/options/options.html"


def storage_local(context, key: str):
    """A value from the extension's storage.local, read from its options page (the worker may be new)."""
    page = context.new_page()
    try:
        page.goto(OPTIONS_URL)
        return page.evaluate("async (k) => (await chrome.storage.local.get(k))[k]", key)
    finally:
        page.close()


@pytest.fixture
def held_companion(companion):
    """The session's companion behind a door that holds checks with a photo until released."""
    door = HeldCompanion(companion.url)
    yield door
    door.close()


@pytest.mark.parametrize("site", ["facebook", "linkedin"])
def test_a_worker_stopped_mid_check_does_not_let_a_risky_photo_out(site, held_companion, launch_browser, open_site):
    context = launch_browser(extension=True)
    extension_page(context, held_companion.url)
    page = open_site(context, site)
    open_composer(page, site)
    type_post(page, site, "New season, new catalogue.")
    # A line naming the site keeps the companion's OCR cache (keyed by the image's hash) from
    # answering the second site's check at once.
    photo = png_bytes([*QUOTE_PHOTO, f"Ref: {site} catalogue"], size=(1400, 900))
    attach_photo(page, site, "quote.png", photo)
    click_post(page, site)
    # The photo's check waits at the door, so the worker is surely stopped in the middle of it
    # (its OCR takes about half a second, which a loaded machine can spend before the stop).
    held_companion.wait_for_a_held_photo_check()
    stopped_at = stop_extension_worker(page)
    held_companion.release()

    page.wait_for_selector(f'{PANEL} [data-postguard-finding][data-category="pricing"]', timeout=30_000)
    assert page.locator(NOTICE).count() == 0, "no 'companion not running' notice: it was running"
    screenshot(page, f"panel-after-worker-stop-{site}")
    assert sent(page) == [], "the site's own Post handler never ran"
    started = [c["at"] - c.get("ms", 0) for c in storage_local(context, "recentChecks") or []]
    assert any(start > stopped_at for start in started), \
        "the check ran again in a fresh worker (so the stop did interrupt one)"


def test_decisions_waiting_when_the_browser_closes_are_delivered_after_it_starts_again(
        start_companion_process, launch_browser, open_site, tmp_path):
    companion = start_companion_process()
    port, data_dir = companion.port, companion.data_dir
    profile = tmp_path / "laptop-profile"
    context = launch_browser(extension=True, profile=profile)
    worker = extension_page(context, companion.url)
    companion.stop()
    page = open_site(context, "linkedin")
    open_composer(page, "linkedin")
    type_post(page, "linkedin", CLEAN_TEXT)
    click_post(page, "linkedin")  # fail open: it goes out unchecked, and that decision waits
    wait_sent(page)
    assert [entry["action"] for entry in wait_for_queued_decisions(worker, 1)] == ["posted"]
    context.close()  # the laptop's browser is closed with the decision still waiting

    restarted = start_companion(data_dir, port=port)
    try:
        launch_browser(extension=True, profile=profile)  # and started again the next morning
        events = wait_for_audit(data_dir, lambda e: e.get("action") == "posted", timeout_s=60)
        posted = [e for e in events if e.get("action") == "posted"]
        assert len(posted) == 1 and posted[0]["platform"] == "linkedin"
        assert "fail open" in (posted[0].get("justification") or "")
        assert CLEAN_TEXT not in json.dumps(events)
    finally:
        restarted.stop()
