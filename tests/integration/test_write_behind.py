"""A bulk block on SQLite stores its rows on a thread of its own, in order, and loses none."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select

from service.errors import StoreError
from service.store import Store
from service.store.behind import QUEUED, SWITCH, queued, writing_behind
from service.store.rows import insert_rows
from service.store.tables import commitment_tags, commitments
from tests.integration.test_rows import _commitment


@contextmanager
def _inserting_threads(conn: Connection) -> Iterator[set[int]]:
    """The threads that run an INSERT on `conn` in the block."""
    seen: set[int] = set()

    def note(*args: Any) -> None:
        if args[2].startswith("INSERT"):
            seen.add(threading.get_ident())

    event.listen(conn, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", note)


def test_sqlite_stores_a_blocks_rows_on_another_thread_and_the_caller_reads_them_all(
    store: Store,
):
    """On PostgreSQL the block changes nothing: COPY already overlaps the server's work."""
    sqlite = store.db.is_sqlite
    with store.transaction() as tx, tx.bulk():
        conn = tx._conn
        with _inserting_threads(conn) as threads:
            insert_rows(conn, commitments, [_commitment(f"c{at}") for at in range(50)])
            insert_rows(conn, commitment_tags, [{"commitment_id": "c7", "tag": "late"}])
            assert (queued(conn) is not None) is sqlite
            assert conn.scalar(select(func.count()).select_from(commitments)) == 50
            assert conn.scalar(select(commitment_tags.c.tag)) == "late"
    if sqlite:
        assert len(threads) == 1 and threading.get_ident() not in threads
    else:
        assert not threads  # COPY, run by the caller's thread as before
    with store.read() as tx:
        assert len(tx.commitments.stored([f"c{at}" for at in range(50)])) == 50


def test_a_refused_queued_insert_fails_the_block_and_nothing_queued_after_it_runs(tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path / 'behind.db'}", migrate=True)
    try:
        with store.db.write() as conn:
            insert_rows(conn, commitments, [_commitment("taken")])
        ran: list[str] = []
        with pytest.raises(StoreError, match="UNIQUE"), store.transaction() as tx, tx.bulk():
            conn = tx._conn
            event.listen(conn, "before_cursor_execute", lambda *a: ran.append(a[2][:20]))
            insert_rows(conn, commitments, [_commitment("fresh"), _commitment("taken")])
            for at in range(QUEUED):
                insert_rows(conn, commitment_tags, [{"commitment_id": "fresh", "tag": f"t{at}"}])
        assert [s for s in ran if s.startswith("INSERT")] == ["INSERT INTO commitme"]
        with store.read() as tx:
            assert tx.commitments.stored(["taken", "fresh"]) == {"taken"}
            assert not tx._conn.scalar(select(func.count()).select_from(commitment_tags))
    finally:
        store.close()


def test_an_error_in_the_block_rolls_back_what_was_queued_and_ends_the_writer(tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path / 'behind.db'}", migrate=True)
    before = threading.active_count()
    try:
        failing = pytest.raises(RuntimeError, match="planning failed")
        with failing, store.transaction() as tx, tx.bulk():
            insert_rows(tx._conn, commitments, [_commitment(f"c{n}") for n in range(9)])
            raise RuntimeError("planning failed")
        with store.read() as tx:
            assert not tx.commitments.stored([f"c{n}" for n in range(9)])
        assert threading.active_count() == before
    finally:
        store.close()


def test_python_switches_threads_sooner_in_a_block_and_as_before_once_the_last_ends(tmp_path: Path):
    """The writer waits for Python's lock after every statement; the usual 5 ms a wait cost
    it a third of its time. Two stores' blocks may overlap: the last one to end restores."""
    usual = sys.getswitchinterval()
    stores = [Store.open(f"sqlite:///{tmp_path / f'{n}.db'}", migrate=True) for n in range(2)]
    try:
        with stores[0].db.write() as first, writing_behind(first):
            assert sys.getswitchinterval() == SWITCH
            with stores[1].db.write() as second, writing_behind(second):
                assert sys.getswitchinterval() == SWITCH
            assert sys.getswitchinterval() == SWITCH
        assert sys.getswitchinterval() == usual
    finally:
        for opened in stores:
            opened.close()
