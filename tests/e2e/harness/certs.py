"""Self-signed certificate for the replica hostnames, made at test time with the openssl CLI.

Chromium is started with --ignore-certificate-errors, so trust is not the point; a real certificate for the
real names keeps the TLS handshake, SNI and the secure-context rules (crypto.subtle, service workers) the
same as on the live sites.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

REPLICA_HOSTNAMES = ("www.linkedin.com", "www.facebook.com", "www.instagram.com")


@dataclass(frozen=True)
class CertificatePair:
    """Paths of a PEM certificate and its unencrypted private key."""

    cert_path: Path
    key_path: Path


def make_self_signed_certificate(directory: Path, hostnames: tuple[str, ...] = REPLICA_HOSTNAMES) -> CertificatePair:
    """Write a 2-day P-256 certificate valid for `hostnames` and 127.0.0.1 into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    pair = CertificatePair(directory / "replicas-cert.pem", directory / "replicas-key.pem")
    alt_names = ",".join([f"DNS:{name}" for name in hostnames] + ["IP:127.0.0.1"])
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=postguard-replicas",
            "-addext", f"subjectAltName={alt_names}",
            "-keyout", str(pair.key_path), "-out", str(pair.cert_path),
        ],
        check=True,
        capture_output=True,
    )
    return pair
