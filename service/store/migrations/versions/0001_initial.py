"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from service.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_value", sa.String(length=32), nullable=True),
        sa.Column("due_tz", sa.String(length=64), nullable=True),
        sa.Column(
            "due_start",
            UTCDateTime(),
            nullable=True,
            comment="earliest moment of the due window, in UTC",
        ),
        sa.Column("due_first_day", sa.Date(), nullable=True),
        sa.Column("due_last_day", sa.Date(), nullable=True),
        sa.Column("end_value", sa.String(length=32), nullable=True),
        sa.Column("end_tz", sa.String(length=64), nullable=True),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column(
            "alerts", sa.JSON(), nullable=True, comment="null: the default offsets for the kind"
        ),
        sa.Column("supersedes", sa.String(length=100), nullable=True),
        sa.Column("superseded_by", sa.String(length=100), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    op.create_index(
        op.f("ix_commitments_due_start_id"), "commitments", ["due_start", "id"], unique=False
    )
    op.create_index(op.f("ix_commitments_kind"), "commitments", ["kind"], unique=False)
    op.create_index(op.f("ix_commitments_status"), "commitments", ["status"], unique=False)
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
        comment="one row, bumped by every write: rendered feeds are cached until it moves",
    )
    op.create_table(
        "feeds",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "origin",
            sa.String(length=200),
            nullable=False,
            comment="the file it was loaded from, or 'api'",
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_feeds")),
    )
    op.create_table(
        "commitment_parties",
        sa.Column("commitment_id", sa.String(length=100), nullable=False),
        sa.Column("party", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_commitment_parties_commitment_id_commitments"),
        ),
        sa.PrimaryKeyConstraint("commitment_id", "party", name=op.f("pk_commitment_parties")),
    )
    op.create_index(
        op.f("ix_commitment_parties_party"), "commitment_parties", ["party"], unique=False
    )
    op.create_table(
        "commitment_tags",
        sa.Column("commitment_id", sa.String(length=100), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_commitment_tags_commitment_id_commitments"),
        ),
        sa.PrimaryKeyConstraint("commitment_id", "tag", name=op.f("pk_commitment_tags")),
    )
    op.create_index(op.f("ix_commitment_tags_tag"), "commitment_tags", ["tag"], unique=False)
    op.create_table(
        "feed_members",
        sa.Column("feed_slug", sa.String(length=100), nullable=False),
        sa.Column("commitment_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_feed_members_commitment_id_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["feed_slug"], ["feeds.slug"], name=op.f("fk_feed_members_feed_slug_feeds")
        ),
        sa.PrimaryKeyConstraint("feed_slug", "commitment_id", name=op.f("pk_feed_members")),
    )
    op.create_index(
        op.f("ix_feed_members_commitment_id"), "feed_members", ["commitment_id"], unique=False
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("commitment_id", sa.String(length=100), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column(
            "effective", sa.Date(), nullable=False, comment="when the change happened in the world"
        ),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.JSON(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column(
            "snapshot", sa.JSON(), nullable=False, comment="the stated fields after this revision"
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_revisions_commitment_id_commitments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.UniqueConstraint(
            "commitment_id", "revision", name=op.f("uq_revisions_commitment_id_revision")
        ),
    )
    op.create_index(op.f("ix_revisions_effective"), "revisions", ["effective"], unique=False)
    data_version = sa.table(
        "data_version",
        sa.column("id", sa.Integer()),
        sa.column("version", sa.BigInteger()),
        sa.column("changed_at", UTCDateTime()),
    )
    op.bulk_insert(
        data_version, [{"id": 1, "version": 0, "changed_at": datetime(1970, 1, 1, tzinfo=UTC)}]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_revisions_effective"), table_name="revisions")
    op.drop_table("revisions")
    op.drop_index(op.f("ix_feed_members_commitment_id"), table_name="feed_members")
    op.drop_table("feed_members")
    op.drop_index(op.f("ix_commitment_tags_tag"), table_name="commitment_tags")
    op.drop_table("commitment_tags")
    op.drop_index(op.f("ix_commitment_parties_party"), table_name="commitment_parties")
    op.drop_table("commitment_parties")
    op.drop_table("feeds")
    op.drop_table("data_version")
    op.drop_index(op.f("ix_commitments_status"), table_name="commitments")
    op.drop_index(op.f("ix_commitments_kind"), table_name="commitments")
    op.drop_index(op.f("ix_commitments_due_start_id"), table_name="commitments")
    op.drop_table("commitments")
    op.drop_table("api_keys")
