"""A start re-plans alerts only when the settings they depend on changed while nothing ran.

Planning every commitment at each start cost minutes at a million commitments, and, reading
rows without locks while edits went on, left stale plans behind. Plans follow every write, so
the only thing a start has to catch is a change of the alert settings themselves.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from service.app import App
from service.domain import AlertStatus, ChangeNote, CommitmentCreate, Kind
from service.settings import Settings


def _settings(database_url: str, summit_alerts: tuple[str, ...]) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        load_feeds_on_start=False,
        default_alerts={Kind.SUMMIT: summit_alerts},
    )


def _start_and_stop(settings: Settings) -> None:
    app = App.open(settings)
    engine = app.engine()
    engine.start()
    engine.stop()
    app.close()


def _pending(settings: Settings) -> set[str]:
    app = App.open(settings)
    try:
        alerts = app.commitments.alerts("summit")
    finally:
        app.close()
    return {a.offset for a in alerts if a.status is AlertStatus.PENDING}


def test_a_start_replans_only_when_the_alert_settings_changed(
    database_url: str, caplog: pytest.LogCaptureFixture
):
    weekly = _settings(database_url, ("P7D",))
    app = App.open(weekly)
    due = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    summit = {"id": "summit", "title": "A summit", "kind": "summit", "due": due}
    app.commitments.create(CommitmentCreate.model_validate(summit), ChangeNote(), "test")
    app.close()
    assert _pending(weekly) == {"P7D"}

    caplog.set_level(logging.INFO, logger="service")
    _start_and_stop(weekly)  # the first start records the rules the plans follow
    caplog.clear()
    _start_and_stop(weekly)
    messages = [record.getMessage() for record in caplog.records]
    assert "alert plans are current" in messages
    assert not any(m.startswith("re-planned") for m in messages)

    monthly = _settings(database_url, ("P30D", "P1D"))
    caplog.clear()
    _start_and_stop(monthly)
    assert "re-planned 1 commitments" in [record.getMessage() for record in caplog.records]
    assert _pending(monthly) == {"P30D", "P1D"}
    app = App.open(monthly)
    [dropped] = [a for a in app.commitments.alerts("summit") if a.offset == "P7D"]
    app.close()
    assert dropped.status is AlertStatus.CANCELLED
    assert dropped.note == "re-planned: the alert settings changed"
