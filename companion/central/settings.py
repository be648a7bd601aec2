"""CentralSettings: everything `postguard central serve` can be told, each with a help string.

Precedence as for the companion: defaults, then `POSTGUARD_CENTRAL_*` environment variables
(`db` is `POSTGUARD_CENTRAL_DB`), then the command line. `tests/companion/test_central_settings.py`
fails when a setting has no help text or is missing from docs/deploy.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from companion.errors import ConfigError

ENV_PREFIX = "POSTGUARD_CENTRAL_"


class CentralSettings(BaseModel):
    """The central service's settings; see each field's description."""

    model_config = ConfigDict(extra="forbid")

    db: SecretStr = Field(..., description="PostgreSQL URL of the central store, e.g. "
                                           "postgresql://postguard_central@db.example.com:5432/postguard_audit "
                                           "(password from PGPASSWORD or ~/.pgpass).")
    host: str = Field("127.0.0.1", description="Address to bind; the reverse proxy (TLS) sits in front.")
    port: int = Field(7720, ge=1, le=65535, description="TCP port.")
    threads: int = Field(8, ge=1, description="Worker threads of the HTTP server.")
    key_dir: Path = Field(Path("/etc/postguard/central"),
                          description="Directory holding session.key and drafts.key (`postguard "
                                      "central keygen`); every instance behind the load balancer needs the "
                                      "same files.")
    approval_retention_days: int = Field(30, ge=0, description="Days a decided draft (text, photos, the "
                                                               "reviewer's comment) is kept before it is "
                                                               "deleted; 0 deletes it when decided. The "
                                                               "decision and hashes stay.")
    approval_expire_hours: float = Field(72.0, gt=0, description="Hours a request may wait for a decision; "
                                                                 "then it expires (the salesperson is told) "
                                                                 "and its draft is deleted.")
    secure_cookies: bool = Field(True, description="Mark the session cookie Secure (HTTPS only). Turn off only "
                                                   "for a trial over plain HTTP on one machine.")
    proxy_hops: int = Field(0, ge=0, le=5, description="How many reverse proxies in front set X-Forwarded-For / "
                                                       "-Proto (1 with the nginx sample); 0 trusts no such header.")
    session_hours: float = Field(8.0, gt=0, le=24, description="How long a reviewer's sign-in lasts.")
    max_request_bytes: int = Field(40 * 1024 * 1024, ge=1, description="Largest request accepted (a draft "
                                                                         "with photos, a batch of events).")
    alerts_file: Path | None = Field(None, description="Alert rules and channels (the companion's alerts.yaml "
                                                       "format) run over every laptop's events as they arrive "
                                                       "(unset: no alerts here).")
    max_batch_events: int = Field(1000, ge=1, description="Most audit events in one batch from a laptop.")

    @classmethod
    def from_env(cls, **overrides) -> "CentralSettings":
        """Defaults, then POSTGUARD_CENTRAL_* variables, then explicit overrides."""
        values: dict = {}
        for name in cls.model_fields:
            raw = os.environ.get(f"{ENV_PREFIX}{name.upper()}")
            if raw is not None:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"][:1])
            raise ConfigError(first["msg"], field=f"setting {field} ({ENV_PREFIX}{field.upper()})") from None
