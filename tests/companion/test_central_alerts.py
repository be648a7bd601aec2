"""Alerts over the whole fleet: the central service runs the alert rules (companion/alerts) on every
laptop's events as they arrive, once per event however often a batch is sent again, and the alert
carries no post text. Against a real PostgreSQL, the real service over HTTP and a real webhook."""

from __future__ import annotations

import requests

from alert_servers import WebhookServer
from central_servers import running_central, wait_until
from companion.audit import AuditStore
from companion.central.client import CentralClient
from sink_servers import new_database, postgres, record_sample_events  # noqa: F401 (fixture)


def test_an_override_from_any_laptop_alerts_once_without_post_text(postgres, tmp_path):
    with WebhookServer() as hook:
        rules = tmp_path / "alerts.yaml"
        rules.write_text(f"channels:\n  hook: {{kind: webhook, url: '{hook.url}'}}\n"
                         "rules:\n  - {name: Posted anyway, outcomes: [overridden], channels: [hook]}\n")
        with running_central(new_database(postgres), tmp_path,
                             env={"POSTGUARD_CENTRAL_ALERTS_FILE": str(rules)}) as central:
            store = AuditStore.open(tmp_path / "laptop")
            events = record_sample_events(store, 8)  # event 4 is "posted anyway", 8 "posted"
            store.close()
            laptop = CentralClient(central.url, tmp_path / "laptop")
            laptop.enroll(central.enroll_code(), host="SALES-042", os_user="li.wei")
            laptop.send_events("laptop-42", events)
            laptop.send_events("laptop-42", events)  # the answer was lost: the spool sends it again
            alerts = wait_until(lambda: hook.bodies, what="the alert")
            assert [a["rule"] for a in alerts] == ["Posted anyway"] and alerts[0]["event_seq"] == 4
            assert alerts[0]["person"] == events[3]["os_user"] and alerts[0]["outcome"] == "overridden"
            assert b"USD 4.20" not in b"".join(hook.raw) and b"ticket" not in b"".join(hook.raw)
            again = requests.post(f"{central.url}/api/v1/events", json={"laptop_id": "laptop-42", "events": events},
                                  headers={"Authorization": f"Bearer {laptop.device()['token']}"}, timeout=30)
            assert again.status_code == 200
            store = AuditStore.open(tmp_path / "laptop")
            later = record_sample_events(store, 8)  # seq 9-16; 12 is "posted anyway"
            store.close()
            laptop.send_events("laptop-42", later)
            wait_until(lambda: len(hook.bodies) >= 2, what="the second alert")
            assert [a["event_seq"] for a in hook.bodies] == [4, 12], "each event alerted once, in order"
