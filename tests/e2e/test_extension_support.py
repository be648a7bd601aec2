"""Steps shared by the extension's end-to-end tests (no tests here): point the extension at a companion,
open each site's composer the way a user does, type with the real keyboard, read what the site's own
Post handler sent, read the companion's audit log, and find the panel.

Playwright's CSS engine pierces open shadow roots, so `[data-postguard="panel"] [data-postguard-action=edit]`
reaches into the panel and `[data-test-ql-editor-contenteditable]` into LinkedIn's #interop-outlet.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import BrowserContext, Page, Worker

from harness.chromium import REPO_ROOT, wait_for_service_worker

sys.path.append(str(REPO_ROOT / "tests" / "companion"))
from leak_check import leaked  # noqa: E402  (the companion tests' search for a post's words)

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
PANEL = '[data-postguard="panel"]'
NOTICE = '[data-postguard="notice"]'
RISKY_TEXT = "Special offer for Hansen: USD 0.42/pc FOB Ningbo, 30% T/T deposit."
CLEAN_TEXT = "Great to meet so many partners at the Canton Fair this week. Thank you all!"


def holds_the_price(stored: str) -> bool:
    """Whether RISKY_TEXT's price, "0.42" in any form, is in `stored` (an audit export, queued
    decisions), once its timestamps are taken out: a timestamp's seconds and fraction hold a bare
    "0.42" by chance ("...T07:53:10.421Z"), about once in a thousand events (leak_check.py)."""
    return bool(leaked(["0.42"], stored))

EDITORS = {
    "linkedin": '[data-test-ql-editor-contenteditable="true"]:visible',
    "facebook": '[role="dialog"] [data-lexical-editor="true"][contenteditable="true"]',
    "instagram": '[role="dialog"] [aria-label="Write a caption..."][contenteditable="true"]',
}
SUBMITS = {
    "linkedin": "button.share-actions__primary-action",
    "facebook": '[role="dialog"] [role="button"][aria-label="Post"]',
    "instagram": '[role="dialog"] [role="button"]:text-is("Share")',
}


def use_companion(worker: Worker, url: str, **settings) -> None:
    """The user's own settings (options page) pointing the extension at `url`."""
    worker.evaluate("s => chrome.storage.local.set({userSettings: s})", {"companionUrl": url, **settings})


def extension_page(context: BrowserContext, companion_url: str, **settings) -> Worker:
    """The service worker of a freshly launched extension browser, configured for this companion."""
    worker = wait_for_service_worker(context)
    use_companion(worker, companion_url, **settings)
    return worker


def png_bytes(lines: list[str], size=(1000, 600)) -> bytes:
    """A screenshot-like PNG with the given text lines (for photo checks)."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * 70), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def landscape_png() -> bytes:
    """A clean photo-like picture: sky, hills, no text."""
    image = Image.new("RGB", (900, 600), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 600), (0, 380), (300, 260), (620, 400), (900, 300), (900, 600)], fill=(70, 140, 80))
    draw.ellipse((680, 60, 780, 160), fill=(250, 220, 90))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def attach_photo(page: Page, site: str, name: str, data: bytes) -> None:
    """Attach a photo through the site's own button and file chooser."""
    opener = {
        "linkedin": '[data-test-modal-id="sharebox"] button[aria-label="Add media"]',
        "facebook": '[role="dialog"] [role="button"]:has-text("Add photos/videos")',
        "instagram": '[role="dialog"] button:text-is("Select from computer")',
    }[site]
    if site == "facebook":
        page.click('[role="dialog"] [aria-label="Photo/video"]')  # shows the drop zone first
    with page.expect_file_chooser() as chooser:
        page.click(opener)
    chooser.value.set_files([{"name": name, "mimeType": "image/png", "buffer": data}])


PHOTO_REVIEW = f'{PANEL} [data-postguard-part="photo-review"]'


def answer_photo_review(page: Page, choice: str, timeout_ms: float = 40_000) -> None:
    """Wait for the photo review (shown before the site gets a risky photo) and answer it:
    "redacted" attaches the blacked-out copy, "original" undoes the black-out first, "remove" attaches nothing."""
    page.wait_for_selector(f'{PHOTO_REVIEW} canvas[data-shown]', timeout=timeout_ms)
    if choice == "remove":
        page.click(f'{PANEL} [data-postguard-action="photo-remove"]')
    else:
        if choice == "original" and page.locator(f'{PANEL} [data-postguard-action="photo-undo"]').count():
            page.click(f'{PANEL} [data-postguard-action="photo-undo"]')
        page.click(f'{PANEL} [data-postguard-action="photo-attach"]')
    page.wait_for_selector(PANEL, state="detached")


