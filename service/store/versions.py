"""The data version: a counter every change to published data moves on.

A rendered feed is good for as long as the version it was rendered at still stands, so a
cache anywhere (this process, another replica) knows when to render again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from service.clock import Clock
from service.store.tables import data_version


@dataclass(frozen=True, slots=True)
class DataVersion:
    """A counter every write moves on; a cached rendering is good while it stands still."""

    version: int
    changed_at: datetime


class DataVersions:
    """The one-row version table, in one transaction; `moved` says whether this one moved it."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self.moved = False

    def current(self) -> DataVersion:
        row = self._conn.execute(select(data_version).where(data_version.c.id == 1)).mappings()
        found = row.one()
        return DataVersion(found["version"], found["changed_at"])

    def bump(self) -> None:
        """Move the version on, so cached feeds render again once this transaction commits."""
        self._conn.execute(
            update(data_version)
            .where(data_version.c.id == 1)
            .values(version=data_version.c.version + 1, changed_at=self._clock())
        )
        self.moved = True

    def next_seqs(self, count: int) -> range:
        """The next `count` revisions' places in commit order (`next_seqs`)."""
        return next_seqs(self._conn, count)

    def last_seq(self) -> int:
        """The seq of the last revision written: no cursor from this database is beyond it."""
        return self._conn.scalar(select(data_version.c.last_seq).where(data_version.c.id == 1)) or 0


def next_seqs(conn: Connection, count: int = 1) -> range:
    """The next `count` revisions' places in commit order, in the caller's transaction.

    The UPDATE locks the one row until the transaction ends (PostgreSQL's row lock, SQLite's
    single writer), so a writer that takes higher numbers commits after every lower one:
    whatever a reader sees is a prefix of the sequence, and its last number a sound cursor.
    """
    query = (
        update(data_version)
        .where(data_version.c.id == 1)
        .values(last_seq=data_version.c.last_seq + count)
        .returning(data_version.c.last_seq)
    )
    last = int(conn.execute(query).scalar_one())
    return range(last - count + 1, last + 1)
