"""The Firefox add-on's origin, learned from the user's Firefox profiles.

Chromium names an extension by its fixed ID (`chrome-extension://<id>`). Firefox names it
`moz-extension://<uuid>` with a uuid it draws at random per profile when the add-on is installed, and
sends that as the Origin of every request the add-on makes. IT cannot know it in advance, so an allowed
origin may name the add-on ID instead of the uuid:

    POSTGUARD_ALLOWED_ORIGINS=chrome-extension://<id>,moz-extension://postguard@lumenhardware.com

and the companion accepts the uuid that Firefox gave that add-on in this user's profiles. Firefox keeps
the map in each profile's prefs.js (`extensions.webextensions.uuids`, a JSON object add-on ID → uuid),
written moments after an install. Only someone who can already write the user's Firefox profile can
put a uuid there, and a web page can never send a moz-extension Origin.

A request with a moz-extension Origin that is not known yet makes the companion read the profiles
again, at most once per `rescan_s`, so a just-installed add-on is recognised within seconds without
letting any caller make the companion read files in a loop.
"""

from __future__ import annotations

import configparser
import json
import re
import threading
import time
from pathlib import Path
from typing import Iterable

SCHEME = "moz-extension://"
UUID_PATTERN = re.compile(r"moz-extension://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_UUID_PREF = re.compile(r'^user_pref\("extensions\.webextensions\.uuids",\s*("(?:[^"\\]|\\.)*")\);\s*$', re.M)


def addon_ids(allowed_origins: Iterable[str]) -> list[str]:
    """The add-on IDs named in place of a uuid (`moz-extension://<id with an @>`; a uuid has no @)."""
    return [o[len(SCHEME):] for o in allowed_origins if o.startswith(SCHEME) and "@" in o]


def profile_roots(home: Path) -> list[Path]:
    """Where Firefox keeps profiles on Linux (Debian/Mozilla builds, Snap, Flatpak, XDG), macOS and
    Windows (the default %APPDATA%)."""
    return [home / ".mozilla" / "firefox", home / ".config" / "mozilla" / "firefox",
            home / "snap" / "firefox" / "common" / ".mozilla" / "firefox",
            home / ".var" / "app" / "org.mozilla.firefox" / ".mozilla" / "firefox",
            home / "Library" / "Application Support" / "Firefox",
            home / "AppData" / "Roaming" / "Mozilla" / "Firefox"]


def profile_dirs(root: Path) -> list[Path]:
    """Every profile under `root`: the ones profiles.ini lists (they may live elsewhere) and the
    folders beside it (Linux) or in Profiles/ (macOS, Windows)."""
    found = [p.parent for pattern in ("*/prefs.js", "Profiles/*/prefs.js") for p in root.glob(pattern)]
    ini = configparser.ConfigParser(interpolation=None)
    try:
        ini.read(root / "profiles.ini", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return found
    for section in ini.sections():
        path = ini[section].get("Path")
        if path:
            found.append(root / path if ini[section].get("IsRelative", "1") == "1" else Path(path))
    return list(dict.fromkeys(found))


def uuids_in_prefs(prefs_js: str) -> dict[str, str]:
    """The add-on ID → uuid map from a prefs.js text ({} when absent or unreadable)."""
    match = _UUID_PREF.search(prefs_js)
    if not match:
        return {}
    try:
        mapping = json.loads(json.loads(match.group(1)))
    except ValueError:
        return {}
    return {k: v for k, v in mapping.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(mapping, dict) else {}


def scan_origins(ids: Iterable[str], roots: Iterable[Path]) -> frozenset[str]:
    """`moz-extension://<uuid>` of each add-on ID in every profile found under `roots`."""
    wanted = set(ids)
    origins = set()
    for root in roots:
        for profile in profile_dirs(root):
            try:
                text = (profile / "prefs.js").read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            origins.update(f"{SCHEME}{uuid}" for addon, uuid in uuids_in_prefs(text).items() if addon in wanted)
    return frozenset(o for o in origins if UUID_PATTERN.fullmatch(o))


class FirefoxAddonOrigins:
    """The origins of the named add-ons in this user's Firefox profiles, re-read on demand."""

    def __init__(self, ids: Iterable[str], roots: Iterable[Path], rescan_s: float = 2.0, clock=time.monotonic) -> None:
        self.ids = tuple(ids)
        self._roots = tuple(roots)
        self._rescan_s = rescan_s
        self._clock = clock
        self._lock = threading.Lock()
        self._origins: frozenset[str] = frozenset()
        self._scanned_at: float | None = None

    def allows(self, origin: str) -> bool:
        """True for a uuid Firefox gave one of the add-ons; an unknown uuid triggers a (rate-limited) re-read."""
        if not self.ids or not UUID_PATTERN.fullmatch(origin or ""):
            return False
        with self._lock:
            if origin in self._origins:
                return True
            now = self._clock()
            if self._scanned_at is None or now - self._scanned_at >= self._rescan_s:
                self._scanned_at = now
                self._origins = scan_origins(self.ids, self._roots)
            return origin in self._origins
