"""Planning: which alerts a commitment should have, and which subscribers hear of a change.

The application calls the planner inside the transaction that writes the commitment, so the
commitment, its alerts and its change messages commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from service.alerts.payloads import change_payload
from service.domain import (
    Change,
    Commitment,
    EventType,
    Kind,
    PlannedAlert,
    Status,
    Subscription,
    plan_alerts,
)
from service.feeds import Memberships, memberships
from service.store import NewDelivery, Tx


@dataclass(frozen=True, slots=True)
class PlanningRules:
    """The settings planning depends on."""

    default_alerts: Mapping[Kind, tuple[str, ...]]
    all_day_zone: ZoneInfo

    def fingerprint(self) -> str:
        """What the plans depend on in the settings, hashed: a start re-plans when it moves."""
        stated = {
            "default_alerts": {kind.value: sorted(o) for kind, o in self.default_alerts.items()},
            "all_day_zone": self.all_day_zone.key,
        }
        return hashlib.sha256(json.dumps(stated, sort_keys=True).encode()).hexdigest()

    def offsets_for(
        self, commitment: Commitment, subscriptions: Iterable[Subscription], feeds: Iterable[str]
    ) -> set[str]:
        """The commitment's own offsets, and those of subscribers who set their own."""
        offsets = set(commitment.effective_alerts(self.default_alerts))
        for subscription in subscriptions:
            if subscription.offsets is not None and subscription.filter.as_filter.matches(
                commitment, feeds
            ):
                offsets.update(subscription.offsets)
        return offsets


@dataclass(frozen=True, slots=True)
class Planner:
    """Keeps every commitment's alerts in step with it, in the transaction that changes it."""

    rules: PlanningRules

    def plan(self, tx: Tx, change: Change) -> None:
        """Re-plan the changed commitment's alerts and queue the change for its subscribers."""
        commitment = change.after
        subscriptions = tx.subscriptions.active()
        member = memberships(tx, [commitment.id])
        feeds = member.of(commitment)
        now = change.revision.recorded_at
        reason = f"re-planned by revision {change.revision.revision} ({change.event.value})"
        self._replan(tx, commitment, subscriptions, feeds, reason, now)
        before = change.before
        feeds_before = member.of(before) if before is not None else set()
        messages = _messages(change, subscriptions, feeds, feeds_before)
        if messages:
            tx.deliveries.enqueue(messages, now)

    def planning_created(self, tx: Tx, commitment_ids: Sequence[str]) -> CreatedPlans:
        """The plans of these commitments, about to be created, made as each one is
        (`CreatedPlans.add`) and stored with one insert of each kind (`CreatedPlans.store`):
        what `plan` does for each. What planning reads is read now, before they are written,
        so that a bulk write can plan each one while the database stores the ones before:
        `CreatedPlans.add` reads nothing."""
        return CreatedPlans(self, tx.subscriptions.active(), memberships(tx, commitment_ids))

    def replan_all(self, tx: Tx, reason: str, now: datetime) -> int:
        """Re-plan every commitment in `tx`; when a subscription's offsets change."""
        everything = tx.commitments.with_statuses(Status)
        self.replan(tx, everything, reason, now)
        return len(everything)

    def replan(self, tx: Tx, commitments: Sequence[Commitment], reason: str, now: datetime) -> None:
        """Re-plan these commitments, as read in `tx` (locked, for plans that cannot go stale)."""
        subscriptions = tx.subscriptions.active()
        member = memberships(tx, [c.id for c in commitments])
        for commitment in commitments:
            feeds = member.of(commitment)
            self._replan(tx, commitment, subscriptions, feeds, reason, now)

    def _replan(
        self,
        tx: Tx,
        commitment: Commitment,
        subscriptions: list[Subscription],
        feeds: set[str],
        reason: str,
        now: datetime,
    ) -> None:
        planned = self.planned(commitment, subscriptions, feeds)
        tx.alerts.replan(commitment.id, planned, now, reason)

    def planned(
        self, commitment: Commitment, subscriptions: list[Subscription], feeds: set[str]
    ) -> list[PlannedAlert]:
        offsets = self.rules.offsets_for(commitment, subscriptions, feeds)
        return plan_alerts(commitment, offsets, self.rules.all_day_zone)


class CreatedPlans:
    """The alerts and change messages of new commitments, gathered one change at a time."""

    def __init__(
        self, planner: Planner, subscriptions: list[Subscription], member: Memberships
    ) -> None:
        self._planner, self._subscriptions, self._member = planner, subscriptions, member
        self._planned: list[PlannedAlert] = []
        self._messages: list[NewDelivery] = []

    def add(self, change: Change) -> None:
        feeds = self._member.of(change.after)
        self._planned += self._planner.planned(change.after, self._subscriptions, feeds)
        self._messages += _messages(change, self._subscriptions, feeds, set())

    def store(self, tx: Tx, now: datetime) -> None:
        """Store what was added since the last `store`: a long run stores it batch by batch."""
        tx.alerts.plan_new(self._planned, now)
        if self._messages:
            tx.deliveries.enqueue(self._messages, now)
        self._planned, self._messages = [], []


def _messages(
    change: Change, subscriptions: list[Subscription], feeds: set[str], feeds_before: set[str]
) -> list[NewDelivery]:
    """The change's message to each subscriber who hears of it, as it is or as it was."""
    commitment, before = change.after, change.before
    event = EventType(change.event.value)
    hearing = [
        s
        for s in subscriptions
        if s.hears(event, commitment, feeds)
        or (before is not None and s.hears(event, before, feeds_before))
    ]
    if not hearing:
        return []
    payload = change_payload(event, commitment, change.revision)
    key = f"change:{commitment.id}:{change.revision.revision}"
    return [NewDelivery(s.id, key, event, payload) for s in hearing]
