"""One transaction and the repositories bound to it: the only way to read or write data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from service.clock import Clock
from service.store.alerts import Alerts
from service.store.behind import writing_behind
from service.store.commitments import Commitments
from service.store.deliveries import Deliveries
from service.store.events import StoredEvents
from service.store.feeds import Feeds
from service.store.keys import ApiKeys
from service.store.notices import WORK_CHANNEL
from service.store.sessions import Sessions
from service.store.sources import Sources
from service.store.subscriptions import Subscriptions
from service.store.versions import DataVersions

BULK_CACHE_KIB = 64 * 1024
"""SQLite's page cache for a bulk write: its index inserts land all over the files, and the
default 2 MB re-read pages on every batch (a 20,000 import ran 10% faster with this)."""


class Tx:
    """Repositories over one connection: what they write commits together, or not at all.

    The repositories record what the transaction did (`versions.moved`, `queued_work`) so the
    application can act on it once it has committed.
    """

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self.commitments = Commitments(conn, clock)
        self.versions = DataVersions(conn, clock)
        self.feeds = Feeds(conn, clock)
        self.keys = ApiKeys(conn, clock)
        self.subscriptions = Subscriptions(conn, clock)
        self.alerts = Alerts(conn)
        self.deliveries = Deliveries(conn, clock, self.subscriptions)
        self.sources = Sources(conn, clock)
        self.sessions = Sessions(conn, clock)
        self.events = StoredEvents(conn)

    @property
    def queued_work(self) -> bool:
        """Whether the alert engine has something new to look at once this commits."""
        return self.alerts.planned or self.deliveries.queued or self.subscriptions.resumed

    def announce_work(self) -> None:
        """On PostgreSQL, tell every listening worker that this transaction queued work; the
        notice is sent when it commits and dropped if it rolls back."""
        if self.queued_work and self._conn.dialect.name == "postgresql":
            self._conn.exec_driver_sql(f"NOTIFY {WORK_CHANNEL}")

    def lock(self, key: int) -> None:
        """Wait for a transaction-scoped advisory lock on PostgreSQL; SQLite has one writer."""
        if self._conn.dialect.name == "postgresql":
            self._conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (key,))

    def try_lock(self, key: int) -> bool:
        """Take a transaction-scoped advisory lock on PostgreSQL, if free; SQLite has one writer."""
        if self._conn.dialect.name != "postgresql":
            return True
        query = "SELECT pg_try_advisory_xact_lock(%s)"
        return bool(self._conn.exec_driver_sql(query, (key,)).scalar())

    def replan_after_growth(self) -> None:
        """On PostgreSQL, analyse the commitments table inside this transaction (ANALYZE
        counts the transaction's own rows), so that statements planned while it was small
        are planned again. A foreign-key check planned against the sixty shipped commitments,
        not yet analysed, scans the table, and a bulk import into such a fresh install spent
        most of its time in those scans as the table grew: 10,000 went in at 131/s."""
        if self._conn.dialect.name == "postgresql":
            self._conn.exec_driver_sql("ANALYZE commitments")

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """A bulk write in the block: on SQLite, with a larger page cache until it ends, and
        bulk inserts stored on a second thread while the next rows are made (`behind`)."""
        if self._conn.dialect.name != "sqlite":
            yield
            return
        before = self._conn.exec_driver_sql("PRAGMA cache_size").scalar()
        self._conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            with writing_behind(self._conn):
                yield
        finally:
            self._conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or 0)}")
