"""Writes the two copies of the site list that cannot read `extension/shared/sites.json` themselves.

    .venv/bin/python scripts/sync_sites.py

- `extension/shared/sites.js`: the service worker, the options page and the popup import the list
  synchronously as `SITES` (a JSON module import is not available in every browser we support, and
  a fetch would make every site constant asynchronous). The content scripts' bundles are built from
  sites.json itself (scripts/build-extension.mjs).
- `companion/sites.py`: the companion runs from an installed package, which does not carry the
  extension folder.

tests/companion/test_sites.py fails when either copy, or any other place that names the sites,
disagrees with sites.json.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "extension" / "shared" / "sites.json"
JS_COPY = ROOT / "extension" / "shared" / "sites.js"
PY_COPY = ROOT / "companion" / "sites.py"

JS_TEMPLATE = """/*
 * The guarded sites, generated from sites.json by scripts/sync_sites.py: edit sites.json, then run it.
 * The service worker, the options page and the popup import `SITES` from here.
 */
const LIST = /* sites.json */ __SITES__ /* end sites.json */;

/** Every guarded site: {id, label, origins, matches, composer, feed}, frozen. */
export const SITES = Object.freeze(LIST.map((site) => Object.freeze({
  ...site, origins: Object.freeze(site.origins), matches: Object.freeze(site.matches),
})));
"""

PY_TEMPLATE = '''"""The guarded sites (id and label), generated from extension/shared/sites.json by
scripts/sync_sites.py: edit sites.json, then run it. The companion's platform enum, the review
page's labels and the identities file read these.
"""

from __future__ import annotations

SITE_LABELS: dict[str, str] = __LABELS__
SITE_IDS: tuple[str, ...] = tuple(SITE_LABELS)
'''


def load_sites(path: Path = SOURCE) -> list[dict]:
    """The site list as written in sites.json."""
    return json.loads(path.read_text(encoding="utf-8"))


def render_js(sites: list[dict]) -> str:
    body = json.dumps(sites, indent=2, ensure_ascii=False)
    return JS_TEMPLATE.replace("__SITES__", body)


def render_py(sites: list[dict]) -> str:
    labels = "{" + ", ".join(f"{json.dumps(site['id'])}: {json.dumps(site['label'])}" for site in sites) + "}"
    return PY_TEMPLATE.replace("__LABELS__", labels)


def main() -> None:
    sites = load_sites()
    JS_COPY.write_text(render_js(sites), encoding="utf-8")
    PY_COPY.write_text(render_py(sites), encoding="utf-8")
    print(f"wrote {JS_COPY.relative_to(ROOT)} and {PY_COPY.relative_to(ROOT)} ({len(sites)} sites)")


if __name__ == "__main__":
    main()
