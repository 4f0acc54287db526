"""The database's own floor for an import: the same rows copied inside it, with no Python.

Once a bulk import is in, its rows are copied by INSERT ... SELECT into empty tables with the
same indexes, in one transaction, and the text index is kept by its trigger, as in the
import. No rate the import reaches on that machine can beat this one: it is what the database
alone spends on storing and indexing those rows.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine

from service.store.tables import alerts, commitment_parties, commitment_tags, commitments, revisions
from service.store.transaction import BULK_CACHE_KIB

TABLES = (commitments, commitment_parties, commitment_tags, revisions, alerts)


def sqlite_seconds(imported: Path, empty: Path) -> float:
    """Seconds to copy the imported rows into `empty`, a copy of the database made before,
    with the page cache an import has and (as on PostgreSQL) no foreign keys checked."""
    conn = sqlite3.connect(empty, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"cache_size=-{BULK_CACHE_KIB}"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("ATTACH ? AS imported", (str(imported),))
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            listed = ", ".join(f'"{column.name}"' for column in table.c)
            conn.execute(
                f"INSERT INTO main.{table.name} ({listed}) "
                f"SELECT {listed} FROM imported.{table.name} ORDER BY rowid"
            )
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


def postgresql_seconds(url: str) -> float:
    """Seconds to copy the imported rows into tables made LIKE theirs, indexes and all (but
    not the foreign keys), and to merge their search indexes' pending entries."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS floor CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA floor")
            for table in TABLES:
                conn.exec_driver_sql(
                    f"CREATE TABLE floor.{table.name} (LIKE public.{table.name} INCLUDING ALL)"
                )
        started = time.perf_counter()
        with engine.begin() as conn:
            for table in TABLES:
                conn.exec_driver_sql(
                    f"INSERT INTO floor.{table.name} SELECT * FROM public.{table.name}"
                )
            conn.exec_driver_sql(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.amname = 'gin' AND n.nspname = 'floor'"
            )
        seconds = time.perf_counter() - started
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA floor CASCADE")
        return seconds
    finally:
        engine.dispose()
