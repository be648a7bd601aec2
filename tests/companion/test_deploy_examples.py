"""The examples docs/deploy.md shows are exactly what the generators write today, and the web server
templates keep the packing key off the intranet."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ElementTree

from companion.config import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"


def _make_examples():
    spec = importlib.util.spec_from_file_location("make_examples", DEPLOY / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_examples_match_the_generators():
    expected = _make_examples().example_files()
    stale = [name for name, data in expected.items() if (DEPLOY / "examples" / name).read_bytes() != data]
    assert stale == [], f"run .venv/bin/python deploy/make_examples.py; out of date: {stale}"
    on_disk = {p.relative_to(DEPLOY / "examples").as_posix() for p in (DEPLOY / "examples").rglob("*") if p.is_file()}
    assert on_disk == set(expected), "an example no generator writes any more"


def test_docs_name_every_example_and_template():
    docs = (REPO_ROOT / "docs" / "deploy.md").read_text()
    for name in ("postguard-policy.reg", "postguard.mobileconfig", "policies.json", "updates.xml",
                 "postguard.service", "com.lumenhardware.postguard.plist", "postguard-task.xml",
                 "nginx-postguard.conf", "web.config"):
        assert name in docs, name


def test_web_server_templates_never_serve_the_key_and_know_the_crx_type():
    nginx = (DEPLOY / "templates" / "nginx-postguard.conf").read_text()
    assert "application/x-chrome-extension crx" in nginx and "\\.pem$ { return 404; }" in nginx
    iis = ElementTree.parse(DEPLOY / "templates" / "web.config").getroot()
    assert iis.find(".//mimeMap[@fileExtension='.crx']").get("mimeType") == "application/x-chrome-extension"
    assert iis.find(".//fileExtensions/add[@fileExtension='.pem']").get("allowed") == "false"
