"""Audit events from enrolled laptops into the central store, exactly once and per laptop in order.

The laptop's spool sends batches in seq order and moves its cursor only after this answers 200,
so a batch can arrive twice (a lost answer, a restart); `insert_batch` adds nothing the second
time. Before anything is written the batch is checked:

- every event has the audit log's fields, its hash is the hash of its own content, and the
  batch is one unbroken piece of chain (each event links to the one before it);
- its `laptop_id` (one audit log) belongs to this device: the first device to send a laptop id
  owns it, and any other device is refused. So a laptop holding only its own token cannot write
  into another laptop's chain, which a shared database password could.

The whole batch is taken or refused; a refused batch stays at the head of the laptop's spool and
its log says why.
"""

from __future__ import annotations

from companion.audit.chain import event_hash
from companion.audit.events import EVENT_FIELDS, KINDS
from companion.audit.sinks.postgres import insert_batch
from companion.central.devices import Device
from companion.central.errors import CentralError, Conflict

MAX_LAPTOP_ID_CHARS = 64


def check_batch(laptop_id, events, max_events: int) -> list[dict]:
    """The events, if they are a well-formed piece of one chain; CentralError naming the first problem."""
    if not isinstance(laptop_id, str) or not 0 < len(laptop_id) <= MAX_LAPTOP_ID_CHARS:
        raise CentralError("laptop_id: a text of 1 to 64 characters", "invalid_batch")
    if not isinstance(events, list) or not 0 < len(events) <= max_events:
        raise CentralError(f"events: a list of 1 to {max_events} audit events", "invalid_batch")
    previous = None
    for index, event in enumerate(events):
        if not isinstance(event, dict) or set(event) != set(EVENT_FIELDS):
            raise CentralError(f"events[{index}]: not an audit event (fields differ)", "invalid_batch")
        if event["kind"] not in KINDS or not isinstance(event["seq"], int) or event["seq"] < 1:
            raise CentralError(f"events[{index}]: kind or seq is not one an audit log writes", "invalid_batch")
        if not isinstance(event["prev_hash"], str) or event_hash(event, event["prev_hash"]) != event["hash"]:
            raise CentralError(f"events[{index}] (seq {event['seq']}): its hash does not match its content",
                               "invalid_batch")
        if previous is not None and (event["seq"] != previous["seq"] + 1 or event["prev_hash"] != previous["hash"]):
            raise CentralError(f"events[{index}] (seq {event['seq']}): does not follow the event before it",
                               "invalid_batch")
        previous = event
    return events


def claim_laptop(conn, device: Device, laptop_id: str) -> None:
    """Record that `device` sends `laptop_id`; Conflict when another device already does."""
    conn.execute("INSERT INTO postguard_device_laptops (laptop_id, device_id) VALUES (%s, %s) "
                 "ON CONFLICT (laptop_id) DO NOTHING", (laptop_id, device.device_id))
    owner = conn.execute("SELECT device_id FROM postguard_device_laptops WHERE laptop_id = %s",
                         (laptop_id,)).fetchone()
    if owner[0] != device.device_id:
        raise Conflict("this audit log's laptop id is sent by another enrolled laptop", "laptop_id_taken")


def ingest(conn, device: Device, laptop_id, events, max_events: int) -> tuple[int, list[dict]]:
    """Check and store one batch from `device`; returns the seq of its last event and the events
    stored now (a batch sent again stores, and so alerts, nothing twice)."""
    events = check_batch(laptop_id, events, max_events)
    claim_laptop(conn, device, laptop_id)
    return events[-1]["seq"], insert_batch(conn, events, laptop_id, report_stored=True)
