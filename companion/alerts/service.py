"""The alert service: evaluate each committed audit event against the rules, send on a worker thread.

`on_event` is an `AuditStore` listener: it runs on the writer's thread after COMMIT, so it only
puts the event on a queue. The worker decides which rules fire, builds the alert (no post
text, no excerpt, no justification) and sends it on each of the rule's channels; a channel
that fails is logged with its reason and the next one still gets the alert.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from datetime import date

from companion.alerts.channels import AlertDeliveryError, make_channel
from companion.alerts.rules import AlertConfig, AlertRule, load_alerts
from companion.audit.events import utc_timestamp

log = logging.getLogger("postguard.alerts")
RECENT = 200


def person_of(event: dict) -> str | None:
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    return details.get("identity") or event.get("os_user")


def event_outcome(event: dict) -> str | None:
    """`blocked` for a blocked check, the action for a decision, else None."""
    if event.get("kind") == "check":
        return "blocked" if event.get("verdict") == "block" else None
    if event.get("kind") == "decision":
        return event.get("action")
    return None


def matches(rule: AlertRule, event: dict) -> bool:
    """Whether one event fires a rule that needs no count (category / outcomes / in_image)."""
    if rule.overrides_per_day or event.get("kind") not in ("check", "decision"):
        return False
    categories = event.get("categories") if isinstance(event.get("categories"), list) else []
    if rule.category and rule.category not in categories:
        return False
    if rule.outcomes and event_outcome(event) not in rule.outcomes:
        return False
    if rule.in_image:
        excerpts = event.get("excerpts") if isinstance(event.get("excerpts"), list) else []
        return event.get("kind") == "check" and any(
            isinstance(f, dict) and f.get("source") == "image" and f.get("category") == rule.category for f in excerpts)
    return bool(rule.outcomes) or event.get("kind") == "check"


class AlertService:
    """Rules, channels and a worker thread; `close()` stops it after the queued events."""

    def __init__(self, config: AlertConfig, *, count_overrides=None, link_base: str = ""):
        """`count_overrides(person, day[, through_ts])` says how often a person posted anyway
        that UTC day; given the third argument, up to and including the event stamped
        `through_ts`, so the count does not depend on how far behind this thread runs."""
        self.rules = config.rules
        self.channels = {name: make_channel(spec) for name, spec in config.channels.items()}
        self.source = config.source
        self._count = count_overrides
        self._count_through = count_overrides is not None and _takes_three(count_overrides)
        self._link_base = link_base.rstrip("/")
        self._queue: queue.Queue = queue.Queue()
        self._recent: deque = deque(maxlen=RECENT)
        self._fired_days: set[tuple[str, str, str]] = set()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="postguard-alerts", daemon=True)
        self._thread.start()

    def on_event(self, event: dict) -> None:
        """Store listener: queue the committed event (returns at once)."""
        with self._idle:
            self._pending += 1
        self._queue.put(dict(event))

    def recent(self) -> list[dict]:
        """What was sent lately, newest first: time, rule, person, channel, result."""
        return list(reversed(self._recent))

    def wait_idle(self, timeout_s: float) -> bool:
        """Until every queued event was handled (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout_s)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            try:
                self._handle(event)
            except Exception as exc:  # noqa: BLE001 - one bad event must not stop the alerts
                log.error("alert evaluation failed (%s)", type(exc).__name__)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _handle(self, event: dict) -> None:
        for rule in self.rules:
            extra = self._fires(rule, event)
            if extra is not None:
                self._send(rule, self.alert_for(rule, event, extra))

    def _fires(self, rule: AlertRule, event: dict) -> dict | None:
        """None when the rule does not fire on the event, else extra alert fields."""
        if not rule.overrides_per_day:
            return {} if matches(rule, event) else None
        if event.get("kind") != "decision" or event.get("action") != "overridden" or self._count is None:
            return None
        person, day = person_of(event), (event.get("ts") or "")[:10]
        if not person or (rule.name, person, day) in self._fired_days:
            return None
        args = (person, date.fromisoformat(day), event.get("ts"))
        count = self._count(*args) if self._count_through else self._count(*args[:2])
        if count <= rule.overrides_per_day:
            return None
        self._fired_days.add((rule.name, person, day))
        return {"overrides_today": count}

    def alert_for(self, rule: AlertRule, event: dict, extra: dict) -> dict:
        """The alert: who, where, what was found, how it ended, and a link; never text of the post."""
        details = event.get("details") if isinstance(event.get("details"), dict) else {}
        scan_id = event.get("scan_id")
        return {
            "rule": rule.name, "ts": event.get("ts") or utc_timestamp(), "person": person_of(event),
            "identity": details.get("identity"), "os_user": event.get("os_user"), "host": event.get("host"),
            "platform": event.get("platform"), "verdict": event.get("verdict"), "outcome": event_outcome(event),
            "categories": list(event.get("categories") or []) if isinstance(event.get("categories"), list) else [],
            "rules": list(event.get("rules") or []) if isinstance(event.get("rules"), list) else [],
            "event_seq": event.get("seq"), "post": scan_id,
            "link": f"{self._link_base}/audit/posts/{scan_id}" if scan_id and self._link_base else None,
            **extra,
        }

    def _send(self, rule: AlertRule, alert: dict) -> None:
        for name in rule.channels:
            channel = self.channels[name]
            try:
                channel.send(alert)
                result = "sent"
            except AlertDeliveryError as exc:
                result = f"failed: {exc}"
                log.warning("alert %r: %s", rule.name, exc)
            self._recent.append({"ts": utc_timestamp(), "rule": rule.name, "person": alert.get("person"),
                                 "channel": name, "result": result})

    def close(self) -> None:
        """Stop the worker after what is queued; safe to call twice."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=30)


def _takes_three(function) -> bool:
    """Whether a count function takes (person, day, through_ts) rather than (person, day)."""
    import inspect

    try:
        return len(inspect.signature(function).parameters) >= 3
    except (TypeError, ValueError):
        return False


def start_alerts(settings, reader, store) -> AlertService | None:
    """The companion's alert service from `settings.alerts_file`, listening to `store`; None without one."""
    path = getattr(settings, "alerts_file", None)
    if not path:
        return None
    from companion.review.people import overrides_on_day
    from companion.review.sql import dialect_of

    config = load_alerts(path)
    d = dialect_of(reader)
    service = AlertService(config, count_overrides=lambda person, day, ts: overrides_on_day(reader, d, person, day, ts),
                           link_base=f"http://127.0.0.1:{settings.port}")
    store.add_listener(service.on_event)
    return service
