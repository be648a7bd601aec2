"""Tampering with a signed rule bundle the way an attacker would, for the bundle tests."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path


def rewrite(bundle: Path, out: Path, change) -> Path:
    """Unpack, let `change(members)` edit the dict of name -> bytes, pack again (as an attacker would)."""
    with tarfile.open(bundle) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive if m.isreg()}
    change(members)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    out.write_bytes(buffer.getvalue())
    return out
