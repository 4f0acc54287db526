"""due rules: a due that follows another commitment, and an index to find its dependents

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "commitments",
        sa.Column(
            "due_rule",
            sa.JSON(),
            nullable=True,
            comment="a due that follows another commitment; null: stated",
        ),
    )
    op.add_column(
        "commitments",
        sa.Column(
            "due_after",
            sa.String(100),
            nullable=True,
            comment="the commitment the due rule follows, to find dependents",
        ),
    )
    op.create_index(op.f("ix_commitments_due_after"), "commitments", ["due_after"])


def downgrade() -> None:
    op.drop_index(op.f("ix_commitments_due_after"), table_name="commitments")
    with op.batch_alter_table("commitments") as batch:
        batch.drop_column("due_after")
        batch.drop_column("due_rule")
