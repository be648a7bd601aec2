"""Installed rule bundles in the data directory, and which one the companion uses.

    <data dir>/bundles/<version>/     manifest.json, manifest.sig, org/..., rules/packs/...
    <data dir>/bundles/current.json   {"version": ...}: the bundle in force, replaced atomically

Installing writes the new version next to the old ones (in a staging folder renamed into place),
and only then swaps `current.json` with an atomic rename: a reader sees the old bundle or the new
one, never half of one. A bundle that fails verification or validation never reaches `bundles/`.

When the companion starts (and when `current.json` changes) it re-hashes the chosen bundle's files
against its signed manifest; if they no longer match (edited on disk), it falls back to the newest
other installed bundle that still matches — the last good one — and says so in its log.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from companion.config import Settings
from companion.deploy.bundle import MANIFEST, SIGNATURE, VerifiedBundle, sha256
from companion.deploy.errors import BundleRejected
from companion.errors import ConfigError

log = logging.getLogger("postguard.bundles")
BUNDLES_DIR, POINTER = "bundles", "current.json"
KEEP_OLD_VERSIONS = 3


@dataclass(frozen=True)
class InstalledBundle:
    """One installed version: where it is and which of rules/org it carries."""

    version: str
    created: str
    path: Path

    @property
    def rules_dir(self) -> Path | None:
        """The bundle's rules folder, if it carries packs (else the packaged rules stay in use)."""
        return self.path / "rules" if (self.path / "rules" / "packs").is_dir() else None

    @property
    def org_dir(self) -> Path | None:
        """The bundle's org folder, if it carries one."""
        return self.path / "org" if (self.path / "org").is_dir() else None


def pointer_path(data_dir: Path) -> Path:
    """`bundles/current.json`: names the bundle in force."""
    return data_dir / BUNDLES_DIR / POINTER


def pointer_stamp(data_dir: Path) -> tuple | None:
    """Changes whenever a bundle is installed (new file, new inode): what the watcher polls."""
    try:
        st = pointer_path(data_dir).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _bundle_at(path: Path) -> InstalledBundle | None:
    try:
        manifest = json.loads((path / MANIFEST).read_bytes())
        return InstalledBundle(str(manifest["version"]), str(manifest.get("created", "")), path)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_installed_files(bundle: InstalledBundle) -> None:
    """Re-hash every file against the manifest installed with it; BundleRejected if one changed."""
    listed = json.loads((bundle.path / MANIFEST).read_bytes())["files"]
    present = {p.relative_to(bundle.path).as_posix() for p in bundle.path.rglob("*") if p.is_file()}
    extra = present - set(listed) - {MANIFEST, SIGNATURE}
    if extra:
        raise BundleRejected(f"installed bundle {bundle.version}: {sorted(extra)[0]} was added after install")
    for name, digest in listed.items():
        target = bundle.path / name
        if not target.is_file() or sha256(target.read_bytes()) != digest:
            raise BundleRejected(f"installed bundle {bundle.version}: {name} was changed or removed after install")


def _installed(data_dir: Path) -> list[InstalledBundle]:
    """Every installed version, the one `current.json` names first, then newest first."""
    root = data_dir / BUNDLES_DIR
    if not root.is_dir():
        return []
    bundles = [b for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
               if (b := _bundle_at(p)) is not None]
    try:
        current = json.loads(pointer_path(data_dir).read_text())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        current = None
    bundles.sort(key=lambda b: b.created, reverse=True)
    bundles.sort(key=lambda b: b.version != current)  # stable: current first, the rest newest first
    return bundles


def current_bundle(data_dir: Path) -> InstalledBundle | None:
    """The bundle to use: the current one if its files are intact, else the last good one."""
    for bundle in _installed(data_dir):
        try:
            check_installed_files(bundle)
            return bundle
        except (BundleRejected, OSError, ValueError) as exc:
            log.error("not using rule bundle %s: %s", bundle.version, getattr(exc, "message", type(exc).__name__))
    return None


def resolve_rule_dirs(settings: Settings) -> tuple[Settings, InstalledBundle | None]:
    """Settings whose rules/org dirs come from the installed bundle, unless they were set explicitly
    (option or POSTGUARD_RULES_DIR / POSTGUARD_ORG_DIR): an explicit choice always wins."""
    wanted = {"rules_dir", "org_dir"} - settings.model_fields_set
    bundle = current_bundle(settings.data_dir) if wanted else None
    if bundle is None:
        return settings, None
    update = {name: path for name, path in (("rules_dir", bundle.rules_dir), ("org_dir", bundle.org_dir))
              if name in wanted and path is not None}
    return (settings.model_copy(update=update), bundle) if update else (settings, None)


def _validate_contents(staged: Path) -> None:
    """The same loaders the companion uses; an error names the file inside the bundle, line, field."""
    from companion.org import load_org
    from companion.rules import load_rules

    try:
        if (staged / "rules" / "packs").is_dir():
            load_rules(staged / "rules")
        if (staged / "org").is_dir():
            load_org(staged / "org")
    except ConfigError as exc:
        raise BundleRejected(exc.message.replace(f"{staged}{os.sep}", "")) from None


def _write_pointer(data_dir: Path, bundle: VerifiedBundle) -> None:
    pointer = pointer_path(data_dir)
    temporary = pointer.with_name(f".{POINTER}.tmp")
    temporary.write_text(json.dumps({"version": bundle.version, "created": bundle.created,
                                     "manifest_sha256": sha256(bundle.manifest)}) + "\n")
    os.replace(temporary, pointer)


def _stage(root: Path, bundle: VerifiedBundle) -> Path:
    staged = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    for name, data in {**bundle.files, MANIFEST: bundle.manifest, SIGNATURE: bundle.signature}.items():
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        (staged / name).write_bytes(data)
    return staged


def install(bundle: VerifiedBundle, data_dir: Path, allow_downgrade: bool = False) -> InstalledBundle:
    """Validate a verified bundle and make it current, atomically; on any error nothing changes."""
    root = data_dir / BUNDLES_DIR
    root.mkdir(parents=True, exist_ok=True)
    current = next(iter(_installed(data_dir)), None)
    if current and bundle.created < current.created and not allow_downgrade:
        raise BundleRejected(f"bundle {bundle.version} is older than the installed {current.version}; "
                             f"pass --allow-downgrade to roll back on purpose")
    target = root / bundle.version
    if target.exists() and (target / MANIFEST).read_bytes() != bundle.manifest:
        raise BundleRejected(f"version {bundle.version} is already installed with different contents; "
                             f"give the new bundle a new version")
    staged = _stage(root, bundle)
    try:
        _validate_contents(staged)
        if target.exists():
            shutil.rmtree(staged)
        else:
            os.rename(staged, target)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    _write_pointer(data_dir, bundle)
    _prune(root, keep=bundle.version)
    return InstalledBundle(bundle.version, bundle.created, target)


def _prune(root: Path, keep: str) -> None:
    """Keep the current version and the few before it (for a manual roll back), drop the rest."""
    old = sorted((p for p in root.iterdir() if p.is_dir() and p.name != keep and not p.name.startswith(".")),
                 key=lambda p: p.stat().st_mtime, reverse=True)
    for path in old[KEEP_OLD_VERSIONS:]:
        shutil.rmtree(path, ignore_errors=True)
