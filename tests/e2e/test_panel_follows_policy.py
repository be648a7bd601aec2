"""The composer panel in real Chromium follows IT's managed policy for as long as it is open: each change
of the policy file (reloaded as Chromium does when it changes) is drawn in the open panel, the second
as well as the first, without the user clicking anything.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.chromium import reload_managed_policies, wait_for_managed_value, wait_for_service_worker
from test_extension_support import PANEL, RISKY_TEXT, click_post, open_composer, screenshot, sent, type_post

pytestmark = pytest.mark.e2e

OVERRIDE = f'{PANEL} [data-postguard-action="override"]'
BLOCKED = {"en-US": "does not allow posting this", "zh-CN": "贵公司不允许发布此内容"}


@pytest.mark.parametrize(("site", "locale"), [("linkedin", "en-US"), ("facebook", "en-US"), ("instagram", "en-US"),
                                              ("linkedin", "zh-CN")])
def test_an_open_panel_follows_every_managed_policy_change(site, locale, managed_policy, companion, launch_browser,
                                                           open_site):
    managed_policy({"companionUrl": companion.url})
    context = launch_browser(extension=True, locale=locale, extra_args=(f"--lang={locale}",))
    worker = wait_for_service_worker(context)
    page = open_site(context, site)
    open_composer(page, site)
    type_post(page, site, RISKY_TEXT)
    click_post(page, site)
    page.wait_for_selector(f"{PANEL} [data-postguard-finding]", timeout=15_000)
    expect(page.locator(OVERRIDE)).to_have_count(1)

    for enforcement, overrides in (("block", 0), ("warn", 1), ("block", 0)):
        managed_policy({"companionUrl": companion.url, "enforcement": enforcement})
        reload_managed_policies(context)
        wait_for_managed_value(worker, "enforcement", enforcement)
        page.bring_to_front()
        expect(page.locator(OVERRIDE)).to_have_count(overrides, timeout=15_000)
    assert BLOCKED[locale] in page.locator(f"{PANEL} section.pg-panel").inner_text()
    assert sent(page) == [], "the post stayed held through every change"
    screenshot(page, f"panel-follows-policy-{site}-{locale}")
