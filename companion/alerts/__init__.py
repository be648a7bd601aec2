"""Alerts for compliance: rules over the audit events as they are recorded, sent by e-mail, webhook or syslog.

    load_alerts(path)                  the rules and channels of an alerts file (rules.py)
    AlertService(config, reader)       evaluates each committed event and sends (service.py)
    start_alerts(settings, reader, store)  the companion's wiring: None without alerts_file

An alert names the rule, the person, the site, the categories, rules and outcome, and links
to the post on the review page. It never holds post text, excerpts or justifications.
"""

from __future__ import annotations

from companion.alerts.rules import AlertConfig, AlertRule, load_alerts
from companion.alerts.service import AlertService, start_alerts

__all__ = ["AlertConfig", "AlertRule", "AlertService", "load_alerts", "start_alerts"]
