"""Connecting to SQLite or PostgreSQL, and bringing the schema up to date."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, SQLAlchemyError

from service.errors import DatabaseMissing, InvalidInput, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
_WRITE = "treatycal_write"
MIGRATION_LOCK = 0x7472_6561_7479_6D69  # "treatymi": one migrator at a time on PostgreSQL


def readable(url: str) -> str:
    """The URL as a person should see it: no password, a SQLite file by its full path."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return parsed.render_as_string(hide_password=True)


def require_current(url: str) -> None:
    """DatabaseMissing unless `url` holds a database at the current schema; changes nothing.

    A SQLite file is looked at read-only, since merely connecting as usual would create it
    (or turn on its write-ahead log).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        heads = _sqlite_heads(Path(parsed.database), url)
    else:
        db = Database.from_url(url)
        try:
            with db.read() as conn:
                heads = set(MigrationContext.configure(conn).get_current_heads())
        finally:
            db.dispose()
    if heads != set(ScriptDirectory(str(MIGRATIONS)).get_heads()):
        raise DatabaseMissing(
            f"the database at {readable(url)} is not at the current schema: "
            "run `treatycal migrate` for it"
        )


def _sqlite_heads(path: Path, url: str) -> set[str]:
    if not path.is_file():
        raise DatabaseMissing(f"there is no database at {readable(url)}")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:
        return set()


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


_JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
"""JSON columns through orjson: a bulk import encodes eight values per commitment, and every
read decodes them; the standard library's codec was a tenth of an import's time."""


def connect(url: str) -> Engine:
    """An engine for `url`, tuned for its backend; StoreError for a URL it cannot use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **_JSON_CODEC)
    raise StoreError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _sqlite(url: str) -> Engine:
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, **_JSON_CODEC
    )

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
    def read(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A read-only transaction; with `snapshot`, every statement in it sees the data as
        of its first (SQLite's read transactions always do; PostgreSQL's need REPEATABLE READ,
        as its default gives each statement a snapshot of its own)."""
        with _translated(), self.engine.connect() as raw:
            repeatable = snapshot and not self.is_sqlite
            conn = raw.execution_options(isolation_level="REPEATABLE READ") if repeatable else raw
            with conn.begin():
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

        It runs as a write, so two processes starting at once take turns: on SQLite the write
        lock does it, on PostgreSQL an advisory lock (one process creates the tables while
        the others wait, then find them made).
        """
        with self.write() as conn:
            if not self.is_sqlite:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def needs_migration(self) -> bool:
        script = ScriptDirectory(str(MIGRATIONS))
        with self.read() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        return set(current) != set(script.get_heads())

    def settle_after_import(self) -> None:
        """Ready the search indexes and the query planner for what a bulk import added.

        PostgreSQL's GIN indexes gather new entries in a pending list that every search reads
        through until autovacuum merges it, some time later: after 10,000 imported, a search
        for a word found nowhere took 34 ms instead of 4. The list is merged here, at a cost
        its size limit bounds (gin_pending_list_limit), in the indexes this role owns.

        PostgreSQL samples a bounded number of rows for statistics whatever the size. SQLite's
        sampled analysis (`analysis_limit`) counts no further than its sample: it told the
        planner that a thousand commitments shared the value all of them shared, at a million
        a thousandth of the truth; and `PRAGMA optimize` analyses only what the connection
        running it has queried, so a fresh database could be left with none. SQLite analyses
        in full instead, but only once the commitments have doubled or halved since it last
        did: imports that grow a database to N rows pay, all told, for at most twice one
        analysis of N. A SQLite connection reads statistics only when it opens, so the pooled
        ones are then let go for new ones that see them.
        """
        with self.write() as conn:
            if not self.is_sqlite:
                conn.exec_driver_sql(_MERGE_PENDING_SEARCH_ENTRIES)
            analysing = not self.is_sqlite or _stale_on_sqlite(conn)
            if analysing:
                conn.exec_driver_sql("ANALYZE")
        if analysing and self.is_sqlite and self.engine.url.database not in (None, ":memory:"):
            self.engine.dispose()

    def dispose(self) -> None:
        self.engine.dispose()


_MERGE_PENDING_SEARCH_ENTRIES = """
SELECT gin_clean_pending_list(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
WHERE i.indrelid = 'commitments'::regclass AND a.amname = 'gin'
  AND pg_has_role(c.relowner, 'USAGE')
"""


def _stale_on_sqlite(conn: Connection) -> bool:
    """Whether SQLite has never analysed, or the commitments have doubled or halved since."""
    held: int = conn.exec_driver_sql("SELECT count(*) FROM commitments").scalar_one()
    never = not conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).scalar()
    if never:
        return True
    seen = conn.exec_driver_sql(
        "SELECT stat FROM sqlite_stat1 WHERE tbl = 'commitments' AND idx IS NOT NULL LIMIT 1"
    ).scalar()
    analysed = int(seen.split()[0]) if seen else 0
    return held > 2 * analysed or held < analysed // 2


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except DataError as exc:
        raise InvalidInput(f"the database refused a value: {_first_line(exc)}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"database error: {exc.__class__.__name__}: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
