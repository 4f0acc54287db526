"""indexed windows: each due's last day touched, and each revision's span and end of force

Upcoming and as-of reads find what touches a period through an index on the first day (and
one on the last day for the few dues longer than a year), and the revision in force on a day
by the date the next one took effect, instead of reading every commitment or replaying history.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.domain import Due

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 5_000
_SHORT_SPAN = timedelta(days=366)


def _touch_columns(due: Due | None, end: Due | None) -> dict[str, Any]:
    """The bounds as this revision stored them (0013 turned long_span into span classes)."""
    if due is None:
        return {"touch_last_day": None, "long_span": False}
    last = end.last_day if end is not None else due.last_day
    return {"touch_last_day": last, "long_span": last - due.first_day > _SHORT_SPAN}


def upgrade() -> None:
    op.add_column(
        "commitments",
        sa.Column(
            "touch_last_day",
            sa.Date(),
            nullable=True,
            comment="the last day it touches: its end's, else its due's",
        ),
    )
    op.add_column(
        "commitments",
        sa.Column(
            "long_span",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
            comment="due to end spans more than a year: found by touch_last_day, not due_first_day",
        ),
    )
    op.add_column(
        "revisions",
        sa.Column(
            "due_first_day",
            sa.Date(),
            nullable=True,
            comment="the snapshot's, to find what touched a period then",
        ),
    )
    op.add_column(
        "revisions",
        sa.Column(
            "touch_last_day",
            sa.Date(),
            nullable=True,
            comment="the snapshot's last day touched",
        ),
    )
    op.add_column(
        "revisions", sa.Column("long_span", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "revisions",
        sa.Column(
            "in_force_until",
            sa.Date(),
            nullable=True,
            comment="the next revision's effective date: in force before it; null: the latest",
        ),
    )
    _fill_commitments()
    _fill_revisions()
    op.execute(
        "UPDATE revisions SET in_force_until = (SELECT later.effective FROM revisions later "
        "WHERE later.commitment_id = revisions.commitment_id "
        "AND later.revision = revisions.revision + 1)"
    )
    op.create_index(
        op.f("ix_commitments_long_span_due_first_day"),
        "commitments",
        ["long_span", "due_first_day"],
    )
    op.create_index(op.f("ix_commitments_supersedes"), "commitments", ["supersedes"])
    op.create_index(
        op.f("ix_revisions_long_span_due_first_day"), "revisions", ["long_span", "due_first_day"]
    )


def _due(data: Any) -> Due | None:
    return None if data is None else Due.model_validate(data)


def _batches(table: str, *columns: str) -> Iterator[list[Any]]:
    """The rows of `table` in id order, a batch at a time, so memory stays flat at any size."""
    rows = sa.table(table, sa.column("id"), *(sa.column(c) for c in columns))
    last: Any = None
    while True:
        query = sa.select(rows).order_by(rows.c.id).limit(_BATCH)
        if last is not None:
            query = query.where(rows.c.id > last)
        batch = list(op.get_bind().execute(query))
        if not batch:
            return
        yield batch
        last = batch[-1].id


def _fill_commitments() -> None:
    update = sa.text(
        "UPDATE commitments SET touch_last_day = :touch_last_day, long_span = :long_span "
        "WHERE id = :id"
    )
    for batch in _batches("commitments", "due_value", "due_tz", "end_value", "end_tz"):
        values = [
            {
                "id": row.id,
                **_touch_columns(
                    _due({"value": row.due_value, "tz": row.due_tz} if row.due_value else None),
                    _due({"value": row.end_value, "tz": row.end_tz} if row.end_value else None),
                ),
            }
            for row in batch
        ]
        op.get_bind().execute(update, values)


def _fill_revisions() -> None:
    update = sa.text(
        "UPDATE revisions SET due_first_day = :due_first_day, touch_last_day = :touch_last_day, "
        "long_span = :long_span WHERE id = :id"
    )
    for batch in _batches("revisions", "snapshot"):
        values = []
        for row in batch:
            snapshot = row.snapshot if isinstance(row.snapshot, dict) else json.loads(row.snapshot)
            due, end = _due(snapshot.get("due")), _due(snapshot.get("end"))
            first = due.first_day if due is not None else None
            values.append({"id": row.id, "due_first_day": first, **_touch_columns(due, end)})
        op.get_bind().execute(update, values)


def downgrade() -> None:
    op.drop_index(op.f("ix_revisions_long_span_due_first_day"), table_name="revisions")
    op.drop_index(op.f("ix_commitments_supersedes"), table_name="commitments")
    op.drop_index(op.f("ix_commitments_long_span_due_first_day"), table_name="commitments")
    # Dropped in place: a batch rebuild of `commitments` would break the keys that point at it.
    for column in ("in_force_until", "long_span", "touch_last_day", "due_first_day"):
        op.drop_column("revisions", column)
    for column in ("long_span", "touch_last_day"):
        op.drop_column("commitments", column)
