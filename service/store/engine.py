"""Connecting to SQLite or PostgreSQL, and bringing the schema up to date."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from service.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
_WRITE = "treatycal_write"


def connect(url: str) -> Engine:
    """An engine for `url`, tuned for its backend; StoreError for a URL it cannot use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    raise StoreError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _sqlite(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins and how.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the lock up front, so it waits its turn instead of failing on upgrade.
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """An engine plus the rule for write transactions: one writer at a time on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._writer = threading.Lock()

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(connect(url))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction."""
        with _translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends and rolled back if it raises."""
        with self._writing(), _translated(), self.engine.connect() as raw:
            conn = raw.execution_options(**{_WRITE: True}) if self.is_sqlite else raw
            with conn.begin():
                yield conn

    def _writing(self) -> AbstractContextManager[object]:
        """One writer at a time within this process on SQLite; PostgreSQL needs no such lock."""
        return self._writer if self.is_sqlite else nullcontext()

    def migrate(self) -> None:
        """Apply every migration not yet applied; safe to call on every start.

        It runs as a write, so two processes starting at once on SQLite take turns instead of
        one failing with 'database is locked' when its read turns into a write.
        """
        with self.write() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def needs_migration(self) -> bool:
        script = ScriptDirectory(str(MIGRATIONS))
        with self.read() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        return set(current) != set(script.get_heads())

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        raise StoreError(f"database error: {exc.__class__.__name__}: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
