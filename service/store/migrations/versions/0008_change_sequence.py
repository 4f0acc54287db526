"""revisions in commit order: a sequence number per revision, for /api/v1/changes

Each new revision takes the next number from `data_version.last_seq`, under the lock of the
data version's row, so the numbers follow commit order. Existing revisions are numbered by
their id: they are all committed, so any fixed order is a sound start.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "data_version",
        sa.Column(
            "last_seq",
            sa.BigInteger(),
            nullable=False,
            server_default="0",
            comment="the last revision's seq",
        ),
    )
    op.add_column(
        "revisions",
        sa.Column(
            "seq",
            sa.BigInteger(),
            nullable=True,
            comment="place in commit order: the changes cursor",
        ),
    )
    op.execute("UPDATE revisions SET seq = id")
    op.execute("UPDATE data_version SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM revisions)")
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(batch_op.f("ix_revisions_seq"), ["seq"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisions_seq"))
        batch_op.drop_column("seq")
    with op.batch_alter_table("data_version") as batch_op:
        batch_op.drop_column("last_seq")
