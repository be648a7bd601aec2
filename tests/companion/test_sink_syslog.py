"""Syslog forwarding to a real rsyslog: every event arrives once, as RFC 5424 a SIEM can parse.

rsyslog (Debian packages rsyslog and rsyslog-gnutls) runs in the foreground on a loopback
port with its own config. Its RFC 5424 parser writes what it made of each message to a
file, and the tests read that file back. So a header field, an escape or the framing that
rsyslog doesn't accept fails here, not in a SIEM.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from companion.app import create_app
from companion.audit import AuditStore
from companion.audit.chain import ChainLink, verify_chain
from companion.audit.events import EVENT_FIELDS
from companion.audit.sinks import Backoff, start_forwarding
from companion.config import Settings
from companion.errors import ConfigError
from sink_servers import RSYSLOGD, GTLS_MODULE, Rsyslog, delivered_seqs, free_port, make_tls_certs, \
    record_sample_events, sd_params, wait_for

pytestmark = pytest.mark.skipif(not Path(RSYSLOGD).exists(), reason="rsyslogd missing (Debian package rsyslog)")

POSTGUARD = str(Path(sys.executable).parent / "postguard")
FAST = {"backoff": Backoff(0.05, 0.5), "poll_s": 0.5}
LOG_AUDIT = 13


@pytest.fixture
def store(tmp_path):
    store = AuditStore.open(tmp_path / "data")
    yield store
    store.close()


@pytest.fixture
def forward():
    """Start forwarding a store's events with the given settings; stopped after the test."""
    started = []

    def start(store, **settings):
        forwarder = start_forwarding(Settings(data_dir=store.db_path.parent, **settings), store, **FAST)
        started.append(forwarder)
        return forwarder

    yield start
    for forwarder in started:
        forwarder.stop()


def expected_severity(event: dict) -> int:
    if event["kind"] == "check":
        return {"block": 4, "warn": 5}.get(event["verdict"], 6)
    return 4 if event["action"] == "overridden" else 6


def test_every_event_reaches_rsyslog_once_with_its_fields(rsyslog, store, forward):
    events = record_sample_events(store, 16)
    forwarder = forward(store, syslog_target=f"tcp://127.0.0.1:{rsyslog.port}")
    assert forwarder.wait_until_delivered(60)
    rsyslog.stop()

    records = rsyslog.records()
    assert delivered_seqs(records) == [e["seq"] for e in events]
    for event, record in zip(events, records):
        sd = sd_params(record)
        assert int(record["pri"]) == LOG_AUDIT * 8 + expected_severity(event)
        assert (record["version"], record["app_name"], record["msgid"]) == ("1", "postguard", event["kind"])
        assert record["timestamp"] == event["ts"], "the time the event happened, not when it was sent"
        assert record["hostname"] == event["host"] and record["procid"] == str(os.getpid())
        assert sd["event_id"] == event["event_id"] and sd["laptop_id"] == forwarder.spool.laptop_id
        assert sd["scan_id"] == event["scan_id"], "quotes, backslashes and brackets survive the escaping"
        assert sd["kind"] == event["kind"] and sd["platform"] == event["platform"]
        assert sd["user"] == event["os_user"] and sd.get("verdict") == event["verdict"]
        assert sd.get("categories", "") == ",".join(event["categories"] or [])
        assert sd.get("action") == event["action"]
        assert record["msg"].startswith("\ufeff")
        assert json.loads(record["msg"][1:]) == {name: event[name] for name in EVENT_FIELDS}

    copies = [json.loads(r["msg"][1:]) for r in records]
    assert verify_chain(copies, head=ChainLink(events[-1]["seq"], events[-1]["hash"])).ok, \
        "the SIEM's copy can be re-verified"
    assert all(b"] \xef\xbb\xbf{" in raw for raw in rsyslog.raw_messages()), "UTF-8 BOM before the JSON"


