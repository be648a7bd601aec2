"""Benchmark of the extension in real headless Chromium against the real companion and the replicas.

Measures, per site:
  * Post click -> panel shown (risky post) and Post click -> the site's own handler ran (clean post),
    for a post whose pre-check has already answered; p50/p95 over N runs (target p95 <= 150 ms);
  * extension work per keystroke: a keydown + input dispatched on the editor from the page, timed with
    and without the extension's listeners (median difference; target <= 2 ms).

Run: .venv/bin/python bench/bench_extension.py [--runs 20]   (figures go to docs/extension.md by hand)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from playwright.sync_api import sync_playwright  # noqa: E402

from harness.certs import make_self_signed_certificate  # noqa: E402
from harness.chromium import EXTENSION_DIR, launch_chromium, open_replica, wait_for_service_worker  # noqa: E402
from harness.companion import start_companion  # noqa: E402
from harness.replica_server import ReplicaServer  # noqa: E402
from test_extension_support import CLEAN_TEXT, EDITORS, RISKY_TEXT, SUBMITS, open_composer, type_post, use_companion  # noqa: E402

CLICK_TO_OUTCOME = """async ([submitSel, expectPanel]) => {
  const find = (sel) => document.querySelector(sel) || document.getElementById('interop-outlet')?.shadowRoot?.querySelector(sel);
  const deep = (sel) => find(sel) || [...document.querySelectorAll('*')].map(e => e.shadowRoot?.querySelector(sel)).find(Boolean);
  const submit = [...document.querySelectorAll('*')].length && (deep(submitSel.replace(':text-is("Share")', '')) );
  const before = window.__replica.sent.length + window.__replica.pending;
  const t0 = performance.now();
  submit.click();
  return await new Promise((resolve) => {
    const tick = () => {
      const panel = deep('[data-postguard="panel"]');
      const posted = window.__replica.sent.length + window.__replica.pending > before;
      if ((expectPanel && panel) || (!expectPanel && posted)) resolve(performance.now() - t0);
      else requestAnimationFrame(tick);
    };
    tick();
  });
}"""

KEYSTROKE = """([editorSel, n]) => {
  const deep = (sel) => document.querySelector(sel) || [...document.querySelectorAll('*')].map(e => e.shadowRoot?.querySelector(sel)).find(Boolean);
  const editor = deep(editorSel.replace(':visible', ''));
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    editor.dispatchEvent(new KeyboardEvent('keydown', {key: 'a', bubbles: true, composed: true, cancelable: true}));
    editor.dispatchEvent(new InputEvent('input', {bubbles: true, composed: true, inputType: 'insertText', data: 'a'}));
    times.push(performance.now() - t0);
  }
  return times;
}"""


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def click_latency(context, server, site, text, expect_panel, runs):
    samples = []
    for _ in range(runs):
        page = open_replica(context, server.url(site))
        open_composer(page, site)
        type_post(page, site, text)
        page.wait_for_timeout(900)  # the user pauses: the pre-check answers
        samples.append(page.evaluate(CLICK_TO_OUTCOME, [SUBMITS[site], expect_panel]))
        page.close()
    return samples


def keystroke_cost(context, server, site, n=300):
    page = open_replica(context, server.url(site))
    open_composer(page, site)
    times = page.evaluate(KEYSTROKE, [EDITORS[site], n])
    page.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        server = ReplicaServer(make_self_signed_certificate(tmp / "tls")).start()
        companion = start_companion(tmp / "companion")
        try:
            with_ext = launch_chromium(pw, tmp / "p1", server.host_resolver_rules(), EXTENSION_DIR)
            use_companion(wait_for_service_worker(with_ext), companion.url)
            without = launch_chromium(pw, tmp / "p2", server.host_resolver_rules(), None)
            for site in ("linkedin", "facebook", "instagram"):
                risky = click_latency(with_ext, server, site, RISKY_TEXT, True, args.runs)
                clean = click_latency(with_ext, server, site, CLEAN_TEXT, False, args.runs)
                on = keystroke_cost(with_ext, server, site)
                off = keystroke_cost(without, server, site)
                extra = statistics.median(on) - statistics.median(off)
                print(f"{site:10s} click->panel p50 {pct(risky, .5):6.1f} ms p95 {pct(risky, .95):6.1f} ms | "
                      f"click->posted p50 {pct(clean, .5):6.1f} ms p95 {pct(clean, .95):6.1f} ms | "
                      f"keystroke: with {statistics.median(on):.3f} ms, without {statistics.median(off):.3f} ms, "
                      f"extension {extra:.3f} ms (p95 with {pct(on, .95):.3f} ms)", flush=True)
            with_ext.close()
            without.close()
        finally:
            companion.stop()
            server.stop()


if __name__ == "__main__":
    main()
