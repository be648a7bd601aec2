"""The managed install, proven in real Chromium the way IT deploys it on Linux: `postguard deploy pack`
builds the CRX and updates.xml, a local HTTP server plays the intranet, `postguard deploy policy`
writes the policy file that goes into /etc/chromium/policies/managed, and Chromium installs the
extension by itself — then the locked settings reach `chrome.storage.managed`, the options page shows
them locked, and `enforcement: block` takes "Post anyway" away on a replica with a risky post.

What this needs from Chromium (checked on Chromium 156, new headless mode):
- no `--disable-background-networking` (a Playwright default, and in the harness's switches): it switches off the extension updater, so a force-installed
  extension is never downloaded (nothing requested the update URL within 60 s);
- no `--disable-extensions` (a Playwright default) — it disables policy-installed extensions too;
- for the test only, `DeveloperToolsAvailability: 1`: by default Chromium keeps DevTools (and so
  Playwright) away from extensions installed by policy, and navigating to their pages closes the tab;
- the managed values of a just-installed extension apply from the next browser start: in the session
  that downloaded it, `chrome.storage.managed` stayed empty even after "Reload policies". So the test
  lets Chromium install, closes it, and starts it again with the same profile, as a laptop does at
  its next browser start.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Error as PlaywrightError, Page

from harness.chromium import CHROMIUM_EXECUTABLE, REPO_ROOT, chromium_args, open_replica, wait_for_managed_value
from harness.companion import start_companion
from harness.policy import POLICY_DIR, ManagedPolicy
from test_extension_support import PANEL, RISKY_TEXT, click_post, open_composer, screenshot, sent, type_post

pytestmark = pytest.mark.e2e
POSTGUARD = REPO_ROOT / ".venv" / "bin" / "postguard"
INSTALL_TIMEOUT_S = 60.0
# Playwright passes both by default, and the harness passes the second too (module docstring).
PLAYWRIGHT_DEFAULTS_TO_DROP = ["--disable-extensions", "--disable-background-networking"]


class PolicyFile(ManagedPolicy):
    """The harness's policy file and machine-wide lock, holding a whole policy document (force-install
    included) instead of only the extension's 3rdparty values."""

    def write_document(self, document: dict) -> Path:
        self.write({})  # takes the exclusive lock (no other run's browser sees this policy)
        temporary = POLICY_DIR.parent / f".{self.path.stem}.tmp"
        temporary.write_text(json.dumps(document, indent=1))
        temporary.replace(self.path)
        return self.path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requested: list[str] = []

    def log_message(self, fmt, *args):  # keep test output clean; remember what Chromium asked for
        QuietHandler.requested.append(self.path.split("?")[0])


@pytest.fixture
def intranet(tmp_path):
    """A tiny update server on 127.0.0.1 serving what `deploy pack` wrote."""
    root = tmp_path / "intranet"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/postguard/updates.xml"
    server.shutdown()


