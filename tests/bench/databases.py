"""The databases a bench runs on: a SQLite file always, PostgreSQL when a server is named.

TREATYCAL_BENCH_POSTGRES_URL (else TREATYCAL_TEST_POSTGRES_URL) names the server; the bench
works in a database of its own there, dropped and made again. TREATYCAL_BENCH_ONLY=sqlite or
=postgresql runs one of them alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.bench.support import progress

ONLY = os.environ.get("TREATYCAL_BENCH_ONLY", "")


def benched(folder: Path, name: str) -> Iterator[tuple[str, str]]:
    """(backend, URL) for each database asked for: `name`.db in `folder`, `name` on the server."""
    if ONLY in ("", "sqlite"):
        yield "sqlite", f"sqlite:///{folder / name}.db"
    if ONLY == "sqlite":
        return
    server = os.environ.get("TREATYCAL_BENCH_POSTGRES_URL") or os.environ.get(
        "TREATYCAL_TEST_POSTGRES_URL"
    )
    if not server:
        progress("no PostgreSQL named (TREATYCAL_BENCH_POSTGRES_URL): SQLite only")
        return
    yield "postgresql", fresh_postgres(server, name)


def fresh_postgres(server: str, name: str) -> str:
    """The URL of database `name` on that server, dropped and made again, empty."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)
