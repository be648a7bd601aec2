"""Connections to the central store. An instance keeps a few idle connections for reuse (a new
PostgreSQL connection costs a SCRAM handshake, several milliseconds of CPU on both sides) and
nothing else: no request's state survives it, so any number of instances can run behind a load
balancer."""

from __future__ import annotations

import queue
from contextlib import contextmanager

from companion.audit.sinks.pg_connect import CentralDb, connect, parse_central_db


class CentralStore:
    """Where the service's database is; `connection()` lends one for the length of a block."""

    def __init__(self, url: str, *, idle: int = 8):
        self.db: CentralDb = parse_central_db(url, field="setting db")
        self._idle: queue.LifoQueue = queue.LifoQueue(maxsize=idle)

    def describe(self) -> str:
        """`postgresql://user@host:port/dbname`, never the password."""
        return self.db.describe()

    @contextmanager
    def connection(self):
        """An autocommit connection; use `with conn.transaction():` for anything that must be atomic.

        A connection comes back to the idle set only when it is healthy and outside a transaction;
        one broken by a failover or a restart of the server is dropped, and the next is new.
        """
        conn = self._borrow()
        try:
            yield conn
        finally:
            self._give_back(conn)

    def _borrow(self):
        import psycopg

        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return connect(self.db, autocommit=True)
            if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                return conn
            conn.close()

    def _give_back(self, conn) -> None:
        import psycopg

        if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()

    def close(self) -> None:
        """Close the idle connections (a stopping instance)."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
