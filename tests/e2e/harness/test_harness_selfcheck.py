"""The harness itself: an unpacked extension really loads in headless Chromium, its content scripts run at
document_start on the replicas reached by their real hostnames, and a managed policy file reaches
`chrome.storage.managed` — at start-up and after a reload. Checked with a minimal probe extension
(same public key, so the same ID, as Postguard's), so a failure here points at the harness, not the
product.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.chromium import EXTENSION_ID, reload_managed_policies, wait_for_managed_value, wait_for_service_worker
from harness.replica_server import SITES

pytestmark = pytest.mark.e2e

# The public key from extension/manifest.json (docs/replicas.md); it fixes the ID to EXTENSION_ID.
POSTGUARD_PUBLIC_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAupy6h15U3kcGe3jolEoH2+OG8a5v4QMRhDoLJnS9fygGbOF9+fP2JPtkp5ww"
    "PecWOPNVUyVx9QKUWi0+iFeRVF/a/NztbUuWb4oLgYldcjVQ/N8lyi1fUs1d/0Df9V8IBZCdTs6/jMorUCgyHtUC09O3hxHXqnU/ve105Ci"
    "LbZAQUFD2sv/qFF6ZHi6bQieFWttbSTc5/Hdr8OnoWRr7ncI4J7C9aeuRRu+08dL7zj9VZokXOD8INVl4pJ+F12ET821wA3WKWDfH/crZcnv"
    "bgWrXD8Ea8zK/SRE23HkjHdl9k9r7U0PsR6NKWevqxzr7XqZ1BTZrd2zkKxcUOsIKrwIDAQAB"
)


@pytest.fixture
def probe_extension(tmp_path: Path) -> Path:
    """A minimal MV3 extension: a document_start content script on the three sites and a managed schema."""
    folder = tmp_path / "probe-extension"
    folder.mkdir()
    manifest = {
        "manifest_version": 3, "name": "harness probe", "version": "1", "key": POSTGUARD_PUBLIC_KEY,
        "background": {"service_worker": "worker.js"},
        "permissions": ["storage"],
        "storage": {"managed_schema": "schema.json"},
        "content_scripts": [{"matches": [f"https://{site.hostname}/*" for site in SITES.values()],
                             "js": ["probe.js"], "run_at": "document_start"}],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "schema.json").write_text(json.dumps({"type": "object", "properties": {"enforcement": {"type": "string"}}}))
    (folder / "worker.js").write_text("self.probeReady = true;\n")
    (folder / "probe.js").write_text(
        "document.documentElement.dataset.probeHost = location.hostname;\n"
        "document.documentElement.dataset.probeReadyState = document.readyState;\n")
    return folder


def test_extension_loads_headless_and_its_content_script_runs_at_document_start(launch_browser, open_site, probe_extension):
    context = launch_browser(extension=probe_extension)
    worker = wait_for_service_worker(context)
    assert worker.url == f"chrome-extension://{EXTENSION_ID}/worker.js"
    for name, site in SITES.items():
        page = open_site(context, name)
        probe = page.evaluate("() => ({...document.documentElement.dataset})")
        assert (probe["probeHost"], probe["probeReadyState"]) == (site.hostname, "loading")
        assert page.evaluate("() => isSecureContext && !!crypto.subtle")


def test_managed_policy_reaches_storage_managed_at_start_and_after_reload(managed_policy, launch_browser, probe_extension):
    managed_policy({"enforcement": "block"})
    context = launch_browser(extension=probe_extension)
    worker = wait_for_service_worker(context)
    assert worker.evaluate("() => chrome.storage.managed.get()") == {"enforcement": "block"}

    managed_policy({"enforcement": "monitor"})
    reload_managed_policies(context)
    wait_for_managed_value(worker, "enforcement", "monitor")


def test_companion_fixture_answers_health(companion):
    health = companion.health()
    assert health is not None and health["status"] == "ok"
