"""Reading the private keys IT keeps for deployment (the extension's packing key, the rule-bundle
signing key): one loader, so both say the same thing about a missing, encrypted or wrong key."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization

from companion.deploy.errors import DeployError


def load_pem_private_key(path: Path, key_type: type, wrong_type: str):
    """An unencrypted PEM private key of `key_type`; DeployError naming the file otherwise
    (`wrong_type` says which kind of key was expected and why)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise DeployError(f"{path}: no such key file", "bad_key") from None
    except (ValueError, TypeError) as exc:
        raise DeployError(f"{path}: not an unencrypted PEM private key ({exc})", "bad_key") from None
    if not isinstance(key, key_type):
        raise DeployError(f"{path}: {wrong_type}", "bad_key")
    return key
