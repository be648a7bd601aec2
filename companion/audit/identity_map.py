"""The company identity of the person at this computer, from a CSV that IT provides.

    os_user,host,email
    li.wei,LW-LAPTOP,li.wei@example.com
    anna.k,,anna.k@example.com          # empty host: that account on any computer

The email goes on every event as `details.identity` (the extension's signed-in browser
profile, when it sends one, comes first). A file that cannot be used stops the companion
with an error naming the file, the line and the field, never guessing.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from companion.errors import ConfigError

HEADER = ("os_user", "host", "email")
EMAIL = re.compile(r"^[^@\s,;<>\"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
MAX_ROWS = 200_000


def valid_email(text: str | None) -> str | None:
    """The address, lower-cased, when it looks like one; else None."""
    text = (text or "").strip()
    return text.lower() if EMAIL.match(text) else None


def load_identity_map(path: Path) -> dict[tuple[str, str], str]:
    """(os_user, host or "") -> email, as the CSV says; ConfigError with file, line and field."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the identity map ({exc.strerror})", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text; save the CSV as UTF-8", path=str(path)) from None
    rows = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(rows, [])]
    if tuple(header[:3]) != HEADER:
        raise ConfigError(f"the first line must be the header {','.join(HEADER)}", path=str(path), line=1)
    mapping: dict[tuple[str, str], str] = {}
    for line, row in enumerate(rows, start=2):
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].lstrip().startswith("#"):
            continue
        if len(row) < 3:
            raise ConfigError(f"expected 3 fields (os_user, host, email), found {len(row)}", path=str(path),
                              line=line, field="email")
        user, host, email = (cell.strip() for cell in row[:3])
        if not user:
            raise ConfigError("empty; name the OS account", path=str(path), line=line, field="os_user")
        address = valid_email(email)
        if address is None:
            raise ConfigError("not an email address such as li.wei@example.com", path=str(path), line=line,
                              field="email")
        key = (user, "" if host in ("", "*") else host.lower())
        if key in mapping and mapping[key] != address:
            raise ConfigError(f"{user} on {host or 'any computer'} is mapped twice", path=str(path), line=line,
                              field="os_user")
        mapping[key] = address
        if len(mapping) > MAX_ROWS:
            raise ConfigError(f"more than {MAX_ROWS} rows", path=str(path), line=line)
    return mapping


def identity_for(mapping: dict[tuple[str, str], str], os_user: str, host: str) -> str | None:
    """The email for this account on this computer, else for this account anywhere."""
    return mapping.get((os_user, (host or "").lower())) or mapping.get((os_user, ""))
