"""Is the extension folder built? Its content scripts are ES modules that the browser loads as
bundles from `extension/dist/`, built by `scripts/build-extension.mjs` (`scripts/install.sh` runs it).
The build writes `dist/build.json`: the SHA-256 of each bundle and of every source file that went
into it. Packing a folder whose bundles are missing or older than their sources would ship code
that is not the code in the repo, so `deploy pack` checks the folder against that record first.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from companion.deploy.errors import DeployError

STAMP = "dist/build.json"
BUILD_HINT = "build it with `node scripts/build-extension.mjs` (scripts/install.sh runs it)"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_problems(extension_dir: Path) -> list[str]:
    """What makes `extension_dir`'s build unusable, one sentence each; empty when it is current."""
    stamp_path = extension_dir / STAMP
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        bundles = stamp["bundles"]
    except FileNotFoundError:
        return [f"{stamp_path} is missing: the content scripts were never built"]
    except (ValueError, KeyError, TypeError):
        return [f"{stamp_path} is not a build record"]
    problems = []
    for bundle, record in sorted(bundles.items()):
        path = extension_dir / bundle
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif _sha256(path) != record.get("sha256"):
            problems.append(f"{path} was changed after the build")
        for source, digest in sorted(record.get("inputs", {}).items()):
            if not (extension_dir / source).is_file() or _sha256(extension_dir / source) != digest:
                problems.append(f"{path} is stale: {extension_dir / source} changed since it was built")
    manifest = json.loads((extension_dir / "manifest.json").read_text(encoding="utf-8"))
    for block in manifest.get("content_scripts", []):
        for script in block.get("js", []):
            if script not in bundles:
                problems.append(f"{extension_dir / 'manifest.json'}: content script {script} is no built bundle")
    return problems


def require_built(extension_dir: Path) -> None:
    """DeployError naming every missing or stale bundle, unless the folder's build is current."""
    problems = build_problems(extension_dir)
    if problems:
        raise DeployError(f"the extension in {extension_dir} is not built from its sources "
                          f"({'; '.join(problems[:5])}); {BUILD_HINT}", "extension_not_built")
