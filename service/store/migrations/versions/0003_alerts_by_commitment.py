"""index alerts by commitment and status

Re-planning a commitment updates its pending alerts; without this index SQLite chose the
status index and scanned every pending alert, so bulk loads slowed as the table grew.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alerts_commitment_id_status"), ["commitment_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_commitment_id_status"))
