"""Settings: one list, each with a default and a help string; the only place env is read.

Precedence: defaults, then `POSTGUARD_*` environment variables, then what the caller
passes (CLI options, test config). `tests/companion/test_config.py` fails when a setting
has no help text, so `postguard serve --help` and docs stay complete.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from companion.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_ORG_DIR = REPO_ROOT / "rules" / "org" / "example"
EXTENSION_ID = "lgpmbmmgjnablpheopbbjncokjbhohij"
# Firefox names the add-on by a per-profile uuid; an origin that names the add-on ID lets the companion
# learn that uuid from the user's Firefox profiles (api/firefox_origins.py).
FIREFOX_ADDON_ID = "postguard@lumenhardware.com"
EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://", "safari-web-extension://")


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "postguard"


class Settings(BaseModel):
    """Everything the companion can be told; see each field's description."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address to bind. Only loopback is accepted.")
    port: int = Field(7717, ge=1, le=65535, description="TCP port of the local API.")
    org_dir: Path = Field(EXAMPLE_ORG_DIR,
                          description="Org directory: clients.csv, competitors.txt, products.txt, allow.txt.")
    rules_dir: Path = Field(REPO_ROOT / "rules", description="Directory holding packs/*.yaml.")
    data_dir: Path = Field(default_factory=_default_data_dir,
                           description="Where the audit store and its key live.")
    allowed_origins: list[str] = Field([f"chrome-extension://{EXTENSION_ID}", f"moz-extension://{FIREFOX_ADDON_ID}"],
                                       description="Browser origins allowed to call the API: extension "
                                                   "origins only, never web pages (comma-separated). "
                                                   "moz-extension://<add-on ID> allows the uuid Firefox "
                                                   "gave that add-on in this user's Firefox profiles.")
    max_request_bytes: int = Field(40 * 1024 * 1024, ge=1, description="Largest request body accepted (413 above).")
    max_images: int = Field(10, ge=0, description="Most images checked in one post.")
    max_text_chars: int = Field(100_000, ge=1, description="Longest post text accepted.")
    max_image_pixels: int = Field(50_000_000, ge=1, description="Largest image (pixels) decoded; bigger is refused.")
    ocr_budget_s: float = Field(2.5, gt=0, description="OCR time budget per image; past it, partial results.")
    check_budget_s: float = Field(1.5, gt=0, description="Time budget for checking a post's text; past it, the "
                                                         "answer holds what was found and says the check is incomplete.")
    threads: int = Field(4, ge=1, description="Worker threads of the HTTP server.")
    bundle_poll_s: float = Field(2.0, ge=0, description="How often (seconds) the companion looks for a newly "
                                                        "installed rule bundle (postguard rules install) and "
                                                        "reloads its rules without a restart; 0 turns it off.")
    syslog_target: str | None = Field(None, description="Forward every audit event to this syslog collector "
                                                        "as RFC 5424: tcp://host:port or tls://host:port "
                                                        "(unset: no syslog).")
    syslog_ca_file: Path | None = Field(None, description="CA certificate (PEM) that signed the syslog "
                                                          "collector's TLS certificate (unset: the system's CAs).")
    syslog_cert_file: Path | None = Field(None, description="Client certificate (PEM) the companion shows a "
                                                            "syslog collector that requires one (mutual TLS); "
                                                            "may also hold the key.")
    syslog_key_file: Path | None = Field(None, description="Private key (PEM) of syslog_cert_file, when it "
                                                           "is in a file of its own.")
    central_db: SecretStr | None = Field(None, description="PostgreSQL URL of the central audit store that "
                                                           "also receives every event, e.g. "
                                                           "postgresql://postguard@db.example.com:5432/audit "
                                                           "(unset: none).")
    central_url: str | None = Field(None, description="The central service (postguard central serve) that "
                                                      "receives every audit event and approval requests over "
                                                      "HTTPS, e.g. https://postguard.example.com (unset: none).")
    central_enroll_code: SecretStr | None = Field(None, description="Enrollment code from IT (postguard central "
                                                                    "enroll-code); used once to get this laptop's "
                                                                    "own token.")
    central_ca_file: Path | None = Field(None, description="CA certificate (PEM) of the central service's TLS "
                                                           "certificate (unset: the system's CAs).")
    audit_retention_days: int = Field(365, ge=0, description="Days audit events are kept; older ones are "
                                                             "pruned at start and by `postguard audit prune`, "
                                                             "leaving a checkpoint (0 keeps them forever).")
    alerts_file: Path | None = Field(None, description="YAML file of alert rules and their channels (e-mail, "
                                                       "webhook, syslog); see docs/audit.md, Alerts (unset: no alerts).")
    identity_map: Path | None = Field(None, description="CSV from IT mapping os_user and host to the person's "
                                                        "company email, stamped on every event (unset: none).")

    @field_validator("allowed_origins")
    @classmethod
    def _extension_origins_only(cls, origins: list[str]) -> list[str]:
        """A web origin here would let that site's pages read every check; refuse it."""
        for origin in origins:
            scheme = next((s for s in EXTENSION_SCHEMES if origin.startswith(s)), None)
            if scheme is None or not origin[len(scheme):] or "/" in origin[len(scheme):]:
                raise ValueError(f"{origin!r} is not a browser extension origin "
                                 f"(expected e.g. chrome-extension://<id>)")
        return origins

    @field_validator("syslog_target")
    @classmethod
    def _syslog_target_url(cls, target: str | None) -> str | None:
        """A typo here would silently forward nothing; refuse it at start instead."""
        if not target or not target.strip():
            return None
        from companion.audit.sinks.syslog import parse_syslog_target

        parse_syslog_target(target)
        return target.strip()

    @field_validator("central_db")
    @classmethod
    def _central_db_url(cls, url: SecretStr | None) -> SecretStr | None:
        """Check the URL's shape at start; the message never repeats it (it may hold a password)."""
        if url is None or not url.get_secret_value().strip():
            return None
        from companion.audit.sinks.pg_connect import parse_central_db

        try:
            parse_central_db(url.get_secret_value(), field="")
        except ConfigError as exc:
            raise ValueError(exc.message) from None
        return url

    @field_validator("central_url")
    @classmethod
    def _central_url(cls, url: str | None) -> str | None:
        """A typo here would silently send nothing; refuse it at start instead."""
        if not url or not url.strip():
            return None
        from companion.central.client import check_central_url

        return check_central_url(url)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then POSTGUARD_* environment variables, then explicit overrides."""
        values: dict = {}
        from_env: set[str] = set()
        for name, field in cls.model_fields.items():
            raw = os.environ.get(f"POSTGUARD_{name.upper()}")
            if raw is not None:
                from_env.add(name)
                values[name] = ([v.strip() for v in raw.split(",") if v.strip()]
                                if field.annotation == list[str] else raw)
        given = {k: v for k, v in overrides.items() if v is not None}
        values.update(given)
        try:
            return cls(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"][:1])
            source = f" (POSTGUARD_{field.upper()})" if field in from_env - set(given) else ""
            raise ConfigError(first["msg"], field=f"setting {field}{source}") from None
