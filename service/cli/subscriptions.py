"""`subscriptions`: webhook endpoints, test pings and the delivery log, from the terminal."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from service.cli.common import DbOption, JsonOption, app, opened, settings_for
from service.cli.texttable import render_table
from service.domain import (
    SUBSCRIBABLE,
    Attempt,
    Delivery,
    DeliveryStatus,
    EventType,
    Kind,
    Subscription,
    SubscriptionCreate,
    SubscriptionFilter,
)

SubscriptionId = Annotated[
    str,
    typer.Argument(metavar="ID", help="The subscription's id, sub_… (see `subscriptions list`)"),
]

subscriptions_app = typer.Typer(no_args_is_help=True, help="Webhook endpoints for alerts.")
app.add_typer(subscriptions_app, name="subscriptions")


@subscriptions_app.command("create")
def create(
    url: Annotated[str, typer.Argument(help="https URL that receives signed webhooks")],
    description: Annotated[str, typer.Option(metavar="TEXT", help="What or who it is for")] = "",
    event: Annotated[
        list[EventType] | None,
        typer.Option(
            metavar="TYPE",
            help="Event types (repeatable; default: all but ping): "
            + ", ".join(t.value for t in SUBSCRIBABLE),
        ),
    ] = None,
    kind: Annotated[
        list[Kind] | None,
        typer.Option(
            metavar="KIND",
            help="Only these kinds (repeatable): " + ", ".join(k.value for k in Kind),
        ),
    ] = None,
    party: Annotated[
        list[str] | None, typer.Option(metavar="PARTY", help="Only these parties (repeatable)")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option(metavar="TAG", help="Only these tags (repeatable)")
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option(metavar="SLUG", help="Only commitments in these feeds (repeatable)"),
    ] = None,
    offset: Annotated[
        list[str] | None,
        typer.Option(
            metavar="DURATION",
            help="Own alert offsets (repeatable), e.g. P30D or 'P30D before end' "
            "(default: each commitment's)",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Register a webhook endpoint; its signing secret is printed once."""
    try:
        data = SubscriptionCreate(
            url=url,
            description=description,
            filter=SubscriptionFilter(
                kinds=tuple(kind or ()),
                parties=tuple(party or ()),
                tags=tuple(tag or ()),
                feeds=tuple(feed or ()),
            ),
            event_types=tuple(event)
            if event
            else SubscriptionCreate.model_fields["event_types"].default,
            offsets=tuple(offset) if offset else None,
        )
    except ValueError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    with opened(settings_for(db)) as use_cases:
        created, secret = use_cases.subscriptions.subscribe(data, "cli")
    typer.echo(secret)
    typer.echo(
        f"subscription {created.id} -> {created.url}: "
        "store the secret above now; it cannot be shown again",
        err=True,
    )


@subscriptions_app.command("list")
def list_all(as_json: JsonOption = False, db: DbOption = None) -> None:
    """The endpoints, without their secrets."""
    with opened(settings_for(db)) as use_cases:
        found = use_cases.subscriptions.all()
    if as_json:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in found], indent=2))
        return
    typer.echo(
        render_table(
            ("id", "status", "url", "events", "filter", "description"), [_row(s) for s in found]
        )
    )


def _row(subscription: Subscription) -> tuple[str, ...]:
    status = subscription.status.value
    if subscription.disabled_reason:
        status += f" ({subscription.disabled_reason})"
    events = ", ".join(e.value for e in subscription.event_types)
    return (
        subscription.id,
        status,
        subscription.url,
        events,
        _filter(subscription),
        subscription.description,
    )


def _filter(subscription: Subscription) -> str:
    """'kinds: summit; parties: RU, US', or 'everything'."""
    chosen = subscription.filter.model_dump(exclude_defaults=True)
    described = "; ".join(
        f"{name}: {', '.join(map(str, values))}" for name, values in chosen.items()
    )
    return described or "everything"


@subscriptions_app.command("delete")
def delete(subscription_id: SubscriptionId, db: DbOption = None) -> None:
    """Stop sending to an endpoint; its delivery log is kept."""
    with opened(settings_for(db)) as use_cases:
        removed = use_cases.subscriptions.unsubscribe(subscription_id)
    typer.echo(f"subscription {removed.id} deleted")


@subscriptions_app.command("enable")
def enable(subscription_id: SubscriptionId, db: DbOption = None) -> None:
    """Send to a disabled endpoint again; deliveries held meanwhile are sent."""
    with opened(settings_for(db)) as use_cases:
        enabled = use_cases.subscriptions.enable(subscription_id)
    typer.echo(f"subscription {enabled.id} is {enabled.status.value} again")


@subscriptions_app.command("rotate-secret")
def rotate_secret(subscription_id: SubscriptionId, db: DbOption = None) -> None:
    """Give an endpoint a new signing secret, printed once; the old one signs too for a while."""
    with opened(settings_for(db)) as use_cases:
        rotated = use_cases.subscriptions.rotate_secret(subscription_id)
    typer.echo(rotated.secret)
    typer.echo(
        f"subscription {rotated.subscription.id}: store the secret above now; it cannot be "
        "shown again. Deliveries are signed with the old secret as well until "
        f"{rotated.previous_secret_until:%Y-%m-%d %H:%M} UTC",
        err=True,
    )


@subscriptions_app.command("test")
def test(subscription_id: SubscriptionId, db: DbOption = None) -> None:
    """Queue a signed ping; a running engine (serve or worker) sends it within seconds."""
    with opened(settings_for(db)) as use_cases:
        queued = use_cases.subscriptions.ping(subscription_id)
    typer.echo(f"ping queued as delivery {queued.id}, message {queued.message_id}")


@subscriptions_app.command("deliveries")
def deliveries(
    subscription_id: SubscriptionId,
    limit: Annotated[
        int, typer.Option(min=1, max=500, metavar="N", help="How many, newest first")
    ] = 20,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Recent deliveries, newest first, with every attempt."""
    with opened(settings_for(db)) as use_cases:
        found = use_cases.subscriptions.deliveries(subscription_id, limit, 0)
    if as_json:
        typer.echo(json.dumps([d.model_dump(mode="json") for d in found], indent=2))
        return
    rows = [
        (
            str(d.id),
            d.event_type.value,
            d.status.value,
            str(d.attempt_count),
            _next_try(d),
            "; ".join(_attempt(a) for a in d.attempts),
        )
        for d in found
    ]
    typer.echo(render_table(("id", "event", "status", "tries", "next try", "attempts"), rows))


def _next_try(delivery: Delivery) -> str:
    """When a pending delivery is tried next, in UTC; nothing once it is settled."""
    if delivery.status is not DeliveryStatus.PENDING or delivery.next_attempt_at is None:
        return ""
    return f"{delivery.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"


def _attempt(attempt: Attempt) -> str:
    code = attempt.status_code or "-"
    said = f"{attempt.attempted_at:%H:%M:%S} {code} {attempt.latency_ms:.0f}ms"
    return f"{said} {attempt.error}" if attempt.error else said


@subscriptions_app.command("retry")
def retry(
    delivery_id: Annotated[
        int, typer.Argument(min=1, metavar="DELIVERY", help="The delivery's id (see `deliveries`)")
    ],
    db: DbOption = None,
) -> None:
    """Queue a delivery again now, under the same message id."""
    with opened(settings_for(db)) as use_cases:
        retried = use_cases.subscriptions.retry(delivery_id)
    typer.echo(f"delivery {retried.id} queued again (message {retried.message_id})")
