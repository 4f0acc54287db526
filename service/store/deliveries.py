"""Webhook deliveries: an outbox claimed with leases, every attempt logged."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    RowMapping,
    bindparam,
    func,
    or_,
    select,
    update,
)

from service.clock import Clock
from service.domain import Attempt, Delivery, DeliveryStatus, EventType, SubscriptionStatus
from service.errors import DeliveryNotFound, DeliveryNotRetryable, SubscriptionNotFound
from service.store.subscriptions import Subscriptions
from service.store.tables import attempts, deliveries, subscriptions
from service.store.types import UTCDateTime
from service.store.upsert import insert_new

_d = deliveries.c
_s = subscriptions.c
_PENDING = DeliveryStatus.PENDING.value
_SENDABLE = (
    _d.status == _PENDING,
    _s.status == SubscriptionStatus.ACTIVE.value,
    _s.deleted_at.is_(None),
)
"""A pending delivery whose endpoint takes messages (joined with its subscription)."""


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A message to queue; `source_key` + subscription make it unique (idempotent planning)."""

    subscription_id: str
    source_key: str
    event_type: EventType
    payload: str


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery leased to one sender until `locked_until`.

    After a rotation, `previous_secret` is the secret replaced, still to sign with until
    `previous_secret_until` (the grace period its receiver has to switch over).
    """

    id: int
    message_id: str
    subscription_id: str
    url: str
    secret: str
    payload: str
    attempt_count: int
    lease_token: str
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None

    def signing_secrets(self, at: datetime) -> tuple[str, ...]:
        """The secrets to sign with at `at`: the current one, and the replaced one in grace."""
        until = self.previous_secret_until
        if self.previous_secret is None or until is None or at >= until:
            return (self.secret,)
        return (self.secret, self.previous_secret)


INTERRUPTED = (
    "interrupted: no answer was recorded before the lease ran out (the sender stopped, or "
    "was still waiting); sent again"
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one attempt, and what to do next."""

    delivery_id: int
    lease_token: str
    subscription_id: str
    attempted_at: datetime
    latency_ms: float
    succeeded: bool
    status_code: int | None = None
    error: str | None = None
    retry_at: datetime | None = None
    disable_reason: str | None = None