def open_composer(page: Page, site: str, photo: bytes | None = None, review: str | None = None) -> None:
    """Open the composer as a user does; Instagram needs a photo and walks to its caption step.
    `review`: how to answer the photo review a risky photo brings up ("redacted", "original", "remove")."""
    if site == "linkedin":
        page.click('[aria-label="Start a post"]')
        page.wait_for_selector(EDITORS["linkedin"])
    elif site == "facebook":
        page.click('[role="region"][aria-label="Create a post"] [role="button"]:has-text("What\'s on your mind")')
        page.wait_for_selector(EDITORS["facebook"])
    else:
        page.click('a:has([aria-label="New post"]), [aria-label="New post"]')
        attach_photo(page, "instagram", "photo.png", photo or landscape_png())
        if review:
            answer_photo_review(page, review)
        for _ in range(2):
            page.click('[role="dialog"] [role="button"]:text-is("Next")')
        page.wait_for_selector(EDITORS["instagram"])
        return
    if photo is not None:
        attach_photo(page, site, "photo.png", photo)
        if review:
            answer_photo_review(page, review)


def type_post(page: Page, site: str, text: str) -> float:
    """Click into the editor and type with real key events; returns the page's clock (ms) at the
    last keystroke, so a test can tell checks started after it from earlier ones however long
    this process stalls afterwards."""
    page.evaluate("""() => { if (!window.__lastKeyAt) { window.__lastKeyAt = 1;
        window.addEventListener('keydown', () => { window.__lastKeyAt = Date.now(); }, true); } }""")
    page.click(EDITORS[site])
    page.keyboard.type(text, delay=5)
    return page.evaluate("() => window.__lastKeyAt")


def click_post(page: Page, site: str) -> None:
    """Click the site's own Post/Share with the mouse."""
    page.click(SUBMITS[site])


def wait_for_queued_decisions(worker: Worker, count: int, timeout_s: float = 30.0) -> list[dict]:
    """The decisions waiting in the extension's audit queue, once there are at least `count`."""
    deadline = time.monotonic() + timeout_s
    while True:
        queued = worker.evaluate("async () => (await chrome.storage.local.get('auditQueue')).auditQueue || []")
        if len(queued) >= count or time.monotonic() > deadline:
            return queued
        time.sleep(0.2)


def sent(page: Page) -> list[dict]:
    """What the site's own submit handler sent (window.__replica.sent), once hashing has finished."""
    page.wait_for_function("() => window.__replica.pending === 0")
    return page.evaluate("() => window.__replica.sent")


def wait_sent(page: Page, count: int = 1, timeout_ms: float = 10_000) -> list[dict]:
    """Wait until the site has sent `count` submissions."""
    page.wait_for_function("n => window.__replica.sent.length >= n && window.__replica.pending === 0", arg=count, timeout=timeout_ms)
    return sent(page)


def editor_text(page: Page, site: str) -> str:
    """The editor's visible text."""
    return page.locator(EDITORS[site]).inner_text()


def audit_events(data_dir: Path) -> list[dict]:
    """The companion's audit log, read through its own CLI."""
    out = subprocess.run([str(REPO_ROOT / ".venv/bin/postguard"), "audit", "export", "--format", "jsonl",
                          "--data-dir", str(data_dir)], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def wait_for_audit(data_dir: Path, predicate, timeout_s: float = 15.0) -> list[dict]:
    """Poll the audit log until an event matches (decisions are sent asynchronously)."""
    deadline = time.monotonic() + timeout_s
    events: list[dict] = []
    while time.monotonic() < deadline:
        events = audit_events(data_dir)
        if any(predicate(e) for e in events):
            return events
        time.sleep(0.3)
    raise AssertionError(f"no matching audit event; last events: {events[-5:]}")


# Checks the worker finished, as [started, finished] in ms since the epoch (it records the end and the duration).
CHECK_TIMES = ("async () => ((await chrome.storage.local.get('recentChecks')).recentChecks || [])"
               ".map((c) => [c.at - (c.ms || 0), c.at])")


def worker_of(page: Page) -> Worker:
    """The extension's service worker in the page's browser."""
    return wait_for_service_worker(page.context)


def now_ms() -> float:
    """Wall-clock milliseconds, comparable with the worker's Date.now() (same machine)."""
    return time.time() * 1000


def wait_for_precheck(worker: Worker, since_ms: float, quiet_ms: int = 400, timeout_s: float = 40.0) -> None:
    """Wait until the pre-check has answered: a check that started after `since_ms` (the last
    keystroke; the debounced pre-check starts later) has finished, and none was started for `quiet_ms`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        times = worker.evaluate(CHECK_TIMES)
        newer = [(start, end) for start, end in times if start > since_ms]
        if newer and now_ms() - max(end for _, end in newer) >= quiet_ms:
            return
        time.sleep(0.05)
    raise AssertionError("the pre-check never answered")


def checks_started_since(worker: Worker, since_ms: float) -> int:
    """How many checks the worker started after `since_ms` (and has finished)."""
    return sum(1 for start, _ in worker.evaluate(CHECK_TIMES) if start > since_ms)


def pixels(page: Page, sha256: str) -> dict:
    """Decoded {width, height} of an image the site sent, by its sha256."""
    return page.evaluate("(h) => window.__replica.pixels[h]", sha256)


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot into test-output/screenshots/ (looked at by a person after the run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
