"""Shared fixtures: a fresh database on every backend, and the store and use cases over it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.app import App
from service.settings import Settings
from service.store import Database, Store
from tests.support.databases import PostgresServer, find_postgres

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_report_header(config: pytest.Config) -> str:
    """Say at the top of every run which databases the tests use."""
    configured = os.environ.get("TREATYCAL_TEST_POSTGRES_URL")
    found = find_postgres(quiet=True)
    if isinstance(found, PostgresServer):
        where = found.admin_url.render_as_string(hide_password=True)
        found.close()
        postgres = f"PostgreSQL at {where}" + ("" if configured else " (found on the default port)")
    else:
        postgres = f"PostgreSQL tests skip: {found}"
    return f"databases: SQLite (a temporary file per test); {postgres}"


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


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    """The use cases over a fresh database, as every composition root builds them."""
    settings = Settings(_env_file=None, database_url=database_url)
    opened = App.open(settings)
    yield opened
    opened.close()
