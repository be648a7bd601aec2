"""Debian's firefox-esr with the extension, driven over WebDriver BiDi, for the end-to-end tests.

Firefox is driven by puppeteer-core (npm, pinned in package.json) through `firefox-driver.mjs`, a small
Node process that answers one JSON request per line; `FirefoxBrowser` and `FirefoxPage` are its
Python face, shaped like the Playwright calls the Chromium tests use. Checked on firefox-esr 153 and
puppeteer-core 24.43 (2026-12):

- the extension is installed as a temporary add-on (BiDi `webExtension.install`) from `extension/`,
  the same folder Chromium loads; Firefox runs `background.scripts` as an event page;
- the replicas are reached at their real hostnames through a PAC script and a loopback CONNECT proxy
  (`connect_proxy.py`; Firefox has no `--host-resolver-rules`); the self-signed certificate is
  accepted by the session's `acceptInsecureCerts`;
- the extension's origin is `moz-extension://<uuid>`, and Firefox draws a random uuid per profile; the
  pref `extensions.webextensions.uuids` fixes it here, so the companion can be told which origin to
  allow (`FIREFOX_EXTENSION_ORIGIN`). Firefox sends that Origin on every request to the companion. The
  managed-install test leaves the uuid random and lets the companion learn it from the profile, as on a
  laptop (companion/api/firefox_origins.py);
- managed settings come from policies.json `3rdparty` → `Extensions` → add-on ID, read once at start-up
  from /etc/firefox/policies/policies.json (Debian's firefox-esr reads that path, not
  /etc/firefox-esr/). The file is machine-wide, so `FirefoxPolicy` holds an exclusive lock while a
  test's Firefox runs;
- BiDi refuses to open moz-extension:// pages unless Firefox was started with
  `--remote-allow-system-access` (`extension_pages=True`): the options page and the popup are then
  opened at their own URL, as a user's click on them would (tests/e2e/test_firefox_options.py); the
  other tests read the replica page and the companion's audit log, never the extension's own storage;
- the extension's UI language is Firefox's: `intl.locale.requested` plus Debian's langpack
  (firefox-esr-l10n-zh-cn) for Chinese.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .chromium import EXTENSION_DIR, EXTENSION_ID, REPO_ROOT, require_built_extension

FIREFOX_EXECUTABLE = "/usr/bin/firefox-esr"
FIREFOX_ADDON_ID = "postguard@lumenhardware.com"
FIREFOX_EXTENSION_UUID = "5b0e2f6c-7d3a-4c1e-9f20-3a8d6e4b1c57"
FIREFOX_EXTENSION_ORIGIN = f"moz-extension://{FIREFOX_EXTENSION_UUID}"
FIREFOX_POLICY_PATH = Path("/etc/firefox/policies/policies.json")
DRIVER = Path(__file__).with_name("firefox-driver.mjs")
LOCK_PATH = Path("/tmp/postguard-e2e-firefox-policy.lock")
ZH_LANGPACK = Path("/usr/lib/firefox-esr/browser/extensions/langpack-zh-CN@firefox-esr.mozilla.org.xpi")


def firefox_missing() -> str | None:
    """Why Firefox tests cannot run here (None when they can)."""
    if not Path(FIREFOX_EXECUTABLE).exists():
        return f"{FIREFOX_EXECUTABLE} is not installed (scripts/install.sh installs firefox-esr)"
    if shutil.which("node") is None or not (REPO_ROOT / "node_modules" / "puppeteer-core").exists():
        return "node or puppeteer-core missing (npm ci)"
    return None


def allowed_origins_env() -> dict[str, str]:
    """Companion environment that allows the Chromium extension and this Firefox extension."""
    return {"POSTGUARD_ALLOWED_ORIGINS": f"chrome-extension://{EXTENSION_ID},{FIREFOX_EXTENSION_ORIGIN}"}


class FirefoxPolicy:
    """Owns /etc/firefox/policies/policies.json for one test: `write()` takes a machine-wide lock and
    writes the document, `remove()` deletes it and frees the lock. Refuses to replace a policies.json it
    did not write (a developer's own Firefox policy)."""

    MARKER = "postguard-e2e"

    def __init__(self, path: Path = FIREFOX_POLICY_PATH, timeout_s: float = 600.0) -> None:
        self.path = path
        self._timeout_s = timeout_s
        self._descriptor: int | None = None

    def write(self, managed: dict) -> Path:
        """The extension's managed values under 3rdparty → Extensions → add-on ID (what IT deploys)."""
        return self.write_document({"policies": {"3rdparty": {"Extensions": {FIREFOX_ADDON_ID: managed}}}})

    def write_document(self, document: dict) -> Path:
        """A whole policies.json (e.g. the one `postguard deploy policy` generates)."""
        self._lock()
        if self.path.exists() and self.MARKER not in self.path.read_text(errors="replace"):
            self.remove()
            raise RuntimeError(f"{self.path} exists and was not written by these tests; not replacing it")
        document = {**document, "comment": self.MARKER}  # Firefox reads only "policies"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.parent.parent / f".{self.MARKER}-{os.getpid()}.tmp"
        temporary.write_text(json.dumps(document, indent=1))
        temporary.replace(self.path)
        return self.path

    def remove(self) -> None:
        """Delete the file (if ours) and release the lock; idempotent."""
        if self.path.exists() and self.MARKER in self.path.read_text(errors="replace"):
            self.path.unlink()
        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = None

    def _lock(self) -> None:
        if self._descriptor is not None:
            return
        descriptor = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._descriptor = descriptor
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(descriptor)
                    raise TimeoutError(f"another test run holds {LOCK_PATH}") from None
                time.sleep(0.2)


class DriverError(AssertionError):
    """A request the driver could not carry out (a selector never matched, a timeout...)."""


class _Driver:
    """The Node driver process and its line protocol."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(["node", str(DRIVER)], cwd=REPO_ROOT, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self._answers: queue.Queue = queue.Queue()
        self._stderr: list[str] = []
        threading.Thread(target=self._read, args=(self._process.stdout, self._answers.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self._process.stderr, self._stderr.append), daemon=True).start()
        self._next_id = 0

    @staticmethod
    def _read(stream, sink) -> None:
        for line in stream:
            sink(line)
        sink(None)

    def call(self, op: str, timeout_s: float = 90.0, **args):
        self._next_id += 1
        self._process.stdin.write(json.dumps({"id": self._next_id, "op": op, "args": args}) + "\n")
        self._process.stdin.flush()
        try:
            line = self._answers.get(timeout=timeout_s)
        except queue.Empty:
            raise DriverError(f"firefox driver gave no answer to {op} in {timeout_s:.0f} s") from None
        if line is None:
            raise DriverError(f"firefox driver ended: {''.join(l for l in self._stderr if l)[-2000:]}")
        message = json.loads(line)
        if not message["ok"]:
            raise DriverError(f"{op}: {message['error']}")
        return message["value"]

    def stop(self) -> None:
        """Close stdin (the driver closes Firefox and exits); kill it if it does not."""
        if self._process.poll() is None:
            try:
                self._process.stdin.close()
                self._process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait(timeout=10)


class FirefoxPage:
    """One tab. Selectors are Puppeteer's CSS (`>>>` enters open shadow roots); functions are
    arrow-function source strings taking one argument (the replicas' CSP does not apply to them)."""

    def __init__(self, driver: _Driver, page_id: int) -> None:
        self._driver = driver
        self.id = page_id

    def goto(self, url: str) -> None:
        """Navigate this tab (waits for the page's load)."""
        self._driver.call("goto", page=self.id, url=url)

    def click(self, selector: str, timeout_ms: float = 15_000, count: int = 1) -> None:
        """A real click (`count=2`: a double click, as on Instagram's photo)."""
        self._driver.call("click", page=self.id, selector=selector, timeout=timeout_ms, count=count)

    def hover(self, selector: str, timeout_ms: float = 15_000) -> None:
        """Move the pointer onto the element (Facebook's reactions open on hover)."""
        self._driver.call("hover", page=self.id, selector=selector, timeout=timeout_ms)

    def click_text(self, selector: str, text: str, timeout_ms: float = 15_000) -> None:
        """Click the first `selector` whose text is exactly `text` (Instagram's Next / Share)."""
        self._driver.call("clickText", page=self.id, selector=selector, text=text, timeout=timeout_ms)

    def type(self, text: str, delay_ms: int = 5) -> None:
        """Real key events into whatever has focus."""
        self._driver.call("type", page=self.id, text=text, delay=delay_ms)

    def press(self, key: str, *modifiers: str) -> None:
        """One key, with modifiers held ("Control", "Shift") as a person presses a shortcut."""
        self._driver.call("press", page=self.id, key=key, modifiers=list(modifiers))

    def evaluate(self, fn: str, arg=None):
        return self._driver.call("evaluate", page=self.id, fn=fn, arg=arg)

    def wait_for_function(self, fn: str, arg=None, timeout_ms: float = 15_000):
        return self._driver.call("waitForFunction", timeout_s=timeout_ms / 1000 + 30,
                                 page=self.id, fn=fn, arg=arg, timeout=timeout_ms)

    def wait_for_selector(self, selector: str, state: str = "visible", timeout_ms: float = 15_000) -> None:
        """state: "visible", "attached" or "hidden" (gone or invisible)."""
        self._driver.call("waitForSelector", timeout_s=timeout_ms / 1000 + 30,
                          page=self.id, selector=selector, state=state, timeout=timeout_ms)

    def count(self, selector: str) -> int:
        return self._driver.call("count", page=self.id, selector=selector)

    def texts(self, selector: str) -> list[str]:
        return self._driver.call("texts", page=self.id, selector=selector)

    def select_label(self, selector: str, label: str, timeout_ms: float = 15_000) -> None:
        """Pick the option shown as `label` in a <select>, as a person's pick would."""
        self._driver.call("selectLabel", page=self.id, selector=selector, label=label, timeout=timeout_ms)

    def set_files(self, selector: str, *paths: Path) -> None:
        """Hand files to a file input as the user's pick would (input and change events)."""
        self._driver.call("setFiles", page=self.id, selector=selector, paths=[str(p) for p in paths])

    def choose_files(self, opener: str, *paths: Path) -> None:
        """Click the site's own button that opens the file picker, and pick `paths` in it."""
        self._driver.call("chooseFiles", page=self.id, selector=opener, paths=[str(p) for p in paths])

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._driver.call("screenshot", page=self.id, path=str(path))
        return path


class FirefoxBrowser:
    """firefox-esr (headless, fresh profile) reaching the replicas through `pac_script`, with the
    extension installed unless `extension_dir` is None. `close()` is idempotent."""

    def __init__(self, pac_script: str, extension_dir: Path | None = EXTENSION_DIR, locale: str = "en-US",
                 viewport: tuple[int, int] = (1280, 900), profile: Path | None = None,
                 extra_prefs: dict | None = None, extension_uuid: str | None = FIREFOX_EXTENSION_UUID,
                 extension_pages: bool = False) -> None:
        if extension_dir is not None:
            require_built_extension()
        self._driver = _Driver()
        prefs = {
            "network.proxy.type": 2,
            "network.proxy.autoconfig_url": "data:text/javascript," + _url_quote(pac_script),
            "intl.locale.requested": locale,
            "intl.accept_languages": locale,
            **(extra_prefs or {}),
        }
        if extension_uuid:  # None: the random uuid Firefox draws, as on a laptop
            prefs["extensions.webextensions.uuids"] = json.dumps({FIREFOX_ADDON_ID: extension_uuid})
        try:
            self.version = self._driver.call("launch", executablePath=FIREFOX_EXECUTABLE, prefs=prefs,
                                             viewport={"width": viewport[0], "height": viewport[1]},
                                             userDataDir=str(profile) if profile else None,
                                             args=["--remote-allow-system-access"] if extension_pages else [])
            if extension_dir is not None:
                self._driver.call("installExtension", path=str(extension_dir))
        except Exception:
            self.close()
            raise

    def new_page(self, url: str | None = None, wait_for_load: bool = True) -> FirefoxPage:
        return FirefoxPage(self._driver, self._driver.call("newPage", url=url, waitForLoad=wait_for_load))

    def extension_page(self, path: str) -> FirefoxPage:
        """A new tab on one of the extension's own pages ("options/options.html"); needs `extension_pages=True`
        and the fixed extension uuid."""
        url = f"{FIREFOX_EXTENSION_ORIGIN}/{path}"
        page = self.new_page(url, wait_for_load=False)
        page.wait_for_function("(url) => location.href === url && document.readyState === 'complete'", url,
                               timeout_ms=60_000)  # a busy machine may take long to open a page
        return page

    def open_replica(self, url: str) -> FirefoxPage:
        """A new tab on a replica page, once the page's app is built."""
        page = self.new_page(url)
        page.wait_for_function("() => window.__replica && window.__replica.ready === true")
        return page

    def close(self) -> None:
        self._driver.stop()


def _url_quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@contextmanager
def firefox_browser(pac_script: str, **kwargs) -> Iterator[FirefoxBrowser]:
    """`FirefoxBrowser` closed on exit, whatever happened."""
    browser = FirefoxBrowser(pac_script, **kwargs)
    try:
        yield browser
    finally:
        browser.close()
