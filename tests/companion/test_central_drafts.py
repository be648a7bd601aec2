"""Drafts at rest: the content hash the extension computes the same way (pinned vectors), sealing
bound to its request, and key files that are private and named (never shown) when unusable."""

from __future__ import annotations

import hashlib
import stat

import pytest

from companion.central.drafts import DRAFTS_KEY_FILE, SESSION_KEY_FILE, DraftCipher, content_hash, \
    generate_keys, read_key
from companion.errors import ConfigError

# The same values come out of the extension's Web Crypto code (docs/audit.md, "Approval before posting").
VECTORS = [
    ("Hello 你好", [], "sha256:71acbb34d45cdfd3c653b9d42779ef1a73184e9e24167c00419f7e4e67250757"),
    ("Hello 你好", [hashlib.sha256(b"photo-1").hexdigest(), hashlib.sha256(b"photo-2").hexdigest()],
     "sha256:5ee1dff4fa374532c6e4914dc256ae97b22e0f2fdeef4531bc139d9015f08b88"),
]


@pytest.mark.parametrize("text, photos, expected", VECTORS)
def test_the_content_hash_is_pinned(text, photos, expected):
    assert content_hash(text, photos) == expected


def test_any_edit_changes_the_content_hash():
    photos = VECTORS[1][1]
    base = content_hash("Hello 你好", photos)
    assert len({base, content_hash("Hello 你好 ", photos), content_hash("Hello 你好", photos[::-1]),
                content_hash("Hello 你好", photos[:1])}) == 4


def test_keys_are_private_and_kept(tmp_path):
    written = generate_keys(tmp_path / "keys")
    assert sorted(p.name for p in written) == sorted([SESSION_KEY_FILE, DRAFTS_KEY_FILE])
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    before = read_key(tmp_path / "keys", DRAFTS_KEY_FILE)
    assert generate_keys(tmp_path / "keys") == [] and read_key(tmp_path / "keys", DRAFTS_KEY_FILE) == before


def test_a_sealed_draft_opens_only_for_its_own_request_and_key(tmp_path):
    generate_keys(tmp_path / "a")
    generate_keys(tmp_path / "b")
    cipher = DraftCipher(read_key(tmp_path / "a", DRAFTS_KEY_FILE))
    sealed = cipher.seal({"text": "Acme at USD 4.20"}, "request-1")
    assert b"Acme" not in sealed and cipher.open(sealed, "request-1") == {"text": "Acme at USD 4.20"}
    with pytest.raises(ConfigError):
        cipher.open(sealed, "request-2")  # moved to another row
    with pytest.raises(ConfigError) as caught:
        DraftCipher(read_key(tmp_path / "b", DRAFTS_KEY_FILE)).open(sealed, "request-1")
    assert "does not decrypt with drafts.key" in caught.value.message


def test_a_missing_or_foreign_key_file_is_named_not_shown(tmp_path):
    with pytest.raises(ConfigError) as missing:
        read_key(tmp_path, DRAFTS_KEY_FILE)
    assert "postguard central keygen" in missing.value.message
    (tmp_path / DRAFTS_KEY_FILE).write_text("hunter2-not-a-key\n")
    with pytest.raises(ConfigError) as foreign:
        read_key(tmp_path, DRAFTS_KEY_FILE)
    assert str(tmp_path / DRAFTS_KEY_FILE) in foreign.value.message and "hunter2" not in foreign.value.message
