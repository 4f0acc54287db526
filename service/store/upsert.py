"""INSERT ... ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_new(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> None:
    """Insert the rows whose `unique` columns are not taken yet, and skip the others.

    This is what makes planning idempotent: running it twice writes nothing the second time.
    """
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=list(unique))
    conn.execute(statement, list(rows))
