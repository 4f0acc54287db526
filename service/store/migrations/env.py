"""Alembic environment: runs on the connection treatycal hands over (see store/engine.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from service.store.tables import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations(context.config.attributes["connection"])
