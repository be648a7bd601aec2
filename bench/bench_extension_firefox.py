"""The extension benchmark's page scripts for both browsers, and its Firefox ESR half (run through
bench/bench_extension.py --browser firefox|both; see its docstring for what is measured and how).

The page scripts take one JSON argument and find the editor and the site's Post control themselves
(through open shadow roots: LinkedIn's share box), so the same source runs under Playwright (Chromium)
and under the BiDi driver (Firefox), which passes no element handles.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from harness.companion import start_companion
from harness.connect_proxy import ConnectProxy
from harness.firefox import FirefoxBrowser, FirefoxPage, FirefoxPolicy, allowed_origins_env
from harness.replica_server import SITES as REPLICAS

# Page-side finders: the editor and the Post control of each replica composer.
FIND = """
  const deepAll = (root, sel) => [...root.querySelectorAll(sel),
    ...[...root.querySelectorAll('*')].filter((e) => e.shadowRoot).flatMap((e) => deepAll(e.shadowRoot, sel))];
  const EDITOR = {
    linkedin: '[data-test-modal-id="sharebox"] .ql-editor[contenteditable="true"]',
    facebook: '[role="dialog"] [data-lexical-editor="true"][contenteditable="true"]',
    instagram: '[role="dialog"] [aria-label="Write a caption..."][contenteditable="true"]',
  };
  const editorOf = (site) => deepAll(document, EDITOR[site]).filter((e) => e.getClientRects().length).pop();
  const submitOf = (site) => site === 'linkedin' ? deepAll(document, 'button.share-actions__primary-action')[0]
    : site === 'facebook' ? document.querySelector('[role="dialog"] [role="button"][aria-label="Post"]')
    : [...document.querySelectorAll('[role="dialog"] [role="button"]')].find((b) => b.textContent.trim() === 'Share');
