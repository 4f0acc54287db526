"""Shared fixtures: a fresh database on every backend, a store over it, frozen time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.store import Database, Store
from tests.support.databases import PostgresServer, find_postgres

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | str]:
    found = find_postgres()
    yield found
    if isinstance(found, PostgresServer):
        found.close()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | str) -> Iterator[str]:
    if isinstance(postgres_server, str):
        pytest.skip(postgres_server)
    with postgres_server.fresh() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'treatycal.db'}"
        db = Database.from_url(url)
        db.migrate()
        db.dispose()
        yield url
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url, migrate=False)
    yield opened
    opened.close()
