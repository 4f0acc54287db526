"""Webhook subscriptions: created with a secret shown once, disabled with a reason."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, RowMapping, select, update

from service.clock import Clock
from service.domain import Subscription, SubscriptionCreate, SubscriptionStatus
from service.errors import SubscriptionNotFound
from service.store.tables import subscriptions

_s = subscriptions.c
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class Subscriptions:
    """Webhook endpoints in one transaction; `resumed` says whether this one re-enabled one."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self.resumed = False

    def create(self, data: SubscriptionCreate, actor: str) -> tuple[Subscription, str]:
        """Store a subscription; returns it and its secret, which is not shown again."""
        secret = new_secret()
        stored = Subscription(
            **data.model_dump(),
            id=f"sub_{secrets.token_hex(8)}",
            created_at=self._clock(),
            created_by=actor,
        )
        self._conn.execute(subscriptions.insert().values({**_row(stored), "secret": secret}))
        return stored, secret

    def get(self, subscription_id: str, *, lock: bool = False) -> Subscription:
        """A subscription that is not deleted; `lock` holds its row until the transaction ends.

        Deleting it, retrying or pinging take that lock first, so a deletion cannot miss a
        delivery they queue meanwhile and leave it pending for ever.
        """
        query = select(subscriptions).where(_s.id == subscription_id, _s.deleted_at.is_(None))
        if lock:
            query = query.with_for_update(key_share=True)
        row = self._conn.execute(query).mappings().first()
        if row is None:
            raise SubscriptionNotFound(subscription_id)
        return _subscription(row)

    def existed(self, subscription_id: str) -> bool:
        """Whether it was ever created, deleted or not: a deleted one's delivery log is kept."""
        found = self._conn.scalar(select(_s.id).where(_s.id == subscription_id))
        return found is not None

    def all(self) -> list[Subscription]:
        rows = self._conn.execute(
            select(subscriptions).where(_s.deleted_at.is_(None)).order_by(_s.created_at, _s.id)
        ).mappings()
        return [_subscription(row) for row in rows]

    def active(self) -> list[Subscription]:
        rows = self._conn.execute(
            select(subscriptions).where(
                _s.status == SubscriptionStatus.ACTIVE.value, _s.deleted_at.is_(None)
            )
        ).mappings()
        return [_subscription(row) for row in rows]

    def delete(self, subscription_id: str) -> Subscription:
        """Stop it for good; it and its delivery log stay in the database for the record."""
        found = self.get(subscription_id, lock=True)
        self._conn.execute(
            update(subscriptions).where(_s.id == subscription_id).values(deleted_at=self._clock())
        )
        return found

    def rotate_secret(
        self, subscription_id: str, previous_until: datetime
    ) -> tuple[Subscription, str]:
        """Give it a new secret; returns it and the secret, which is not shown again.

        The secret replaced keeps signing alongside until `previous_until`, so the receiver
        can switch without a message it cannot verify; one replaced before it stops at once.
        """
        secret = new_secret()
        done = self._conn.execute(
            update(subscriptions)
            .where(_s.id == subscription_id, _s.deleted_at.is_(None))
            .values(previous_secret=_s.secret, previous_secret_until=previous_until, secret=secret)
        )
        if done.rowcount != 1:
            raise SubscriptionNotFound(subscription_id)
        return self.get(subscription_id), secret

    def disable(self, subscription_id: str, reason: str, now: datetime) -> None:
        self._conn.execute(
            update(subscriptions)
            .where(_s.id == subscription_id, _s.status == SubscriptionStatus.ACTIVE.value)
            .values(
                status=SubscriptionStatus.DISABLED.value, disabled_reason=reason, disabled_at=now
            )
        )

    def enable(self, subscription_id: str) -> Subscription:
        """Send to it again (its endpoint is mended); deliveries held while disabled resume."""
        self.get(subscription_id, lock=True)
        self._conn.execute(
            update(subscriptions)
            .where(_s.id == subscription_id)
            .values(
                status=SubscriptionStatus.ACTIVE.value,
                disabled_reason=None,
                disabled_at=None,
                failing_since=None,
            )
        )
        self.resumed = True
        return self.get(subscription_id)

    def record_outcome(
        self,
        subscription_id: str,
        succeeded: bool,
        now: datetime,
        give_up_after: timedelta,
    ) -> None:
        """Track how long an endpoint has been failing; disable it past `give_up_after`."""
        conn = self._conn
        if succeeded:
            conn.execute(
                update(subscriptions).where(_s.id == subscription_id).values(failing_since=None)
            )
            return
        since = conn.scalar(select(_s.failing_since).where(_s.id == subscription_id))
        if since is None:
            conn.execute(
                update(subscriptions).where(_s.id == subscription_id).values(failing_since=now)
            )
        elif now - since >= give_up_after:
            self.disable(
                subscription_id,
                f"every delivery has failed since {since:%Y-%m-%d %H:%M} UTC",
                now,
            )


def _row(subscription: Subscription) -> dict[str, object]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "description": subscription.description,
        "filter": subscription.filter.model_dump(mode="json"),
        "event_types": [t.value for t in subscription.event_types],
        "offsets": None if subscription.offsets is None else list(subscription.offsets),
        "status": subscription.status.value,
        "created_at": subscription.created_at,
        "created_by": subscription.created_by,
    }


def _subscription(row: RowMapping) -> Subscription:
    return Subscription.model_validate(
        {
            "id": row["id"],
            "url": row["url"],
            "description": row["description"],
            "filter": row["filter"],
            "event_types": row["event_types"],
            "offsets": row["offsets"],
            "status": row["status"],
            "disabled_reason": row["disabled_reason"],
            "disabled_at": row["disabled_at"],
            "failing_since": row["failing_since"],
            "created_at": row["created_at"],
            "created_by": row["created_by"],
        }
    )
