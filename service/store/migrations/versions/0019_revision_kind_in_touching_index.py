"""revision kind in the touching index: a past day's commitments of some kinds, read by index

Matching an article's proposals reads the commitments then known of the proposal's kinds
whose windows meet its own. The kind was read from each revision's JSON snapshot, so the
index range gave every revision in the window and each was fetched and its snapshot parsed
to keep one in ten: at a million commitments a page of 500 elections took 80-200 ms, and
reading an article 4.2 s on PostgreSQL. Revisions now keep their snapshot's kind in a column
of their own, at the end of the touching index, so the index alone says which to read.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_TOUCHING = [
    *("span_class", "due_start", "commitment_id", "due_first_day", "touch_last_day"),
    *("effective", "in_force_until", "id"),
]


def upgrade() -> None:
    op.add_column(
        "revisions",
        sa.Column(
            "kind",
            sa.String(32),
            nullable=False,
            server_default="",
            comment="the snapshot's, so that the touching index can filter by it",
        ),
    )
    snapshot_kind = (
        "snapshot ->> 'kind'"
        if op.get_bind().dialect.name == "postgresql"
        else "json_extract(snapshot, '$.kind')"
    )
    op.execute(f"UPDATE revisions SET kind = {snapshot_kind}")  # noqa: S608
    op.drop_index("ix_revisions_touching", table_name="revisions")
    op.create_index("ix_revisions_touching", "revisions", [*_TOUCHING, "kind"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE revisions")  # the planner knows the new column from the start


def downgrade() -> None:
    op.drop_index("ix_revisions_touching", table_name="revisions")
    op.create_index("ix_revisions_touching", "revisions", _TOUCHING)
    op.drop_column("revisions", "kind")
