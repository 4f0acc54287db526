"""/admin: webhook subscriptions with their delivery log and its buttons, and the API keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from service.domain import DeliveryStatus, Scope, SubscriptionFilter
from service.web.deps import PAGE, CheckedForm, Editor, KeyHolder, PageApp
from service.web.format import kind_label, offset_text
from service.web.render import page

router = APIRouter(dependencies=PAGE, include_in_schema=False)

LOG_PAGE = 50
"""Deliveries shown per page of a subscription's log, newest first."""

NOTICES = {
    "tested": "A test event was queued; it shows in the delivery log below.",
    "retried": "The delivery was queued again and is being sent now.",
    "enabled": "The endpoint is enabled again; deliveries held while it was off are being sent.",
}
"""What a button's redirect says it did, by the `done` value it carries."""

RETRYABLE = frozenset({DeliveryStatus.FAILED, DeliveryStatus.PENDING})

DeliveryId = Annotated[int, Path(ge=1, le=2**62)]


def filter_words(where: SubscriptionFilter) -> str:
    """What a subscription hears, as a sentence: fields must all match, values any one."""
    parts = [
        f"{name} {' or '.join(values)}"
        for name, values in (
            ("kind", [kind_label(k) for k in where.kinds]),
            ("party", list(where.parties)),
            ("tag", list(where.tags)),
            ("feed", list(where.feeds)),
            ("commitment", list(where.ids)),
        )
        if values
    ]
    return "; ".join(parts) if parts else "every commitment"


def offsets_words(offsets: tuple[str, ...] | None) -> str:
    if offsets is None:
        return "each commitment's own"
    return ", ".join(offset_text(o) for o in offsets) or "none"


HELPERS: dict[str, Any] = {"hears": filter_words, "offsets_text": offsets_words}
"""The formatting functions these templates call."""


@router.get("/admin", summary="Webhook subscriptions and API keys")
def admin_page(request: Request, app: PageApp, session: KeyHolder) -> Response:
    keys = app.keys.all() if session.scope.allows(Scope.ADMIN) else None
    return page(
        request,
        "admin.html",
        title="Admin",
        subscriptions=app.subscriptions.all(),
        keys=keys,
        **HELPERS,
    )


@router.get("/admin/subscriptions/{subscription_id}", summary="One subscription and its log")
def subscription_page(
    request: Request,
    subscription_id: str,
    app: PageApp,
    session: KeyHolder,
    done: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    subscription = app.subscriptions.get(subscription_id)
    deliveries = app.subscriptions.deliveries(subscription_id, LOG_PAGE, offset)
    return page(
        request,
        "subscription.html",
        title=f"Webhook {subscription.description or subscription.url}",
        s=subscription,
        deliveries=deliveries,
        offset=offset,
        older=offset + LOG_PAGE if len(deliveries) == LOG_PAGE else None,
        notice=NOTICES.get(done),
        can_act=session.scope.allows(Scope.WRITE),
        retryable=RETRYABLE,
        **HELPERS,
    )


def _back(subscription_id: str, done: str) -> Response:
    """After a button: back to the subscription's page (303), saying what was done."""
    return RedirectResponse(f"/admin/subscriptions/{subscription_id}?done={done}", status_code=303)


@router.post("/admin/subscriptions/{subscription_id}/test")
def send_test(subscription_id: str, app: PageApp, session: Editor, form: CheckedForm) -> Response:
    app.subscriptions.ping(subscription_id)
    return _back(subscription_id, "tested")


@router.post("/admin/subscriptions/{subscription_id}/enable")
def enable(subscription_id: str, app: PageApp, session: Editor, form: CheckedForm) -> Response:
    app.subscriptions.enable(subscription_id)
    return _back(subscription_id, "enabled")


@router.post("/admin/deliveries/{delivery_id}/retry")
def retry(delivery_id: DeliveryId, app: PageApp, session: Editor, form: CheckedForm) -> Response:
    delivery = app.subscriptions.retry(delivery_id)
    return _back(delivery.subscription_id, "retried")
