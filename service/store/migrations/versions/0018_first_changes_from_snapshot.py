"""first changes from the snapshot: a first revision stores its changes as JSON null

A first revision's changes are every stated field of its snapshot, from nothing, so storing
them repeated the snapshot and made each revision row about twice the size it needs (3.8 KB
a row, a whole SQLite page, in a bulk import of 100,000). New first revisions store JSON null
there, and reads make the changes from the snapshot (`service.store.codec`). Rows already
stored keep their changes written out; both read the same. In the schema only the column's
comment changes, which says so (SQLite keeps no comments). A downgrade writes the changes of
first revisions out again, for the code before this one.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_BATCH = 5_000
_COMMENT = "each changed field, from and to; JSON null: a first revision, every field new"


def upgrade() -> None:
    _comment(_COMMENT)


def downgrade() -> None:
    revisions = sa.table(
        "revisions", sa.column("id"), sa.column("snapshot", sa.JSON()), sa.column("changes")
    )
    written = sa.text("UPDATE revisions SET changes = :changes WHERE id = :id")
    stored_null = sa.cast(revisions.c.changes, sa.Text) == "null"
    last = 0
    while batch := list(
        op.get_bind().execute(
            sa.select(revisions.c.id, revisions.c.snapshot)
            .where(revisions.c.id > last, stored_null)
            .order_by(revisions.c.id)
            .limit(_BATCH)
        )
    ):
        values = [{"id": row.id, "changes": _first_changes(row.snapshot)} for row in batch]
        op.get_bind().execute(written, values)
        last = batch[-1].id
    _comment(None)


def _first_changes(snapshot: dict[str, Any]) -> str:
    return json.dumps({name: {"from": None, "to": value} for name, value in snapshot.items()})


def _comment(comment: str | None) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "revisions",
            "changes",
            existing_type=sa.JSON(),
            existing_nullable=False,
            comment=comment,
        )
