"""Firing: alerts whose time has come become messages, or are settled with a reason.

Alerts that fell due while the service was down fire on start, marked late. When several
offsets of one commitment and one edge of its window fell due, only the latest is sent and the
older ones are recorded as superseded; when that edge itself passed more than a grace period
ago, the alert is recorded as skipped. Nothing is dropped without a row that says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby

from service.alerts.payloads import alert_payload, event_for
from service.alerts.planner import PlanningRules
from service.domain import (
    PLANNED_STATUSES,
    Alert,
    AlertStatus,
    Commitment,
    Due,
    Edge,
    Subscription,
    edge_key,
    edge_local,
)
from service.feeds import memberships
from service.store import NewDelivery, Settlement, Store


@dataclass(frozen=True, slots=True)
class Lateness:
    """When an alert counts as late, and how late is too late to send at all."""

    late_after: timedelta
    grace: timedelta


_MOVED = {Edge.START: "the due date has moved", Edge.END: "the end of the window has moved"}


@dataclass(frozen=True, slots=True)
class Decisions:
    settlements: list[Settlement]
    messages: list[NewDelivery]


def fire_due(
    store: Store, rules: PlanningRules, lateness: Lateness, now: datetime, limit: int = 500
) -> int:
    """Settle up to `limit` due alerts and queue their messages in one transaction."""
    with store.transaction() as tx:
        due = tx.alerts.claim_due(now, limit)
        if not due:
            return 0
        ids = {alert.commitment_id for alert in due}
        commitments = tx.commitments.many(ids)
        member = memberships(tx, ids)
        decided = decide(
            due,
            commitments,
            {commitment_id: member.of(c) for commitment_id, c in commitments.items()},
            tx.subscriptions.active(),
            rules,
            lateness,
            now,
        )
        tx.alerts.settle(decided.settlements, now)
        tx.deliveries.enqueue(decided.messages, now)
    return len(due)


def decide(
    due: Sequence[Alert],
    commitments: Mapping[str, Commitment],
    memberships: Mapping[str, set[str]],
    subscriptions: Sequence[Subscription],
    rules: PlanningRules,
    lateness: Lateness,
    now: datetime,
) -> Decisions:
    """What to do with each due alert (pure: the tests drive it directly)."""
    decided = Decisions([], [])
    ordered = sorted(due, key=lambda a: (a.commitment_id, a.fire_at, a.id))
    for commitment_id, group in groupby(ordered, key=lambda a: a.commitment_id):
        commitment = commitments[commitment_id]
        feeds = memberships.get(commitment_id, set())
        _decide_one(list(group), commitment, feeds, subscriptions, rules, lateness, now, decided)
    return decided


def _decide_one(
    alerts: list[Alert],
    commitment: Commitment,
    feeds: set[str],
    subscriptions: Sequence[Subscription],
    rules: PlanningRules,
    lateness: Lateness,
    now: datetime,
    decided: Decisions,
) -> None:
    due = commitment.due
    if due is None or commitment.status not in PLANNED_STATUSES:
        reason = f"the commitment is {commitment.status.value} and no longer dated"
        decided.settlements.extend(_all(alerts, AlertStatus.CANCELLED, reason))
        return
    for edge in Edge:
        key = edge_key(due, commitment.end, edge)
        mine = [a for a in alerts if a.edge is edge]
        stale = [a for a in mine if a.due_key != key]
        current = [a for a in mine if a.due_key == key]
        decided.settlements.extend(_all(stale, AlertStatus.CANCELLED, _MOVED[edge]))
        if current:
            _send_latest(
                current, commitment, due, feeds, subscriptions, rules, lateness, now, decided
            )


def _send_latest(
    current: list[Alert],
    commitment: Commitment,
    due: Due,
    feeds: set[str],
    subscriptions: Sequence[Subscription],
    rules: PlanningRules,
    lateness: Lateness,
    now: datetime,
    decided: Decisions,
) -> None:
    """Send the latest alert of one edge, unless that edge passed beyond the grace period."""
    edge = current[0].edge
    closed = _closed(due, commitment.end, edge, rules)
    if now - closed > lateness.grace:
        reason = f"the deadline passed at {closed:%Y-%m-%d %H:%M} UTC, beyond the grace period"
        decided.settlements.extend(_all(current, AlertStatus.SKIPPED, reason))
        return
    *older, latest = current
    superseded = f"superseded by the {latest.offset} alert, sent instead"
    decided.settlements.extend(_all(older, AlertStatus.SUPERSEDED, superseded))
    late_seconds = (now - latest.fire_at).total_seconds()
    late = late_seconds > lateness.late_after.total_seconds()
    decided.settlements.append(
        Settlement(latest.id, AlertStatus.FIRED, "late" if late else None, late_seconds)
    )
    offsets = commitment.effective_alerts(rules.default_alerts)
    event = event_for(latest)
    counted_to = edge_local(due, commitment.end, edge, rules.all_day_zone)
    payload = alert_payload(commitment, due, latest, counted_to, now, late)
    decided.messages.extend(
        NewDelivery(s.id, f"alert:{latest.id}", event, payload)
        for s in subscriptions
        if s.hears(event, commitment, feeds) and s.wants_offset(latest.offset, offsets)
    )


def _closed(due: Due, end: Due | None, edge: Edge, rules: PlanningRules) -> datetime:
    """When an edge has passed: the due window's close for the start, the end itself for the end."""
    if edge is Edge.START:
        return due.end_instant(rules.all_day_zone)
    return edge_local(due, end, edge, rules.all_day_zone).astimezone(UTC)


def _all(alerts: Sequence[Alert], status: AlertStatus, note: str) -> list[Settlement]:
    return [Settlement(alert.id, status, note) for alert in alerts]
