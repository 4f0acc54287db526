"""The schema. Alembic migrations in store/migrations create and evolve exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from service.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(100)

commitments = Table(
    "commitments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("due_value", String(32)),
    Column("due_tz", String(64)),
    Column("due_start", UTCDateTime, comment="earliest moment of the due window, in UTC"),
    Column("due_first_day", Date),
    Column("due_last_day", Date),
    Column("undated", Boolean, nullable=False, server_default=false(), comment="listed last"),
    Column("touch_last_day", Date, comment="the last day it touches: its end's, else its due's"),
    Column(
        "span_class",
        SmallInteger,
        nullable=False,
        server_default="0",
        comment="0 a day, 1 a month, 2 a quarter, 3 a year, 4 longer: due to end",
    ),
    Column("end_value", String(32)),
    Column("end_tz", String(64)),
    Column("parties", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("alerts", JSON, comment="null: the default offsets for the kind"),
    Column("due_rule", JSON, comment="a due that follows another commitment; null: stated"),
    Column("due_after", ID, comment="the commitment the due rule follows, to find dependents"),
    Column("supersedes", ID),
    Column("superseded_by", ID),
    Column("revision", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(
        "ix_commitments_touching",
        *("span_class", "due_start", "id", "due_first_day", "touch_last_day", "status"),
    ),
    Index(None, "undated", "due_start", "id"),
    Index(None, "kind", "undated", "due_start", "id"),
    Index(None, "status"),
    Index(None, "due_after"),
    Index(None, "supersedes"),
)

commitment_parties = Table(
    "commitment_parties",
    metadata,
    Column("commitment_id", ID, ForeignKey("commitments.id"), primary_key=True),
    Column("party", String(32), primary_key=True),
    Index(None, "party"),
)

commitment_tags = Table(
    "commitment_tags",
    metadata,
    Column("commitment_id", ID, ForeignKey("commitments.id"), primary_key=True),
    Column("tag", String(40), primary_key=True),
    Index(None, "tag"),
)

LISTED_ORDER = (commitments.c.undated, commitments.c.due_start, commitments.c.id)
"""How lists are ordered: by due, undated last, then id; its index serves a page by a scan."""

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("commitment_id", ID, ForeignKey("commitments.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("effective", Date, nullable=False, comment="when the change happened in the world"),
    Column("actor", String(200), nullable=False),
    Column("reason", Text),
    Column("source", JSON),
    Column(
        "changes",
        JSON,
        nullable=False,
        comment="each changed field, from and to; JSON null: a first revision, every field new",
    ),
    Column("snapshot", JSON, nullable=False, comment="the stated fields after this revision"),
    Column("seq", BigInteger, nullable=False, comment="place in commit order: the changes cursor"),
    Column("due_first_day", Date, comment="the snapshot's, to find what touched a period then"),
    Column("touch_last_day", Date, comment="the snapshot's last day touched"),
    Column("due_start", UTCDateTime, comment="the snapshot's, in UTC"),
    Column(
        "span_class",
        SmallInteger,
        nullable=False,
        server_default="0",
        comment="0 a day, 1 a month, 2 a quarter, 3 a year, 4 longer: due to end",
    ),
    Column(
        "in_force_until",
        Date,
        comment="the next revision's effective date: in force before it; null: the latest",
    ),
    Column(
        "kind",
        String(32),
        nullable=False,
        server_default="",
        comment="the snapshot's, so that the touching index can filter by it",
    ),
    UniqueConstraint("commitment_id", "revision"),
    Index(None, "effective"),
    Index(None, "seq", unique=True),
    Index(
        "ix_revisions_touching",
        *("span_class", "due_start", "commitment_id", "due_first_day", "touch_last_day"),
        *("effective", "in_force_until", "id", "kind"),
    ),
)

event_bytes = Table(
    "event_bytes",
    metadata,
    Column("commitment_id", ID, ForeignKey("commitments.id"), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column(
        "render_key",
        String(32),
        primary_key=True,
        comment="the renderer's format, icalendar release and default alerts it was made with",
    ),
    Column(
        "superseded_by",
        ID,
        primary_key=True,
        comment="the commitment's superseded_by when rendered ('' for none): not revisioned",
    ),
    Column("ical", LargeBinary, nullable=False, comment="the VEVENT exactly as feeds hold it"),
    Column("tzids", String(400), nullable=False, comment="the TZIDs it names, space-separated"),
    Column("first_day", Date, nullable=False, comment="first day it or an alarm touches"),
    Column("last_day", Date, nullable=False, comment="last day it touches"),
    comment="each event's rendered bytes, filled when a feed is built: a feed joins them",
)

feeds = Table(
    "feeds",
    metadata,
    Column("slug", String(100), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("origin", String(200), nullable=False, comment="the file it was loaded from, or 'api'"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column(
        "selection",
        JSON(none_as_null=True),
        comment="what a feed made through the API holds; null: listed",
    ),
    Column("private", Boolean, nullable=False, default=False),
    Column("token_hash", String(64), comment="SHA-256 of a private feed's token"),
    Index(None, "token_hash", unique=True),
)

feed_members = Table(
    "feed_members",
    metadata,
    Column("feed_slug", String(100), ForeignKey("feeds.slug"), primary_key=True),
    Column("commitment_id", ID, ForeignKey("commitments.id"), primary_key=True),
    Index(None, "commitment_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("scope", String(8), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True, comment="SHA-256 of the token"),
    Column("key_id", String(16), ForeignKey("api_keys.id")),
    Column("actor", String(300), nullable=False),
    Column("scope", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("ended_at", UTCDateTime),
)

service_secrets = Table(
    "service_secrets",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("last_seq", BigInteger, nullable=False, comment="the last revision's seq"),
    comment="one row, bumped by every write: rendered feeds are cached until it moves",
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("secret", String(100), nullable=False, comment="signing key: HMAC needs it in clear"),
    Column("filter", JSON, nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("offsets", JSON, comment="null: each commitment's own offsets"),
    Column("status", String(16), nullable=False),
    Column("disabled_reason", Text),
    Column("disabled_at", UTCDateTime),
    Column("failing_since", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("deleted_at", UTCDateTime),
    Column(
        "previous_secret",
        String(100),
        comment="the secret the last rotation replaced, also signed with until the time below",
    ),
    Column("previous_secret_until", UTCDateTime),
)

alert_plans = Table(
    "alert_plans",
    metadata,
    Column("id", Integer, primary_key=True, comment="always 1: one row"),
    Column(
        "rules",
        String(64),
        nullable=False,
        comment="fingerprint of the settings every pending alert was planned with",
    ),
    Column("planned_at", UTCDateTime, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("commitment_id", ID, ForeignKey("commitments.id"), nullable=False),
    Column("offset", String(40), nullable=False),
    Column("due_key", String(100), nullable=False),
    Column("fire_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text),
    Column("late_seconds", Float),
    Column("created_at", UTCDateTime, nullable=False),
    Column("settled_at", UTCDateTime),
    UniqueConstraint("commitment_id", "offset", "due_key"),
    Index(None, "status", "fire_at"),
    Index(None, "commitment_id", "status"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(40), nullable=False, unique=True),
    Column("subscription_id", String(40), ForeignKey("subscriptions.id"), nullable=False),
    Column("source_key", String(200), nullable=False, comment="alert:<id>, change:<id>:<rev>"),
    Column("event_type", String(40), nullable=False),
    Column("payload", Text, nullable=False, comment="the exact JSON text that is signed and sent"),
    Column("status", String(16), nullable=False),
    Column("attempt_count", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime),
    Column("locked_until", UTCDateTime),
    Column("lease_token", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime),
    Column("last_error", Text),
    UniqueConstraint("source_key", "subscription_id"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "subscription_id", "id"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("status_code", Integer),
    Column("latency_ms", Float, nullable=False),
    Column("error", Text),
    Index(None, "delivery_id"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text),
    Column("title", Text),
    Column("published", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column(
        "text_sha256", String(64), nullable=False, comment="finds the same article posted again"
    ),
    Column("mentions", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Index(None, "text_sha256"),
)

proposals = Table(
    "proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("body", JSON, nullable=False, comment="the proposal as extraction made it"),
    Column("decision", String(16), nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(200)),
    Column("reason", Text),
    Column("commitment_id", ID, ForeignKey("commitments.id")),
    UniqueConstraint("source_id", "position"),
    Index(None, "decision"),
)
