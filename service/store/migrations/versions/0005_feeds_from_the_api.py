"""feeds made through the API: a selection instead of members, and private tokens

Plain ADD COLUMN and a unique index, not a batch rebuild: rebuilding `feeds` on SQLite would
drop a table that feed_members points at, which foreign keys refuse once feeds exist.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "feeds",
        sa.Column(
            "selection",
            sa.JSON(),
            nullable=True,
            comment="what a feed made through the API holds; null: listed",
        ),
    )
    op.add_column(
        "feeds", sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "feeds",
        sa.Column(
            "token_hash",
            sa.String(length=64),
            nullable=True,
            comment="SHA-256 of a private feed's token",
        ),
    )
    op.create_index(op.f("ix_feeds_token_hash"), "feeds", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_feeds_token_hash"), table_name="feeds")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("token_hash")
        batch_op.drop_column("private")
        batch_op.drop_column("selection")
