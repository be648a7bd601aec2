"""Connections to the central store: one per request, closed after it, so an instance holds
nothing between requests and any number can run behind a load balancer."""

from __future__ import annotations

from contextlib import contextmanager

from companion.audit.sinks.pg_connect import CentralDb, connect, parse_central_db


class CentralStore:
    """Where the service's database is; `connection()` opens one for the length of a block."""

    def __init__(self, url: str):
        self.db: CentralDb = parse_central_db(url, field="setting db")

    def describe(self) -> str:
        """`postgresql://user@host:port/dbname`, never the password."""
        return self.db.describe()

    @contextmanager
    def connection(self):
        """An autocommit connection; use `with conn.transaction():` for anything that must be atomic."""
        conn = connect(self.db, autocommit=True)
        try:
            yield conn
        finally:
            conn.close()
