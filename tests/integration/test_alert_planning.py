"""Planning and firing alerts, on SQLite and PostgreSQL, with time frozen where it matters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from service.alerts.dispatcher import Lateness, fire_due
from service.alerts.planner import Planner, PlanningRules
from service.app import App
from service.domain import (
    AlertStatus,
    Change,
    ChangeNote,
    CommitmentCreate,
    CommitmentPatch,
    Kind,
    SubscriptionCreate,
)
from service.settings import DEFAULT_ALERTS
from service.store import Tx

RULES = PlanningRules(DEFAULT_ALERTS, ZoneInfo("UTC"))
LATENESS = Lateness(late_after=timedelta(seconds=60), grace=timedelta(days=1))
T0 = datetime(2027, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def planned(app: App) -> Iterator[App]:
    """The use cases, whose every commitment write plans its alerts."""
    assert app.context.planner.rules == RULES
    yield app


def _create(app: App, cid: str, due: str | dict, alerts: list[str] | None, **more: object):
    data = {"id": cid, "title": cid, "kind": "deadline", "due": due, "alerts": alerts} | more
    return app.commitments.create(CommitmentCreate.model_validate(data), ChangeNote(), "test")


def _subscribe(app: App, **fields: object) -> str:
    """A subscription stored as is (its made-up host is never resolved: nothing is sent)."""
    data = SubscriptionCreate.model_validate({"url": "https://hooks.example.org/in"} | fields)
    with app.context.store.transaction() as tx:
        created, _secret = tx.subscriptions.create(data, "test")
    return created.id


def _alerts(app: App, cid: str) -> list[tuple[str, str, datetime, AlertStatus]]:
    return [(a.offset, a.due_key, a.fire_at, a.status) for a in app.commitments.alerts(cid)]


def _deliveries(app: App, subscription_id: str) -> list[dict]:
    return [d.payload for d in reversed(app.subscriptions.deliveries(subscription_id, 500, 0))]


@dataclass(frozen=True, slots=True)
class _FailingAfterPlanning(Planner):
    """Plans as usual, then fails, as a later step of the same write could."""

    def plan(self, tx: Tx, change: Change) -> None:
        Planner.plan(self, tx, change)
        raise RuntimeError("a later step fails")


@freeze_time(T0)
def test_writing_a_commitment_plans_its_alerts_in_the_same_transaction(planned: App):
    _create(planned, "snapback-closes", "2027-03-01", ["P30D", "P7D", "PT0S"])
    assert _alerts(planned, "snapback-closes") == [
        ("P30D", "2027-03-01", datetime(2027, 1, 30, tzinfo=UTC), AlertStatus.PENDING),
        ("P7D", "2027-03-01", datetime(2027, 2, 22, tzinfo=UTC), AlertStatus.PENDING),
        ("PT0S", "2027-03-01", datetime(2027, 3, 1, tzinfo=UTC), AlertStatus.PENDING),
    ]

    planned.context.planner = _FailingAfterPlanning(RULES)
    with pytest.raises(RuntimeError):
        _create(planned, "never-stored", "2027-03-01", ["P7D"])
    with planned.context.store.read() as tx:
        assert tx.alerts.of_commitment("never-stored") == []


@freeze_time(T0)
def test_alerts_count_back_from_the_earliest_moment_on_the_deadlines_own_clock(planned: App):
    _create(planned, "new-start-2021", "2027", ["P30D"], kind="treaty_expiry")
    assert _alerts(planned, "new-start-2021")[0][2] == datetime(2026, 12, 2, tzinfo=UTC)
    berlin = {"value": "2027-04-01T09:00", "tz": "Europe/Berlin"}
    _create(planned, "berlin-9am", berlin, ["P7D", "PT0S"])
    fire = {offset: at for offset, _key, at, _status in _alerts(planned, "berlin-9am")}
    assert fire["P7D"] == datetime(2027, 3, 25, 8, tzinfo=UTC)  # 09:00 CET, before the change
    assert fire["PT0S"] == datetime(2027, 4, 1, 7, tzinfo=UTC)  # 09:00 CEST, after it


@freeze_time(T0)
def test_defaults_per_kind_apply_when_a_commitment_sets_none(planned: App):
    _create(planned, "summit", "2027-06-01", None, kind="summit")
    offsets = sorted(offset for offset, *_ in _alerts(planned, "summit"))
    assert offsets == sorted(DEFAULT_ALERTS[Kind.SUMMIT])


@freeze_time(T0)
def test_a_moved_due_replans_and_what_was_sent_is_not_sent_again(planned: App):
    subscriber = _subscribe(planned, event_types=["deadline.approaching", "deadline.reached"])
    _create(planned, "talks", "2027-01-20", ["P10D", "PT0S"])
    with freeze_time(datetime(2027, 1, 10, 0, 0, 30, tzinfo=UTC)):
        assert fire_due(planned.context.store, RULES, LATENESS, datetime.now(UTC)) == 1
    planned.commitments.patch(
        "talks", CommitmentPatch.model_validate({"due": "2027-02-20"}), ChangeNote(), "test"
    )
    assert _alerts(planned, "talks") == [
        ("P10D", "2027-01-20", datetime(2027, 1, 10, tzinfo=UTC), AlertStatus.FIRED),
        ("PT0S", "2027-01-20", datetime(2027, 1, 20, tzinfo=UTC), AlertStatus.CANCELLED),
        ("P10D", "2027-02-20", datetime(2027, 2, 10, tzinfo=UTC), AlertStatus.PENDING),
        ("PT0S", "2027-02-20", datetime(2027, 2, 20, tzinfo=UTC), AlertStatus.PENDING),
    ]
    cancelled = planned.commitments.alerts("talks")[1]
    assert cancelled.note == "re-planned by revision 2 (commitment.updated)"
    planned.commitments.patch(
        "talks", CommitmentPatch.model_validate({"due": "2027-01-20"}), ChangeNote(), "test"
    )
    with freeze_time(datetime(2027, 1, 11, tzinfo=UTC)):
        fire_due(planned.context.store, RULES, LATENESS, datetime.now(UTC))
    assert [p["data"]["offset"] for p in _deliveries(planned, subscriber)] == ["P10D"]


@freeze_time(T0)
def test_cancelling_cancels_pending_alerts_and_tells_subscribers(planned: App):
    subscriber = _subscribe(planned, event_types=["commitment.cancelled"])
    _create(planned, "summit", "2027-06-01", ["P7D"])
    planned.commitments.cancel("summit", ChangeNote(reason="postponed sine die"), "test")
    assert [status for *_, status in _alerts(planned, "summit")] == [AlertStatus.CANCELLED]
    (message,) = _deliveries(planned, subscriber)
    assert message["type"] == "commitment.cancelled"
    assert message["data"]["reason"] == "postponed sine die"
    assert message["data"]["changes"]["status"] == {"from": "scheduled", "to": "cancelled"}


@freeze_time(T0)
def test_a_subscriber_with_its_own_offsets_gets_exactly_those(planned: App):
    own = _subscribe(
        planned, offsets=["P1D"], filter={"parties": ["RU"]}, event_types=["deadline.approaching"]
    )
    everyone = _subscribe(planned, event_types=["deadline.approaching"])
    with planned.context.store.transaction() as tx:
        Planner(RULES).replan_all(tx, "subscription added", datetime.now(UTC))
    _create(planned, "ru-deadline", "2027-01-10", ["P7D"], parties=["RU"])
    _create(planned, "cn-deadline", "2027-01-10", ["P7D"], parties=["CN"])
    assert sorted(o for o, *_ in _alerts(planned, "ru-deadline")) == ["P1D", "P7D"]
    assert [o for o, *_ in _alerts(planned, "cn-deadline")] == ["P7D"]
    for day in (3, 9):
        with freeze_time(datetime(2027, 1, day, 0, 0, 5, tzinfo=UTC)):
            fire_due(planned.context.store, RULES, LATENESS, datetime.now(UTC))
    assert [
        (p["data"]["commitment"]["id"], p["data"]["offset"]) for p in _deliveries(planned, own)
    ] == [("ru-deadline", "P1D")]
    assert sorted(p["data"]["commitment"]["id"] for p in _deliveries(planned, everyone)) == [
        "cn-deadline",
        "ru-deadline",
    ]


@freeze_time(T0)
def test_after_downtime_only_the_latest_alert_is_sent_and_marked_late(planned: App):
    subscriber = _subscribe(planned, event_types=["deadline.approaching", "deadline.reached"])
    _create(planned, "expiry", "2027-02-01", ["P30D", "P7D", "P1D"])
    back_up = datetime(2027, 1, 27, 6, tzinfo=UTC)
    assert fire_due(planned.context.store, RULES, LATENESS, back_up) == 2
    statuses = {offset: status for offset, _key, _at, status in _alerts(planned, "expiry")}
    assert statuses == {
        "P30D": AlertStatus.SUPERSEDED,
        "P7D": AlertStatus.FIRED,
        "P1D": AlertStatus.PENDING,
    }
    (message,) = _deliveries(planned, subscriber)
    assert message["type"] == "deadline.approaching"
    assert message["data"]["late"] is True
    assert message["data"]["late_by_seconds"] == (2 * 24 + 6) * 3600
    assert message["data"]["days_left"] == 4  # 4 days and 18 hours: whole days only
    assert message["data"]["seconds_left"] == (4 * 24 + 18) * 3600
    superseded = planned.commitments.alerts("expiry")[0]
    assert superseded.note == "superseded by the P7D alert, sent instead"


@freeze_time(T0)
def test_alerts_for_a_deadline_long_past_are_recorded_as_skipped(planned: App):
    subscriber = _subscribe(planned)
    _create(planned, "old", "2027-01-05", ["P1D", "PT0S"])
    assert fire_due(planned.context.store, RULES, LATENESS, datetime(2027, 1, 9, tzinfo=UTC)) == 2
    settled = planned.commitments.alerts("old")
    assert {a.status for a in settled} == {AlertStatus.SKIPPED}
    assert settled[0].note is not None and "beyond the grace period" in settled[0].note
    assert [p["type"] for p in _deliveries(planned, subscriber)] == ["commitment.created"]


@freeze_time(T0)
def test_firing_is_idempotent_and_payloads_are_stored_once(planned: App):
    subscriber = _subscribe(planned, event_types=["deadline.reached"])
    _create(planned, "deadline", "2027-01-02", ["PT0S"])
    moment = datetime(2027, 1, 2, 0, 0, 1, tzinfo=UTC)
    assert fire_due(planned.context.store, RULES, LATENESS, moment) == 1
    assert fire_due(planned.context.store, RULES, LATENESS, moment) == 0
    (delivery,) = planned.subscriptions.deliveries(subscriber, 10, 0)
    assert delivery.payload["type"] == "deadline.reached"
    assert delivery.payload["data"]["late"] is False and delivery.payload["data"]["days_left"] == 0
    assert json.loads(json.dumps(delivery.payload)) == delivery.payload
