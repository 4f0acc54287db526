"""Pages of lists and of upcoming are read by the index in their order, not sorted whole.

SQLite's plans are read back with EXPLAIN QUERY PLAN on a fresh database (no statistics
yet), where a planner is most easily led to a scan: a filtered list must use the index in
list order, and upcoming must keep its own index when a kind filter offers another.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, Select

from service.domain import CommitmentFilter, Kind
from service.store import Database
from service.store.commitments import _ordered, filter_conditions
from service.store.tables import commitments
from service.store.windows import touching_by_class, window_values


def _plan(conn: Connection, query: Select[tuple[object, ...]]) -> str:
    compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
    return " | ".join(str(row[-1]) for row in rows)


@pytest.fixture
def sqlite_conn(tmp_path: Path) -> Iterator[Connection]:
    """A migrated SQLite database; EXPLAIN QUERY PLAN is SQLite's (PostgreSQL plans by the
    statistics a bulk import refreshes)."""
    database = Database.from_url(f"sqlite:///{tmp_path / 'plans.db'}")
    database.migrate()
    with database.read() as conn:
        yield conn
    database.dispose()


def test_a_list_filtered_by_kind_is_read_in_list_order(sqlite_conn: Connection):
    where = CommitmentFilter(kinds=(Kind.SUMMIT,))
    plan = _plan(sqlite_conn, _ordered(filter_conditions(sqlite_conn, where)).limit(50))
    assert "ix_commitments_kind_undated_due_start_id" in plan, plan
    assert "TEMP B-TREE" not in plan, f"a page must not sort every summit: {plan}"


def test_upcoming_keeps_its_own_index_under_a_kind_filter(sqlite_conn: Connection):
    c = commitments.c
    where = filter_conditions(sqlite_conn, CommitmentFilter(kinds=(Kind.SUMMIT,)))
    period = window_values(date(2026, 12, 2), date(2027, 3, 2), None)
    for touches in touching_by_class(c, c.id, paged=False):
        query = commitments.select().where(*where, touches).order_by(c.due_start, c.id)
        plan = _plan(sqlite_conn, query.limit(51).params(period))
        assert "ix_commitments_touching" in plan, plan
