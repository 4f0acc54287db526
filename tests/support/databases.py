"""Fresh databases for tests: a temporary SQLite file, or a PostgreSQL database per test.

PostgreSQL tests use TREATYCAL_TEST_POSTGRES_URL (set by .ci/run). Without it they try the
local default; when no server answers they skip and say why. When the variable is set and the
server does not answer, they fail: CI must never skip them quietly.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service.store import Database

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_counter = itertools.count()


class PostgresServer:
    """Makes a migrated template once, then clones it for each test (fast: a file copy)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_size=1)
        self.template = f"treatycal_tpl_{os.getpid()}"
        self._template_ready = False

    def url_for(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _ensure_template(self) -> None:
        if self._template_ready:
            return
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        db = Database.from_url(self.url_for(self.template))
        db.migrate()
        db.dispose()
        self._template_ready = True

    @contextmanager
    def fresh(self, migrated: bool = True) -> Iterator[str]:
        name = f"treatycal_t_{os.getpid()}_{next(_counter)}"
        if migrated:
            self._ensure_template()
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        else:
            self._execute(f'CREATE DATABASE "{name}"')
        try:
            yield self.url_for(name)
        finally:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self._template_ready:
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def find_postgres(*, quiet: bool = False) -> PostgresServer | str:
    """The server to test against, or the reason there is none.

    `quiet` reports a configured server that does not answer instead of failing the run.
    """
    configured = os.environ.get("TREATYCAL_TEST_POSTGRES_URL")
    server = PostgresServer(configured or DEFAULT_POSTGRES)
    try:
        server._execute("SELECT 1")
    except OperationalError as exc:
        if configured and not quiet:
            pytest.fail(f"TREATYCAL_TEST_POSTGRES_URL={configured} does not answer: {exc}")
        return f"no PostgreSQL at {DEFAULT_POSTGRES} (set TREATYCAL_TEST_POSTGRES_URL): {exc}"
    return server
