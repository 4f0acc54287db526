"""SQLite bulk inserts stored on a thread of their own while the caller makes the next rows.

A bulk import spends about two thirds of its time in Python, making rows, and a third in
SQLite, storing them, one after the other on one core. SQLite lets go of Python's global lock
while it runs a statement, so a statement running on another thread can store one batch
while Python makes the next, on the second core. It must be few statements per batch: an
executemany takes the lock back after every row, and a thread busy with Python then holds it
for the whole switch interval (5 ms), so the writer would store a row per interval. `rows`
sends a batch as INSERTs of a thousand rows or more each.

While a block runs, Python hands its lock between threads every SWITCH seconds instead of
every 5 ms: the writer waits for the lock after each statement, and at 5 ms those waits
added a third to its time. The caller's thread gives the lock up ten times as often, which
costs it little, and any other thread of the process (a server's) gets its turn sooner.

Only one thread uses the connection at a time: a statement the caller runs on it in the block
first waits for the queued ones, and the block ends once they are all stored, before the
transaction can commit or roll back. The first one to fail is raised to the caller, and the
ones queued after it are not run.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as all_done
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event

SWITCH = 0.0005
"""Python's switch interval in a block, in seconds (`sys.setswitchinterval`)."""
QUEUED = 8
"""The most statements waiting for the writer: enough for a batch of every table, and a bound
on the memory their rows hold when the writer falls behind."""
_KEY = "treatycal.write_behind"


class WriteBehind:
    """Statements queued for one connection, run in order on one thread."""

    def __init__(self, conn: Connection, pool: ThreadPoolExecutor) -> None:
        self._conn, self._pool = conn, pool
        self._queued: deque[Future[None]] = deque()
        self._failed = False
        self._writer: int | None = None

    def run(self, statement: str, parameters: tuple[Any, ...]) -> None:
        """Queue `statement`; wait first if QUEUED are waiting, and raise if one failed."""
        while len(self._queued) >= QUEUED:
            self._queued.popleft().result()
        self._queued.append(self._pool.submit(self._execute, statement, parameters))

    def wait(self) -> None:
        """Return once every queued statement is stored; raise the first that failed."""
        while self._queued:
            self._queued.popleft().result()

    def abandon(self) -> None:
        """Run nothing more that is queued, and return once the running statement ends."""
        self._failed = True
        all_done(self._queued)
        self._queued.clear()

    def waits(self) -> bool:
        """Whether a statement now run on the connection must wait for the queued ones:
        one run by the caller does, the writer's own do not."""
        return threading.get_ident() != self._writer

    def _execute(self, statement: str, parameters: tuple[Any, ...]) -> None:
        if self._failed:
            return
        self._writer = threading.get_ident()
        try:
            self._conn.exec_driver_sql(statement, parameters)
        except BaseException:
            self._failed = True
            raise


@contextmanager
def writing_behind(conn: Connection) -> Iterator[None]:
    """On SQLite, `rows.insert_rows` queues its statements in the block (`queued`); elsewhere
    the block changes nothing. The block ends when the queued statements are stored."""
    if conn.dialect.name != "sqlite" or _KEY in conn.info:
        yield
        return
    with (
        _quick_switches(),
        ThreadPoolExecutor(1, thread_name_prefix="treatycal-write-behind") as pool,
    ):
        behind = WriteBehind(conn, pool)

        def in_turn(*_: Any) -> None:
            if behind.waits():
                behind.wait()

        conn.info[_KEY] = behind
        event.listen(conn, "before_cursor_execute", in_turn)
        try:
            yield
            behind.wait()
        finally:
            behind.abandon()
            event.remove(conn, "before_cursor_execute", in_turn)
            del conn.info[_KEY]


def queued(conn: Connection) -> WriteBehind | None:
    """The write-behind that statements on `conn` are queued to, if there is one."""
    found: WriteBehind | None = conn.info.get(_KEY)
    return found


_switching = threading.Lock()
_blocks = 0
_interval = 0.0
"""Write-behind blocks running, and the switch interval to go back to when the last ends."""


@contextmanager
def _quick_switches() -> Iterator[None]:
    """Python's switch interval at SWITCH for the block; the last block to end restores it."""
    global _blocks, _interval
    with _switching:
        if _blocks == 0:
            _interval = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH, _interval))
        _blocks += 1
    try:
        yield
    finally:
        with _switching:
            _blocks -= 1
            if _blocks == 0:
                sys.setswitchinterval(_interval)
