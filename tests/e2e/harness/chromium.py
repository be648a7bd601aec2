"""Launching Debian's Chromium with (or without) the unpacked extension, and reaching its service worker.

Checked on Chromium 156 with Playwright 1.65 (2026): Playwright's `headless=True` passes `--headless`,
which is the new headless mode, and unpacked extensions load there (content scripts run, the service
worker starts, `chrome.storage.managed` reads /etc/chromium/policies/managed). Playwright's default
`--disable-extensions` is overridden by `--disable-extensions-except`. Debian's Chromium is unbranded, so
`--load-extension` still works (branded Chrome dropped it in 137).
"""

from __future__ import annotations

import functools
import subprocess
import time
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Playwright, Worker

CHROMIUM_EXECUTABLE = "/usr/lib/chromium/chromium"
REPO_ROOT = Path(__file__).resolve().parents[3]
EXTENSION_DIR = REPO_ROOT / "extension"
# Stable because extension/manifest.json carries a fixed "key" (see docs/replicas.md).
EXTENSION_ID = "lgpmbmmgjnablpheopbbjncokjbhohij"


@functools.cache
def require_built_extension() -> None:
    """Fails (once per run) unless extension/dist/ holds a fresh build of the content scripts: a browser
    loading a stale or missing bundle would test old code, or none. scripts/install.sh builds it."""
    check = subprocess.run(["node", "scripts/build-extension.mjs", "--check"], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=120)
    if check.returncode != 0:
        raise AssertionError(f"the extension is not built: {check.stderr.strip() or check.stdout.strip()}")


def chromium_args(host_resolver_rules: str, extension_dir: Path | None = None,
                  extra_args: tuple[str, ...] = ()) -> list[str]:
    """Command-line switches: replica hostnames mapped to the local server, the extension if given."""
    args: list[str] = []
    if extension_dir is not None:
        args += [f"--disable-extensions-except={extension_dir}", f"--load-extension={extension_dir}"]
    args += [
        f"--host-resolver-rules={host_resolver_rules}",
        "--ignore-certificate-errors",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-sandbox",
        "--disable-gpu",
    ]
    return args + list(extra_args)


def launch_chromium(playwright: Playwright, user_data_dir: Path, host_resolver_rules: str,
                    extension_dir: Path | None = None, extra_args: tuple[str, ...] = (),
                    locale: str = "en-US") -> BrowserContext:
    """Start headless Chromium with a persistent profile (extensions need one); the caller closes it."""
    if extension_dir is not None:
        require_built_extension()
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=CHROMIUM_EXECUTABLE,
        headless=True,
        args=chromium_args(host_resolver_rules, extension_dir, extra_args),
        viewport={"width": 1280, "height": 900},
        locale=locale,
    )


def wait_for_service_worker(context: BrowserContext, extension_id: str = EXTENSION_ID,
                            timeout_ms: float = 30_000) -> Worker:
    """The extension's service worker, waiting for it to register if it has not yet."""
    prefix = f"chrome-extension://{extension_id}/"
    for worker in context.service_workers:
        if worker.url.startswith(prefix):
            return worker
    return context.wait_for_event("serviceworker", predicate=lambda w: w.url.startswith(prefix), timeout=timeout_ms)


def reload_managed_policies(context: BrowserContext) -> None:
    """Make Chromium re-read /etc/chromium/policies/managed now (chrome://policy → Reload policies).

    Without this, Chromium notices a changed policy file only after its file watcher settles (seconds).
    """
    page = context.new_page()
    try:
        page.goto("chrome://policy")
        page.click("#reload-policies")
        page.wait_for_timeout(300)
    finally:
        page.close()


def wait_for_managed_value(worker: Worker | Page, key: str, value, timeout_ms: float = 30_000) -> None:
    """Wait until `chrome.storage.managed`, seen from the extension's worker or one of its pages,
    holds `key: value` (after a policy reload or a fresh install,
    Chromium hands the new values to extensions asynchronously)."""
    worker.evaluate("""([key, value, timeoutMs]) => new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = () => chrome.storage.managed.get().then((values) => {
            if (JSON.stringify(values[key]) === JSON.stringify(value)) resolve();
            else if (Date.now() > deadline) reject(new Error('policy not reloaded: ' + JSON.stringify(values)));
            else setTimeout(poll, 100);
        });
        poll();
    })""", [key, value, timeout_ms])


def stop_extension_worker(page: Page, extension_id: str = EXTENSION_ID, timeout_ms: float = 10_000) -> float:
    """Stop the extension's service worker as Chrome does when it idles it out (DevTools
    `ServiceWorker.stopAllWorkers`) and wait until Chrome reports it stopped; returns when the stop
    was asked for (ms since the epoch)."""
    cdp = page.context.new_cdp_session(page)
    # Every state each worker went through, not only the last: the page may wake a fresh worker
    # right after the stop (that is what the tests are about), and on a loaded machine "stopped"
    # and the next "running" can arrive between two polls.
    seen: dict[str, list[str]] = {}
    cdp.on("ServiceWorker.workerVersionUpdated", lambda event: [
        seen.setdefault(v["scriptURL"], []).append(v["runningStatus"]) for v in event["versions"]])
    cdp.send("ServiceWorker.enable")
    stopped_at = time.time() * 1000
    cdp.send("ServiceWorker.stopAllWorkers")
    prefix = f"chrome-extension://{extension_id}/"
    deadline = time.monotonic() + timeout_ms / 1000
    while not any(url.startswith(prefix) and "stopped" in states for url, states in seen.items()):
        if time.monotonic() > deadline:
            raise AssertionError(f"the extension's worker did not stop: {seen}")
        page.wait_for_timeout(20)
    cdp.detach()
    return stopped_at


def open_replica(context: BrowserContext, url: str) -> Page:
    """Open a replica page in a new tab and wait until its app has finished building."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => window.__replica && window.__replica.ready === true")
    return page
