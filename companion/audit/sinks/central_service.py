"""Forwarding audit events to the central service over HTTPS, with this laptop's own token.

The laptop holds no database credentials: the service (companion/central/) checks each batch
and writes it to PostgreSQL exactly once. Delivery, ordering and backoff are the spool's and
the forwarder's, as for syslog: a batch is confirmed by the service's 200, and anything else
leaves it at the head of the spool.
"""

from __future__ import annotations

from typing import Sequence

from companion.audit.sinks.base import SinkUnavailable
from companion.errors import PostguardError


class CentralServiceSink:
    """Sends each batch as one POST /api/v1/events; enrolls first if it must."""

    name = "central_service"

    def __init__(self, client):
        """`client` is a companion.central.client.CentralClient (enrolls lazily: laptops travel)."""
        self.client = client

    def describe(self) -> str:
        return self.client.describe()

    def deliver(self, events: Sequence[dict], laptop_id: str) -> None:
        try:
            self.client.send_events(laptop_id, list(events))
        except PostguardError as exc:
            raise SinkUnavailable(exc.message) from None

    def close(self) -> None:
        """Nothing is held between batches."""