def postguard(*args: str, env: dict | None = None) -> str:
    done = subprocess.run([str(POSTGUARD), *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def packed(intranet, tmp_path) -> tuple[str, str]:
    """(extension id, update URL): the extension packed with a fresh key and served by the intranet."""
    root, update_url = intranet
    out = root / "postguard"
    # IT's own config folder, outside the served folder: deploy pack makes the key there on first use.
    config = tmp_path / "it-config"
    output = postguard("deploy", "pack", "--out", str(out), "--update-url", update_url,
                       env={"XDG_CONFIG_HOME": str(config)})
    key = config / "postguard" / "keys" / "postguard-extension.pem"
    extension_id = output.split("extension ID: ")[1].split()[0]
    assert key.exists() and not list(out.glob("*.pem")), "the private key is never in the upload folder"
    return extension_id, update_url


def launch(pw, profile: Path, replica_server) -> BrowserContext:
    """Headless Chromium that may install extensions by policy (see the module docstring)."""
    args = [a for a in chromium_args(replica_server.host_resolver_rules()) if a not in PLAYWRIGHT_DEFAULTS_TO_DROP]
    return pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM_EXECUTABLE, headless=True,
                                                 args=args, ignore_default_args=PLAYWRIGHT_DEFAULTS_TO_DROP,
                                                 viewport={"width": 1280, "height": 900})


def wait_for_install(profile: Path, extension_id: str) -> None:
    folder = profile / "Default" / "Extensions" / extension_id
    deadline = time.monotonic() + INSTALL_TIMEOUT_S
    while not any(folder.glob("*/manifest.json")):
        assert time.monotonic() < deadline, f"Chromium did not install {extension_id}; served: {QuietHandler.requested}"
        time.sleep(0.2)


def installed_self(context: BrowserContext, extension_id: str) -> dict:
    """`chrome.management.getSelf()` from the extension's options page, once the browser has
    finished registering the extension it unpacked (the page does not load before that)."""
    deadline = time.monotonic() + INSTALL_TIMEOUT_S
    page = context.new_page()
    while True:
        try:
            page.goto(f"chrome-extension://{extension_id}/options/options.html")
            return page.evaluate("() => chrome.management.getSelf()")
        except PlaywrightError as error:
            assert time.monotonic() < deadline, f"the installed extension does not load: {error}"
            time.sleep(0.25)


def options_page(context: BrowserContext, extension_id: str) -> Page:
    page = context.new_page()
    page.goto(f"chrome-extension://{extension_id}/options/options.html")
    return page


def test_policy_force_installs_the_packed_extension_and_its_locked_settings_apply(
        pw, replica_server, packed, tmp_path, request):
    extension_id, update_url = packed
    companion = start_companion(tmp_path / "companion",
                                env={"POSTGUARD_ALLOWED_ORIGINS": f"chrome-extension://{extension_id}"})
    request.addfinalizer(companion.stop)
    postguard("deploy", "policy", "--extension-id", extension_id, "--update-url", update_url,
              "--companion-url", companion.url, "--enforcement", "block", "--out", str(tmp_path / "policy"))
    document = json.loads((tmp_path / "policy/linux/etc/chromium/policies/managed/postguard.json").read_text())
    policy = PolicyFile(name="postguard-force-install", extension_id=extension_id)
    request.addfinalizer(policy.remove)
    policy.write_document({**document, "DeveloperToolsAvailability": 1})

    profile = tmp_path / "profile"
    first = launch(pw, profile, replica_server)
    try:
        wait_for_install(profile, extension_id)
        self_info = installed_self(first, extension_id)
        assert self_info["installType"] == "admin", "installed by policy, not by a user or a developer"
        assert self_info["version"] == json.loads((REPO_ROOT / "extension/manifest.json").read_text())["version"]
    finally:
        first.close()
    assert "/postguard/updates.xml" in QuietHandler.requested and any(p.endswith(".crx") for p in QuietHandler.requested)

    context = launch(pw, profile, replica_server)  # the next browser start
    try:
        options = options_page(context, extension_id)
        wait_for_managed_value(options, "enforcement", "block")
        values = options.evaluate("() => chrome.storage.managed.get()")
        assert values == {"companionUrl": companion.url, "enforcement": "block"}
        options.reload()
        options.wait_for_selector('[data-key="enforcement"][data-locked="true"] select:disabled')
        assert options.locator('[data-key="companionUrl"][data-locked="true"] input:disabled').count() == 1
        assert options.locator('[data-key="allowOverride"][data-locked="false"]').count() == 1
        screenshot(options, "force-install-options-locked")

        page = open_replica(context, replica_server.url("linkedin"))
        open_composer(page, "linkedin")
        type_post(page, "linkedin", RISKY_TEXT)
        click_post(page, "linkedin")
        page.wait_for_selector(f'{PANEL} [data-postguard-finding][data-category="pricing"]', timeout=20_000)
        assert page.locator(f'{PANEL} [data-postguard-action="override"]').count() == 0, \
            "enforcement block (from policy) leaves no 'Post anyway'"
        screenshot(page, "force-install-block-linkedin")
        page.wait_for_timeout(300)
        assert sent(page) == [], "the site's own Post handler never ran"
    finally:
        context.close()
