"""span classes: upcoming read a page at a time, through one index range per span class

A due is kept in a class by its span (a day, a month, a quarter, a year, longer), so that what
touches a period is read in page order (due_start, id) through an index on (span_class,
due_start, id) and stops at the page's end; revisions gain due_start to be read the same way
as they stood on a past day. This replaces the long_span flag, which was class "longer". And
lists, ordered by due with undated ones last, get a column `undated` and an index on exactly
that order, so a page of a list is read by a scan that stops at the page's end.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.domain import Due
from service.store.types import UTCDateTime
from service.store.windows import LONG, span_class, touch_columns

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_BATCH = 5_000
# The page order first, then what decides whether a row is listed: read from the index alone.
_COMMITMENTS_TOUCHING = [
    *("span_class", "due_start", "id", "due_first_day", "touch_last_day", "status"),
]
_REVISIONS_TOUCHING = [
    *("span_class", "due_start", "commitment_id", "due_first_day", "touch_last_day"),
    *("effective", "in_force_until", "id"),
]


def upgrade() -> None:
    for table in ("commitments", "revisions"):
        op.add_column(
            table,
            sa.Column(
                "span_class",
                sa.SmallInteger(),
                nullable=False,
                server_default="0",
                comment="0 a day, 1 a month, 2 a quarter, 3 a year, 4 longer: due to end",
            ),
        )
    op.add_column(
        "revisions",
        sa.Column("due_start", UTCDateTime(), nullable=True, comment="the snapshot's, in UTC"),
    )
    _fill_commitments()
    _fill_revisions()
    op.drop_index(op.f("ix_commitments_long_span_due_first_day"), table_name="commitments")
    op.drop_index(op.f("ix_revisions_long_span_due_first_day"), table_name="revisions")
    op.drop_column("commitments", "long_span")
    op.drop_column("revisions", "long_span")
    op.add_column(
        "commitments",
        sa.Column(
            "undated",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
            comment="listed last",
        ),
    )
    op.execute("UPDATE commitments SET undated = (due_start IS NULL)")
    op.drop_index(op.f("ix_commitments_due_start_id"), table_name="commitments")
    op.create_index(
        op.f("ix_commitments_undated_due_start_id"), "commitments", ["undated", "due_start", "id"]
    )
    op.create_index("ix_commitments_touching", "commitments", _COMMITMENTS_TOUCHING)
    op.create_index("ix_revisions_touching", "revisions", _REVISIONS_TOUCHING)


def _batches(table: str, *columns: sa.ColumnClause[Any]) -> Iterator[list[Any]]:
    """The rows of `table` in id order, a batch at a time, so memory stays flat at any size."""
    rows = sa.table(table, sa.column("id"), *columns)
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
    update = sa.text("UPDATE commitments SET span_class = :span_class WHERE id = :id")
    for batch in _batches(
        "commitments", sa.column("due_first_day", sa.Date()), sa.column("touch_last_day", sa.Date())
    ):
        values = [
            {"id": row.id, "span_class": span_class(row.due_first_day, row.touch_last_day)}
            for row in batch
            if row.due_first_day is not None
        ]
        if values:
            op.get_bind().execute(update, values)


def _fill_revisions() -> None:
    table = sa.table(
        "revisions",
        sa.column("id"),
        sa.column("due_start", UTCDateTime()),
        sa.column("span_class"),
    )
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values(due_start=sa.bindparam("start"), span_class=sa.bindparam("span"))
    )
    for batch in _batches("revisions", sa.column("snapshot")):
        values = []
        for row in batch:
            snapshot = row.snapshot if isinstance(row.snapshot, dict) else json.loads(row.snapshot)
            if snapshot.get("due") is None:
                continue
            due = Due.model_validate(snapshot["due"])
            end = Due.model_validate(snapshot["end"]) if snapshot.get("end") else None
            span = touch_columns(due, end)["span_class"]
            values.append({"row_id": row.id, "start": due.start_instant(), "span": span})
        if values:
            op.get_bind().execute(update, values)


def downgrade() -> None:
    op.drop_index("ix_revisions_touching", table_name="revisions")
    op.drop_index("ix_commitments_touching", table_name="commitments")
    op.drop_index(op.f("ix_commitments_undated_due_start_id"), table_name="commitments")
    op.drop_column("commitments", "undated")
    op.create_index(op.f("ix_commitments_due_start_id"), "commitments", ["due_start", "id"])
    for table in ("commitments", "revisions"):
        op.add_column(
            table,
            sa.Column("long_span", sa.Boolean(), nullable=False, server_default=sa.false()),
        )
        op.execute(f"UPDATE {table} SET long_span = (span_class = {LONG})")  # noqa: S608
    op.drop_column("revisions", "due_start")
    for table in ("commitments", "revisions"):
        op.drop_column(table, "span_class")
    op.create_index(
        op.f("ix_commitments_long_span_due_first_day"),
        "commitments",
        ["long_span", "due_first_day"],
    )
    op.create_index(
        op.f("ix_revisions_long_span_due_first_day"), "revisions", ["long_span", "due_first_day"]
    )
