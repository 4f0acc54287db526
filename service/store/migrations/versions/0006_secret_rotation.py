"""webhook secret rotation: the replaced secret, and until when it still signs

Plain ADD COLUMN, not a batch rebuild: rebuilding `subscriptions` on SQLite would drop a table
that deliveries point at, which foreign keys refuse once deliveries exist.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column(
            "previous_secret",
            sa.String(length=100),
            nullable=True,
            comment="the secret the last rotation replaced, also signed with until the time below",
        ),
    )
    op.add_column("subscriptions", sa.Column("previous_secret_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35 and later), for the same reason as above.
    op.drop_column("subscriptions", "previous_secret_until")
    op.drop_column("subscriptions", "previous_secret")
