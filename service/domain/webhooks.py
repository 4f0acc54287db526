"""Webhook subscriptions, the alerts planned for commitments, and their deliveries."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from service.domain.base import FROZEN, Kind, Line, Party, Slug, Status, Tag, UtcDatetime
from service.domain.commitments import Commitment
from service.domain.dues import Due
from service.domain.durations import AlertOffset, Edge, Offset
from service.domain.queries import CommitmentFilter


class EventType(StrEnum):
    DEADLINE_APPROACHING = "deadline.approaching"
    DEADLINE_REACHED = "deadline.reached"
    COMMITMENT_CREATED = "commitment.created"
    COMMITMENT_UPDATED = "commitment.updated"
    COMMITMENT_CANCELLED = "commitment.cancelled"
    PING = "ping"


SUBSCRIBABLE = tuple(t for t in EventType if t is not EventType.PING)
PLANNED_STATUSES = frozenset({Status.SCHEDULED, Status.TENTATIVE})
"""Only commitments still to come get alerts; occurred, cancelled and superseded ones do not."""


class SubscriptionFilter(BaseModel):
    """Which commitments a subscription hears about; an empty list means any."""

    model_config = FROZEN

    kinds: tuple[Kind, ...] = ()
    parties: tuple[Party, ...] = Field(default=(), max_length=60)
    tags: tuple[Tag, ...] = Field(default=(), max_length=30)
    feeds: tuple[Slug, ...] = Field(default=(), max_length=30)
    ids: tuple[Slug, ...] = Field(default=(), max_length=1000)

    @cached_property
    def as_filter(self) -> CommitmentFilter:
        """The one filter type every list, feed and subscription matches with."""
        return CommitmentFilter(
            kinds=self.kinds, parties=self.parties, tags=self.tags, feeds=self.feeds, ids=self.ids
        )


class SubscriptionCreate(BaseModel):
    """A webhook endpoint and what it wants to hear."""

    model_config = FROZEN

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    description: Annotated[Line, StringConstraints(max_length=500)] = ""
    filter: SubscriptionFilter = SubscriptionFilter()
    event_types: tuple[EventType, ...] = Field(default=SUBSCRIBABLE, min_length=1)
    offsets: tuple[Offset, ...] | None = Field(
        default=None,
        max_length=20,
        description="Alert offsets for this endpoint instead of each commitment's own: "
        "'P30D' before the start of the due window, 'P30D before end' before its end",
    )

    @field_validator("event_types")
    @classmethod
    def _subscribable(cls, types: tuple[EventType, ...]) -> tuple[EventType, ...]:
        if EventType.PING in types:
            raise ValueError("'ping' is sent by the test endpoint and cannot be subscribed to")
        return tuple(dict.fromkeys(types))


UNSUBSCRIBED = "the subscription was deleted"
"""Why a delivery still pending when its subscription was deleted was cancelled."""


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class Subscription(SubscriptionCreate):
    """A stored subscription. Its secret is never part of it: it is shown once, at creation."""

    id: str
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE
    disabled_reason: str | None = None
    disabled_at: UtcDatetime | None = None
    failing_since: UtcDatetime | None = None
    created_at: UtcDatetime
    created_by: str

    def hears(self, event: EventType, commitment: Commitment, feeds: Iterable[str]) -> bool:
        return event in self.event_types and self.filter.as_filter.matches(commitment, feeds)

    def wants_offset(self, offset: str, commitment_offsets: tuple[str, ...]) -> bool:
        return offset in (self.offsets if self.offsets is not None else commitment_offsets)


# ---------------------------------------------------------------------------- alerts


class AlertStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    SUPERSEDED = "superseded"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PlannedAlert:
    """One alert a commitment should have: unique per (commitment, offset, edge value).

    Made by `plan_alerts` from a valid commitment and an offset it parsed, with the time in
    UTC, so there is nothing left to check: a plain value, as a bulk import plans tens of
    thousands of them.
    """

    commitment_id: str
    offset: str
    due_key: str
    fire_at: datetime


def due_key(due: Due) -> str:
    """The due value an alert belongs to; a moved due is a new key, so new alerts."""
    return f"{due.value}@{due.tz}" if due.tz else due.value


def edge_key(due: Due, end: Due | None, edge: Edge) -> str:
    """The value an edge's alerts belong to: the due for the start; for the end, the `end`
    (read in the due's zone when it has no time of its own), else the due again."""
    if edge is Edge.START:
        return due_key(due)
    last = end or due
    zone = last.tz or due.tz
    return f"{last.value}@{zone}" if zone else last.value


def edge_local(due: Due, end: Due | None, edge: Edge, all_day_zone: ZoneInfo) -> datetime:
    """The moment alerts count back from, on its own wall clock: the window's earliest moment,
    or the moment it closes (the `end`'s, else the due's: the day after its last day)."""
    if edge is Edge.START:
        return due.start_local(all_day_zone)
    last = end or due
    if last.moment is not None:
        return last.moment
    zone = due.moment.tzinfo if due.moment is not None else all_day_zone
    return datetime.combine(last.last_day + timedelta(days=1), time(0), tzinfo=zone)


@lru_cache(maxsize=16_384)
def alert_time(due: Due, end: Due | None, offset: AlertOffset, all_day_zone: ZoneInfo) -> datetime:
    """When to warn, in UTC: counted back on the edge's own wall clock.

    A Berlin 09:00 deadline warned seven days ahead is warned at 09:00 Berlin time, across a
    change of clocks; a year-precision due counts back from 1 January, or from the next
    1 January for its end. Kept for the dues asked again: many commitments share a due and
    the offsets of their kind, and counting back was a tenth of a bulk import's Python.
    """
    edge = edge_local(due, end, offset.edge, all_day_zone)
    return offset.duration.before(edge).astimezone(UTC)


def plan_alerts(
    commitment: Commitment, offsets: Iterable[str], all_day_zone: ZoneInfo
) -> list[PlannedAlert]:
    """The alerts a commitment should have now; none unless it is still to come and dated."""
    due = commitment.due
    if due is None or commitment.status not in PLANNED_STATUSES:
        return []
    planned = []
    for offset in sorted(set(offsets)):
        parsed = AlertOffset.parse(offset)
        planned.append(
            PlannedAlert(
                commitment_id=commitment.id,
                offset=offset,
                due_key=edge_key(due, commitment.end, parsed.edge),
                fire_at=alert_time(due, commitment.end, parsed, all_day_zone),
            )
        )
    return planned


def days_before(due_start: datetime, moment: datetime) -> int:
    """Whole days from `moment` to the due's start (or an edge), on its own wall clock.

    A day counts only when it is complete: one minute before a 10:00 deadline is 0 days, and
    30 days before at the same wall time is 30, across a change of clocks too.
    """
    local = moment.astimezone(due_start.tzinfo)
    days = (due_start.date() - local.date()).days
    if local.time() > due_start.time():
        days -= 1
    return max(0, days)


# ---------------------------------------------------------------------------- deliveries


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    """Never to be sent: its subscription was deleted while it waited."""


class Attempt(BaseModel):
    """One try at delivering a message: every one is kept, so a duplicate is never silent."""

    model_config = FROZEN

    attempted_at: UtcDatetime
    status_code: int | None = None
    latency_ms: float
    error: str | None = None


class Delivery(BaseModel):
    """One message to one subscription; its message id stays the same across retries."""

    model_config = FROZEN

    id: int
    message_id: str
    subscription_id: str
    event_type: EventType
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: UtcDatetime | None = None
    created_at: UtcDatetime
    completed_at: UtcDatetime | None = None
    last_error: str | None = None
    payload: dict[str, Any]
    attempts: tuple[Attempt, ...] = ()


RETRY_DELAYS = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
"""Svix's schedule: the wait before attempt 1, 2, ... 8; after the eighth failure, give up."""

SLOW_DOWN = timedelta(seconds=60)
MAX_RETRY_AFTER = timedelta(hours=24)


class RetryRule(BaseModel):
    """When to try again after a failed attempt, or None when it is time to give up."""

    model_config = FROZEN

    failures: int = Field(ge=1, description="Failed attempts so far, this one included")
    slow_down: bool = Field(default=False, description="A timeout or 429: wait at least 60 s")
    retry_after: timedelta | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.retry_after is not None and self.retry_after < timedelta(0):
            raise ValueError("retry_after cannot be negative")
        return self

    def delay(self, rng: random.Random) -> timedelta | None:
        if self.failures >= len(RETRY_DELAYS):
            return None
        wait = RETRY_DELAYS[self.failures] * rng.uniform(0.8, 1.2)
        if self.slow_down:
            wait = max(wait, SLOW_DOWN)
        if self.retry_after is not None:
            wait = max(wait, min(self.retry_after, MAX_RETRY_AFTER))
        return wait


class Alert(BaseModel):
    """A planned or settled alert, as stored."""

    model_config = FROZEN

    id: int
    commitment_id: Slug
    offset: str = Field(description="'P30D' counts back from the start, 'P30D before end' the end")
    due_key: str = Field(description="The value of the edge counted from; a new one re-plans")
    fire_at: UtcDatetime
    status: AlertStatus
    note: str | None = None
    late_seconds: float | None = None
    settled_at: UtcDatetime | None = None

    @property
    def edge(self) -> Edge:
        """Which edge of the window this alert counts back from."""
        return AlertOffset.parse(self.offset).edge