def test_a_large_event_is_framed_by_its_byte_length(rsyslog, store, forward):
    from companion.detection.types import Finding, ScanResult

    findings = [Finding(category="contact_pii", severity="warn", rule="pii.email", matched=f"p{i}@example.com",
                        excerpt=f"mail 客户 [contact_pii] number {i} " + "x" * 100) for i in range(150)]
    big = store.record_check(scan_id="big", platform="linkedin", url_host=None,
                             result=ScanResult("warn", findings), versions={})
    small = store.record_check(scan_id="after", platform="linkedin", url_host=None,
                               result=ScanResult("allow", []), versions={})
    forwarder = forward(store, syslog_target=f"tcp://127.0.0.1:{rsyslog.port}")
    assert forwarder.wait_until_delivered(60)
    rsyslog.stop()

    records = rsyslog.records()
    assert len(records[0]["msg"].encode()) > 30_000
    assert [json.loads(r["msg"][1:])["event_id"] for r in records] == [big["event_id"], small["event_id"]]


def test_tls_delivery_checks_the_collector_certificate(tmp_path, store, forward):
    if not Path(GTLS_MODULE).exists():
        pytest.skip("rsyslog's TLS driver is missing (Debian package rsyslog-gnutls)")
    certs = make_tls_certs(tmp_path / "certs")
    server = Rsyslog(tmp_path / "tls", tls=certs).start()
    try:
        events = record_sample_events(store, 8)
        forwarder = forward(store, syslog_target=f"tls://127.0.0.1:{server.port}", syslog_ca_file=certs["ca"])
        assert forwarder.wait_until_delivered(60)
        server.stop()
        assert delivered_seqs(server.records()) == [e["seq"] for e in events]
        assert [json.loads(r["msg"][1:])["hash"] for r in server.records()] == [e["hash"] for e in events]
    finally:
        server.stop()


def test_tls_refuses_a_collector_signed_by_another_ca(tmp_path, forward):
    if not Path(GTLS_MODULE).exists():
        pytest.skip("rsyslog's TLS driver is missing (Debian package rsyslog-gnutls)")
    certs = make_tls_certs(tmp_path / "certs")
    stranger = make_tls_certs(tmp_path / "stranger")
    server = Rsyslog(tmp_path / "tls", tls=certs).start()
    store = AuditStore.open(tmp_path / "data")
    try:
        record_sample_events(store, 2)
        forwarder = forward(store, syslog_target=f"tls://127.0.0.1:{server.port}", syslog_ca_file=stranger["ca"])
        assert not forwarder.wait_until_delivered(2)
        wait_for(lambda: forwarder.status()[0].failures >= 1)  # the refused handshake may take a while
        status = forwarder.status()[0]
        assert status.backlog == 2 and status.failures >= 1
        assert "not trusted" in status.last_error and f"127.0.0.1:{server.port}" in status.last_error
        server.stop()
        assert server.records() == []
    finally:
        server.stop()
        store.close()


def test_a_collector_that_requires_client_certificates_takes_only_laptops_that_show_one(tmp_path, forward):
    """Mutual TLS: rsyslog with x509/certvalid refuses a companion without a client certificate (the
    events wait, the reason is given) and takes the same events once the laptop's certificate is set."""
    if not Path(GTLS_MODULE).exists():
        pytest.skip("rsyslog's TLS driver is missing (Debian package rsyslog-gnutls)")
    certs = make_tls_certs(tmp_path / "certs")
    server = Rsyslog(tmp_path / "mtls", tls={**certs, "require_client_cert": True}).start()
    target = f"tls://127.0.0.1:{server.port}"
    store = AuditStore.open(tmp_path / "data")
    try:
        events = record_sample_events(store, 3)
        anonymous = forward(store, syslog_target=target, syslog_ca_file=certs["ca"])
        assert not anonymous.wait_until_delivered(2)
        wait_for(lambda: anonymous.status()[0].failures >= 1)
        refused = anonymous.status()[0]
        assert refused.failures >= 1 and refused.backlog == 3
        assert f"127.0.0.1:{server.port}" in refused.last_error
        anonymous.stop()
        assert server.records() == []

        laptop = forward(store, syslog_target=target, syslog_ca_file=certs["ca"],
                         syslog_cert_file=certs["client_cert"], syslog_key_file=certs["client_key"])
        assert laptop.wait_until_delivered(60)
        server.stop()
        assert delivered_seqs(server.records()) == [e["seq"] for e in events]
    finally:
        server.stop()
        store.close()


