"""text search index: trigram FTS5 on SQLite, pg_trgm GIN on PostgreSQL, for `q`

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import string

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_FOLDED = "translate({column}, '" + string.ascii_uppercase + "', '" + string.ascii_lowercase + "')"
_SQLITE = (
    "CREATE VIRTUAL TABLE commitments_text USING fts5(title, description, content='commitments',"
    " content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER commitments_text_insert AFTER INSERT ON commitments BEGIN"
    " INSERT INTO commitments_text (rowid, title, description)"
    " VALUES (new.rowid, new.title, new.description); END",
    "CREATE TRIGGER commitments_text_delete AFTER DELETE ON commitments BEGIN"
    " INSERT INTO commitments_text (commitments_text, rowid, title, description)"
    " VALUES ('delete', old.rowid, old.title, old.description); END",
    "CREATE TRIGGER commitments_text_update AFTER UPDATE OF title, description ON commitments"
    " BEGIN INSERT INTO commitments_text (commitments_text, rowid, title, description)"
    " VALUES ('delete', old.rowid, old.title, old.description);"
    " INSERT INTO commitments_text (rowid, title, description)"
    " VALUES (new.rowid, new.title, new.description); END",
    "INSERT INTO commitments_text (commitments_text) VALUES ('rebuild')",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "description"):
        folded = _FOLDED.format(column=column)
        op.execute(
            f"CREATE INDEX ix_commitments_{column}_trigrams ON commitments"
            f" USING gin ({folded} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER commitments_text_{trigger}")
        op.execute("DROP TABLE commitments_text")
        return
    for column in ("title", "description"):
        op.execute(f"DROP INDEX ix_commitments_{column}_trigrams")
