"""Subscribing, unsubscribing and test pings: the same rules for the API and the CLI."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from service.alerts.guard import Network, check_url
from service.alerts.payloads import ping_payload
from service.alerts.planner import Planner
from service.domain import Delivery, EventType, Subscription, SubscriptionCreate
from service.store import Deliveries, NewDelivery, Store


def subscribe(
    store: Store,
    planner: Planner,
    allow: Sequence[Network],
    data: SubscriptionCreate,
    actor: str,
) -> tuple[Subscription, str]:
    """Check the target, store the subscription; returns it and its secret (shown once).

    A subscription with offsets of its own changes which alerts exist, so the plan is redone
    in the same transaction.
    """
    check_url(data.url, allow)
    with store.db.write() as conn:
        created, secret = store.subscriptions.create(conn, data, actor)
        if created.offsets is not None:
            planner.replan_all_in(conn, store, f"subscription {created.id} added")
    return created, secret


def unsubscribe(store: Store, planner: Planner, subscription_id: str) -> Subscription:
    """Stop sending to it; its delivery log is kept."""
    with store.db.write() as conn:
        removed = store.subscriptions.delete(conn, subscription_id)
        if removed.offsets is not None:
            planner.replan_all_in(conn, store, f"subscription {removed.id} removed")
    return removed


def queue_ping(store: Store, subscription_id: str, now: datetime) -> Delivery:
    """A `ping` through the normal delivery path: signed, retried and logged."""
    key = f"ping:{secrets.token_hex(8)}"
    with store.db.write() as conn:
        store.subscriptions.get_in(conn, subscription_id)
        ping = NewDelivery(subscription_id, key, EventType.PING, ping_payload(subscription_id, now))
        Deliveries.enqueue(conn, [ping], now)
    return store.deliveries.by_source(key, subscription_id)
