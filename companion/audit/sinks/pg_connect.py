"""Connecting to the central PostgreSQL store without ever showing its password.

Both the laptops' sink and `postguard audit serve --db` take a `postgresql://` URL.
Errors name what the person fixing them needs (host, port, database, user and
PostgreSQL's reason), with the password cut out of every message, including libpq's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from companion.audit.sinks.base import CentralStoreUnavailable
from companion.errors import ConfigError

URL_SCHEMES = ("postgresql", "postgres")
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class CentralDb:
    """A parsed `postgresql://` URL: what to connect to, and how to name it safely."""

    url: str
    host: str
    port: int
    dbname: str
    user: str
    password: str | None

    def describe(self) -> str:
        """`postgresql://user@host:port/dbname`, never the password."""
        user = f"{self.user}@" if self.user else ""
        return f"postgresql://{user}{self.host}:{self.port}/{self.dbname}"

    def redact(self, text: str) -> str:
        """`text` with the password (as written and percent-decoded) replaced by ***."""
        if self.password:
            for form in {self.password, unquote(self.password)}:
                text = text.replace(form, "***")
        return text


def parse_central_db(url: str, *, field: str = "setting central_db") -> CentralDb:
    """Parse a `postgresql://user:password@host:port/dbname` URL; ConfigError if malformed.

    The message never repeats the URL: it may hold the password.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ConfigError("not a PostgreSQL URL (a bad port?); expected "
                          "postgresql://user@host:5432/dbname", field=field) from None
    if parts.scheme not in URL_SCHEMES:
        raise ConfigError("not a PostgreSQL URL; expected postgresql://user@host:5432/dbname",
                          field=field)
    if not parts.hostname:
        raise ConfigError("the PostgreSQL URL names no host; expected "
                          "postgresql://user@host:5432/dbname", field=field)
    dbname = unquote(parts.path.lstrip("/")) or unquote(parts.username or "")
    return CentralDb(url.strip(), parts.hostname, port, dbname, unquote(parts.username or ""),
                     parts.password)


def connect(db: CentralDb, *, autocommit: bool = False):
    """A psycopg connection, or CentralStoreUnavailable naming host:port and the reason."""
    import psycopg

    try:
        return psycopg.connect(db.url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="postguard")
    except psycopg.Error as exc:
        raise CentralStoreUnavailable(
            f"cannot connect to the central audit store {db.describe()}: {reason(db, exc)}") from None


def reason(db: CentralDb, exc: Exception) -> str:
    """PostgreSQL's one-line reason, password removed."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    return db.redact(text.removeprefix("connection failed: "))