def test_a_client_certificate_file_that_also_holds_the_key_is_enough(tmp_path, store):
    certs = make_tls_certs(tmp_path / "certs")
    combined = tmp_path / "laptop.pem"
    combined.write_bytes(certs["client_cert"].read_bytes() + certs["client_key"].read_bytes())
    settings = Settings(data_dir=store.db_path.parent, syslog_target="tls://127.0.0.1:6514",
                        syslog_ca_file=certs["ca"], syslog_cert_file=combined)
    forwarder = start_forwarding(settings, store)
    forwarder.stop()


@pytest.mark.parametrize("case", ["missing cert", "not a cert", "key of another cert", "missing key"])
def test_an_unusable_client_certificate_is_refused_at_start_naming_the_file(tmp_path, store, case):
    certs = make_tls_certs(tmp_path / "certs")
    other = make_tls_certs(tmp_path / "other")
    cert, key, blamed, field = {
        "missing cert": (tmp_path / "nope.pem", certs["client_key"], tmp_path / "nope.pem", "syslog_cert_file"),
        "not a cert": (certs["ca"].with_name("ext.cnf"), certs["client_key"], certs["ca"].with_name("ext.cnf"),
                       "syslog_cert_file"),
        "key of another cert": (certs["client_cert"], other["client_key"], certs["client_cert"], "syslog_cert_file"),
        "missing key": (certs["client_cert"], tmp_path / "nokey.pem", tmp_path / "nokey.pem", "syslog_key_file"),
    }[case]
    settings = Settings(data_dir=store.db_path.parent, syslog_target="tls://127.0.0.1:6514",
                        syslog_ca_file=certs["ca"], syslog_cert_file=cert, syslog_key_file=key)
    with pytest.raises(ConfigError) as caught:
        start_forwarding(settings, store)
    assert f"setting {field}" in caught.value.message and str(blamed) in caught.value.message, caught.value.message
    assert caught.value.exit_code == 2
    assert "BEGIN" not in caught.value.message, "no key material in the message"


@pytest.mark.parametrize("settings", [{"syslog_cert_file": "laptop.pem"}, {"syslog_key_file": "laptop.key"}])
def test_client_certificate_settings_with_a_plain_tcp_target_are_refused(tmp_path, store, settings):
    config = Settings(data_dir=store.db_path.parent, syslog_target="tcp://127.0.0.1:514",
                      **{k: tmp_path / v for k, v in settings.items()})
    with pytest.raises(ConfigError) as caught:
        start_forwarding(config, store)
    assert f"{next(iter(settings))} is set but syslog_target is tcp://" in caught.value.message


def test_a_key_without_its_certificate_is_refused(tmp_path, store):
    config = Settings(data_dir=store.db_path.parent, syslog_target="tls://127.0.0.1:6514",
                      syslog_key_file=tmp_path / "laptop.key")
    with pytest.raises(ConfigError) as caught:
        start_forwarding(config, store)
    assert "syslog_key_file is set without syslog_cert_file" in caught.value.message


@pytest.mark.parametrize("target", ["udp://siem.example.com:514", "tcp://siem.example.com", "siem.example.com:514",
                                    "tcp://:514", "tcp://siem.example.com:99999", "tls://siem.example.com:6514/x",
                                    "tcp://user@siem.example.com:514"])
def test_a_bad_syslog_target_is_refused_at_start(target):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(syslog_target=target)
    assert caught.value.message.startswith("setting syslog_target: ")


