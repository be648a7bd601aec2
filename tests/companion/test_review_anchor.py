"""The review page says where the chain head was last anchored, next to the chain badge.

Events go to a real rsyslog; the page reads what the forwarder recorded when rsyslog
confirmed them. A log that ends before an event a target already confirmed (a cut tail)
is named on the page at once.
"""

from __future__ import annotations

import re
from html import unescape
from datetime import datetime, timezone
from pathlib import Path

import pytest
from test_audit_anchor import cut_tail
from test_review_page import sign_in

from companion.audit import AuditStore
from companion.audit.sinks import Backoff, start_forwarding
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.config import Settings
from companion.review import create_review_app
from companion.review.auth import admin_token
from sink_servers import RSYSLOGD, free_port, record_sample_events

FAST = {"backoff": Backoff(0.05, 0.5), "poll_s": 0.5}


class Page:
    """The review page over one data dir, signed in, configured like the companion."""

    def __init__(self, data_dir: Path, **targets):
        self.store = AuditStore.open(data_dir)
        self.reader = SqliteAuditReader(self.store)
        self.client = create_review_app(self.reader, Settings(data_dir=data_dir, **targets)).test_client()
        sign_in(self.client, admin_token(data_dir)[0])

    def anchors(self) -> list[tuple[str, str]]:
        """(state, text) of each anchor line under the chain badge."""
        html = self.client.get("/audit").get_data(as_text=True)
        found = re.findall(r'<span class="pg-chain-anchor[^"]*" data-anchor="(\w+)"[^>]*>(.*?)</span>'
                           r'(?=\s*(?:<span class="pg-chain-anchor|</div>))', html)
        return [(state, unescape(re.sub(r"<[^>]+>", "", inner)).replace("⚓", "").strip()) for state, inner in found]

    def close(self):
        self.reader.close()
        self.store.close()


@pytest.mark.skipif(not Path(RSYSLOGD).exists(), reason="rsyslogd missing (Debian package rsyslog)")
def test_the_badge_says_when_and_up_to_which_event_syslog_confirmed_the_chain(rsyslog, tmp_path):
    data_dir = tmp_path / "data"
    target = f"tcp://127.0.0.1:{rsyslog.port}"
    page = Page(data_dir, syslog_target=target)
    try:
        record_sample_events(page.store, 5)
        forwarder = start_forwarding(Settings(data_dir=data_dir, syslog_target=target), page.store, **FAST)
        try:
            assert forwarder.wait_until_delivered(60)
        finally:
            forwarder.stop()
        assert page.anchors() == [("current", f"Chain head anchored to syslog {target} just now (event #5).")]

        record_sample_events(page.store, 2)  # while forwarding is stopped
        assert page.anchors() == [("behind", f"Chain head anchored to syslog {target} just now (event #5); "
                                             "2 newer events not confirmed yet.")]

        cut_tail(data_dir, 3)
        [(state, text)] = page.anchors()
        assert state == "cut"
        assert text.startswith(f"Syslog {target} confirmed event #5 just now, but this log ends at #3: "
                               "events after #3 were deleted here. Check with postguard audit verify --against.")
        html = page.client.get("/audit").get_data(as_text=True)
        assert 'data-chain="cut"' in html and "Events cut after #3" in html
        assert "The 3 events left verify · head #3" in html, "the local chain alone still holds"
    finally:
        page.close()


def test_without_a_forwarding_target_the_badge_says_the_head_is_not_anchored(tmp_path):
    page = Page(tmp_path / "data")
    try:
        record_sample_events(page.store, 2)
        assert page.anchors() == [("off", "Chain head not anchored: no forwarding target is set, so deleting "
                                          "the newest events here would go unnoticed.")]
    finally:
        page.close()


def test_a_target_that_never_confirmed_anything_is_not_an_anchor(tmp_path):
    page = Page(tmp_path / "data", syslog_target=f"tcp://127.0.0.1:{free_port()}")  # nobody listens
    try:
        record_sample_events(page.store, 2)
        assert page.anchors() == [("pending", "Chain head not anchored yet: no forwarding target has "
                                              "confirmed an event.")]
    finally:
        page.close()


@pytest.mark.parametrize("seconds,shown", [(5, "just now"), (125, "2 min ago"), (3 * 3600 + 5, "3 h ago"),
                                           (3 * 86400, "3 days ago")])
def test_the_anchor_age_reads_as_a_person_says_it(seconds, shown):
    from companion.review.anchoring import ago

    now = datetime(2026, 12, 4, 17, 0, 0, tzinfo=timezone.utc)
    then = datetime.fromtimestamp(now.timestamp() - seconds, timezone.utc)
    assert ago(then.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), now) == shown


@pytest.mark.skipif(not Path(RSYSLOGD).exists(), reason="rsyslogd missing (Debian package rsyslog)")
def test_a_cut_stays_on_the_badge_after_forwarding_begins_again(rsyslog, tmp_path):
    data_dir = tmp_path / "data"
    target = f"tcp://127.0.0.1:{rsyslog.port}"
    page = Page(data_dir, syslog_target=target)
    try:
        record_sample_events(page.store, 5)
        for start in (1, 2):  # forward; cut; the companion starts again and forwards the log anew
            forwarder = start_forwarding(Settings(data_dir=data_dir, syslog_target=target), page.store, **FAST)
            try:
                assert forwarder.wait_until_delivered(60)
            finally:
                forwarder.stop()
            if start == 1:
                cut_tail(data_dir, 3)
        lines = page.anchors()
        assert lines[0] == ("cut", f"Syslog {target} had confirmed event #5, but just now this log ended at #3: "
                                   "events after #3 were deleted here (or an older copy of the log was restored), "
                                   "and forwarding began again under a new laptop id. Check with "
                                   "postguard audit verify --against.")
        assert lines[1] == ("current", f"Chain head anchored to syslog {target} just now (event #3).")
        html = page.client.get("/audit").get_data(as_text=True)
        assert 'data-chain="cut"' in html and "Events cut after #3" in html
    finally:
        page.close()
