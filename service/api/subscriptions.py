"""/api/v1/subscriptions: webhook endpoints, their test events and their delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from service.api.deps import AppDep, Reader, Writer
from service.api.models import SubscriptionCreated, SubscriptionSecret
from service.api.problems import PROBLEM_RESPONSES
from service.domain import Delivery, Subscription, SubscriptionCreate

router = APIRouter(
    prefix="/api/v1/subscriptions", tags=["subscriptions"], responses=PROBLEM_RESPONSES
)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a webhook endpoint")
def create_subscription(
    app: AppDep, caller: Writer, body: SubscriptionCreate
) -> SubscriptionCreated:
    """The response carries the signing secret (`whsec_…`) once; it is never shown again.

    The URL must be https and resolve to a public address, unless TREATYCAL_WEBHOOK_ALLOW
    lists it. Deliveries are signed per Standard Webhooks (webhook-id, webhook-timestamp,
    webhook-signature).
    """
    created, secret = app.subscriptions.subscribe(body, caller.actor)
    return SubscriptionCreated(**created.model_dump(), secret=secret)


@router.get("", summary="The webhook endpoints")
def list_subscriptions(app: AppDep, caller: Reader) -> list[Subscription]:
    return app.subscriptions.all()


@router.get("/{subscription_id}", summary="One webhook endpoint")
def get_subscription(app: AppDep, caller: Reader, subscription_id: str) -> Subscription:
    return app.subscriptions.get(subscription_id)


@router.delete("/{subscription_id}", summary="Remove a webhook endpoint")
def delete_subscription(app: AppDep, caller: Writer, subscription_id: str) -> Subscription:
    """Nothing more is sent to it; deliveries still pending are cancelled.

    Its delivery log stays readable at /{subscription_id}/deliveries, though the endpoint
    itself is no longer listed or shown (404).
    """
    return app.subscriptions.unsubscribe(subscription_id)


@router.post("/{subscription_id}/enable", summary="Send to a disabled endpoint again")
def enable_subscription(app: AppDep, caller: Writer, subscription_id: str) -> Subscription:
    """After a 410 or days of failures: deliveries held while it was disabled are sent."""
    return app.subscriptions.enable(subscription_id)


@router.post("/{subscription_id}/secret", summary="Rotate an endpoint's signing secret")
def rotate_secret(app: AppDep, caller: Writer, subscription_id: str) -> SubscriptionSecret:
    """The response carries the new secret (`whsec_…`) once; it is never shown again.

    Until `previous_secret_until` (TREATYCAL_WEBHOOK_SECRET_GRACE after the rotation, a day
    by default) webhook-signature holds two signatures, space-separated: `v1,<new> v1,<old>`.
    A receiver holding either secret verifies, so it can switch over without losing a
    message. Rotating again ends the older secret's grace at once.
    """
    return SubscriptionSecret.of(app.subscriptions.rotate_secret(subscription_id))


@router.post(
    "/{subscription_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a signed ping event",
)
def test_subscription(app: AppDep, caller: Writer, subscription_id: str) -> Delivery:
    """Queues a `ping` through the normal delivery path: signed, retried and logged."""
    return app.subscriptions.ping(subscription_id)


@router.get("/{subscription_id}/deliveries", summary="Deliveries with every attempt")
def list_deliveries(
    app: AppDep,
    caller: Reader,
    subscription_id: str,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Delivery]:
    """Newest first; each with its attempts (time, HTTP status, latency, error).

    A deleted subscription's log stays readable here, while the subscription itself is gone
    from the list and from GET /subscriptions/{id} (404). Deleting it cancelled the
    deliveries then pending: status `cancelled`, with the reason in `last_error`.
    """
    return app.subscriptions.deliveries(subscription_id, limit, offset)


@router.post("/deliveries/{delivery_id}/retry", summary="Send a delivery again now")
def retry_delivery(
    app: AppDep, caller: Writer, delivery_id: Annotated[int, Path(ge=1, le=2**62)]
) -> Delivery:
    """Same message id, so a receiver that already has it can drop the duplicate.

    A delivery of a deleted subscription cannot be retried (409).
    """
    return app.subscriptions.retry(delivery_id)
