"""Forwarding the audit log beyond one laptop: syslog to the SIEM, PostgreSQL centrally.

    base.py        the Sink interface and its errors
    rfc5424.py     an event as an RFC 5424 message with octet-counting framing
    syslog.py      TCP/TLS delivery, each batch confirmed by the collector's close
    pg_connect.py  postgresql:// URLs and connections whose errors never show the password
    pg_schema.py   the central tables
    postgres.py    the central store sink (idempotent by event_id)
    central_service.py  the central service over HTTPS (companion/central/), the laptop's own token
    spool.py       per-sink cursors over the audit log: what is still to send
    forwarder.py   one background worker per sink, with backoff

`start_forwarding(settings, store)` is all the companion calls. It returns None when no sink
is configured.
"""

from __future__ import annotations

from companion.audit.sinks.base import CentralStoreUnavailable, Sink, SinkUnavailable
from companion.audit.sinks.forwarder import Backoff, Forwarder, SinkStatus
from companion.audit.sinks.spool import Spool
from companion.errors import ConfigError

__all__ = [
    "Backoff", "CentralStoreUnavailable", "Forwarder", "Sink", "SinkStatus", "SinkUnavailable",
    "Spool", "build_sinks", "start_forwarding",
]


def build_sinks(settings) -> list[Sink]:
    """The sinks the settings ask for; ConfigError now for a target that can never work."""
    sinks: list[Sink] = []
    if settings.syslog_target:
        from companion.audit.sinks.syslog import SyslogSink, parse_syslog_target

        target = parse_syslog_target(settings.syslog_target)
        tls_settings = [name for name in ("syslog_ca_file", "syslog_cert_file", "syslog_key_file")
                        if getattr(settings, name)]
        if tls_settings and target.scheme != "tls":
            # A TLS setting says TLS was meant; sending the audit trail in clear text instead is worse than stopping.
            raise ConfigError(f"{tls_settings[0]} is set but syslog_target is tcp://, which is not encrypted; "
                              "use tls://host:port", field="setting syslog_target")
        if settings.syslog_key_file and not settings.syslog_cert_file:
            raise ConfigError("syslog_key_file is set without syslog_cert_file, the certificate it belongs to",
                              field="setting syslog_cert_file")
        sinks.append(SyslogSink(target, ca_file=settings.syslog_ca_file, cert_file=settings.syslog_cert_file,
                                key_file=settings.syslog_key_file))
    if settings.central_db:
        from companion.audit.sinks.postgres import PostgresSink

        sinks.append(PostgresSink(settings.central_db.get_secret_value()))
    if settings.central_url:
        from companion.audit.sinks.central_service import CentralServiceSink
        from companion.central.client import CentralClient

        sinks.append(CentralServiceSink(CentralClient.from_settings(settings)))
    return sinks


def start_forwarding(settings, store, **forwarder_options) -> Forwarder | None:
    """Forward `store`'s events to the configured sinks from now on (and any backlog)."""
    sinks = build_sinks(settings)
    if not sinks:
        return None
    forwarder = Forwarder(Spool.open(store.db_path.parent), sinks, **forwarder_options)
    store.add_listener(forwarder.notify)
    return forwarder.start()