class Deliveries:
    """The outbox in one transaction; `queued` says whether this one queued anything to send."""

    def __init__(self, conn: Connection, clock: Clock, subscriptions: Subscriptions) -> None:
        self._conn = conn
        self._clock = clock
        self._subscriptions = subscriptions
        self.queued = False

    def enqueue(self, items: Sequence[NewDelivery], now: datetime) -> None:
        rows = [
            {
                "message_id": f"msg_{secrets.token_hex(12)}",
                "subscription_id": item.subscription_id,
                "source_key": item.source_key,
                "event_type": item.event_type.value,
                "payload": item.payload,
                "status": _PENDING,
                "attempt_count": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for item in items
        ]
        insert_new(self._conn, deliveries, rows, ("source_key", "subscription_id"))
        self.queued = self.queued or bool(rows)

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
        """Lease up to `limit` deliveries that are due (claim in a short transaction of its own).

        A lease that ran out (its sender crashed) makes the delivery claimable again; the new
        lease token means a late answer from the old sender cannot overwrite the new one.
        """
        token = secrets.token_hex(8)
        candidates = self._conn.execute(
            select(_d.id, _d.locked_until)
            .join(subscriptions, _s.id == _d.subscription_id)
            .where(
                *_SENDABLE,
                _d.next_attempt_at <= now,
                or_(_d.locked_until.is_(None), _d.locked_until < now),
            )
            .order_by(_d.next_attempt_at, _d.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=deliveries)
        ).all()
        if not candidates:
            return []
        self._record_interrupted(
            [(row.id, row.locked_until) for row in candidates if row.locked_until], lease
        )
        leased = self._conn.execute(
            update(deliveries)
            .where(_d.id.in_([row.id for row in candidates]))
            .values(locked_until=now + lease, lease_token=token)
            .returning(_d.id, _d.message_id, _d.subscription_id, _d.payload, _d.attempt_count)
        ).all()
        targets = _targets(self._conn, {row.subscription_id for row in leased}, now)
        return [_claimed(row, targets[row.subscription_id], token) for row in leased]

    def _record_interrupted(self, lapsed: list[tuple[int, datetime]], lease: timedelta) -> None:
        """An attempt for each lease that ran out with no answer recorded: its sender stopped
        (a crash, a kill, a lost database) or is still waiting, and the message may have been
        on its way, so the log says so before the message is sent again."""
        if not lapsed:
            return
        rows = [
            {
                "delivery_id": delivery_id,
                "attempted_at": lapsed_at - lease,
                "status_code": None,
                "latency_ms": lease.total_seconds() * 1000,
                "error": INTERRUPTED,
            }
            for delivery_id, lapsed_at in lapsed
        ]
        self._conn.execute(attempts.insert(), rows)

    def settle(self, outcomes: Sequence[Outcome], give_up_after: timedelta) -> None:
        """Log every attempt and move each delivery on."""
        if not outcomes:
            return
        _lock_in_order(self._conn, {o.subscription_id for o in outcomes})
        self._conn.execute(attempts.insert(), [_attempt_row(o) for o in outcomes])
        self._conn.execute(_ADVANCE, [_advance_row(o) for o in outcomes])
        for subscription_id, mine in _by_subscription(outcomes).items():
            latest = max(mine, key=lambda o: o.attempted_at)
            succeeded = any(o.succeeded for o in mine)
            self._subscriptions.record_outcome(
                subscription_id, succeeded, latest.attempted_at, give_up_after
            )
            gone = next((o for o in mine if o.disable_reason), None)
            if gone is not None and gone.disable_reason:
                self._subscriptions.disable(subscription_id, gone.disable_reason, gone.attempted_at)

    def next_due(self) -> datetime | None:
        """When the next pending delivery becomes claimable (a retry, or a lapsed lease)."""
        pending = (
            select(func.min(func.coalesce(_d.locked_until, _d.next_attempt_at)))
            .join(subscriptions, _s.id == _d.subscription_id)
            .where(*_SENDABLE)
        )
        found: datetime | None = self._conn.scalar(pending)
        return found

    def of_subscription(self, subscription_id: str, limit: int, offset: int) -> list[Delivery]:
        """Its log, newest first; a deleted subscription's too, since the log is the record."""
        if not self._subscriptions.existed(subscription_id):
            raise SubscriptionNotFound(subscription_id)
        rows = list(
            self._conn.execute(
                select(deliveries)
                .where(_d.subscription_id == subscription_id)
                .order_by(_d.id.desc())
                .limit(limit)
                .offset(offset)
            ).mappings()
        )
        logged = _attempts(self._conn, [row["id"] for row in rows])
        return [_delivery(row, logged.get(row["id"], ())) for row in rows]

    def get(self, delivery_id: int) -> Delivery:
        query = select(deliveries).where(_d.id == delivery_id)
        row = self._conn.execute(query).mappings().first()
        if row is None:
            raise DeliveryNotFound(delivery_id)
        return _delivery(row, _attempts(self._conn, [delivery_id]).get(delivery_id, ()))

    def by_source(self, source_key: str, subscription_id: str) -> Delivery:
        """The delivery of one event to one subscription."""
        found = self._conn.scalar(
            select(_d.id).where(_d.source_key == source_key, _d.subscription_id == subscription_id)
        )
        if found is None:
            raise DeliveryNotFound(0)
        return self.get(found)

    def retry(self, delivery_id: int) -> Delivery:
        """Queue a delivery again now, with the same message id, whatever became of it.

        Refused for a deleted subscription's delivery. The subscription's row is locked first,
        as deleting takes it, so a deletion either sees this delivery pending or is seen here.
        """
        subscription_id = self._conn.scalar(select(_d.subscription_id).where(_d.id == delivery_id))
        if subscription_id is None:
            raise DeliveryNotFound(delivery_id)
        try:
            self._subscriptions.get(subscription_id, lock=True)
        except SubscriptionNotFound as exc:
            raise DeliveryNotRetryable(delivery_id, subscription_id) from exc
        self._conn.execute(
            update(deliveries)
            .where(_d.id == delivery_id)
            .values(
                status=_PENDING,
                next_attempt_at=self._clock(),
                locked_until=None,
                lease_token=None,
                completed_at=None,
            )
        )
        self.queued = True
        return self.get(delivery_id)

    def cancel_pending(self, subscription_id: str, reason: str, now: datetime) -> int:
        """Settle a subscription's pending deliveries as cancelled, leased ones included.

        Clearing the lease means a sender still holding one only logs its attempt.
        """
        return self._cancel(_d.subscription_id == subscription_id, reason, now)

    def cancel_orphaned(self, reason: str, now: datetime) -> int:
        """Cancel what is pending for subscriptions already deleted.

        A delivery planned in a transaction that began before the deletion committed slips
        past `cancel_pending`; nothing would ever send or settle it.
        """
        deleted = select(_s.id).where(_s.deleted_at.is_not(None))
        return self._cancel(_d.subscription_id.in_(deleted), reason, now)

    def _cancel(self, which: ColumnElement[bool], reason: str, now: datetime) -> int:
        cancelled = self._conn.execute(
            update(deliveries)
            .where(which, _d.status == _PENDING)
            .values(
                status=DeliveryStatus.CANCELLED.value,
                next_attempt_at=None,
                locked_until=None,
                lease_token=None,
                completed_at=now,
                last_error=reason,
            )
        )
        return cancelled.rowcount

    def release_expired(self, now: datetime, lease: timedelta) -> int:
        """Return leases whose holder went quiet (it crashed mid-send) to the queue, each
        recorded as an interrupted attempt."""
        lapsed = self._conn.execute(
            select(_d.id, _d.locked_until)
            .where(_d.status == _PENDING, _d.locked_until < now)
            .with_for_update(skip_locked=True)
        ).all()
        if not lapsed:
            return 0
        self._record_interrupted([(row.id, row.locked_until) for row in lapsed], lease)
        self._conn.execute(
            update(deliveries)
            .where(_d.id.in_([row.id for row in lapsed]))
            .values(locked_until=None, lease_token=None)
        )
        return len(lapsed)

    def backlog(self) -> tuple[int, datetime | None]:
        """Pending deliveries, and when the longest-waiting one that can be sent (its endpoint
        active: a paused one's messages wait on purpose) became due to be sent."""
        total = self._conn.scalar(select(func.count()).where(_d.status == _PENDING))
        oldest: datetime | None = self._conn.scalar(
            select(func.min(_d.next_attempt_at))
            .join(subscriptions, _s.id == _d.subscription_id)
            .where(*_SENDABLE)
        )
        return int(total or 0), oldest

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute(select(_d.status, func.count()).group_by(_d.status))
        return {str(status): int(count) for status, count in rows}


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a subscription is sent and what signs it; a replaced secret only in its grace."""

    url: str
    secret: str
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None


def _targets(conn: Connection, ids: set[str], now: datetime) -> dict[str, _Target]:
    if not ids:
        return {}
    columns = (_s.id, _s.url, _s.secret, _s.previous_secret, _s.previous_secret_until)
    found: dict[str, _Target] = {}
    for row in conn.execute(select(*columns).where(_s.id.in_(ids))):
        until = row.previous_secret_until
        in_grace = row.previous_secret is not None and until is not None and now < until
        found[row.id] = (
            _Target(row.url, row.secret, row.previous_secret, until)
            if in_grace
            else _Target(row.url, row.secret)
        )
    return found


def _claimed(row: Row[Any], target: _Target, token: str) -> Claimed:
    return Claimed(
        id=row.id,
        message_id=row.message_id,
        subscription_id=row.subscription_id,
        url=target.url,
        secret=target.secret,
        payload=row.payload,
        attempt_count=row.attempt_count,
        lease_token=token,
        previous_secret=target.previous_secret,
        previous_secret_until=target.previous_secret_until,
    )


def _lock_in_order(conn: Connection, subscription_ids: set[str]) -> None:
    """Lock subscription rows by id, before any delivery row, as deleting and retrying do.

    One order everywhere means two workers settling, or a settle and a delete, never deadlock.
    """
    conn.execute(
        select(_s.id)
        .where(_s.id.in_(subscription_ids))
        .order_by(_s.id)
        .with_for_update(key_share=True)
    )


def _attempt_row(outcome: Outcome) -> dict[str, object]:
    return {
        "delivery_id": outcome.delivery_id,
        "attempted_at": outcome.attempted_at,
        "status_code": outcome.status_code,
        "latency_ms": outcome.latency_ms,
        "error": outcome.error,
    }


_ADVANCE = (
    update(deliveries)
    .where(_d.id == bindparam("b_id"), _d.lease_token == bindparam("b_token"))
    .values(
        status=bindparam("b_status"),
        attempt_count=_d.attempt_count + 1,
        next_attempt_at=bindparam("b_next", type_=UTCDateTime()),
        completed_at=bindparam("b_completed", type_=UTCDateTime()),
        locked_until=None,
        lease_token=None,
        last_error=bindparam("b_error"),
    )
)
"""Move a delivery on after an attempt, unless its lease has since passed to another sender."""


def _advance_row(outcome: Outcome) -> dict[str, object]:
    if outcome.succeeded:
        status, next_at, completed = DeliveryStatus.SUCCEEDED, None, outcome.attempted_at
    elif outcome.retry_at is not None:
        status, next_at, completed = DeliveryStatus.PENDING, outcome.retry_at, None
    else:
        status, next_at, completed = DeliveryStatus.FAILED, None, outcome.attempted_at
    return {
        "b_id": outcome.delivery_id,
        "b_token": outcome.lease_token,
        "b_status": status.value,
        "b_next": next_at,
        "b_completed": completed,
        "b_error": None if outcome.succeeded else outcome.error,
    }


def _by_subscription(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.subscription_id, []).append(outcome)
    return grouped


def _attempts(conn: Connection, delivery_ids: list[int]) -> dict[int, tuple[Attempt, ...]]:
    if not delivery_ids:
        return {}
    rows = conn.execute(
        select(attempts).where(attempts.c.delivery_id.in_(delivery_ids)).order_by(attempts.c.id)
    ).mappings()
    found: dict[int, list[Attempt]] = {}
    for row in rows:
        found.setdefault(row["delivery_id"], []).append(
            Attempt(
                attempted_at=row["attempted_at"],
                status_code=row["status_code"],
                latency_ms=row["latency_ms"],
                error=row["error"],
            )
        )
    return {key: tuple(value) for key, value in found.items()}


def _delivery(row: RowMapping, logged: tuple[Attempt, ...]) -> Delivery:
    return Delivery(
        id=row["id"],
        message_id=row["message_id"],
        subscription_id=row["subscription_id"],
        event_type=EventType(row["event_type"]),
        status=DeliveryStatus(row["status"]),
        attempt_count=row["attempt_count"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
        last_error=row["last_error"],
        payload=json.loads(row["payload"]),
        attempts=logged,
    )
