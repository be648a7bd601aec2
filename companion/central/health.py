"""GET /health: whether the service answers and its database does, for the load balancer and IT.

    200 {"status": "ok", "review_tables": {"state", "percent", "builder", "missing", "problem"}}
    503 {"status": "unavailable", "database": "unreachable"}

`review_tables` is store_build.py's status: while a store that lacked the review page's tables and
indexes gets them in the background, "building" with an estimate in percent, and who builds
("this instance", "another instance"). The service is up meanwhile (200): it takes events and the
review page answers, reading the events directly. No sign-in, and nothing about the store but this.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("central_health", __name__)


@bp.get("/health")
def health():
    import psycopg

    from companion.errors import PostguardError

    state = current_app.extensions["postguard_central"]
    try:
        with state.store.connection() as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, PostguardError):
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "review_tables": state.builder.status().as_json()})
