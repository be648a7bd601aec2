"""The list of guarded sites, `extension/shared/sites.json`, is the one source: every place that names
the sites agrees with it, and every site in it has its adapters, its replica and its end-to-end tests.

Places that read the list (the worker, options, popup, the companion through `companion/sites.py`)
follow it on their own; this test covers the copies and the places that cannot read it (the manifest,
the managed schema, the content guard's defaults, the test harness). Each failure names the file and
the site, and docs/extension.md ("Adding a site") says what to add.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
E2E = ROOT / "tests" / "e2e"
SITES_JSON = EXTENSION / "shared" / "sites.json"
FIELDS = {"id", "label", "origins", "matches", "composer", "feed"}
COMPANION_HOSTS = {"http://127.0.0.1:7717/*", "http://localhost:7717/*"}


def _sync_module():
    spec = importlib.util.spec_from_file_location("sync_sites", ROOT / "scripts" / "sync_sites.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SITES: list[dict] = json.loads(SITES_JSON.read_text(encoding="utf-8"))
IDS = [site["id"] for site in SITES]
MANIFEST = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
MANAGED_SCHEMA = json.loads((EXTENSION / "managed_schema.json").read_text(encoding="utf-8"))


def _literal(path: Path, name: str):
    """The value of the module-level `name = <literal>` in a Python file (dict keys for a dict of calls)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if isinstance(node.value, ast.Dict):
                return [ast.literal_eval(key) for key in node.value.keys]
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.relative_to(ROOT)} no longer defines {name}")


def test_the_list_is_well_formed():
    problems = []
    for index, site in enumerate(SITES):
        if set(site) != FIELDS:
            problems.append(f"sites.json entry {index}: fields {sorted(site)}, expected {sorted(FIELDS)}")
            continue
        if not re.fullmatch(r"[a-z][a-z0-9]*", site["id"]):
            problems.append(f"sites.json: id {site['id']!r} is not lower-case letters and digits")
        for origin in site["origins"]:
            if not re.fullmatch(r"https://[a-z0-9.-]+", origin) or not any(m.startswith(origin + "/") for m in site["matches"]):
                problems.append(f"sites.json {site['id']}: origin {origin!r} is not https://host covered by a match pattern")
        if site["composer"] != f"content/sites/{site['id']}.js" or site["feed"] != f"content/feed/{site['id']}-feed.js":
            problems.append(f"sites.json {site['id']}: adapters are content/sites/<id>.js and content/feed/<id>-feed.js")
    if len(set(IDS)) != len(IDS):
        problems.append(f"sites.json: an id is listed twice: {IDS}")
    assert not problems, "\n".join(problems)


def test_the_generated_copies_match_the_list():
    sync = _sync_module()
    hint = "edit extension/shared/sites.json, then run .venv/bin/python scripts/sync_sites.py"
    stale = [f"{path} differs from sites.json" for path, text in (
        ("extension/shared/sites.js", sync.render_js(SITES)), ("companion/sites.py", sync.render_py(SITES)))
        if (ROOT / path).read_text(encoding="utf-8") != text]
    assert not stale, f"{'; '.join(stale)}: {hint}"


def test_the_companion_reads_the_list():
    from companion.api.schemas import Platform
    from companion.identities import SITES as IDENTITY_SITES
    from companion.review.present import PLATFORM_LABELS

    assert typing.get_args(Platform) == (*IDS, "other"), "companion/api/schemas.py: Platform must be the site ids and 'other'"
    assert IDENTITY_SITES == tuple(IDS), "companion/identities.py: SITES must be the site ids"
    assert PLATFORM_LABELS == {**{s["id"]: s["label"] for s in SITES}, "other": "Other"}, \
        "companion/review/present.py: PLATFORM_LABELS must be the site labels and 'other'"


