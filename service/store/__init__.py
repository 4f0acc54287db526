"""Persistence on SQLite or PostgreSQL, and the only package that imports SQLAlchemy.

    with store.transaction() as tx:     # a write: commits at the end, rolls back on error
        tx.commitments.write(...)
    with store.read() as tx:            # a read-only transaction
        tx.commitments.page(...)

Every repository (`tx.commitments`, `tx.feeds`, `tx.alerts`, ...) is bound to the one
transaction it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from service.clock import Clock, utc_now
from service.store.alerts import Settlement
from service.store.deliveries import Claimed, NewDelivery, Outcome
from service.store.engine import Database, readable, require_current
from service.store.events import IndexedEvent, StoredEvent
from service.store.feeds import FeedSummary
from service.store.notices import WorkNotices
from service.store.transaction import Tx
from service.store.versions import DataVersion
from service.store.windows import PageKey


class Store:
    """The database, opened for one process: transactions over it, and its schema."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    @classmethod
    def open(
        cls, url: str, clock: Clock = utc_now, *, migrate: bool = True, create: bool = True
    ) -> Store:
        """The database at `url`; migrated, and made if missing, unless told otherwise.

        With `create` off, a database that is not there, or not at the current schema, is
        DatabaseMissing instead of a new, empty one.
        """
        if not create:
            require_current(url)
        db = Database.from_url(url)
        if migrate and create:
            db.migrate()
        return cls(db, clock)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self.db.write() as conn:
            tx = Tx(conn, self.clock)
            yield tx
            tx.announce_work()

    @contextmanager
    def read(self, *, snapshot: bool = False) -> Iterator[Tx]:
        """A read-only transaction; with `snapshot`, one view of the data throughout."""
        with self.db.read(snapshot=snapshot) as conn:
            yield Tx(conn, self.clock)

    def work_notices(self, wake: Callable[[], None]) -> WorkNotices | None:
        """A listener that calls `wake` when another process queues work (not yet started);
        None on SQLite, where one process owns the database and polls."""
        if self.db.is_sqlite:
            return None
        return WorkNotices(self.db.engine.url, wake)

    def needs_migration(self) -> bool:
        return self.db.needs_migration()

    def settle_after_import(self) -> None:
        """Let the query planner and the search indexes catch up with a bulk import: without
        it, PostgreSQL takes a table it saw empty for one row and scans where an index would
        serve, and reads every search through the new entries, until autovacuum gets round
        to them."""
        self.db.settle_after_import()

    def close(self) -> None:
        self.db.dispose()


__all__ = [
    "Claimed",
    "DataVersion",
    "Database",
    "FeedSummary",
    "IndexedEvent",
    "NewDelivery",
    "Outcome",
    "PageKey",
    "Settlement",
    "Store",
    "StoredEvent",
    "Tx",
    "WorkNotices",
    "readable",
]
