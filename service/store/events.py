"""Each event's rendered bytes, stored by revision and joined into feeds in order.

Rows are filled lazily by whoever builds a feed and never by the write path: a row is keyed by
everything the bytes depend on (the revision, `superseded_by`, which changes without one, and
the render key), so a row, once written, is never wrong; a write simply makes a new key that
has no row yet. Older revisions' rows are deleted when a newer one's are stored: no feed can
ask for them again, and keeping them would grow the table with every revision.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, false, func, select

from service.domain import CommitmentFilter
from service.store.commitments import filter_conditions
from service.store.tables import commitments, event_bytes
from service.store.upsert import insert_new

_c, _e = commitments.c, event_bytes.c
_BATCH = 5000


@dataclass(frozen=True, slots=True)
class IndexedEvent:
    """A dated commitment a filter matches, and its stored event's zones (None: not stored)."""

    commitment_id: str
    due_start: datetime
    tzids: str | None
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event's bytes, to store for the commitment at `revision`."""

    commitment_id: str
    revision: int
    superseded_by: str | None
    ical: bytes
    tzids: frozenset[str]
    first_day: date
    last_day: date


class StoredEvents:
    """Stored event bytes, bound to one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def index(self, where: CommitmentFilter, render_key: str) -> Iterator[IndexedEvent]:
        """The dated commitments `where` matches, by due start, read in batches."""
        query = _joined(self._conn, where, render_key, _c.id, _c.due_start, _e.tzids)
        query = query.add_columns(_e.first_day, _e.last_day).order_by(_c.due_start)
        rows = self._conn.execute(query.execution_options(yield_per=_BATCH))
        for row in rows:
            yield IndexedEvent(row.id, row.due_start, row.tzids, row.first_day, row.last_day)

    def page(
        self, where: CommitmentFilter, render_key: str, start: datetime, end: datetime | None
    ) -> list[tuple[datetime, str, bytes | None]]:
        """(due start, id, bytes or None) of the dated commitments due in start..end (exclusive)."""
        query = _joined(self._conn, where, render_key, _c.due_start, _c.id, _e.ical)
        query = query.where(_c.due_start >= start)
        if end is not None:
            query = query.where(_c.due_start < end)
        return [(row.due_start, row.id, row.ical) for row in self._conn.execute(query)]

    def store(self, render_key: str, events: Sequence[StoredEvent]) -> None:
        """Keep these events' bytes; a row another writer stored first is left as it is."""
        rows = [_row(render_key, event) for event in events]
        insert_new(
            self._conn,
            event_bytes,
            rows,
            unique=("commitment_id", "revision", "render_key", "superseded_by"),
        )
        revised = [event.commitment_id for event in events if event.revision > 1]
        if revised:
            current = select(_c.revision).where(_c.id == _e.commitment_id).scalar_subquery()
            stale = delete(event_bytes).where(_e.commitment_id.in_(revised), _e.revision < current)
            self._conn.execute(stale)

    def count(self) -> int:
        return self._conn.scalar(select(func.count()).select_from(event_bytes)) or 0


def _joined(
    conn: Connection, where: CommitmentFilter, render_key: str, *columns: Any
) -> Select[Any]:
    """The dated commitments `where` matches, each with its stored event under `render_key`."""
    on = and_(
        _e.commitment_id == _c.id,
        _e.revision == _c.revision,
        _e.render_key == render_key,
        _e.superseded_by == func.coalesce(_c.superseded_by, ""),
    )
    return (
        select(*columns)
        .select_from(commitments.outerjoin(event_bytes, on))
        .where(*filter_conditions(conn, where), _c.undated.is_(false()))  # the list index
    )


def _row(render_key: str, event: StoredEvent) -> dict[str, Any]:
    return {
        "commitment_id": event.commitment_id,
        "revision": event.revision,
        "render_key": render_key,
        "superseded_by": event.superseded_by or "",
        "ical": event.ical,
        "tzids": " ".join(sorted(event.tzids)),
        "first_day": event.first_day,
        "last_day": event.last_day,
    }