def test_nothing_is_guarded_or_adapted_outside_the_list():
    problems = []
    all_matches = {m for site in SITES for m in site["matches"]}
    for pattern in set(MANIFEST["host_permissions"]) - COMPANION_HOSTS - all_matches:
        problems.append(f"extension/manifest.json: host permission {pattern} belongs to no site in sites.json")
    for block in MANIFEST["content_scripts"]:
        if not any(block["matches"] == site["matches"] for site in SITES):
            problems.append(f"extension/manifest.json: content script for {block['matches']} belongs to no site in sites.json")
    adapters = {f"content/sites/{p.name}" for p in (EXTENSION / "content" / "sites").glob("*.js")}
    adapters |= {f"content/feed/{p.name}" for p in (EXTENSION / "content" / "feed").glob("*-feed.js")}
    for path in sorted(adapters - {s["composer"] for s in SITES} - {s["feed"] for s in SITES}):
        problems.append(f"extension/{path}: an adapter for no site in sites.json")
    for folder in sorted(p.name for p in (E2E / "replicas").iterdir() if p.is_dir() and p.name != "common"):
        if folder not in IDS:
            problems.append(f"tests/e2e/replicas/{folder}/: a replica for no site in sites.json")
    for sid in sorted(set(MANAGED_SCHEMA["properties"]["sites"]["items"]["enum"]) - set(IDS)):
        problems.append(f"extension/managed_schema.json: properties.sites.items.enum lists {sid!r}, no site in sites.json")
    assert not problems, "\n".join(problems)


def test_the_content_guard_defaults_to_every_site():
    """The content scripts' policy before the worker answers guards every site of the list."""
    store = (EXTENSION / "content" / "core" / "policy-store.js").read_text(encoding="utf-8")
    assert 'import { SITES } from "../../shared/sites.js";' in store and re.search(
        r"DEFAULT_POLICY = Object\.freeze\(\{[^}]*sites: Object\.freeze\(SITES\.map\(\(site\) => site\.id\)\)", store), \
        "extension/content/core/policy-store.js: DEFAULT_POLICY.sites must be every site of shared/sites.js"


@pytest.mark.parametrize("site", SITES, ids=IDS)
def test_each_site_is_complete(site):
    """Everything a site needs besides its list entry: say all that is missing, by file, at once."""
    sid, problems = site["id"], []

    def need(ok: bool, where: str, what: str):
        if not ok:
            problems.append(f"{where}: {what} for site {sid!r}")

    # The manifest: the site's bundle (scripts/build-extension.mjs builds it from the two adapters
    # this entry names), and host permissions.
    blocks = [b for b in MANIFEST["content_scripts"] if b["matches"] == site["matches"]]
    need(len(blocks) == 1, "extension/manifest.json", f"exactly one content_scripts block matching {site['matches']}")
    for block in blocks:
        need(block["js"] == [f"dist/content-{sid}.js"], "extension/manifest.json", f"content script dist/content-{sid}.js")
    for pattern in site["matches"]:
        need(pattern in MANIFEST["host_permissions"], "extension/manifest.json", f"host permission {pattern}")

    # The adapter files, each declaring the site's id (adapter id = file name).
    for path in (site["composer"], site["feed"]):
        file = EXTENSION / path
        need(file.is_file(), f"extension/{path}", "the adapter file")
        if file.is_file():
            need(re.search(rf'\bid:\s*"{sid}"', file.read_text(encoding="utf-8")) is not None,
                 f"extension/{path}", f'the adapter\'s `id: "{sid}"`')

    # IT's managed schema: the sites enum and its description.
    sites_setting = MANAGED_SCHEMA["properties"]["sites"]
    need(sid in sites_setting["items"]["enum"], "extension/managed_schema.json", "properties.sites.items.enum")
    need(sid in sites_setting["description"], "extension/managed_schema.json", "properties.sites.description")

    # The replica and its end-to-end tests.
    need((E2E / "replicas" / sid / "index.html").is_file(), f"tests/e2e/replicas/{sid}/", "index.html (the replica)")
    need(sid in _literal(E2E / "harness" / "replica_server.py", "SITES"), "tests/e2e/harness/replica_server.py", "a SITES entry")
    need(sid in _literal(E2E / "harness" / "composers.py", "COMPOSERS"), "tests/e2e/harness/composers.py", "a COMPOSERS driver")
    hostnames = _literal(E2E / "harness" / "certs.py", "REPLICA_HOSTNAMES")
    for origin in site["origins"]:
        need(origin.removeprefix("https://") in hostnames, "tests/e2e/harness/certs.py", f"REPLICA_HOSTNAMES {origin}")
    need(sid in _literal(E2E / "test_extension_sites.py", "SITES"), "tests/e2e/test_extension_sites.py", "a SITES entry (the site tests)")

    assert not problems, "\n".join(problems)
