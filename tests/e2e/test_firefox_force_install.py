"""The managed install in Debian's firefox-esr, the way IT deploys it: `postguard deploy policy` writes
firefox/policies.json, it goes to /etc/firefox/policies/, a local HTTP server plays the intranet that
serves postguard.xpi, and Firefox installs the add-on by itself. Then:

- Firefox granted the host permissions (MV3 host permissions are revocable in Firefox; since Firefox
  127 an install grants the ones the manifest asks for, and a policy install has no prompt to refuse
  them): the profile's extension-preferences.json holds every origin of `host_permissions`, and the
  policy's `private_browsing: true` lets the add-on run in private windows;
- IT's locked settings (3rdparty → Extensions) reach the add-on: `enforcement: block` holds a risky
  post with no "Post anyway";
- the companion, told only the add-on ID (`moz-extension://postguard@lumenhardware.com` in its allowed
  origins), learns the random uuid Firefox drew for the add-on from the profile's prefs.js, the way it
  does on a laptop (the profile sits in the companion's ~/.mozilla/firefox).

What differs from a laptop: the .xpi is not signed by Mozilla, so the test profile sets
`xpinstall.signatures.required=false` (honoured by ESR; release Firefox installs only signed add-ons,
docs/deploy.md says how to sign).
"""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from harness.chromium import EXTENSION_DIR, EXTENSION_ID, REPO_ROOT, require_built_extension
from harness.companion import start_companion
from harness.firefox import FIREFOX_ADDON_ID, FirefoxBrowser, FirefoxPolicy, firefox_missing
from harness.replica_page import screenshot_path
from test_firefox_composers import EDITORS, PANEL, RISKY_TEXT, click_post, proxy  # noqa: F401 - fixture

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or "")]
POSTGUARD = REPO_ROOT / ".venv" / "bin" / "postguard"
INSTALL_TIMEOUT_S = 60.0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server signature
        """Keep test output clean."""


@pytest.fixture
def intranet(tmp_path: Path):
    """postguard.xpi (the extension folder zipped, manifest at the root) on a loopback HTTP server."""
    root = tmp_path / "intranet"
    root.mkdir()
    require_built_extension()  # the folder zipped carries the content-script bundles in dist/
    with zipfile.ZipFile(root / "postguard.xpi", "w", zipfile.ZIP_DEFLATED) as xpi:
        for path in sorted(p for p in EXTENSION_DIR.rglob("*") if p.is_file()):
            xpi.write(path, path.relative_to(EXTENSION_DIR).as_posix())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}  # not written yet, or being rewritten


def wait_for_install(profile: Path) -> dict:
    """Wait until Firefox lists the add-on as active; returns what it granted the add-on."""
    deadline = time.monotonic() + INSTALL_TIMEOUT_S
    while True:
        addons = read_json(profile / "extensions.json").get("addons", [])
        granted = read_json(profile / "extension-preferences.json").get(FIREFOX_ADDON_ID)
        if granted and any(a["id"] == FIREFOX_ADDON_ID and a.get("active") for a in addons):
            return granted
        assert time.monotonic() < deadline, "Firefox did not install the add-on from the policy"
        time.sleep(0.2)


def test_firefox_policy_force_installs_the_add_on_with_its_sites_and_locked_settings(proxy, intranet, tmp_path,  # noqa: F811
                                                                                    request):
    home = tmp_path / "home"  # the salesperson's home: the companion looks for Firefox profiles there
    profile = home / ".mozilla" / "firefox" / "postguard-test.default-esr"
    profile.mkdir(parents=True)
    companion = start_companion(tmp_path / "companion", env={
        "HOME": str(home), "POSTGUARD_ALLOWED_ORIGINS": f"moz-extension://{FIREFOX_ADDON_ID}"})
    request.addfinalizer(companion.stop)
    subprocess.run([str(POSTGUARD), "deploy", "policy", "--extension-id", EXTENSION_ID,
                    "--update-url", f"{intranet}/updates.xml", "--companion-url", companion.url,
                    "--enforcement", "block", "--out", str(tmp_path / "policy")],
                   check=True, capture_output=True, timeout=180)
    document = json.loads((tmp_path / "policy" / "firefox" / "policies.json").read_text())
    assert document["policies"]["ExtensionSettings"][FIREFOX_ADDON_ID]["install_url"] == f"{intranet}/postguard.xpi"
    policy = FirefoxPolicy()
    request.addfinalizer(policy.remove)
    policy.write_document(document)

    browser = FirefoxBrowser(proxy.pac_script(), extension_dir=None, profile=profile, extension_uuid=None,
                             extra_prefs={"xpinstall.signatures.required": False})
    request.addfinalizer(browser.close)
    granted = wait_for_install(profile)
    manifest = json.loads((EXTENSION_DIR / "manifest.json").read_text())
    assert sorted(granted["origins"]) == sorted(manifest["host_permissions"]), "every site and the companion"
    assert "internal:privateBrowsingAllowed" in granted["permissions"], "private windows are guarded too"

    # Firefox marks the add-on active a moment before its content scripts are registered, and writes
    # the add-on's uuid to prefs.js a moment after: a tab opened in between is not guarded, or its
    # check is refused and the post goes out (fail open, as for a checker that is down). A person would
    # reload it. Each try is a fresh tab.
    deadline = time.monotonic() + 30
    while True:
        page = browser.open_replica("https://www.linkedin.com/feed/")
        page.click('[aria-label="Start a post"]')
        page.click(EDITORS["linkedin"])
        page.type(RISKY_TEXT)
        click_post(page, "linkedin")
        outcome = page.wait_for_function(
            """() => {
                const findHost = (root) => {
                    for (const el of root.querySelectorAll('*')) {
                        if (el.getAttribute('data-postguard') === 'panel') return el;
                        const inner = el.shadowRoot && findHost(el.shadowRoot);
                        if (inner) return inner;
                    }
                    return null;
                };
                const panel = findHost(document);
                if (panel && panel.shadowRoot && panel.shadowRoot.querySelector('[data-postguard-finding]')) return 'held';
                return window.__replica.sent.length ? 'sent' : null;
            }""", timeout_ms=30_000)
        if outcome == "held":
            break
        assert time.monotonic() < deadline, "the force-installed add-on never guarded the composer"
    assert page.count(f'{PANEL} >>> [data-postguard-action="override"]') == 0, "block: no Post anyway"
    page.screenshot(screenshot_path("firefox-force-installed-block-linkedin"))
    assert page.evaluate("() => window.__replica.sent") == []