"""

# Click the site's own Post (a click event through .click()) and wait for the panel or for the site's
# own handler to have run. Resolves to the milliseconds it took.
CLICK_TO_OUTCOME = """async ({site, expectPanel}) => {""" + FIND + """
  const before = window.__replica.sent.length + window.__replica.pending;
  const submit = submitOf(site);
  const t0 = performance.now();
  submit.click();
  return await new Promise((resolve) => {
    const tick = () => {
      const panel = deepAll(document, '[data-postguard="panel"]').length > 0;
      const posted = window.__replica.sent.length + window.__replica.pending > before;
      if ((expectPanel && panel) || (!expectPanel && posted)) resolve(performance.now() - t0);
      else requestAnimationFrame(tick);
    };
    tick();
  });
}"""

# n keystrokes typed at the caret (the caller put it at the end of the text): keydown, the character
# through execCommand("insertText") (beforeinput + input, as the editors take typing), keyup; then the
# keystroke's frame. A requestAnimationFrame registered before the keystroke and one after it bracket
# the frame callbacks the keystroke queued (the underlines' redraw). Returns [{sync, frame}] in ms.
KEYSTROKES = """async ({site, n}) => {""" + FIND + """
  const editor = editorOf(site);
  const out = [];
  for (let i = 0; i < n; i++) {
    const frame = {};
    requestAnimationFrame(() => { frame.a = performance.now(); });
    const t0 = performance.now();
    editor.dispatchEvent(new KeyboardEvent('keydown', {key: 'a', bubbles: true, composed: true, cancelable: true}));
    document.execCommand('insertText', false, 'a');
    editor.dispatchEvent(new KeyboardEvent('keyup', {key: 'a', bubbles: true, composed: true, cancelable: true}));
    const sync = performance.now() - t0;
    await new Promise((resolve) => requestAnimationFrame(() => { frame.b = performance.now(); resolve(); }));
    out.push({sync, frame: frame.b - frame.a});
  }
  return out;
}"""

MARKS_SHOWN = """() => { const all = (r) => [...r.querySelectorAll('[data-postguard="highlights"]'),
    ...[...r.querySelectorAll('*')].filter((e) => e.shadowRoot).flatMap((e) => all(e.shadowRoot))];
  return all(document).some((h) => h.shadowRoot.querySelector('.pg-hl')); }"""

EDITOR_SELECTORS = {  # Puppeteer CSS (>>> enters shadow roots)
    "linkedin": '>>> [data-test-modal-id="sharebox"] .ql-editor[contenteditable="true"]',
    "facebook": 'div[role="dialog"][aria-label="Create post"] div[contenteditable="true"][data-lexical-editor="true"]',
    "instagram": 'div[role="dialog"] div[aria-label="Write a caption..."][contenteditable="true"]',
}
PHOTO_OPENERS = {
    "linkedin": '>>> [data-test-modal-id="sharebox"] button[aria-label="Add media"]',
    "facebook": 'div[role="dialog"] [role="button"]::-p-text(Add photos/videos)',
}
AS_PAGE = {"linkedin": "/feed/?as=page", "facebook": "/?as=page", "instagram": "/?as=page"}


def costs_of(samples: list[dict]) -> list[float]:
    return [s["sync"] + s["frame"] for s in samples]


class AuditChecks:
    """Checks the companion answered, read from its audit store (kind 'check', newest first)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "audit.sqlite3"

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from audit_events where kind = 'check'").fetchone()[0]

    def wait_settled(self, before: int, quiet_s: float = 0.4, timeout_s: float = 40.0) -> int:
        """Until a check newer than `before` is recorded and none follows for `quiet_s`."""
        deadline = time.monotonic() + timeout_s
        last, since = self.count(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.count()
            if now != last:
                last, since = now, time.monotonic()
            elif last > before and time.monotonic() - since >= quiet_s:
                return last
        raise TimeoutError("the pre-check never answered")


class FirefoxBench:
    """firefox-esr with the extension (and one without) on the replicas, the companion's URL in policies.json."""

    def __init__(self, tmp: Path, server, photo: Path, baseline: Path | None = None) -> None:
        self.companion = start_companion(tmp / "ff-companion", env=allowed_origins_env())
        self.checks = AuditChecks(self.companion.data_dir)
        self.proxy = ConnectProxy([site.hostname for site in REPLICAS.values()], server.port).start()
        self.policy = FirefoxPolicy()
        self.policy.write({"companionUrl": self.companion.url})
        prefs = {"privacy.reduceTimerPrecision": False}
        self.with_ext = FirefoxBrowser(self.proxy.pac_script(), extra_prefs=prefs)
        self.without = FirefoxBrowser(self.proxy.pac_script(), extension_dir=None, extra_prefs=prefs)
        # The same extension built from another commit (bench_extension.py --baseline), measured beside it.
        self.baseline = FirefoxBrowser(self.proxy.pac_script(), extension_dir=baseline, extra_prefs=prefs) if baseline else None
        self.photo = photo

    def close(self) -> None:
        browsers = [self.with_ext, self.without] + ([self.baseline] if self.baseline else [])
        for closing in (*(b.close for b in browsers), self.policy.remove, self.proxy.stop, self.companion.stop):
            try:
                closing()
            except Exception:  # noqa: BLE001 - a bench tears everything down whatever failed
                pass

    def tab(self, browser: FirefoxBrowser, url: str) -> FirefoxPage:
        """One tab per browser, navigated for each run (tabs left open would pile up over a run)."""
        tabs = self.__dict__.setdefault("tabs", {})
        page = tabs.get(id(browser))
        if page is None:
            page = tabs[id(browser)] = browser.open_replica(url)
            return page
        page.goto(url)
        page.wait_for_function("() => window.__replica && window.__replica.ready === true")
        return page

    def composer(self, browser: FirefoxBrowser, site: str) -> FirefoxPage:
        page = self.tab(browser, f"https://{REPLICAS[site].hostname}{AS_PAGE[site]}")
        if site == "linkedin":
            page.click('[aria-label="Start a post"]')
        elif site == "facebook":
            page.click('div[role="region"][aria-label="Create a post"] [role="button"]::-p-text("What\'s on your mind")')
        else:
            page.click('svg[aria-label="New post"]')
            page.set_files('div[role="dialog"] input[type="file"]', self.photo)
            page.click_text('div[role="dialog"] div[role="button"]', "Next")
            page.wait_for_selector('div[role="dialog"] canvas')
            page.click_text('div[role="dialog"] div[role="button"]', "Next")
        page.wait_for_selector(EDITOR_SELECTORS[site])
        return page

    def typed(self, browser: FirefoxBrowser, site: str, text: str, wait: bool = True) -> FirefoxPage:
        before = self.checks.count()
        page = self.composer(browser, site)
        if wait and site == "instagram":  # the photo's own pre-check first
            before = self.checks.wait_settled(before)
        page.click(EDITOR_SELECTORS[site])
        page.type(text, delay_ms=2)
        if wait:
            self.checks.wait_settled(before)
        return page

    def click(self, page: FirefoxPage, site: str, expect_panel: bool) -> tuple[float, int]:
        before = self.checks.count()
        ms = page.evaluate(CLICK_TO_OUTCOME, {"site": site, "expectPanel": expect_panel})
        time.sleep(0.7)  # past the pre-check's debounce: a check the click caused would be recorded
        return ms, self.checks.count() - before

    def click_latency(self, site: str, text: str, expect_panel: bool, runs: int) -> list[tuple[float, int]]:
        samples = []
        for _ in range(runs):
            page = self.typed(self.with_ext, site, text)
            samples.append(self.click(page, site, expect_panel))
        return samples

    def photo_before_click(self, site: str, runs: int) -> list[tuple[float, int]]:
        """A clean post, pre-checked; a clean photo attached; the click 2 s later."""
        samples = []
        for _ in range(runs):
            page = self.typed(self.with_ext, site, "Great to meet so many partners at the fair!")
            if site == "facebook":
                page.click('div[role="dialog"] [aria-label="Photo/video"]')
            page.choose_files(PHOTO_OPENERS[site], self.photo)
            time.sleep(2.0)
            samples.append(self.click(page, site, False))
        return samples

    def keystrokes(self, site: str, text: str, n: int = 200) -> dict[str, list[float]]:
        """Per-keystroke cost with the extension (its underlines shown), without it, and with the
        baseline build when there is one."""
        out = {}
        browsers = [("with", self.with_ext), ("without", self.without)]
        if self.baseline:
            browsers.insert(1, ("baseline", self.baseline))
        for name, browser in browsers:
            page = self.typed(browser, site, text, wait=name != "without")
            if name != "without":
                page.wait_for_function(MARKS_SHOWN)
            page.press("End", "Control")
            out[name] = costs_of(page.evaluate(KEYSTROKES, {"site": site, "n": n}))
        return out
