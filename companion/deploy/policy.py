"""Browser policy for a managed install: which extension to force-install from where, and the
settings IT locks for it (the extension's managed schema).

Chrome, Edge and Chromium share one policy vocabulary:

- `ExtensionInstallForcelist`: `"<id>;<update url>"` — installs the extension and keeps it installed;
- `ExtensionSettings`: per extension `installation_mode: force_installed`, `update_url`,
  `toolbar_pin: force_pinned` (so users see the Postguard button);
- `3rdparty` → `extensions` → `<id>`: the values the extension reads from `chrome.storage.managed`.

Firefox uses `ExtensionSettings` (keyed by the add-on ID, with an `install_url` to the .xpi, the
button on the toolbar and `private_browsing` so it also guards private windows) and `3rdparty` →
`Extensions` (capital E) → add-on ID.

Everything is validated here, before any file is written: an extension ID is 32 letters a–p
(how Chromium spells the hash of a public key), URLs are absolute http(s) URLs, and managed
values must fit extension/managed_schema.json (types and enums) plus the rules the extension
itself applies (the companion URL must be on this laptop).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from companion.config import REPO_ROOT
from companion.deploy.errors import DeployError

MANAGED_SCHEMA_PATH = REPO_ROOT / "extension" / "managed_schema.json"
FIREFOX_ADDON_ID = "postguard@lumenhardware.com"
_EXTENSION_ID = re.compile(r"[a-p]{32}")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_JSON_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict, "integer": int, "number": (int, float)}


def check_extension_id(value: str) -> str:
    """The ID as Chromium writes it: 32 letters from a to p (hex digits shifted to letters)."""
    if not _EXTENSION_ID.fullmatch(value or ""):
        raise DeployError(f"--extension-id {value!r} is not a Chromium extension ID: it must be exactly "
                          f"32 letters from a to p (postguard deploy pack prints it)", "bad_extension_id")
    return value


def check_url(value: str, option: str, *, loopback: bool = False) -> str:
    """An absolute http(s) URL with a host and no spaces; `loopback` also requires this laptop."""
    problem = None
    if not value or any(c.isspace() for c in value):
        problem = "it is empty or contains spaces"
    else:
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 — raises ValueError on a port that is not a number
        except ValueError:
            parts, host, problem = None, None, "it does not parse as a URL"
        if problem is None and parts.scheme not in ("http", "https"):
            problem = "it must start with https:// or http://"
        elif problem is None and not host:
            problem = "it has no host name"
        elif problem is None and loopback and host not in _LOOPBACK_HOSTS:
            problem = "the companion runs on each laptop, so the host must be 127.0.0.1 or localhost"
    if problem:
        raise DeployError(f"{option} {value!r} is not usable: {problem}", "bad_url")
    return value


def load_managed_schema(path: Path = MANAGED_SCHEMA_PATH) -> dict:
    """The extension's managed-storage schema (the single source of what IT may set)."""
    return json.loads(path.read_text(encoding="utf-8"))


def _check_value(key: str, value, spec: dict) -> None:
    expected = _JSON_TYPES[spec["type"]]
    if isinstance(value, bool) and spec["type"] != "boolean" or not isinstance(value, expected):
        raise DeployError(f"managed setting {key}: expected a {spec['type']}, got {type(value).__name__}",
                          "bad_managed_value")
    if "enum" in spec and value not in spec["enum"]:
        raise DeployError(f"managed setting {key}: {value!r} is not one of {', '.join(map(str, spec['enum']))}",
                          "bad_managed_value")
    if "maxLength" in spec and len(value) > spec["maxLength"]:
        raise DeployError(f"managed setting {key}: at most {spec['maxLength']} characters, got {len(value)}",
                          "bad_managed_value")
    if spec["type"] == "array":
        for item in value:
            _check_value(f"{key}[]", item, spec["items"])
    if spec["type"] == "object" and "properties" in spec:
        for name, item in value.items():
            if name not in spec["properties"]:
                raise DeployError(f"managed setting {key}.{name}: not one of {', '.join(spec['properties'])}",
                                  "bad_managed_value")
            _check_value(f"{key}.{name}", item, spec["properties"][name])


def check_managed_values(values: dict, schema: dict | None = None) -> dict:
    """Values that fit the managed schema; an unknown key or a wrong type/enum is an error."""
    properties = (schema or load_managed_schema())["properties"]
    for key, value in values.items():
        if key not in properties:
            raise DeployError(f"managed setting {key!r} is not in the extension's managed schema "
                              f"(known: {', '.join(properties)})", "bad_managed_value")
        _check_value(key, value, properties[key])
    if "companionUrl" in values:
        check_url(values["companionUrl"], "--companion-url", loopback=True)
    if values.get("supportUrl"):
        check_url(values["supportUrl"], "--support-url")
    return values


@dataclass(frozen=True)
class PolicyInputs:
    """Everything a policy file says, validated: build it with `PolicyInputs.checked(...)`."""

    extension_id: str
    update_url: str
    managed: dict = field(default_factory=dict)
    firefox_install_url: str = ""

    @classmethod
    def checked(cls, extension_id: str, update_url: str, managed: dict,
                firefox_install_url: str | None = None) -> "PolicyInputs":
        """Validate every input; the Firefox .xpi defaults to postguard.xpi beside updates.xml."""
        check_extension_id(extension_id)
        check_url(update_url, "--update-url")
        xpi = firefox_install_url or urljoin(update_url, "postguard.xpi")
        check_url(xpi, "--firefox-install-url")
        return cls(extension_id, update_url, check_managed_values(dict(managed)), xpi)


def chromium_policy(inputs: PolicyInputs) -> dict:
    """The policy document Chrome, Edge and Chromium read (Linux JSON; the same keys elsewhere)."""
    return {
        "ExtensionInstallForcelist": [f"{inputs.extension_id};{inputs.update_url}"],
        "ExtensionSettings": {inputs.extension_id: {
            "installation_mode": "force_installed",
            "update_url": inputs.update_url,
            "toolbar_pin": "force_pinned",
        }},
        "3rdparty": {"extensions": {inputs.extension_id: dict(inputs.managed)}},
    }


def firefox_policy(inputs: PolicyInputs) -> dict:
    """Firefox's policies.json: force-install the signed .xpi and hand it the managed values."""
    return {"policies": {
        "ExtensionSettings": {FIREFOX_ADDON_ID: {
            "installation_mode": "force_installed",
            "install_url": inputs.firefox_install_url,
            "default_area": "navbar",
            # Firefox runs add-ons in private windows only when allowed; set here, the user cannot
            # turn it off (a private window is not a way around the check).
            "private_browsing": True,
        }},
        "3rdparty": {"Extensions": {FIREFOX_ADDON_ID: dict(inputs.managed)}},
    }}
