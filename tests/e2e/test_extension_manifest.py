"""Chromium loads the one extension folder (with Firefox's `background.scripts` and
`browser_specific_settings` in its manifest) without a warning or an error: the service worker runs and
chrome://extensions lists nothing against the manifest. Firefox loads the same folder in
tests/e2e/test_firefox_composers.py."""

from __future__ import annotations

import pytest

from harness.chromium import EXTENSION_ID, wait_for_service_worker

pytestmark = pytest.mark.e2e


def test_chromium_loads_the_shared_manifest_without_warnings(launch_browser):
    context = launch_browser(extension=True)
    worker = wait_for_service_worker(context)
    assert worker.url.endswith("/background/service-worker.js")
    page = context.new_page()
    page.goto("chrome://extensions")
    infos = page.evaluate("() => new Promise((r) => chrome.developerPrivate.getExtensionsInfo({includeDisabled: true}, r))")
    ours = next(info for info in infos if info["id"] == EXTENSION_ID)
    assert ours["state"] == "ENABLED"
    assert ours.get("installWarnings") == [], ours.get("installWarnings")
    assert ours.get("manifestErrors") == [], ours.get("manifestErrors")
