"""Packing the extension as a CRX for an intranet update server, and the updates.xml beside it.

The extension ID is not chosen, it is computed: the first 16 bytes of SHA-256 over the packing
key's public key (DER), written as 32 letters a–p. So **the private key decides the ID**, and the
ID is what every browser policy names: keep the key (one key for the life of the deployment).

The unpacked extension in the repo carries a fixed `key` in its manifest so developers get a stable
ID without the private key. A CRX packed with another key would install under that key's ID while
its manifest claimed a different one. So we pack a *staged copy* whose manifest `key` is the packing
key's own public key: the CRX, its manifest and the staged folder loaded unpacked all agree on one ID.

Chromium itself does the packing (`--pack-extension`, CRX3, RSA-SHA256 signature); we then read
the CRX3 header back and check that the ID inside it is the one we computed.

The output folder is the one IT uploads to the intranet web server, so the key never goes there:
by default it lives in the IT user's config directory (`default_key_path`), and a key path inside
the output folder is refused before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin
from xml.sax.saxutils import quoteattr

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from companion.config import REPO_ROOT
from companion.deploy.errors import DeployError
from companion.deploy.extension_build import require_built
from companion.deploy.keyfile import load_pem_private_key

EXTENSION_DIR = REPO_ROOT / "extension"
KEY_FILE_NAME = "postguard-extension.pem"
KEY_DIR_ENV = "XDG_CONFIG_HOME"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                       "google-chrome", "google-chrome-stable", "microsoft-edge")
PACK_TIMEOUT_S = 120


def extension_id(public_der: bytes) -> str:
    """Chromium's ID for a public key: SHA-256, first 32 hex digits, each digit 0–f as a letter a–p."""
    return "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(public_der).hexdigest()[:32])


def public_der(private_key: rsa.RSAPrivateKey) -> bytes:
    """The SubjectPublicKeyInfo DER of the key: what a manifest `key` and the CRX header carry."""
    return private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


def load_key(path: Path) -> rsa.RSAPrivateKey:
    """An unencrypted RSA private key in PEM (PKCS#8 or PKCS#1), as Chromium's packer needs."""
    return load_pem_private_key(path, rsa.RSAPrivateKey,
                                "the extension key must be RSA (Chromium packs CRX files with RSA)")


