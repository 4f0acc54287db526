"""Every setting, its default and its help, read from TREATYCAL_* variables or a .env file.

Built once in a composition root (the CLI, `create_app`) and passed down as a value.
"""

from __future__ import annotations

from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.domain import Kind, Offset, check_zone

DEFAULT_ALERTS: dict[Kind, tuple[str, ...]] = {
    Kind.TREATY_EXPIRY: ("P365D", "P180D", "P90D", "P30D", "P7D", "PT0S"),
    Kind.TREATY_IN_FORCE: ("P30D", "P7D", "PT0S"),
    Kind.TREATY_SIGNED: ("P7D", "PT0S"),
    Kind.TREATY_WITHDRAWAL: ("P90D", "P30D", "P7D", "PT0S"),
    Kind.DEADLINE: ("P30D", "P7D", "P1D", "PT0S"),
    Kind.SUMMIT: ("P30D", "P7D", "P1D"),
    Kind.MEETING: ("P7D", "P1D"),
    Kind.ELECTION: ("P30D", "P7D", "P1D"),
    Kind.CONFERENCE: ("P30D", "P7D"),
    Kind.REPORT: ("P7D", "P1D"),
    Kind.OTHER: ("P7D", "PT0S"),
}


def _zone(name: str) -> str:
    check_zone(name)
    return name


