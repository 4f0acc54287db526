"""Webhook subscriptions: subscribe, unsubscribe, enable, test pings and the delivery log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from service.alerts import check_url
from service.alerts.payloads import ping_payload
from service.app.context import Context
from service.domain import (
    UNSUBSCRIBED,
    Delivery,
    EventType,
    Subscription,
    SubscriptionCreate,
)
from service.store import NewDelivery

"""Why a deleted subscription's pending deliveries were cancelled, as their log says."""


@dataclass(frozen=True, slots=True)
class SecretRotated:
    """A new secret, shown this once, and until when the one it replaced still signs."""

    subscription: Subscription
    secret: str
    previous_secret_until: datetime


class Subscriptions:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def subscribe(self, data: SubscriptionCreate, actor: str) -> tuple[Subscription, str]:
        """Check the target, store the subscription; returns it and its secret (shown once).

        A subscription with offsets of its own changes which alerts exist, so the plan is
        redone in the same transaction.
        """
        check_url(data.url, self._ctx.settings.webhook_allow)
        with self._ctx.transaction() as tx:
            created, secret = tx.subscriptions.create(data, actor)
            if created.offsets is not None:
                reason = f"subscription {created.id} added"
                self._ctx.planner.replan_all(tx, reason, self._ctx.clock())
        return created, secret

    def unsubscribe(self, subscription_id: str) -> Subscription:
        """Stop sending to it; its delivery log is kept, what was pending is cancelled."""
        with self._ctx.transaction() as tx:
            removed = tx.subscriptions.delete(subscription_id)
            tx.deliveries.cancel_pending(subscription_id, UNSUBSCRIBED, self._ctx.clock())
            if removed.offsets is not None:
                reason = f"subscription {removed.id} removed"
                self._ctx.planner.replan_all(tx, reason, self._ctx.clock())
        return removed

    def enable(self, subscription_id: str) -> Subscription:
        """Send to it again (its endpoint is mended); deliveries held while disabled resume."""
        with self._ctx.transaction() as tx:
            return tx.subscriptions.enable(subscription_id)

    def rotate_secret(self, subscription_id: str) -> SecretRotated:
        """A new signing secret; the old one also signs for `webhook_secret_grace`."""
        until = self._ctx.clock() + self._ctx.settings.webhook_secret_grace
        with self._ctx.transaction() as tx:
            rotated, secret = tx.subscriptions.rotate_secret(subscription_id, until)
        return SecretRotated(rotated, secret, until)

    def ping(self, subscription_id: str) -> Delivery:
        """A `ping` through the normal delivery path: signed, retried and logged."""
        now = self._ctx.clock()
        key = f"ping:{secrets.token_hex(8)}"
        payload = ping_payload(subscription_id, now)
        with self._ctx.transaction() as tx:
            tx.subscriptions.get(subscription_id, lock=True)
            tx.deliveries.enqueue([NewDelivery(subscription_id, key, EventType.PING, payload)], now)
            return tx.deliveries.by_source(key, subscription_id)

    def retry(self, delivery_id: int) -> Delivery:
        """Queue a delivery again now, with the same message id, whatever became of it."""
        with self._ctx.transaction() as tx:
            return tx.deliveries.retry(delivery_id)

    def all(self) -> list[Subscription]:
        with self._ctx.read() as tx:
            return tx.subscriptions.all()

    def get(self, subscription_id: str) -> Subscription:
        with self._ctx.read() as tx:
            return tx.subscriptions.get(subscription_id)

    def deliveries(self, subscription_id: str, limit: int, offset: int) -> list[Delivery]:
        """Newest first, each with its attempts (time, HTTP status, latency, error)."""
        with self._ctx.read() as tx:
            return tx.deliveries.of_subscription(subscription_id, limit, offset)
