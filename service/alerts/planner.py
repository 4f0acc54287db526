"""Planning: which alerts a commitment should have, and which subscribers hear of a change.

The planner is a store listener, so it runs inside the transaction that writes the
commitment: the commitment, its alerts and its change messages commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from service.alerts.payloads import change_payload
from service.domain import Commitment, EventType, Kind, Status, Subscription, plan_alerts
from service.settings import Settings
from service.store import (
    Alerts,
    Change,
    Deliveries,
    Feeds,
    NewDelivery,
    Store,
    Subscriptions,
    after_commit,
)
from service.store.commitments import Commitments


@dataclass(frozen=True, slots=True)
class PlanningRules:
    """The settings planning depends on."""

    default_alerts: Mapping[Kind, tuple[str, ...]]
    all_day_zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> PlanningRules:
        return cls(settings.default_alerts, ZoneInfo(settings.all_day_zone))

    def offsets_for(
        self, commitment: Commitment, subscriptions: Iterable[Subscription], feeds: Iterable[str]
    ) -> set[str]:
        """The commitment's own offsets, and those of subscribers who set their own."""
        offsets = set(commitment.effective_alerts(self.default_alerts))
        for subscription in subscriptions:
            if subscription.offsets is not None and subscription.filter.matches(commitment, feeds):
                offsets.update(subscription.offsets)
        return offsets


@dataclass(slots=True)
class Planner:
    """Keeps every commitment's alerts in step with it, in the same transaction."""

    rules: PlanningRules
    on_planned: list[Callable[[], None]] = field(default_factory=list)

    def __call__(self, conn: Connection, change: Change) -> None:
        commitment = change.after
        subscriptions = Subscriptions.active(conn)
        memberships = Feeds.memberships(conn, [commitment.id])
        feeds = memberships.of(commitment)
        now = change.revision.recorded_at
        reason = f"re-planned by revision {change.revision.revision} ({change.event.value})"
        self._replan(conn, commitment, subscriptions, feeds, reason, now)
        event = EventType(change.event.value)
        before = change.before
        feeds_before = memberships.of(before) if before is not None else set()
        hearing = [
            s
            for s in subscriptions
            if s.hears(event, commitment, feeds)
            or (before is not None and s.hears(event, before, feeds_before))
        ]
        if hearing:
            payload = change_payload(event, commitment, change.revision)
            key = f"change:{commitment.id}:{change.revision.revision}"
            messages = [NewDelivery(s.id, key, event, payload) for s in hearing]
            Deliveries.enqueue(conn, messages, now)
        self._announce(conn)

    def replan_all(self, store: Store, reason: str) -> int:
        """Re-plan every commitment, in one transaction; run at start and when offsets change."""
        with store.db.write() as conn:
            return self.replan_all_in(conn, store, reason)

    def replan_all_in(self, conn: Connection, store: Store, reason: str) -> int:
        now = store.clock()
        subscriptions = Subscriptions.active(conn)
        everything = Commitments.with_statuses(conn, Status)
        memberships = Feeds.memberships(conn, [c.id for c in everything])
        for commitment in everything:
            feeds = memberships.of(commitment)
            self._replan(conn, commitment, subscriptions, feeds, reason, now)
        self._announce(conn)
        return len(everything)

    def _replan(
        self,
        conn: Connection,
        commitment: Commitment,
        subscriptions: list[Subscription],
        feeds: set[str],
        reason: str,
        now: datetime,
    ) -> None:
        offsets = self.rules.offsets_for(commitment, subscriptions, feeds)
        planned = plan_alerts(commitment, offsets, self.rules.all_day_zone)
        Alerts.replan(conn, commitment.id, planned, now, reason)

    def _announce(self, conn: Connection) -> None:
        for callback in self.on_planned:
            after_commit(conn, callback)