class Settings(BaseSettings):
    """treatycal's configuration. Each field is TREATYCAL_<NAME> in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="TREATYCAL_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default="sqlite:///treatycal.db",
        description="SQLAlchemy URL; postgresql+psycopg://user@host/db for several replicas",
    )
    host: str = Field(default="127.0.0.1", description="Address `serve` listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on")
    worker_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port `worker` serves /healthz, /readyz and /metrics on (on `host`); "
        "unset, the worker serves no HTTP",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL clients reach the service at (for feed links); "
        "http://HOST:PORT when unset",
    )
    feeds_dir: Path = Field(default=Path("feeds"), description="Folder of shipped feed YAML files")
    load_feeds_on_start: bool = Field(default=True, description="Load feeds_dir when serving")
    migrate_on_start: bool = Field(
        default=True,
        description="Bring the schema up to date when `serve` or `worker` starts; off, they "
        "refuse a database that is not current (a migration job runs `treatycal migrate`)",
    )
    admin_token: SecretStr | None = Field(
        default=None, description="A bearer token with admin scope (keep it out of logs)"
    )
    max_body_bytes: int = Field(default=1 << 20, ge=1024, description="Largest request body")
    max_bulk_body_bytes: int = Field(
        default=16 << 20,
        ge=1024,
        description="Largest request body for POST /api/v1/commitments/bulk",
    )
    auth_failure_limit: int = Field(
        default=20,
        ge=1,
        description="Failed authentications a client address may make in auth_failure_window "
        "before it gets 429 (a valid key is always let through)",
    )
    session_lifetime: timedelta = Field(
        default=timedelta(hours=12),
        gt=timedelta(0),
        description="How long a browser stays signed in to the pages",
    )
    auth_failure_window: timedelta = Field(
        default=timedelta(minutes=1), description="The window auth_failure_limit counts in"
    )
    feed_refresh_interval: timedelta = Field(
        default=timedelta(hours=6),
        description="REFRESH-INTERVAL and X-PUBLISHED-TTL advertised in feeds",
    )
    feed_version_ttl: timedelta = Field(
        default=timedelta(seconds=1),
        description="How long a replica trusts the data version it read before asking again "
        "(its own writes are seen at once; other processes' within this time)",
    )
    feed_max_age: timedelta = Field(
        default=timedelta(minutes=15), description="Cache-Control max-age on feed responses"
    )
    feed_memory_limit: int = Field(
        default=64_000_000,
        gt=0,
        description="Bytes of feeds kept in memory, bodies and their gzip, across all feeds",
    )
    feed_stream_above: int = Field(
        default=16_000_000,
        gt=0,
        description="A feed larger than this many bytes is streamed from the stored events "
        "instead of kept in memory",
    )
    all_day_zone: Annotated[str, AfterValidator(_zone)] = Field(
        default="UTC",
        description="Zone whose midnight starts an all-day due, for alert times",
    )
    webhook_allow: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = Field(
        default=(),
        description="Networks webhooks may reach although not public, comma-separated "
        "(e.g. 127.0.0.1/32,::1/128); plain http is then allowed for them too",
    )
    webhook_timeout: timedelta = Field(
        default=timedelta(seconds=15), description="How long to wait for a webhook receiver"
    )
    webhook_secret_grace: timedelta = Field(
        default=timedelta(hours=24),
        ge=timedelta(0),
        description="After a subscription's secret is rotated, how long deliveries are "
        "signed with the old secret as well as the new, so its receiver can switch over",
    )
    delivery_lease: timedelta = Field(
        default=timedelta(seconds=60),
        description="How long a claimed delivery is held before another worker may retry it",
    )
    delivery_batch: int = Field(default=200, ge=1, le=5000, description="Deliveries per claim")
    delivery_concurrency: int = Field(default=32, ge=1, le=1000, description="Requests in flight")
    late_after: timedelta = Field(
        default=timedelta(seconds=60), description="An alert sent later than this is marked late"
    )
    late_alert_grace: timedelta = Field(
        default=timedelta(days=1),
        description="Alerts found after their deadline passed by more than this are skipped",
    )
    engine_safety_interval: timedelta = Field(
        default=timedelta(seconds=2),
        description="How often the engine looks for work even when nothing woke it",
    )
    engine_listening_safety_interval: timedelta = Field(
        default=timedelta(seconds=30),
        description="On PostgreSQL, where every write wakes the workers at once (LISTEN/NOTIFY), "
        "how often they look for work anyway",
    )
    engine_maintenance_interval: timedelta = Field(
        default=timedelta(minutes=5), description="How often leases and plans are checked"
    )
    disable_failing_after: timedelta = Field(
        default=timedelta(days=5),
        description="A subscription whose deliveries fail this long is disabled",
    )
    auto_accept_confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Accept proposals from articles at or above this confidence without a "
        "person (dated ones that repeat nothing tracked); unset: a person decides every one",
    )
    extract_time_limit: timedelta = Field(
        default=timedelta(seconds=10),
        gt=timedelta(0),
        description="How long reading one posted article may take; past it the worker is "
        "replaced and the client gets 422, to split the article or send a shorter text",
    )
    extract_workers: int = Field(
        default=2, ge=1, le=64, description="Worker processes that read posted articles"
    )
    extract_max_quote_chars: int = Field(
        default=1000,
        ge=2,
        description="Longest sentence quoted in a mention or a proposal; a longer one is cut "
        "and ends in an ellipsis",
    )
    extract_max_mentions: int = Field(
        default=500, ge=1, description="Most dated mentions kept from one article (the first)"
    )
    extract_max_proposals: int = Field(
        default=100, ge=1, description="Most proposals made from one article (the first)"
    )
    default_alerts: dict[Kind, tuple[Offset, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_ALERTS),
        description="Alert offsets per kind, for commitments that set none "
        "('P30D' before the start, 'P30D before end' before the end of the window)",
    )

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @field_validator("webhook_allow", mode="before")
    @classmethod
    def _comma_separated(cls, given: object) -> object:
        if isinstance(given, str):
            return tuple(part.strip() for part in given.split(",") if part.strip())
        return given

    @model_validator(mode="after")
    def _lease_outlasts_timeout(self) -> Self:
        if self.delivery_lease <= self.webhook_timeout:
            raise ValueError(
                "delivery_lease must be longer than webhook_timeout, or a slow receiver "
                "would see the same message from two workers"
            )
        return self

    @field_validator("default_alerts")
    @classmethod
    def _over_defaults(cls, given: dict[Kind, tuple[str, ...]]) -> dict[Kind, tuple[str, ...]]:
        """Kinds a setting leaves out keep their built-in offsets."""
        return {**DEFAULT_ALERTS, **given}
