"""The guarded sites (id and label), generated from extension/shared/sites.json by
scripts/sync_sites.py: edit sites.json, then run it. The companion's platform enum, the review
page's labels and the identities file read these.
"""

from __future__ import annotations

SITE_LABELS: dict[str, str] = {"linkedin": "LinkedIn", "facebook": "Facebook", "instagram": "Instagram"}
SITE_IDS: tuple[str, ...] = tuple(SITE_LABELS)
