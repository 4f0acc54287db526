"""Migrations build exactly the schema the code declares, on every backend, and unwind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import OperationalError

from service.store import Database, search
from service.store.engine import MIGRATIONS
from service.store.search import is_search_object
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
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, *_: not is_search_object(name)}
        )
        differences = compare_metadata(context, metadata)
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


def test_feeds_with_members_survive_the_upgrade_that_adds_private_feeds(empty_database: str):
    """0005 must alter `feeds` in place: rebuilding it would break feed_members' foreign key."""
    db = Database.from_url(empty_database)
    with db.engine.begin() as conn:
        command.upgrade(_config(conn), "0004")
        stamp = "2026-11-27 12:00:00+00:00"
        conn.execute(
            text(
                "INSERT INTO feeds (slug, title, description, origin, created_at, updated_at) "
                "VALUES ('arms-control', 'Arms control', '', 'feeds/arms-control.yaml', :t, :t)"
            ),
            {"t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO commitments (id, title, description, kind, status, due_value,"
                " parties, tags, sources, revision, created_at, updated_at)"
                " VALUES ('new-start-expiry', 'New START expires', '', 'treaty_expiry',"
                " 'occurred', '2026-02-05', '[]', '[]', '[]', 1, :t, :t)"
            ),
            {"t": stamp},
        )
        conn.execute(text("INSERT INTO feed_members VALUES ('arms-control', 'new-start-expiry')"))
    db.migrate()
    with db.read() as conn:
        row = conn.execute(text("SELECT private, selection, token_hash FROM feeds")).one()
        members = conn.execute(text("SELECT count(*) FROM feed_members")).scalar()
    db.dispose()
    assert (bool(row.private), row.selection, row.token_hash) == (False, None, None)
    assert members == 1


def test_subscriptions_with_deliveries_survive_the_upgrade_that_adds_secret_rotation(
    empty_database: str,
):
    """0006 must alter `subscriptions` in place, both ways: deliveries point at it."""
    db = Database.from_url(empty_database)
    stamp = "2026-12-02 12:00:00+00:00"
    with db.engine.begin() as conn:
        command.upgrade(_config(conn), "0005")
        conn.execute(
            text(
                "INSERT INTO subscriptions (id, url, description, secret, filter, event_types,"
                " status, created_at, created_by)"
                " VALUES ('sub_1', 'https://hooks.example.org/in', '', 'whsec_old', '{}', '[]',"
                " 'active', :t, 'test')"
            ),
            {"t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO deliveries (message_id, subscription_id, source_key, event_type,"
                " payload, status, attempt_count, created_at)"
                " VALUES ('msg_1', 'sub_1', 'ping:1', 'ping', '{}', 'pending', 0, :t)"
            ),
            {"t": stamp},
        )
    db.migrate()
    with db.read() as conn:
        row = conn.execute(
            text("SELECT secret, previous_secret, previous_secret_until FROM subscriptions")
        ).one()
    assert tuple(row) == ("whsec_old", None, None)
    with db.engine.begin() as conn:
        command.downgrade(_config(conn), "0005")
    columns = {c["name"] for c in inspect(db.engine).get_columns("subscriptions")}
    with db.read() as conn:
        kept = conn.execute(text("SELECT count(*) FROM deliveries")).scalar()
    db.dispose()
    assert "previous_secret" not in columns and "previous_secret_until" not in columns
    assert kept == 1