def test_a_ca_file_with_a_plain_tcp_target_is_refused_rather_than_sent_in_clear(tmp_path, store):
    ca_file = make_tls_certs(tmp_path / "certs")["ca"]
    settings = Settings(data_dir=store.db_path.parent, syslog_target="tcp://127.0.0.1:514", syslog_ca_file=ca_file)
    with pytest.raises(ConfigError) as caught:
        start_forwarding(settings, store)
    assert caught.value.message == ("setting syslog_target: syslog_ca_file is set but syslog_target is tcp://, "
                                    "which is not encrypted; use tls://host:port")


def test_postguard_serve_stops_at_start_on_a_bad_target(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "POSTGUARD_SYSLOG_TARGET": "udp://siem.example.com:514"}
    result = subprocess.run([POSTGUARD, "serve"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "postguard: setting syslog_target (POSTGUARD_SYSLOG_TARGET): Value error, the scheme must be tcp:// "
        "or tls:// (UDP would lose events silently)"]


@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_an_unusable_ca_file_is_refused_at_start(tmp_path, store, content):
    ca_file = tmp_path / "ca.pem"
    if content is not None:
        ca_file.write_bytes(content)
    settings = Settings(data_dir=store.db_path.parent, syslog_target="tls://127.0.0.1:6514", syslog_ca_file=ca_file)
    with pytest.raises(ConfigError) as caught:
        start_forwarding(settings, store)
    assert str(ca_file) in caught.value.message and "syslog_ca_file" in caught.value.message
    assert caught.value.exit_code == 2


class HoldingCollector:
    """Reads everything it is sent but closes each connection only when told to (a slow SIEM)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = bytearray()
        self.got_data = threading.Event()
        self.release = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                while chunk := conn.recv(65536):
                    self.received += chunk
                    self.got_data.set()
                self.release.wait(60)

    def close(self):
        self.release.set()
        self.listener.close()


def test_a_check_answers_while_the_collector_has_not_confirmed(settings, api_engine):
    collector = HoldingCollector()
    app = create_app(settings.model_copy(update={"syslog_target": f"tcp://127.0.0.1:{collector.port}"}),
                     engine=api_engine)
    state = app.extensions["postguard"]
    try:
        post = "Great call with Zhang Wei today, reach me on +86 574 8765 4321 for the USD 4.20/unit quote"
        response = app.test_client().post("/v1/check", json={"text": post, "platform": "linkedin"})
        assert response.status_code == 200 and response.get_json()["audited"] is True
        assert collector.got_data.wait(10), "the event went out in the background"
        assert state.forwarder.status()[0].backlog == 1, "answered before the collector confirmed anything"

        collector.release.set()
        assert state.forwarder.wait_until_delivered(30)
        assert b"postguard@32473" in collector.received
        for secret in (b"Zhang Wei", b"8765 4321", b"4.20/unit", post.encode()):
            assert secret not in collector.received, "post text and matched values never leave the laptop"
    finally:
        collector.close()
        state.forwarder.stop()
        state.audit.close()


class ResettingCollector:
    """Resets the first connection after reading a few bytes; reads the next ones properly."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import struct

        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if not self.connections:
                self.connections.append(conn.recv(10))
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()  # with unread data and linger 0: a TCP reset
                continue
            data = bytearray()
            while chunk := conn.recv(65536):
                data += chunk
            self.connections.append(bytes(data))
            conn.close()


def test_a_batch_the_collector_reset_is_sent_again_whole(store, forward):
    collector = ResettingCollector()
    events = record_sample_events(store, 5)
    forwarder = forward(store, syslog_target=f"tcp://127.0.0.1:{collector.port}")
    try:
        assert forwarder.wait_until_delivered(30)
        assert len(collector.connections) == 2
        resent = collector.connections[1]
        assert [e["event_id"].encode() in resent for e in events] == [True] * 5
        assert forwarder.spool.delivered_through("syslog") == events[-1]["seq"]
    finally:
        collector.listener.close()
