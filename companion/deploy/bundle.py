"""Signed rule bundles: the org directory and rule packs as one file IT signs once and every
laptop verifies before using.

A bundle (`.pgb`) is a gzip'd tar holding

    manifest.json   {"format", "version", "created", "files": {"org/clients.csv": "<sha256>", ...}}
    manifest.sig    the Ed25519 signature of manifest.json's exact bytes
    org/...         the org directory's files (clients.csv, competitors.txt, products.txt, allow.txt)
    rules/packs/... the rule packs (*.yaml)

Verifying = the signature over the manifest checks out with the public key IT distributed, and every
file's SHA-256 is the one the manifest lists, with no file missing or extra. Only then are the packs
and org files validated with the same loaders the companion uses (errors name file, line, field), and
only then is the bundle installed (installed.py). A bundle that fails any step changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from companion.deploy.errors import BundleRejected, DeployError
from companion.deploy.keyfile import load_pem_private_key

FORMAT = "postguard-rule-bundle/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
MAX_MEMBER_BYTES = 16 * 1024 * 1024  # a client list is kilobytes; this stops a decompression bomb
MAX_FILES = 500
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MEMBER = re.compile(r"org/[^/]+|rules/packs/[^/]+\.yaml")


def sha256(data: bytes) -> str:
    """Hex SHA-256, the form the manifest lists."""
    return hashlib.sha256(data).hexdigest()


def default_version(now: datetime | None = None) -> str:
    """A version that sorts by time when IT does not name one: 2026.11.22-061530."""
    return (now or datetime.now(timezone.utc)).strftime("%Y.%m.%d-%H%M%S")


def check_version(version: str) -> str:
    """Versions become directory names on every laptop: letters, digits, dot, dash, underscore."""
    if not VERSION_PATTERN.fullmatch(version or ""):
        raise DeployError(f"bundle version {version!r} must be 1-64 letters, digits, '.', '-' or '_'",
                          "bad_version")
    return version


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key: an unencrypted Ed25519 private key in PEM (`postguard rules keygen`)."""
    return load_pem_private_key(path, Ed25519PrivateKey, "the signing key must be Ed25519 (postguard rules keygen)")


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The verifying key every laptop holds: an Ed25519 public key in PEM."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise DeployError(f"{path}: no such public key file", "bad_key") from None
    except (ValueError, TypeError):
        raise DeployError(f"{path}: not a PEM public key", "bad_key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise DeployError(f"{path}: the bundle public key must be Ed25519", "bad_key")
    return key


def bundle_files(org_dir: Path | None, rules_dir: Path | None) -> dict[str, bytes]:
    """The files a bundle carries, by their name inside it (org files, then packs)."""
    files: dict[str, bytes] = {}
    if org_dir is not None:
        for path in sorted(p for p in org_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
            files[f"org/{path.name}"] = path.read_bytes()
    if rules_dir is not None:
        for path in sorted((rules_dir / "packs").glob("*.yaml")):
            files[f"rules/packs/{path.name}"] = path.read_bytes()
    return files


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0  # reproducible: same input, same bytes
    archive.addfile(info, io.BytesIO(data))


def build_bundle(files: dict[str, bytes], key: Ed25519PrivateKey, version: str,
                 created: datetime | None = None) -> bytes:
    """The signed bundle's bytes (the caller has already validated the files)."""
    manifest = {"format": FORMAT, "version": check_version(version),
                "created": (created or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
                "files": {name: sha256(data) for name, data in files.items()}}
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n"
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        _add(archive, MANIFEST, manifest_bytes)
        _add(archive, SIGNATURE, key.sign(manifest_bytes))
        for name, data in files.items():
            _add(archive, name, data)
    return out.getvalue()


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle whose signature and file hashes checked out (not yet validated or installed)."""

    version: str
    created: str
    manifest: bytes
    signature: bytes
    files: dict[str, bytes]


def _read_members(data: bytes) -> dict[str, bytes]:
    """Regular files only, safe names only, each name once: anything else is not our bundle."""
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
        members: dict[str, bytes] = {}
        for info in archive:
            name = info.name.rstrip("/")
            if info.isdir() and name in ("org", "rules", "rules/packs"):
                continue  # tar tools list folders; what matters is every file's hash
            if not info.isreg() or PurePosixPath(name).as_posix() != name or ".." in name.split("/"):
                raise BundleRejected(f"the bundle holds {name!r}, which is not a plain file name")
            if name not in (MANIFEST, SIGNATURE) and not _MEMBER.fullmatch(name):
                raise BundleRejected(f"the bundle holds {name!r}; only org/* and rules/packs/*.yaml belong")
            if info.size > MAX_MEMBER_BYTES:
                raise BundleRejected(f"{name} is larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
            if name in members or len(members) >= MAX_FILES:
                raise BundleRejected(f"the bundle holds {name!r} twice or too many files")
            members[name] = archive.extractfile(info).read()
        return members
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleRejected(f"not a readable bundle archive ({type(exc).__name__})") from None


def _manifest(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BundleRejected("manifest.json is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("files"), dict):
        raise BundleRejected(f"manifest.json is not a {FORMAT} manifest")
    try:
        check_version(str(manifest.get("version", "")))
    except DeployError as exc:
        raise BundleRejected(exc.message) from None
    return manifest


def verify_bundle(data: bytes, public_key: Ed25519PublicKey) -> VerifiedBundle:
    """Check signature, then every file against the signed manifest; raise BundleRejected if not."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRejected(f"the bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB")
    members = _read_members(data)
    if MANIFEST not in members or SIGNATURE not in members:
        raise BundleRejected("the bundle has no manifest.json and manifest.sig")
    manifest_bytes, signature = members.pop(MANIFEST), members.pop(SIGNATURE)
    try:
        public_key.verify(signature, manifest_bytes)
    except InvalidSignature:
        raise BundleRejected("the signature does not verify with this public key: the bundle was "
                             "changed after it was signed, or signed with another key") from None
    manifest = _manifest(manifest_bytes)
    listed = manifest["files"]
    for name in sorted(set(listed) | set(members)):
        if name not in members:
            raise BundleRejected(f"{name} is listed in the signed manifest but missing from the bundle")
        if name not in listed:
            raise BundleRejected(f"{name} is in the bundle but not in the signed manifest")
        if sha256(members[name]) != listed[name]:
            raise BundleRejected(f"{name} does not match its hash in the signed manifest (changed after signing)")
    return VerifiedBundle(manifest["version"], str(manifest.get("created", "")), manifest_bytes,
                          signature, members)


def generate_key_pair(private_path: Path, public_path: Path) -> None:
    """A new Ed25519 key pair; the private key is written 0600 and neither file is overwritten."""
    for path in (private_path, public_path):
        if path.exists():
            raise DeployError(f"{path} already exists; not overwriting a key", "key_exists")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(public_pem)
