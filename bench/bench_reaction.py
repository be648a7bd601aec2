"""Benchmark of the reaction guard in headless Chromium against the real companion and the feed replicas.

Measures, per site:
  * the click decision on a post whose check has already answered (cached): a real mouse click on
    Like, from the page's `mouseup` (the click follows it in the same input task) to the outcome: the
    site's own handler ran (harmless post) or the card is in the page (competitor's post);
    p50/p95/max over N runs (target p95 <= 20 ms). A harmless
    post is liked and un-liked in turn (un-liking is never checked); the competitor's card is cancelled.
  * the scroll cost of a feed of 200 posts: the renderer's script time (CDP Performance.getMetrics,
    ScriptDuration) while scrolling from top to bottom and letting every pre-check answer, with the
    extension minus without it, per post (target <= 1 ms per post). It includes the content script's
    observers, the text and author extraction of every post that comes into view, and the handling of
    the checks' answers.

Run: .venv/bin/python bench/bench_reaction.py [--runs 20] [--posts 200] [--sites linkedin,facebook,instagram]
(figures go to docs/performance.md by hand, with the date and the machine load printed at the start).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from playwright.sync_api import sync_playwright  # noqa: E402

from harness.certs import make_self_signed_certificate  # noqa: E402
from harness.chromium import EXTENSION_DIR, launch_chromium, open_replica, wait_for_service_worker  # noqa: E402
from harness.companion import start_companion  # noqa: E402
from harness.replica_server import ReplicaServer  # noqa: E402
from reaction_cases import FeedHands  # noqa: E402
from test_reaction_guard import CARD, ChromiumPage  # noqa: E402

SITES = ("linkedin", "facebook", "instagram")

# Installed in the page's main world: when the mouse button went up, and when the card appeared.
PROBE = """() => {
  window.__bench = { down: 0, card: 0 };
  // mouseup: Chromium dispatches the click right after it, in the same input task; the guard never stops it.
  addEventListener('mouseup', () => { window.__bench.down = performance.now(); window.__bench.card = 0; }, true);
  new MutationObserver(() => {
    if (!window.__bench.card && document.querySelector('[data-postguard="reaction-card"]')) window.__bench.card = performance.now();
  }).observe(document.documentElement, { childList: true });
}"""


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def describe(samples):
    return f"p50 {pct(samples, 50):.1f} / p95 {pct(samples, 95):.1f} / max {max(samples):.1f} ms (n={len(samples)})"


def outcome_ms(page, count_before: int, expect_card: bool) -> float:
    """Wait for the outcome of the click just made; milliseconds from its mouseup."""
    if expect_card:
        page.wait_for_function("() => window.__bench.card > 0", timeout=15_000)
        return page.evaluate("() => window.__bench.card - window.__bench.down")
    page.wait_for_function("(n) => window.__replica.actions.length > n", arg=count_before, timeout=15_000)
    return page.evaluate("() => window.__replica.actions.at(-1).at - window.__bench.down")


def click_decisions(page, site: str, runs: int) -> tuple[list[float], list[float]]:
    feed = FeedHands(ChromiumPage(page), site, CARD, "chromium")
    page.evaluate(PROBE)
    clean, risky = [], []
    # First look: these clicks may wait for the check; they also make sure both posts are cached.
    feed.like("clean")
    page.wait_for_function("() => window.__replica.actions.length >= 1", timeout=15_000)
    feed.like("competitor")
    page.locator(CARD).wait_for(timeout=15_000)
    page.locator(CARD).get_by_role("button", name="Cancel").click()
    for _ in range(runs):
        for _ in range(2):  # un-like (never checked), then like again (cached, harmless)
            before = page.evaluate("() => window.__replica.actions.length")
            feed.like("clean")
            sample = outcome_ms(page, before, expect_card=False)
            if page.evaluate("() => window.__replica.actions.at(-1).kind") == "react":
                clean.append(sample)
        feed.like("competitor")
        risky.append(outcome_ms(page, 0, expect_card=True))
        page.locator(CARD).get_by_role("button", name="Cancel").click()
    return clean, risky


def script_ms(session) -> float:
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    return metrics["ScriptDuration"] * 1000


def scroll_cost(context, server, site: str, posts: int) -> float:
    """Script milliseconds spent while scrolling through a feed of `posts` posts and letting it settle."""
    page = open_replica(context, server.url(site, ("/feed/" if site == "linkedin" else "/") + f"?posts={posts}"))
    session = page.context.new_cdp_session(page)
    session.send("Performance.enable")  # one session: enabling again would reset the counters
    page.wait_for_timeout(1500)  # let start-up work finish before the first reading
    before = script_ms(session)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    for y in range(0, height, 400):
        page.evaluate("(y) => new Promise((r) => { window.scrollTo(0, y); requestAnimationFrame(() => requestAnimationFrame(r)); })", y)
    page.wait_for_timeout(3000)  # every pre-check started by the scroll answers within this on an idle companion
    spent = script_ms(session) - before
    page.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--sites", default=",".join(SITES))
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        server = ReplicaServer(make_self_signed_certificate(tmp / "tls")).start()
        companion = start_companion(tmp / "companion")
        try:
            with sync_playwright() as pw:
                with_ext = launch_chromium(pw, tmp / "with", server.host_resolver_rules(), EXTENSION_DIR, (), "en-US")
                wait_for_service_worker(with_ext).evaluate("s => chrome.storage.local.set({userSettings: s})",
                                                          {"companionUrl": companion.url})
                without = launch_chromium(pw, tmp / "without", server.host_resolver_rules(), None, (), "en-US")
                for site in args.sites.split(","):
                    page = open_replica(with_ext, server.url(site))
                    clean, risky = click_decisions(page, site, args.runs)
                    page.close()
                    print(f"{site}: cached harmless post, mouseup -> site's handler ran: {describe(clean)}")
                    print(f"{site}: cached competitor's post, mouseup -> card in the page: {describe(risky)}")
                    costs = [scroll_cost(ctx, server, site, args.posts) for ctx in (with_ext, without)]
                    per_post = (costs[0] - costs[1]) / args.posts
                    print(f"{site}: scroll through {args.posts} posts, script time with {costs[0]:.0f} ms, "
                          f"without {costs[1]:.0f} ms: {per_post:.3f} ms per post")
                with_ext.close()
                without.close()
        finally:
            companion.stop()
            server.stop()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