def test_the_search_index_is_rebuilt_without_positions_and_still_follows_writes(tmp_path: Path):
    """0017 makes SQLite's FTS5 table again under its name: what it held is indexed again,
    and the triggers, which name it, keep it up to date. Downgraded, phrases work again."""
    db = Database.from_url(f"sqlite:///{tmp_path / 'search.db'}")
    insert = text(
        "INSERT INTO commitments (id, title, description, kind, status, parties, tags, sources,"
        " revision, created_at, updated_at) VALUES (:id, :title, '', 'summit', 'scheduled',"
        " '[]', '[]', '[]', 1, '2026-12-04 12:00:00', '2026-12-04 12:00:00')"
    )
    found = text(
        "SELECT c.id FROM commitments_text JOIN commitments c ON c.rowid ="
        " commitments_text.rowid WHERE commitments_text MATCH :q ORDER BY c.id"
    )
    with db.engine.begin() as conn:
        command.upgrade(_config(conn), "0016")
        conn.execute(insert, {"id": "helsinki", "title": "Summit in Helsinki"})
    db.migrate()
    with db.engine.begin() as conn:
        conn.execute(insert, {"id": "geneva", "title": "Summit in Geneva"})
        held = [
            conn.execute(found, {"q": search.every_trigram(n)}).scalars().all()
            for n in ("helsinki", "summit", "geneva")
        ]
        with pytest.raises(OperationalError, match="phrase queries are not supported"):
            conn.execute(found, {"q": '"summit in"'})
    assert held == [["helsinki"], ["geneva", "helsinki"], ["geneva"]]
    with db.engine.begin() as conn:
        command.downgrade(_config(conn), "0016")
        phrase = conn.execute(found, {"q": '"summit in g"'}).scalars().all()
    db.dispose()
    assert phrase == ["geneva"]


def test_first_changes_are_written_out_again_by_the_downgrade_from_0018(empty_database: str):
    """0018 stores a first revision's changes as JSON null; its downgrade writes them out as
    the code before it stored them, and leaves later revisions' changes as they are."""
    db = Database.from_url(empty_database)
    db.migrate()
    snapshot = {"title": "Talks in Geneva", "due": {"value": "2027-04-01", "tz": None}}
    later = {"title": {"from": "Talks in Geneva", "to": "Talks in Bern"}}
    with db.engine.begin() as conn:
        _geneva_with_revisions(conn, [(None, snapshot), (later, snapshot)])
        command.downgrade(_config(conn), "0017")
        stored = conn.execute(
            text("SELECT CAST(changes AS TEXT) FROM revisions ORDER BY revision")
        ).scalars()
        written = [json.loads(changes) for changes in stored]
    db.dispose()
    first = {
        "title": {"from": None, "to": "Talks in Geneva"},
        "due": {"from": None, "to": {"value": "2027-04-01", "tz": None}},
    }
    assert written == [first, later]


def test_revisions_stored_before_0019_get_their_snapshots_kind(empty_database: str):
    """0019 copies each revision's kind out of its snapshot into the column the touching index
    filters by: a revision left with the default would never be found by kind."""
    db = Database.from_url(empty_database)
    with db.engine.begin() as conn:
        command.upgrade(_config(conn), "0018")
        _geneva_with_revisions(
            conn, [(None, {"title": "T", "kind": kind}) for kind in ("meeting", "summit")]
        )
        command.upgrade(_config(conn), "0019")
        kinds = conn.execute(text("SELECT kind FROM revisions ORDER BY revision")).scalars()
        assert list(kinds) == ["meeting", "summit"]
        command.downgrade(_config(conn), "0018")
        assert "kind" not in {c["name"] for c in inspect(conn).get_columns("revisions")}
    db.dispose()


def _geneva_with_revisions(conn: Connection, revisions: list[tuple[Any, dict[str, Any]]]) -> None:
    """A commitment 'geneva' with these revisions, 1 on, each (changes, snapshot), written as
    the schema of the time stores them: by SQL, not through the code of today."""
    conn.execute(
        text(
            "INSERT INTO commitments (id, title, description, kind, status, parties, tags,"
            " sources, revision, created_at, updated_at) VALUES ('geneva', 'Talks in Bern',"
            " '', 'meeting', 'scheduled', '[]', '[]', '[]', :n, '2026-12-04 12:00:00',"
            " '2026-12-04 12:00:00')"
        ),
        {"n": len(revisions)},
    )
    insert = text(
        "INSERT INTO revisions (commitment_id, revision, recorded_at, effective, actor,"
        " changes, snapshot, seq) VALUES ('geneva', :n, '2026-12-04 12:00:00', '2026-12-04',"
        " 'test', :changes, :snapshot, :n)"
    )
    for n, (changes, snapshot) in enumerate(revisions, start=1):
        values = {"n": n, "changes": json.dumps(changes), "snapshot": json.dumps(snapshot)}
        conn.execute(insert, values)
