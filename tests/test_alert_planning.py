"""Planning and firing alerts, on SQLite and PostgreSQL, with time frozen where it matters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import Connection

from service.alerts.dispatcher import Lateness, fire_due
from service.alerts.planner import Planner, PlanningRules
from service.domain import (
    AlertStatus,
    ChangeNote,
    CommitmentCreate,
    CommitmentPatch,
    Kind,
    SubscriptionCreate,
)
from service.settings import DEFAULT_ALERTS
from service.store import Change, Store

RULES = PlanningRules(DEFAULT_ALERTS, ZoneInfo("UTC"))
LATENESS = Lateness(late_after=timedelta(seconds=60), grace=timedelta(days=1))
T0 = datetime(2027, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def planned(store: Store) -> Iterator[Store]:
    """The store with the planner listening, as every composition root wires it."""
    store.commitments.listeners.append(Planner(RULES))
    yield store


def _create(store: Store, cid: str, due: str | dict, alerts: list[str] | None, **more: object):
    data = {"id": cid, "title": cid, "kind": "deadline", "due": due, "alerts": alerts} | more
    return store.commitments.create(CommitmentCreate.model_validate(data), ChangeNote(), "test")


def _subscribe(store: Store, **fields: object) -> str:
    data = SubscriptionCreate.model_validate({"url": "https://hooks.example.org/in"} | fields)
    with store.db.write() as conn:
        created, _secret = store.subscriptions.create(conn, data, "test")
    return created.id


def _alerts(store: Store, cid: str) -> list[tuple[str, str, datetime, AlertStatus]]:
    return [(a.offset, a.due_key, a.fire_at, a.status) for a in store.alerts.of_commitment(cid)]


def _deliveries(store: Store, subscription_id: str) -> list[dict]:
    return [d.payload for d in reversed(store.deliveries.of_subscription(subscription_id, 500, 0))]


@freeze_time(T0)
def test_writing_a_commitment_plans_its_alerts_in_the_same_transaction(planned: Store):
    _create(planned, "snapback-closes", "2027-03-01", ["P30D", "P7D", "PT0S"])
    assert _alerts(planned, "snapback-closes") == [
        ("P30D", "2027-03-01", datetime(2027, 1, 30, tzinfo=UTC), AlertStatus.PENDING),
        ("P7D", "2027-03-01", datetime(2027, 2, 22, tzinfo=UTC), AlertStatus.PENDING),
        ("PT0S", "2027-03-01", datetime(2027, 3, 1, tzinfo=UTC), AlertStatus.PENDING),
    ]

    def refuse(conn: Connection, change: Change) -> None:
        raise RuntimeError("a later listener fails")

    planned.commitments.listeners.append(refuse)
    with pytest.raises(RuntimeError):
        _create(planned, "never-stored", "2027-03-01", ["P7D"])
    assert planned.alerts.of_commitment("never-stored") == []


@freeze_time(T0)
def test_alerts_count_back_from_the_earliest_moment_on_the_deadlines_own_clock(planned: Store):
    _create(planned, "new-start-2021", "2027", ["P30D"], kind="treaty_expiry")
    assert _alerts(planned, "new-start-2021")[0][2] == datetime(2026, 12, 2, tzinfo=UTC)
    berlin = {"value": "2027-04-01T09:00", "tz": "Europe/Berlin"}
    _create(planned, "berlin-9am", berlin, ["P7D", "PT0S"])
    fire = {offset: at for offset, _key, at, _status in _alerts(planned, "berlin-9am")}
    assert fire["P7D"] == datetime(2027, 3, 25, 8, tzinfo=UTC)  # 09:00 CET, before the change
    assert fire["PT0S"] == datetime(2027, 4, 1, 7, tzinfo=UTC)  # 09:00 CEST, after it


@freeze_time(T0)
def test_defaults_per_kind_apply_when_a_commitment_sets_none(planned: Store):
    _create(planned, "summit", "2027-06-01", None, kind="summit")
    offsets = sorted(offset for offset, *_ in _alerts(planned, "summit"))
    assert offsets == sorted(DEFAULT_ALERTS[Kind.SUMMIT])


@freeze_time(T0)
def test_a_moved_due_replans_and_what_was_sent_is_not_sent_again(planned: Store):
    subscriber = _subscribe(planned, event_types=["deadline.approaching", "deadline.reached"])
    _create(planned, "talks", "2027-01-20", ["P10D", "PT0S"])
    with freeze_time(datetime(2027, 1, 10, 0, 0, 30, tzinfo=UTC)):
        assert fire_due(planned, RULES, LATENESS, datetime.now(UTC)) == 1
    planned.commitments.patch(
        "talks", CommitmentPatch.model_validate({"due": "2027-02-20"}), ChangeNote(), "test"
    )
    assert _alerts(planned, "talks") == [
        ("P10D", "2027-01-20", datetime(2027, 1, 10, tzinfo=UTC), AlertStatus.FIRED),
        ("PT0S", "2027-01-20", datetime(2027, 1, 20, tzinfo=UTC), AlertStatus.CANCELLED),
        ("P10D", "2027-02-20", datetime(2027, 2, 10, tzinfo=UTC), AlertStatus.PENDING),
        ("PT0S", "2027-02-20", datetime(2027, 2, 20, tzinfo=UTC), AlertStatus.PENDING),
    ]
    cancelled = planned.alerts.of_commitment("talks")[1]
    assert cancelled.note == "re-planned by revision 2 (commitment.updated)"
    planned.commitments.patch(
        "talks", CommitmentPatch.model_validate({"due": "2027-01-20"}), ChangeNote(), "test"
    )
    with freeze_time(datetime(2027, 1, 11, tzinfo=UTC)):
        fire_due(planned, RULES, LATENESS, datetime.now(UTC))
    assert [p["data"]["offset"] for p in _deliveries(planned, subscriber)] == ["P10D"]


@freeze_time(T0)
def test_cancelling_cancels_pending_alerts_and_tells_subscribers(planned: Store):
    subscriber = _subscribe(planned, event_types=["commitment.cancelled"])
    _create(planned, "summit", "2027-06-01", ["P7D"])
    planned.commitments.cancel("summit", ChangeNote(reason="postponed sine die"), "test")
    assert [status for *_, status in _alerts(planned, "summit")] == [AlertStatus.CANCELLED]
    (message,) = _deliveries(planned, subscriber)
    assert message["type"] == "commitment.cancelled"
    assert message["data"]["reason"] == "postponed sine die"
    assert message["data"]["changes"]["status"] == {"from": "scheduled", "to": "cancelled"}


@freeze_time(T0)
def test_a_subscriber_with_its_own_offsets_gets_exactly_those(planned: Store):
    own = _subscribe(
        planned, offsets=["P1D"], filter={"parties": ["RU"]}, event_types=["deadline.approaching"]
    )
    everyone = _subscribe(planned, event_types=["deadline.approaching"])
    with planned.db.write() as conn:
        Planner(RULES).replan_all_in(conn, planned, "subscription added")
    _create(planned, "ru-deadline", "2027-01-10", ["P7D"], parties=["RU"])
    _create(planned, "cn-deadline", "2027-01-10", ["P7D"], parties=["CN"])
    assert sorted(o for o, *_ in _alerts(planned, "ru-deadline")) == ["P1D", "P7D"]
    assert [o for o, *_ in _alerts(planned, "cn-deadline")] == ["P7D"]
    for day in (3, 9):
        with freeze_time(datetime(2027, 1, day, 0, 0, 5, tzinfo=UTC)):
            fire_due(planned, RULES, LATENESS, datetime.now(UTC))
    assert [
        (p["data"]["commitment"]["id"], p["data"]["offset"]) for p in _deliveries(planned, own)
    ] == [("ru-deadline", "P1D")]
    assert sorted(p["data"]["commitment"]["id"] for p in _deliveries(planned, everyone)) == [
        "cn-deadline",
        "ru-deadline",
    ]


@freeze_time(T0)
def test_after_downtime_only_the_latest_alert_is_sent_and_marked_late(planned: Store):
    subscriber = _subscribe(planned, event_types=["deadline.approaching", "deadline.reached"])
    _create(planned, "expiry", "2027-02-01", ["P30D", "P7D", "P1D"])
    back_up = datetime(2027, 1, 27, 6, tzinfo=UTC)
    assert fire_due(planned, RULES, LATENESS, back_up) == 2
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
    assert message["data"]["days_left"] == 5
    superseded = planned.alerts.of_commitment("expiry")[0]
    assert superseded.note == "superseded by the P7D alert, sent instead"


@freeze_time(T0)
def test_alerts_for_a_deadline_long_past_are_recorded_as_skipped(planned: Store):
    subscriber = _subscribe(planned)
    _create(planned, "old", "2027-01-05", ["P1D", "PT0S"])
    assert fire_due(planned, RULES, LATENESS, datetime(2027, 1, 9, tzinfo=UTC)) == 2
    settled = planned.alerts.of_commitment("old")
    assert {a.status for a in settled} == {AlertStatus.SKIPPED}
    assert settled[0].note is not None and "beyond the grace period" in settled[0].note
    assert [p["type"] for p in _deliveries(planned, subscriber)] == ["commitment.created"]


@freeze_time(T0)
def test_firing_is_idempotent_and_payloads_are_stored_once(planned: Store):
    subscriber = _subscribe(planned, event_types=["deadline.reached"])
    _create(planned, "deadline", "2027-01-02", ["PT0S"])
    moment = datetime(2027, 1, 2, 0, 0, 1, tzinfo=UTC)
    assert fire_due(planned, RULES, LATENESS, moment) == 1
    assert fire_due(planned, RULES, LATENESS, moment) == 0
    (delivery,) = planned.deliveries.of_subscription(subscriber, 10, 0)
    assert delivery.payload["type"] == "deadline.reached"
    assert delivery.payload["data"]["late"] is False and delivery.payload["data"]["days_left"] == 0
    assert json.loads(json.dumps(delivery.payload)) == delivery.payload
