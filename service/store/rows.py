"""Many new rows of one table through the driver: what a bulk import writes most.

SQLAlchemy's executemany builds a parameter set for each row and runs it through its generic
compiled-statement machinery, a third of a bulk import's time. Here the statement is made once
per table, columns and dialect, each column's own bind processor is looked up once, and rows
reach the driver as tuples: SQLite's executemany, PostgreSQL's COPY (which also spares the
server parsing a thousand-row INSERT per batch). Values are encoded by the column types' own
processors, so what is stored is what `insert(table)` would store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.types import TypeDecorator, TypeEngine

_Process = Callable[[Any], Any]


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert `rows` into `table` in `conn`'s transaction; every row has the same keys.

    On PostgreSQL the rows are read one at a time as COPY sends them, so rows made as they
    are asked for are stored while the next are made; SQLite's executemany takes a list.

    A refused row (a key taken, a missing reference) raises SQLAlchemy's IntegrityError, as
    `conn.execute(insert(table), rows)` would. PostgreSQL's COPY then keeps none of the rows;
    SQLite keeps those before the refused one, as its executemany always has: a caller that
    goes on after the error writes in a savepoint.
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
        conn.exec_driver_sql(plan.statement, list(encoded))


class _Plan:
    """A table's statement for some of its columns on one dialect, and how to encode a row
    (a mapping by column name) as the tuple the statement takes."""

    def __init__(self, statement: str, table: Table, names: Sequence[str], dialect: Dialect):
        self.statement = statement
        processors = [_processor(table.c[name].type, dialect) for name in names]
        values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
        steps = [(at, process) for at, process in enumerate(processors) if process is not None]

        def encode(row: Mapping[str, Any]) -> tuple[Any, ...]:
            encoded = list(values(row))
            for at, process in steps:
                encoded[at] = process(encoded[at])
            return tuple(encoded)

        self.encode = encode


def _processor(kind: TypeEngine[Any], dialect: Dialect) -> _Process | None:
    """The column type's bind processor; for times, one that remembers its last answer."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    stored = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
    if process is None or stored.python_type not in (datetime, date):
        return process
    last: tuple[Any, Any] = (None, None)

    def remembered(value: Any) -> Any:
        """A batch's rows share one `now` (created, updated, recorded), encoded once this way
        instead of once a row. Only for times: they cannot change after the answer is kept."""
        nonlocal last
        seen, answer = last
        if value is seen and value is not None:
            return answer
        answer = process(value)
        last = (value, answer)
        return answer

    return remembered


@lru_cache(maxsize=64)
def _plan(dialect: Dialect, table: Table, names: frozenset[str]) -> _Plan:
    if dialect.name == "postgresql":
        quote = dialect.identifier_preparer.quote
        ordered = sorted(names)
        listed = ", ".join(quote(name) for name in ordered)
        return _Plan(f"COPY {quote(table.name)} ({listed}) FROM STDIN", table, ordered, dialect)
    compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
    return _Plan(str(compiled), table, list(compiled.positiontup or ()), dialect)


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
