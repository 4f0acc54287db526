"""An alert says how late it is when it is delivered, not when it fired.

A message fired on time and delivered a minute and a half later (its worker crashed, or the
receiver was down) used to arrive saying `"late": false`, because its body was fixed when it
fired. The body is still stored once, but each attempt tells lateness and what is left as of
the moment it is sent, and signs those bytes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from service.alerts.delivery import Sender
from service.alerts.dispatcher import Lateness, fire_due
from service.alerts.payloads import alert_payload, as_sent
from service.alerts.planner import PlanningRules
from service.app import App, engine_settings
from service.domain import (
    Alert,
    AlertStatus,
    ChangeNote,
    Commitment,
    CommitmentCreate,
    SubscriptionCreate,
)
from service.settings import DEFAULT_ALERTS
from service.store import Claimed
from tests.support.receiver import Received, Receiver, verify_signature

RULES = PlanningRules(DEFAULT_ALERTS, ZoneInfo("UTC"))
LATENESS = Lateness(late_after=timedelta(seconds=60), grace=timedelta(days=1))
DUE = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
FIRE_AT = datetime(2027, 1, 30, 8, 0, tzinfo=UTC)  # P30D before 09:00 Berlin (UTC+1)


def _fired_message(app: App, receiver: Receiver) -> tuple[Claimed, dict]:
    """The P30D alert of a Berlin 09:00 deadline, fired on time, as a worker claims it."""
    data = SubscriptionCreate.model_validate(
        {"url": receiver.url, "event_types": ["deadline.approaching"]}
    )
    with app.context.store.transaction() as tx:
        tx.subscriptions.create(data, "test")
    commitment = {"id": "deadline", "title": "A deadline", "kind": "deadline"}
    create = CommitmentCreate.model_validate(commitment | {"due": _due(DUE), "alerts": ["P30D"]})
    with freeze_time(FIRE_AT - timedelta(days=1)):
        app.commitments.create(create, ChangeNote(), "test")
    assert fire_due(app.context.store, RULES, LATENESS, FIRE_AT) == 1
    [alert] = app.commitments.alerts("deadline")
    assert alert.status is AlertStatus.FIRED and alert.fire_at == FIRE_AT
    with app.context.store.transaction() as tx:
        [claimed] = tx.deliveries.claim(FIRE_AT, 10, timedelta(minutes=5))
    return claimed, json.loads(claimed.payload)["data"]


def _deliver(app: App, claimed: Claimed, at: datetime, receiver: Receiver) -> Received:
    policy = engine_settings(app.settings.model_copy(update={"webhook_allow": _LOOPBACK})).policy

    async def send() -> None:
        async with Sender(policy, _at(at), rng=random.Random(1)) as sender:
            outcome = await sender.send(claimed)
            assert outcome.succeeded, outcome.error

    asyncio.run(send())
    [got] = receiver.wait_for(1)
    return got


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


_LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.mark.parametrize(
    ("sent_after", "late", "days_left"),
    [
        (timedelta(milliseconds=300), False, 30),  # on time: days count from the fire time
        (timedelta(seconds=90), True, 29),  # late: counted from the moment it is sent
    ],
)
def test_a_delivery_tells_its_lateness_as_of_the_moment_it_is_sent(
    app: App, sent_after: timedelta, late: bool, days_left: int
):
    with Receiver().running() as receiver:
        claimed, stored = _fired_message(app, receiver)
        assert stored["late"] is False and stored["days_left"] == 30
        assert stored["edge_at"] == "2027-03-01T09:00:00+01:00"
        assert stored["edge_zone"] == "Europe/Berlin"
        got = _deliver(app, claimed, FIRE_AT + sent_after, receiver)

    data = json.loads(got.body)["data"]
    assert data["late"] is late
    assert data["late_by_seconds"] == (sent_after.total_seconds() if late else 0)
    assert data["days_left"] == days_left
    edge = DUE.astimezone(UTC)
    assert data["seconds_left"] == (edge - FIRE_AT - sent_after).total_seconds()
    assert {k: v for k, v in data.items() if k not in _TIMING} == {
        k: v for k, v in stored.items() if k not in _TIMING
    }
    assert got.headers["webhook-id"] == claimed.message_id
    assert verify_signature(claimed.secret, got)  # signed over the bytes as sent


_TIMING = {"late", "late_by_seconds", "days_left", "seconds_left"}


def test_whole_days_are_counted_on_the_deadlines_own_clock_across_a_change_of_clocks():
    """Sent late at 08:30 on 27 March in Berlin, the day before its clocks go forward, for
    09:00 on 31 March: on Berlin's clock that is 4 days and 30 minutes, so 4 whole days. On
    the fixed offset `edge_at` carries (+02:00) it would read 09:30, and only 3."""
    edge = datetime(2027, 3, 31, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    fire_at = datetime(2027, 3, 24, 8, 0, tzinfo=UTC)
    alert = Alert(
        id=1,
        commitment_id="c",
        offset="P7D",
        due_key="2027-03-31",
        fire_at=fire_at,
        status=AlertStatus.FIRED,
    )
    body = _payload_for(alert, edge)
    sent_at = datetime(2027, 3, 27, 7, 30, tzinfo=UTC)
    data = json.loads(as_sent(body, sent_at, timedelta(seconds=60))[0])["data"]
    assert data["late"] is True
    assert data["days_left"] == 4
    assert data["seconds_left"] == (edge - sent_at).total_seconds()


def test_a_body_stored_before_edges_were_recorded_goes_out_as_stored():
    stored = '{"type":"deadline.reached","timestamp":"2027-01-01T00:00:00Z","data":{"late":false}}'
    body, late_by = as_sent(stored, datetime(2027, 1, 1, 0, 5, tzinfo=UTC), timedelta(60))
    assert (body, late_by) == (stored, None)
    change = '{"type":"commitment.created","timestamp":"2027-01-01T00:00:00Z","data":{}}'
    assert as_sent(change, datetime(2027, 1, 2, tzinfo=UTC), timedelta(60)) == (change, None)


def _payload_for(alert: Alert, edge: datetime) -> str:
    commitment = Commitment.model_validate(
        {
            "id": "c",
            "title": "C",
            "kind": "deadline",
            "due": _due(edge),
            "revision": 1,
            "created_at": alert.fire_at,
            "updated_at": alert.fire_at,
        }
    )
    assert commitment.due is not None
    return alert_payload(commitment, commitment.due, alert, edge, alert.fire_at, late=False)


def _due(moment: datetime) -> dict[str, str]:
    return {"value": moment.strftime("%Y-%m-%dT%H:%M:%S"), "tz": "Europe/Berlin"}
