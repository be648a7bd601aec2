"""The validated policy (policy.py) written the way each operating system reads browser policy.

| file                                   | read by                                                          |
|----------------------------------------|------------------------------------------------------------------|
| windows/postguard-policy.reg           | Chrome + Edge on Windows: HKLM\\SOFTWARE\\Policies\\Google\\Chrome and \\Microsoft\\Edge |
| macos/postguard.mobileconfig           | Chrome + Edge on macOS (a configuration profile pushed by MDM)    |
| linux/etc/opt/chrome/policies/managed  | Google Chrome on Linux                                           |
| linux/etc/opt/edge/policies/managed    | Microsoft Edge on Linux                                          |
| linux/etc/chromium/policies/managed    | Chromium on Linux (Debian/Ubuntu packages)                       |
| firefox/policies.json                  | Firefox (distribution/ folder or /etc/firefox/policies)          |

Where a browser keeps the extension's managed values differs: in the registry they sit under
`<browser key>\\3rdparty\\extensions\\<id>\\policy`, on macOS in the preference domain
`com.google.Chrome.extensions.<id>` (Edge: `com.microsoft.Edge.extensions.<id>`), in JSON under
`3rdparty` → `extensions` → `<id>`.
"""

from __future__ import annotations

import json
import os
import plistlib
import uuid
from pathlib import Path

from companion.deploy.policy import PolicyInputs, chromium_policy, firefox_policy

REGISTRY_KEYS = {"Chrome": r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome",
                 "Edge": r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge"}
MAC_DOMAINS = {"Chrome": "com.google.Chrome", "Edge": "com.microsoft.Edge"}
LINUX_DIRS = ("etc/opt/chrome/policies/managed", "etc/opt/edge/policies/managed",
              "etc/chromium/policies/managed")
PROFILE_IDENTIFIER = "com.lumenhardware.postguard.browser-policy"
POLICY_FILE_NAME = "postguard.json"


def _reg_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reg_value(name: str, value) -> str:
    """One `"name"=...` line: booleans as DWORD 0/1 (how Chrome reads a boolean), text as REG_SZ."""
    if isinstance(value, bool):
        return f"{_reg_string(name)}=dword:{int(value):08x}"
    if isinstance(value, int):
        return f"{_reg_string(name)}=dword:{value:08x}"
    return f"{_reg_string(name)}={_reg_string(str(value))}"


def _reg_block(key: str, values: dict) -> list[str]:
    """A key with its values; lists become a subkey with values named 1, 2, 3 (Chrome's list form),
    objects (reactionPolicy) a subkey with their own values."""
    lines = [f"[{key}]"] + [_reg_value(n, v) for n, v in values.items() if not isinstance(v, (list, dict))] + [""]
    for name, items in ((n, v) for n, v in values.items() if isinstance(v, list)):
        lines += _reg_block(f"{key}\\{name}", {str(i): item for i, item in enumerate(items, 1)})
    for name, nested in ((n, v) for n, v in values.items() if isinstance(v, dict)):
        lines += _reg_block(f"{key}\\{name}", nested)
    return lines


def registry_file(inputs: PolicyInputs) -> bytes:
    """A .reg file for both browsers, UTF-16 LE with a BOM and CRLF, as regedit writes them."""
    policy = chromium_policy(inputs)
    lines = ["Windows Registry Editor Version 5.00", ""]
    for browser, root in REGISTRY_KEYS.items():
        lines += [f"; {browser}: force-install, pin, and the extension's managed settings", ""]
        lines += _reg_block(f"{root}\\ExtensionInstallForcelist",
                            {"1": policy["ExtensionInstallForcelist"][0]})
        lines += _reg_block(root, {"ExtensionSettings": json.dumps(policy["ExtensionSettings"],
                                                                   separators=(",", ":"))})
        lines += _reg_block(f"{root}\\3rdparty\\extensions\\{inputs.extension_id}\\policy", inputs.managed)
    return "\ufeff".encode("utf-16-le") + "\r\n".join(lines).encode("utf-16-le")


def _payload(payload_type: str, identifier: str, name: str, content: dict) -> dict:
    """One payload; its UUID is derived from its identifier so a regenerated profile replaces the old one."""
    return {"PayloadType": payload_type, "PayloadVersion": 1, "PayloadIdentifier": identifier,
            "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, identifier)).upper(),
            "PayloadDisplayName": name, "PayloadEnabled": True, **content}


def mobileconfig(inputs: PolicyInputs) -> bytes:
    """A macOS configuration profile: per browser, its policies and the extension's own domain."""
    policy = chromium_policy(inputs)
    browser_keys = {k: policy[k] for k in ("ExtensionInstallForcelist", "ExtensionSettings")}
    payloads = []
    for browser, domain in MAC_DOMAINS.items():
        payloads.append(_payload(domain, f"{PROFILE_IDENTIFIER}.{browser.lower()}",
                                 f"Postguard for {browser}", browser_keys))
        payloads.append(_payload(f"{domain}.extensions.{inputs.extension_id}",
                                 f"{PROFILE_IDENTIFIER}.{browser.lower()}.settings",
                                 f"Postguard settings for {browser}", dict(inputs.managed)))
    profile = _payload("Configuration", PROFILE_IDENTIFIER, "Postguard browser policy", {
        "PayloadContent": payloads, "PayloadScope": "System", "PayloadOrganization": "Postguard",
        "PayloadDescription": "Installs the Postguard extension in Chrome and Edge, pins it, and sets "
                              "its managed settings.",
        "PayloadRemovalDisallowed": True})
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML)


def policy_files(inputs: PolicyInputs) -> dict[str, bytes]:
    """Every file, by its path under the output directory (nothing written yet)."""
    linux = json.dumps(chromium_policy(inputs), indent=2).encode() + b"\n"
    files = {f"linux/{d}/{POLICY_FILE_NAME}": linux for d in LINUX_DIRS}
    files["windows/postguard-policy.reg"] = registry_file(inputs)
    files["macos/postguard.mobileconfig"] = mobileconfig(inputs)
    files["firefox/policies.json"] = json.dumps(firefox_policy(inputs), indent=2).encode() + b"\n"
    return files


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write each file through a temporary name and an atomic rename (no half-written policy)."""
    written = []
    for relative, content in files.items():
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, target)
        written.append(target)
    return written
