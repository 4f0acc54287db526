"""An alert before the end of a window: planned, re-planned when the end moves, and sent signed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from service.app import App
from service.domain import (
    AlertStatus,
    ChangeNote,
    CommitmentCreate,
    CommitmentPatch,
    SubscriptionCreate,
)
from service.settings import Settings
from tests.support.receiver import Receiver, verify_signature


@pytest.fixture
def runtime(database_url: str) -> Iterator[App]:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        load_feeds_on_start=False,
        webhook_allow="127.0.0.1/32",
        webhook_timeout=timedelta(seconds=2),
        delivery_lease=timedelta(seconds=5),
        engine_safety_interval=timedelta(seconds=30),
    )
    opened = App.open(settings)
    yield opened
    opened.close()


def _utc(moment: datetime) -> dict[str, str]:
    return {"value": moment.strftime("%Y-%m-%dT%H:%M:%S"), "tz": "UTC"}


def _alerts(runtime: App) -> list[tuple[str, str, datetime, AlertStatus]]:
    return [
        (a.offset, a.due_key, a.fire_at, a.status) for a in runtime.commitments.alerts("pledge")
    ]


def test_an_end_alert_is_replanned_when_the_end_moves_and_sent_with_its_edge(runtime: App):
    now = datetime.now(UTC).replace(microsecond=0)
    opened, far_end = now - timedelta(days=300), now + timedelta(days=60)
    pledge = {"id": "pledge", "title": "Pledge", "kind": "deadline", "due": _utc(opened)}
    data = pledge | {"end": _utc(far_end), "alerts": ["P1D before end"]}
    runtime.commitments.create(CommitmentCreate.model_validate(data), ChangeNote(), "test")
    far_key = f"{_utc(far_end)['value']}@UTC"
    assert _alerts(runtime) == [
        ("P1D before end", far_key, far_end - timedelta(days=1), AlertStatus.PENDING)
    ]

    end = now + timedelta(days=1, seconds=2)
    moved = CommitmentPatch.model_validate({"end": _utc(end)})
    with Receiver().running() as receiver:
        subscription = SubscriptionCreate(url=receiver.url, event_types=("deadline.approaching",))
        _subscription, secret = runtime.subscriptions.subscribe(subscription, "test")
        runtime.commitments.patch("pledge", moved, ChangeNote(), "test")
        engine = runtime.engine()
        engine.start()
        try:
            (got,) = receiver.wait_for(1, timeout=15)
        finally:
            engine.stop()

    assert verify_signature(secret, got)
    message = json.loads(got.body)
    assert message["type"] == "deadline.approaching"
    data = message["data"]
    assert (data["offset"], data["edge"], data["days_left"]) == ("P1D before end", "end", 1)
    assert data["commitment"]["end"]["value"] == _utc(end)["value"]
    assert data["due"]["value"] == _utc(opened)["value"]
    assert [(key, status) for _offset, key, _at, status in _alerts(runtime)] == [
        (f"{_utc(end)['value']}@UTC", AlertStatus.FIRED),
        (far_key, AlertStatus.CANCELLED),
    ]
