"""Many new rows of one table through the driver: what a bulk import writes most.

SQLAlchemy's executemany builds a parameter set for each row and runs it through its generic
compiled-statement machinery, a third of a bulk import's time. Here the statement is made once
per table, columns and dialect, each column's own bind processor is looked up once, and rows
reach the driver as tuples: on PostgreSQL by COPY (which also spares the server parsing a
thousand-row INSERT per batch), on SQLite as INSERTs of many rows each, as many as SQLite
takes parameters for one statement. One such INSERT stored rows in two thirds of the time
the driver's executemany took, and it lets go of Python's global lock once, not once a row,
which is what a write-behind block needs (`service.store.behind`): there the INSERTs run on
the block's own thread. Values are encoded by the column types' own processors, so what is
stored is what `insert(table)` would store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.types import TypeDecorator, TypeEngine

from service.store.behind import queued

_Process = Callable[[Any], Any]
REMEMBERED = 4096
"""Encoded times kept per column and table: about a megabyte in all."""


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert `rows` into `table` in `conn`'s transaction; every row has the same keys.

    On PostgreSQL the rows are read one at a time as COPY sends them, so rows made as they
    are asked for are stored while the next are made; SQLite's INSERTs take them all first.

    A refused row (a key taken, a missing reference) raises SQLAlchemy's IntegrityError, as
    `conn.execute(insert(table), rows)` would. PostgreSQL's COPY then keeps none of the rows;
    SQLite keeps those of the INSERTs before the refusing one: a caller that goes on after
    the error writes in a savepoint.
    """
    given = iter(rows)
    first = next(given, None)
    if first is None:
        return
    plan = _plan(conn.dialect, table, frozenset(first))
    encoded = map(plan.encode, chain((first,), given))
    if conn.dialect.name == "postgresql":
        _copy(conn, plan.statement, encoded)
    else:
        _insert_many_rows(conn, plan, list(encoded))


def _insert_many_rows(conn: Connection, plan: _Plan, rows: Sequence[tuple[Any, ...]]) -> None:
    """SQLite: the rows in INSERTs of as many rows as its parameter limit allows, each run
    now or, in a write-behind block, queued for its thread."""
    behind = queued(conn)
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    most = max(1, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // plan.width)
    for start in range(0, len(rows), most):
        some = rows[start : start + most]
        statement, parameters = plan.values(len(some)), tuple(chain.from_iterable(some))
        if behind is None:
            conn.exec_driver_sql(statement, parameters)
        else:
            behind.run(statement, parameters)


class _Plan:
    """A table's statement for some of its columns on one dialect, and how to encode a row
    (a mapping by column name) as the tuple the statement takes."""

    def __init__(self, statement: str, table: Table, names: Sequence[str], dialect: Dialect):
        self.statement, self.width = statement, len(names)
        processors = [_processor(table.c[name].type, dialect) for name in names]
        values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
        steps = [(at, process) for at, process in enumerate(processors) if process is not None]

        def encode(row: Mapping[str, Any]) -> tuple[Any, ...]:
            encoded = list(values(row))
            for at, process in steps:
                encoded[at] = process(encoded[at])
            return tuple(encoded)

        self.encode = encode

    def values(self, count: int) -> str:
        """The INSERT of `count` rows, from `statement` (which ends in VALUES)."""
        return _values(self.statement, self.width, count)


@lru_cache(maxsize=32)
def _values(head: str, width: int, count: int) -> str:
    """The INSERT of `count` rows after `head`. A batch's last INSERT holds the rows left, a
    count that varies from batch to batch (alerts do), so only the last 32 made are kept."""
    row = "(" + ", ".join("?" * width) + ")"
    return head + ", ".join([row] * count)


def _processor(kind: TypeEngine[Any], dialect: Dialect) -> _Process | None:
    """The column type's bind processor; for times, one that remembers its answers."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    stored = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
    if process is None or stored.python_type not in (datetime, date):
        return process
    answers: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        """A batch's rows share one `now` (created, updated, recorded) and many dues share a
        day: encoding each time once was a tenth of an import's Python. Equal times encode
        alike (an aware time is stored in UTC). The answers kept are bounded: when full
        they are let go, so a later batch's own `now` is kept again."""
        answer = answers.get(value)
        if answer is None:
            answer = process(value)
            if len(answers) >= REMEMBERED:
                answers.clear()
            answers[value] = answer
        return answer

    return remembered


@lru_cache(maxsize=64)
def _plan(dialect: Dialect, table: Table, names: frozenset[str]) -> _Plan:
    quote = dialect.identifier_preparer.quote
    ordered = sorted(names)
    into = f"{quote(table.name)} ({', '.join(quote(name) for name in ordered)})"
    if dialect.name == "postgresql":
        return _Plan(f"COPY {into} FROM STDIN", table, ordered, dialect)
    return _Plan(f"INSERT INTO {into} VALUES ", table, ordered, dialect)  # noqa: S608 - quoted names


def _copy(conn: Connection, statement: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY the rows in, with the driver's errors read as SQLAlchemy's, as `execute` reads them."""
    dbapi = conn.dialect.dbapi
    assert dbapi is not None
    driver = conn.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
    except dbapi.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
    except dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
