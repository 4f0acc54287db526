"""event bytes: each commitment's VEVENT as rendered at a revision, joined into feeds

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_bytes",
        sa.Column("commitment_id", sa.String(length=100), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "render_key",
            sa.String(32),
            nullable=False,
            comment="the renderer's format, icalendar release and default alerts it was made with",
        ),
        sa.Column(
            "superseded_by",
            sa.String(length=100),
            nullable=False,
            comment="the commitment's superseded_by when rendered ('' for none): not revisioned",
        ),
        sa.Column(
            "ical", sa.LargeBinary(), nullable=False, comment="the VEVENT exactly as feeds hold it"
        ),
        sa.Column(
            "tzids", sa.String(400), nullable=False, comment="the TZIDs it names, space-separated"
        ),
        sa.Column(
            "first_day", sa.Date(), nullable=False, comment="first day it or an alarm touches"
        ),
        sa.Column("last_day", sa.Date(), nullable=False, comment="last day it touches"),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_event_bytes_commitment_id_commitments"),
        ),
        sa.PrimaryKeyConstraint(
            "commitment_id",
            "revision",
            "render_key",
            "superseded_by",
            name=op.f("pk_event_bytes"),
        ),
        comment="each event's rendered bytes, filled when a feed is built: a feed joins them",
    )


def downgrade() -> None:
    op.drop_table("event_bytes")
