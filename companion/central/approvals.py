"""The approval queue: a salesperson's draft waits for a reviewer's Approve, Reject or Request changes.

    submit()   a laptop's draft arrives (through its companion); the draft is sealed (drafts.py)
    queue()    what reviewers see at /approvals, without opening any draft
    opened()   one request with its draft, for the reviewer who opens it
    decide()   the decision and an optional comment; once only
    answer()   what the laptop that asked is told
    purge()    drafts and comments whose retention after the decision has passed are deleted, and
               requests that waited longer than IT allows expire (their drafts too)

Only these stay after a purge: who asked (OS user, host), when, the platform, the categories
found, the content hash and the photos' hashes, the decision, who decided and when.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from datetime import timedelta

from companion.audit.identity_map import valid_email
from companion.central.devices import Device
from companion.central.drafts import DraftCipher, content_hash
from companion.central.errors import CentralError, Conflict
from companion.errors import NotFound

DECISIONS = {"approve": "approved", "reject": "rejected", "changes": "changes_requested"}
STATUSES = ("pending", "approved", "rejected", "changes_requested", "expired")
MAX_TEXT_CHARS = 100_000
MAX_IMAGES = 10
MAX_FINDINGS = 500
MAX_COMMENT_CHARS = 2000
_META = ("id", "os_user", "host", "identity", "platform", "created_at", "status", "content_hash", "image_hashes",
         "categories", "decided_at", "decided_by", "purged_at")


def _images(raw) -> list[dict]:
    if not isinstance(raw, list) or len(raw) > MAX_IMAGES:
        raise CentralError("images: a list of at most %(n)s photos", "invalid_draft", n=MAX_IMAGES)
    images = []
    for index, item in enumerate(raw):
        try:
            data = base64.b64decode(item["data"], validate=True)
            mime = str(item.get("mime") or "image/png")
        except (KeyError, TypeError, binascii.Error, ValueError):
            raise CentralError("images[%(index)s].data: not base64 photo data", "invalid_draft", index=index) from None
        if mime not in ("image/png", "image/jpeg", "image/gif", "image/webp"):
            raise CentralError("images[%(index)s].mime: a PNG, JPEG, GIF or WebP photo", "invalid_draft", index=index)
        images.append({"name": str(item.get("name") or f"photo {index + 1}")[:200], "mime": mime,
                       "data": item["data"], "sha256": hashlib.sha256(data).hexdigest()})
    return images


def _findings(raw, text_length: int) -> list[dict]:
    """The findings to highlight: category, where (text offsets or a photo), masked excerpt."""
    if not isinstance(raw, list) or len(raw) > MAX_FINDINGS:
        raise CentralError("findings: a list of at most %(n)s", "invalid_draft", n=MAX_FINDINGS)
    kept = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        start, end = item.get("start"), item.get("end")
        in_text = item.get("source") == "text" and isinstance(start, int) and isinstance(end, int) \
            and 0 <= start < end <= text_length
        kept.append({"category": str(item.get("category") or "")[:40], "source": str(item.get("source") or "")[:8],
                     "start": start if in_text else None, "end": end if in_text else None,
                     "image_index": item.get("image_index") if isinstance(item.get("image_index"), int) else None,
                     "excerpt": str(item.get("excerpt") or "")[:160]})
    return kept


def submit(conn, cipher: DraftCipher, device: Device, body: dict) -> dict:
    """Seal and queue one draft; the service recomputes its content hash from what arrived. The
    salesperson is the OS user the laptop names (several may share one enrolled laptop), and their
    company e-mail when the browser profile gave one."""
    text = body.get("text")
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        raise CentralError("text: the draft's text, at most %(n)s characters", "invalid_draft", n=MAX_TEXT_CHARS)
    images = _images(body.get("images", []))
    if not text.strip() and not images:
        raise CentralError("the draft has neither text nor photos", "invalid_draft")
    findings = _findings(body.get("findings", []), len(text))
    digest = content_hash(text, [i["sha256"] for i in images])
    if body.get("content_hash") not in (None, digest):
        raise CentralError("content_hash: does not match the text and photos received", "invalid_draft")
    request_id = str(uuid.uuid4())
    categories = sorted({f["category"] for f in findings if f["category"]})
    from psycopg.types.json import Jsonb

    conn.execute(
        "INSERT INTO postguard_approvals (id, device_id, os_user, host, identity, platform, content_hash, "
        "image_hashes, categories, draft) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (request_id, device.device_id, _name(body.get("os_user")) or device.os_user,
         _name(body.get("host")) or device.host, valid_email(body["identity"]) if isinstance(body.get("identity"), str) else None,
         str(body.get("platform") or "")[:32] or None,
         digest, Jsonb([i["sha256"] for i in images]), Jsonb(categories),
         cipher.seal({"text": text, "images": images, "findings": findings}, request_id)))
    return {"id": request_id, "status": "pending", "content_hash": digest}


def queue(conn, status: str | None = None, limit: int = 200) -> list[dict]:
    """Requests for the list at /approvals: pending ones oldest first, then the decided, newest first."""
    where, params = ("WHERE status = %s", [status]) if status in STATUSES else ("", [])
    rows = conn.execute(
        f"SELECT {', '.join(_META)}, draft IS NOT NULL FROM postguard_approvals {where} "
        "ORDER BY status <> 'pending', CASE WHEN status = 'pending' THEN created_at END ASC, "
        "COALESCE(decided_at, created_at) DESC LIMIT %s", (*params, limit)).fetchall()
    return [{**dict(zip(_META, row[:-1])), "has_draft": row[-1]} for row in rows]


def opened(conn, cipher: DraftCipher, request_id: str) -> dict:
    """One request with its draft and comment opened (None once purged); NotFound if unknown."""
    row = conn.execute(f"SELECT {', '.join(_META)}, draft, comment FROM postguard_approvals WHERE id = %s",
                       (_uuid(request_id),)).fetchone()
    if row is None:
        raise NotFound("there is no approval request with this id", "unknown_request")
    item = dict(zip(_META, row[:-2]))
    item["draft"] = cipher.open(row[-2], item["id"]) if row[-2] is not None else None
    item["comment"] = cipher.open(row[-1], item["id"] + ":comment") if row[-1] is not None else None
    return item


def decide(conn, cipher: DraftCipher, request_id: str, decision: str, comment: str, reviewer: str,
           retention_days: int) -> dict:
    """Record the decision once; the draft is kept `retention_days` more (0: deleted now)."""
    if decision not in DECISIONS:
        raise CentralError("decision: approve, reject or changes", "invalid_decision")
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS]
    request_id = _uuid(request_id)
    sealed = cipher.seal(comment, request_id + ":comment") if comment else None
    purge_now = retention_days == 0
    row = conn.execute(
        "UPDATE postguard_approvals SET status = %s, decided_by = %s, decided_at = now(), comment = %s, "
        "purge_after = now() + %s, draft = CASE WHEN %s THEN NULL ELSE draft END, "
        "purged_at = CASE WHEN %s THEN now() END WHERE id = %s AND status = 'pending' RETURNING content_hash",
        (DECISIONS[decision], reviewer, None if purge_now else sealed, timedelta(days=retention_days),
         purge_now, purge_now, request_id)).fetchone()
    if row is None:
        exists = conn.execute("SELECT status FROM postguard_approvals WHERE id = %s", (request_id,)).fetchone()
        if exists is None:
            raise NotFound("there is no approval request with this id", "unknown_request")
        raise Conflict(f"this request was already decided ({exists[0].replace('_', ' ')})", "already_decided")
    return {"id": request_id, "status": DECISIONS[decision], "content_hash": row[0]}


def answer(conn, cipher: DraftCipher, device: Device, request_id: str) -> dict:
    """What the laptop that asked is told: status, content hash, who decided when, the comment."""
    request_id = _uuid(request_id)
    row = conn.execute("SELECT status, content_hash, decided_by, decided_at, comment FROM postguard_approvals "
                       "WHERE id = %s AND device_id = %s", (request_id, device.device_id)).fetchone()
    if row is None:
        raise NotFound("this laptop sent no approval request with this id", "unknown_request")
    comment = cipher.open(row[4], f"{request_id}:comment") if row[4] is not None else None
    return {"id": request_id, "status": row[0], "content_hash": row[1], "decided_by": row[2],
            "decided_at": row[3].isoformat() if row[3] else None, "comment": comment}


def purge(conn, expire_after: timedelta) -> tuple[int, int]:
    """Expire requests waiting longer than `expire_after`, delete drafts and comments past their
    retention; returns (expired, purged)."""
    expired = conn.execute("UPDATE postguard_approvals SET status = 'expired', decided_at = now(), draft = NULL, "
                           "comment = NULL, purged_at = now() WHERE status = 'pending' AND created_at < now() - %s",
                           (expire_after,)).rowcount
    purged = conn.execute("UPDATE postguard_approvals SET draft = NULL, comment = NULL, purged_at = now() "
                          "WHERE draft IS NOT NULL AND purge_after <= now()").rowcount
    return expired, purged


def _name(value) -> str | None:
    """Who asked, as the laptop's companion names them (its OS user and host); the enrolled ones otherwise."""
    return value.replace("\x00", "")[:253] if isinstance(value, str) and value.strip() else None


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound("there is no approval request with this id", "unknown_request") from None
