"""Reading what a replica page's own handlers sent, plus test images and screenshot paths.

Everything a test asserts about "did the post go out, and with what" comes from `window.__replica.sent`
(written only by the replica's Post/Share/Comment handlers) — never from the extension's own account.
All page functions are passed as arrow functions: the replicas' CSP forbids eval, and Playwright
evaluates bare expressions with eval.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .chromium import REPO_ROOT

SCREENSHOT_DIR = REPO_ROOT / "test-output" / "screenshots"
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def sent(page: Page) -> list[dict]:
    """Everything the page's handlers have sent so far: [{kind, text, files: [{name, type, size, sha256}], at, site}]."""
    return page.evaluate("() => window.__replica.sent")


def wait_for_sent(page: Page, count: int = 1, timeout_ms: float = 15_000) -> list[dict]:
    """Wait until at least `count` submissions are recorded (hashing finished) and return them all."""
    page.wait_for_function("(n) => window.__replica.sent.length >= n", arg=count, timeout=timeout_ms)
    return sent(page)


def wait_for_model_text(page: Page, editor: Locator, text: str, timeout_ms: float = 15_000) -> None:
    """Wait until the editor's model, what the site's Post handler sends, holds exactly `text`.

    The DOM-first editors (LinkedIn's Quill and ProseMirror replicas) read the DOM back one task after
    it changes, so an enabled Post button or the text on screen says nothing yet about the model; on a
    busy machine the model can still hold "first draf". A test that asserts what was sent waits for this.
    """
    root = editor.element_handle()
    try:
        page.wait_for_function("([root, text]) => (root.__domModelEditor || root.__lexicalEditor).text === text",
                               arg=[root, text], timeout=timeout_ms)
    except PlaywrightTimeoutError:
        held = root.evaluate("(root) => (root.__domModelEditor || root.__lexicalEditor).text")
        raise AssertionError(f"after {timeout_ms:.0f} ms the editor's model holds {held!r}, not {text!r}") from None


def assert_nothing_sent(page: Page, settle_ms: float = 300) -> None:
    """Fail if the site's handlers sent anything, after giving in-flight hashing time to finish."""
    page.wait_for_timeout(settle_ms)
    state = page.evaluate("() => ({sent: window.__replica.sent, pending: window.__replica.pending})")
    assert state["sent"] == [] and state["pending"] == 0, f"the site sent something: {state}"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, to compare with a recorded attachment."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_text_image(path: Path, lines: list[str], size: tuple[int, int] = (900, 500)) -> Path:
    """Render black text on white into a PNG (a photo of a price list, a business card...)."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(_FONT, 36)
    for row, line in enumerate(lines):
        draw.text((40, 40 + row * 60), line, fill="black", font=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def screenshot_path(name: str) -> Path:
    """Where a test saves a screenshot for people to look at: test-output/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"{name}.png"
