"""alert plans: the settings every pending alert was planned with, so a start need not re-plan

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.store.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_plans",
        sa.Column("id", sa.Integer(), nullable=False, comment="always 1: one row"),
        sa.Column(
            "rules",
            sa.String(64),
            nullable=False,
            comment="fingerprint of the settings every pending alert was planned with",
        ),
        sa.Column("planned_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_plans")),
    )


def downgrade() -> None:
    op.drop_table("alert_plans")
