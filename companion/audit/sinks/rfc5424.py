"""An audit event as one RFC 5424 syslog message, framed for TCP/TLS (RFC 6587, RFC 5425).

    <PRI>1 TIMESTAMP HOSTNAME postguard PROCID MSGID [postguard@32473 seq="…" …] BOM{json}

- PRI is facility 13 ("log audit") with a severity from the verdict or decision, so a SIEM
  can alert on severity alone.
- TIMESTAMP is when the event happened, not when it was sent. A spooled event keeps its time.
- HOSTNAME is the laptop's name as recorded in the event, and MSGID its kind.
- STRUCTURED-DATA repeats the fields a SIEM filters on. The laptop id and seq let a collector
  drop a batch it receives twice. `seq` and `hash` are the event's place in the chain: the
  collector holds an independent copy of the laptop's chain head, so a cut or rewritten
  local log shows against it (`postguard audit verify --against`). They come before MSG, so
  a collector that truncates long messages still keeps them. 32473 is the example enterprise
  number that RFC 5612 reserves for documentation. It only namespaces our parameter names.
- MSG is the event's canonical JSON, exactly as the laptop hashed it (prev_hash and hash
  included), so a copy in the SIEM can be re-verified. The BOM marks it as UTF-8 (RFC 5424 6.4).
"""

from __future__ import annotations

import os

from companion.audit.chain import canonical_json
from companion.audit.events import EVENT_FIELDS

APP_NAME = "postguard"
SD_ID = "postguard@32473"
FACILITY_LOG_AUDIT = 13
BOM = "\ufeff"
NIL = "-"

SEVERITY_WARNING, SEVERITY_NOTICE, SEVERITY_INFO = 4, 5, 6
_CHECK_SEVERITY = {"block": SEVERITY_WARNING, "warn": SEVERITY_NOTICE}
_DECISION_SEVERITY = {"overridden": SEVERITY_WARNING}
# RFC 5424 header field limits (section 6).
_HEADER_LIMITS = {"hostname": 255, "app_name": 48, "procid": 128, "msgid": 32}
_SD_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "]": "\\]"})


def severity(event: dict) -> int:
    """Warning for a blocked post or an override, notice for a warning, info otherwise."""
    if event.get("kind") == "check":
        return _CHECK_SEVERITY.get(event.get("verdict") or "", SEVERITY_INFO)
    if event.get("kind") == "decision":
        return _DECISION_SEVERITY.get(event.get("action") or "", SEVERITY_INFO)
    return SEVERITY_NOTICE  # checkpoints: the log was pruned


def header_field(value, limit: int) -> str:
    """A header field: printable US-ASCII without spaces (else `_`), or `-` when empty."""
    text = "".join(c if 33 <= ord(c) <= 126 else "_" for c in str(value or ""))[:limit]
    return text or NIL


def sd_value(value) -> str:
    """A PARAM-VALUE with `\\`, `"` and `]` escaped as RFC 5424 section 6.3.3 requires."""
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return str(value).translate(_SD_ESCAPES)


def structured_data(event: dict, laptop_id: str) -> str:
    """One SD-ELEMENT with the fields a SIEM filters on; absent fields are left out."""
    params = {
        "laptop_id": laptop_id, "seq": event.get("seq"), "event_id": event.get("event_id"),
        "kind": event.get("kind"), "verdict": event.get("verdict"), "action": event.get("action"),
        "categories": event.get("categories") or None, "platform": event.get("platform"),
        "scan_id": event.get("scan_id"), "user": event.get("os_user"), "hash": event.get("hash"),
    }
    body = " ".join(f'{name}="{sd_value(value)}"' for name, value in params.items()
                    if value is not None and value != "")
    return f"[{SD_ID} {body}]"


def format_message(event: dict, *, laptop_id: str, procid: int | None = None) -> bytes:
    """The whole RFC 5424 message for `event` as UTF-8 bytes (without framing)."""
    pri = FACILITY_LOG_AUDIT * 8 + severity(event)
    header = " ".join((
        f"<{pri}>1",
        header_field(event.get("ts"), 64),
        header_field(event.get("host"), _HEADER_LIMITS["hostname"]),
        APP_NAME,
        header_field(procid if procid is not None else os.getpid(), _HEADER_LIMITS["procid"]),
        header_field(event.get("kind"), _HEADER_LIMITS["msgid"]),
    ))
    body = canonical_json({name: event.get(name) for name in EVENT_FIELDS})
    return f"{header} {structured_data(event, laptop_id)} {BOM}{body}".encode("utf-8")


def octet_frame(message: bytes) -> bytes:
    """Octet-counting framing (RFC 6587 3.4.1, RFC 5425 4.3): `LEN SP MSG`."""
    return str(len(message)).encode("ascii") + b" " + message
