"""Drafts sent for approval: what is hashed, and how they are kept encrypted at rest.

The content hash is what "the approved content is still what is in the composer" compares:
SHA-256 over the text's UTF-8 bytes and each photo's SHA-256, in order. The laptop and the
service compute it with the same function; the service recomputes it from what it received.

At rest a draft (text, photos, the findings to highlight) and a reviewer's comment are AES-256-GCM
ciphertext under the key in `<key_dir>/drafts.key`, with the request id as associated data, so a
ciphertext moved to another row does not decrypt. Without the key file a database dump holds no
draft. `postguard central keygen` makes the key files; every instance needs the same ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from companion.errors import ConfigError

SESSION_KEY_FILE = "session.key"
DRAFTS_KEY_FILE = "drafts.key"
_VERSION = b"pg1"
_NONCE_BYTES = 12


def content_hash(text: str, image_digests: list[str]) -> str:
    """`sha256:` + hex over the text and the photos' SHA-256 digests (hex), in order."""
    digest = hashlib.sha256(b"postguard draft v1\0")
    digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    for image in image_digests:
        digest.update(b"\0" + image.encode("ascii"))
    return "sha256:" + digest.hexdigest()


def generate_keys(key_dir: Path) -> list[Path]:
    """Write session.key and drafts.key (0600, in a 0700 directory); existing files are kept.

    The review tool reads the service's own session, so it needs no key of its own; a `review.key`
    left by an older keygen is simply not read.
    """
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for name in (SESSION_KEY_FILE, DRAFTS_KEY_FILE):
        path = key_dir / name
        if path.exists():
            continue
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        written.append(path)
    return written


def read_key(key_dir: Path, name: str) -> bytes:
    """A 32-byte key from `key_dir`; ConfigError naming the file (never its content) otherwise."""
    path = Path(key_dir) / name
    try:
        key = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except FileNotFoundError:
        raise ConfigError("no such key file; make it with `postguard central keygen --key-dir DIR`",
                          path=str(path), field="setting key_dir") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise ConfigError("not a key made by `postguard central keygen`", path=str(path),
                          field="setting key_dir") from None
    if len(key) != 32:
        raise ConfigError("not a key made by `postguard central keygen`", path=str(path), field="setting key_dir")
    return key


class DraftCipher:
    """AES-256-GCM over JSON values, bound to the row they belong to."""

    def __init__(self, key: bytes):
        self._aead = AESGCM(key)

    def seal(self, value, row_id: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, row_id.encode("utf-8"))

    def open(self, sealed: bytes, row_id: str):
        """The value, or ConfigError when the key is not the one it was sealed with."""
        sealed = bytes(sealed)
        if not sealed.startswith(_VERSION):
            raise ConfigError("a stored draft is not in a format this version reads")
        nonce, body = sealed[len(_VERSION):len(_VERSION) + _NONCE_BYTES], sealed[len(_VERSION) + _NONCE_BYTES:]
        try:
            plain = self._aead.decrypt(nonce, body, row_id.encode("utf-8"))
        except InvalidTag:
            raise ConfigError("a stored draft does not decrypt with drafts.key (another key, or changed "
                              "in the database)", field="setting key_dir") from None
        return json.loads(plain)