def create_key(path: Path) -> rsa.RSAPrivateKey:
    """A new 2048-bit RSA key written 0600 (never overwrites an existing file)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


def default_key_path() -> Path:
    """Where the extension key lives when --key is not given: the IT user's config directory
    (`$XDG_CONFIG_HOME/postguard/keys`, else `~/.config/postguard/keys`), never the upload folder."""
    base = os.environ.get(KEY_DIR_ENV) or Path.home() / ".config"
    return Path(base) / "postguard" / "keys" / KEY_FILE_NAME


def refuse_key_in_upload_folder(key_path: Path, out_dir: Path) -> None:
    """DeployError when the key would sit in (or under) the folder that gets uploaded."""
    key, out = key_path.expanduser().resolve(), out_dir.expanduser().resolve()
    if key.is_relative_to(out):
        raise DeployError(f"the extension key {key_path} is inside the upload folder {out_dir}, which goes on "
                          f"the web server; keep the key elsewhere (move it, e.g. to {default_key_path()}, "
                          "and pass --key)", "key_in_upload_folder")
    stray = out / KEY_FILE_NAME
    if stray.exists():
        raise DeployError(f"{stray} is an extension key inside the upload folder; move it out (e.g. to "
                          f"{default_key_path()}) and pass --key, or the web server may publish it",
                          "key_in_upload_folder")


def stage_extension(source: Path, staged: Path, key: rsa.RSAPrivateKey) -> dict:
    """Copy the extension and set its manifest `key` to the packing key's; returns the manifest."""
    shutil.copytree(source, staged, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    manifest_path = staged / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["key"] = base64.b64encode(public_der(key)).decode()
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def find_chromium(explicit: str | None = None) -> str:
    """The browser binary that packs: --chromium if given, else the first one installed."""
    for candidate in ([explicit] if explicit else CHROMIUM_CANDIDATES):
        found = shutil.which(candidate)
        if found:
            return found
    raise DeployError("no Chromium, Chrome or Edge found to pack with; pass --chromium PATH "
                      "(Debian: apt-get install chromium)", "no_chromium")


def run_packer(chromium: str, staged: Path, key_path: Path, workdir: Path) -> Path:
    """Chromium's own packer, headless, with a throw-away profile; returns the .crx it wrote."""
    args = [chromium, "--headless", f"--user-data-dir={workdir / 'profile'}", "--no-first-run",
            f"--pack-extension={staged}", f"--pack-extension-key={key_path}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox on
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=PACK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise DeployError(f"{chromium} did not finish packing within {PACK_TIMEOUT_S} s", "pack_failed") from None
    crx = staged.with_suffix(".crx")
    if not crx.is_file():
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise DeployError(f"{chromium} did not write a CRX (exit {done.returncode}): {tail}", "pack_failed")
    return crx


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value, at


def _length_delimited(message: bytes, wanted: int) -> list[bytes]:
    """The values of one length-delimited protobuf field (just enough protobuf for a CRX3 header)."""
    found, at = [], 0
    while at < len(message):
        tag, at = _varint(message, at)
        number, wire = tag >> 3, tag & 7
        if wire == 2:
            size, at = _varint(message, at)
            if number == wanted:
                found.append(message[at:at + size])
            at += size
        elif wire == 0:
            _, at = _varint(message, at)
        else:
            raise DeployError("the CRX header is not in the CRX3 format", "bad_crx")
    return found


def crx_extension_id(crx: bytes) -> str:
    """The ID a CRX3 declares in its signed header (`signed_header_data.crx_id`)."""
    if crx[:4] != b"Cr24" or int.from_bytes(crx[4:8], "little") != 3:
        raise DeployError("not a CRX3 file (Chromium only installs CRX3)", "bad_crx")
    header = crx[12:12 + int.from_bytes(crx[8:12], "little")]
    signed = _length_delimited(header, 10000)
    crx_id = _length_delimited(signed[0], 1)[0] if signed else b""
    return "".join(chr(ord("a") + int(c, 16)) for c in crx_id.hex())


def updates_xml(ext_id: str, codebase: str, version: str) -> bytes:
    """The gupdate manifest Chromium polls at the update URL: where the CRX is and its version."""
    return (f"<?xml version='1.0' encoding='UTF-8'?>\n"
            f"<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n"
            f"  <app appid={quoteattr(ext_id)}>\n"
            f"    <updatecheck codebase={quoteattr(codebase)} version={quoteattr(version)} />\n"
            f"  </app>\n</gupdate>\n").encode()


@dataclass(frozen=True)
class PackResult:
    """What `postguard deploy pack` made."""

    extension_id: str
    version: str
    crx: Path
    key: Path
    key_created: bool
    updates_xml: Path | None


def pack(out_dir: Path, key_path: Path | None = None, update_url: str | None = None,
         chromium: str | None = None, source: Path = EXTENSION_DIR) -> PackResult:
    """Pack `source` into out_dir/postguard-<version>.crx (+ updates.xml when an update URL is given).

    Without --key, `default_key_path()` is used if present, else created there (0600) and kept.
    A key inside out_dir, the upload folder, is refused before anything is written, and so is a
    `source` whose content-script bundles are missing or older than their sources.
    """
    given, key_path = key_path is not None, key_path or default_key_path()
    refuse_key_in_upload_folder(key_path, out_dir)
    require_built(source)
    browser = find_chromium(chromium)
    created = False
    if not given and not key_path.exists():
        created = True
        key = create_key(key_path)
    else:
        key = load_key(key_path)
    ext_id = extension_id(public_der(key))
    with tempfile.TemporaryDirectory(prefix="postguard-pack-") as work:
        workdir = Path(work)
        pkcs8 = workdir / "key.pem"  # Chromium wants PKCS#8; the user's file may be PKCS#1
        pkcs8.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
        manifest = stage_extension(source, workdir / "postguard", key)
        built = run_packer(browser, workdir / "postguard", pkcs8, workdir)
        if crx_extension_id(built.read_bytes()) != ext_id:
            raise DeployError("the packed CRX declares a different ID than its key gives", "bad_crx")
        crx = out_dir / f"postguard-{manifest['version']}.crx"
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(built, crx)
        crx.chmod(0o644)  # served by the intranet web server; only the key stays private
    manifest_path = None
    if update_url:
        manifest_path = out_dir / "updates.xml"
        manifest_path.write_bytes(updates_xml(ext_id, urljoin(update_url, crx.name), manifest["version"]))
    return PackResult(ext_id, manifest["version"], crx, key_path, created, manifest_path)
