"""Migrations build exactly the schema the code declares, on every backend, and unwind."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from service.store import Database
from service.store.engine import MIGRATIONS
from service.store.tables import metadata
from tests.support.databases import PostgresServer


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path, postgres_server):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not isinstance(postgres_server, PostgresServer):
        pytest.skip(postgres_server)
    with postgres_server.fresh(migrated=False) as url:
        yield url


def _config(conn) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def test_migrating_an_empty_database_gives_the_declared_schema(empty_database: str):
    db = Database.from_url(empty_database)
    assert db.needs_migration()
    db.migrate()
    assert not db.needs_migration()
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    db.dispose()
    assert differences == []


def test_migrating_twice_is_harmless_and_downgrade_unwinds(empty_database: str):
    db = Database.from_url(empty_database)
    db.migrate()
    db.migrate()
    with db.engine.begin() as conn:
        command.downgrade(_config(conn), "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.migrate()
    assert "commitments" in inspect(db.engine).get_table_names()
    db.dispose()
