"""Rows written through the driver store what SQLAlchemy's insert stores, on every backend."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnElement, Connection, event, insert, literal_column, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from service.store import rows
from service.store.engine import Database
from service.store.rows import insert_rows
from service.store.tables import alerts, commitments

NOW = datetime(2027, 3, 1, 9, 30, 15, 250, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    opened = Database.from_url(database_url)
    yield opened
    opened.dispose()


def _commitment(cid: str, **given: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "title": "Talks in Geneva",
        "description": "",
        "kind": "meeting",
        "status": "scheduled",
        "due_value": "2027-04-01T09:00",
        "due_tz": "Europe/Berlin",
        "due_start": datetime(2027, 4, 1, 9, tzinfo=timezone(timedelta(hours=2))),
        "due_first_day": date(2027, 4, 1),
        "due_last_day": date(2027, 4, 1),
        "undated": False,
        "touch_last_day": date(2027, 4, 1),
        "span_class": 0,
        "end_value": None,
        "end_tz": None,
        "parties": ["IR", "E3"],
        "tags": [],
        "sources": [{"url": "https://example.org/a", "title": "Été"}],
        "alerts": None,
        "due_rule": None,
        "due_after": None,
        "supersedes": None,
        "superseded_by": None,
        "revision": 1,
        "created_at": NOW,
        "updated_at": NOW + timedelta(microseconds=1),
    } | given


def _stored(conn: Connection, cid: str) -> dict[str, Any]:
    """The row as the database holds it, JSON and times as text, so encodings are compared."""
    columns: list[ColumnElement[Any]] = [
        literal_column(f"CAST({conn.dialect.identifier_preparer.quote(c.name)} AS TEXT)")
        for c in commitments.c
    ]
    row = conn.execute(select(*columns).where(commitments.c.id == cid)).one()
    return {c.name: value for c, value in zip(commitments.c, row, strict=True)}


def test_rows_hold_exactly_what_an_insert_statement_writes(db: Database):
    row = _commitment("by-driver")
    with db.write() as conn:
        insert_rows(conn, commitments, [row, _commitment("second", alerts=["P7D"], tags=["x"])])
        conn.execute(insert(commitments), [_commitment("by-statement")])
        by_driver, by_statement = _stored(conn, "by-driver"), _stored(conn, "by-statement")
    assert by_driver == by_statement | {"id": by_driver["id"]}
    with db.read() as conn:
        read = conn.execute(select(commitments).where(commitments.c.id == "by-driver")).one()
        second = conn.execute(select(commitments.c.alerts, commitments.c.tags).where(
            commitments.c.id == "second")).one()  # fmt: skip
    assert read.due_start == row["due_start"] and read.created_at == NOW
    assert read.alerts is None and read.sources == row["sources"]
    assert second.alerts == ["P7D"] and second.tags == ["x"]


def test_a_column_left_out_takes_its_default(db: Database):
    with db.write() as conn:
        insert_rows(conn, commitments, [_commitment("c")])
        insert_rows(conn, alerts, [{
            "commitment_id": "c", "offset": "P7D", "due_key": "2027-04-01", "fire_at": NOW,
            "status": "pending", "created_at": NOW,
        }])  # fmt: skip
        stored = conn.execute(select(alerts)).one()
    assert stored.id >= 1 and stored.note is None and stored.settled_at is None
    assert stored.fire_at == NOW


def test_a_refused_row_raises_integrity_error_and_a_savepoint_keeps_the_transaction(
    db: Database,
):
    with db.write() as conn:
        insert_rows(conn, commitments, [_commitment("taken")])
        with pytest.raises(IntegrityError), conn.begin_nested():
            insert_rows(conn, commitments, [_commitment("fresh"), _commitment("taken")])
        assert conn.scalar(select(commitments.c.id).where(commitments.c.id == "fresh")) is None
        insert_rows(conn, commitments, [_commitment("fresh")])
    with db.read() as conn:
        assert set(conn.scalars(select(commitments.c.id))) == {"taken", "fresh"}


@pytest.mark.postgres
def test_a_value_postgresql_cannot_read_in_a_copy_is_a_database_error(postgres_url: str):
    """COPY reports through the driver; the error comes out as `execute` would raise it."""
    db = Database.from_url(postgres_url)
    try:
        with db.write() as conn:
            insert_rows(conn, commitments, [_commitment("c")])
            bad = {"commitment_id": "c", "offset": "P7D", "due_key": "k", "fire_at": NOW,
                   "status": "pending", "created_at": NOW, "late_seconds": "soon"}  # fmt: skip
            with pytest.raises(DBAPIError) as refused, conn.begin_nested():
                insert_rows(conn, alerts, [bad])
            assert not isinstance(refused.value, IntegrityError)
            assert "soon" in str(refused.value)
            assert conn.scalar(select(commitments.c.id)) == "c"
    finally:
        db.dispose()


@pytest.mark.parametrize("kept", [rows.REMEMBERED, 1])
def test_each_row_keeps_its_own_time_when_rows_share_some_and_not_others(
    db: Database, kept: int, monkeypatch: pytest.MonkeyPatch
):
    """Times are encoded once for each value; the same instant in another zone is stored as
    the same UTC time, and a new one is encoded anew, also once the answers kept are full."""
    monkeypatch.setattr(rows, "REMEMBERED", kept)
    later = NOW + timedelta(days=1)
    times = [NOW, NOW, later, NOW.astimezone(timezone(timedelta(hours=2))), None]
    with db.write() as conn:
        insert_rows(conn, commitments, [_commitment(f"c{at}") for at in range(len(times))])
        insert_rows(conn, alerts, [
            {"commitment_id": f"c{at}", "offset": "P7D", "due_key": "k", "fire_at": NOW,
             "status": "pending", "created_at": NOW, "settled_at": settled}
            for at, settled in enumerate(times)
        ])  # fmt: skip
        stored = conn.execute(select(alerts.c.settled_at).order_by(alerts.c.commitment_id))
        assert [row.settled_at for row in stored] == times


def test_sqlite_takes_rows_in_inserts_of_as_many_as_its_parameter_limit_allows(tmp_path: Path):
    """One INSERT of many rows stored them in two thirds of executemany's time; a batch is
    cut where SQLite's limit on a statement's parameters says, with no row lost or doubled."""
    db = Database.from_url(f"sqlite:///{tmp_path / 'rows.db'}")
    db.migrate()
    statements: list[int] = []
    try:
        with db.write() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            width = len(_commitment("c"))
            driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 2 * width + 1)
            event.listen(conn, "before_cursor_execute", lambda *a: statements.append(len(a[3])))
            insert_rows(conn, commitments, [_commitment(f"c{at}") for at in range(5)])
            assert statements == [2 * width, 2 * width, width]
            stored = [_stored(conn, f"c{at}") for at in range(5)]
            conn.execute(insert(commitments), [_commitment("by-statement")])
            by_statement = _stored(conn, "by-statement")
        assert all(row == by_statement | {"id": f"c{at}"} for at, row in enumerate(stored))
    finally:
        db.dispose()
