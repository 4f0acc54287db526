"""The engine itself: one wake-up job armed at the next due moment, and replicas that share."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from service.alerts.engine import Engine
from service.app import App
from service.domain import ChangeNote, CommitmentCreate, SubscriptionCreate
from service.settings import Settings
from service.store.tables import deliveries
from tests.support.receiver import Received, Receiver, verify_signature


def _settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        load_feeds_on_start=False,
        webhook_allow="127.0.0.1/32",
        webhook_timeout=timedelta(seconds=2),
        delivery_lease=timedelta(seconds=5),
        delivery_batch=25,
        engine_safety_interval=timedelta(seconds=30),
    )


@pytest.fixture
def runtimes(database_url: str) -> Iterator[tuple[App, App]]:
    """Two apps on one database: two replicas, each with its own engine and connections."""
    first = App.open(_settings(database_url))
    second = App.open(_settings(database_url))
    yield first, second
    first.close()
    second.close()


def _track(runtime: App, cid: str, due: datetime, offsets: list[str]) -> None:
    data = CommitmentCreate.model_validate(
        {
            "id": cid,
            "title": cid,
            "kind": "deadline",
            "due": {"value": due.strftime("%Y-%m-%dT%H:%M:%S"), "tz": "UTC"},
            "alerts": offsets,
        }
    )
    runtime.commitments.create(data, ChangeNote(), "test")


def _subscribe(runtime: App, url: str) -> str:
    data = SubscriptionCreate(url=url, event_types=("deadline.reached",))
    _subscription, secret = runtime.subscriptions.subscribe(data, "test")
    return secret


def test_the_wake_up_job_is_armed_at_the_next_due_moment(runtimes: tuple[App, App]):
    runtime, _ = runtimes
    engine = runtime.engine()
    engine.start()
    try:
        assert engine.wakeups.armed_at() is None
        later = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
        _track(runtime, "in-three-hours", later, ["PT0S", "PT1H"])
        assert _eventually(lambda: engine.wakeups.armed_at() == later - timedelta(hours=1))
        sooner = later - timedelta(hours=2)
        _track(runtime, "in-an-hour", sooner, ["PT0S"])
        assert _eventually(lambda: engine.wakeups.armed_at() == sooner)
    finally:
        engine.stop()


def test_two_engines_on_one_database_deliver_each_alert_once(runtimes: tuple[App, App]):
    first, second = runtimes
    with Receiver().running() as receiver:
        secret = _subscribe(first, receiver.url)
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        for n in range(120):
            _track(first, f"deadline-{n:03d}", due, ["PT0S"])
        engines: list[Engine] = [first.engine(), second.engine()]
        for engine in engines:
            engine.start()
        try:
            received = receiver.wait_for(120, timeout=30)
            time.sleep(1)  # a duplicate would arrive now
        finally:
            for engine in engines:
                engine.stop()
    counts = Counter(json.loads(r.body)["data"]["commitment"]["id"] for r in receiver.received)
    assert len(counts) == 120 and len(received) >= 120
    assert set(counts.values()) == {1}, "an alert was delivered twice"
    assert all(verify_signature(secret, r) for r in receiver.received)


def test_a_receiver_slower_than_a_claim_gets_each_message_once_and_all_are_settled(
    database_url: str,
):
    """Issue 14, fault 2: a worker claimed 200 deliveries on a 60 s lease and sent 32 at a
    time, so with a 12 s receiver the claim outlived its lease, another worker sent it all
    again, and the first one's answers were refused: 400 alerts, 1,222 requests, 398 left
    pending. Here, 24 at 0.6 s each, 3 at a time, would take 4.8 s on a 2.5 s lease."""
    slow = _settings(database_url).model_copy(
        update={
            "webhook_timeout": timedelta(seconds=1),
            "delivery_lease": timedelta(seconds=2.5),
            "delivery_concurrency": 3,
            "delivery_batch": 200,
        }
    )
    first, second = App.open(slow), App.open(slow)

    def answer_slowly(_received: Received) -> tuple[int, dict[str, str]]:
        time.sleep(0.6)
        return 204, {}

    try:
        with Receiver(answer_slowly).running() as receiver:
            _subscribe(first, receiver.url)
            due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
            for n in range(24):
                _track(first, f"slow-{n:02d}", due, ["PT0S"])
            engines = [first.engine(), second.engine()]
            for engine in engines:
                engine.start()
            try:
                assert _eventually(lambda: _settled(first) == 24, timeout=30), _statuses(first)
                time.sleep(1.5)  # a second send of a lapsed claim would arrive now
            finally:
                for engine in engines:
                    engine.stop()
        counts = Counter(r.message_id for r in receiver.received)
        assert len(counts) == 24
        assert set(counts.values()) == {1}, f"sent again: {counts.most_common(3)}"
        assert _statuses(first) == {"succeeded": 24}
    finally:
        first.close()
        second.close()


def _settled(runtime: App) -> int:
    statuses = _statuses(runtime)
    return sum(statuses.values()) - statuses.get("pending", 0)


def _statuses(runtime: App) -> dict[str, int]:
    with runtime.context.store.db.engine.connect() as conn:
        query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        return {str(status): int(count) for status, count in conn.execute(query).all()}


def _eventually(check, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False
