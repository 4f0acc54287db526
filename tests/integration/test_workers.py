"""Workers as an operator runs them: woken at once across processes, probed, and measured."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.worker import create_worker_app
from service.app import App
from service.domain import ChangeNote, CommitmentCreate, SubscriptionCreate
from service.settings import Settings
from tests.support.receiver import Receiver
from tests.unit.test_deploy_manifests import EXPOSED_METRICS


def _settings(database_url: str) -> Settings:
    """A safety poll far longer than any wait below: only a wake-up can be that quick."""
    return Settings(
        _env_file=None,
        database_url=database_url,
        load_feeds_on_start=False,
        webhook_allow="127.0.0.1/32",
        engine_safety_interval=timedelta(seconds=60),
        engine_listening_safety_interval=timedelta(seconds=60),
    )


def _subscribe(app: App, url: str, *event_types: str) -> None:
    data = SubscriptionCreate(url=url, event_types=event_types)
    app.subscriptions.subscribe(data, "test")


def _track(app: App, cid: str, due: datetime, offsets: list[str]) -> None:
    value = {"value": due.strftime("%Y-%m-%dT%H:%M:%S"), "tz": "UTC"}
    data = {"id": cid, "title": cid, "kind": "deadline", "due": value, "alerts": offsets}
    app.commitments.create(CommitmentCreate.model_validate(data), ChangeNote(), "test")


@pytest.fixture
def api(database_url: str) -> Iterator[App]:
    """Another process's use cases, as on an API replica: no engine of its own to poke."""
    replica = App.open(_settings(database_url))
    yield replica
    replica.close()


@pytest.mark.postgres
def test_a_write_on_another_replica_wakes_a_listening_worker_at_once(postgres_url: str):
    """Issue 14: created-events reached workers only through their poll. On PostgreSQL the
    write's NOTIFY wakes the worker: here within 10 s, where its poll is every 60 s."""
    worker, api = App.open(_settings(postgres_url)), App.open(_settings(postgres_url))
    engine = worker.engine()
    try:
        with Receiver().running() as receiver:
            _subscribe(api, receiver.url, "commitment.created")
            engine.start()
            assert engine.notices is not None and engine.notices.listening.wait(10)
            time.sleep(0.5)  # the first round, at start, has found nothing to do
            assert receiver.received == []
            _track(api, "created-elsewhere", datetime.now(UTC) + timedelta(days=90), [])
            [got] = receiver.wait_for(1, timeout=10)
        assert got.headers["webhook-id"]
        assert b'"created-elsewhere"' in got.body
    finally:
        engine.stop()
        worker.close()
        api.close()


def test_on_sqlite_the_engine_polls_and_listens_for_nothing(tmp_path):
    app = App.open(_settings(f"sqlite:///{tmp_path / 'one.db'}"))
    try:
        engine = app.engine()
        assert engine.notices is None
    finally:
        app.close()


def _metric(text: str, name: str, labels: str = "") -> float:
    pattern = rf"^{re.escape(name)}{re.escape(labels)} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found is not None, f"{name}{labels} not in /metrics:\n{text}"
    return float(found.group(1))


def _settled(text: str) -> bool:
    """Delivered, counted, and its outcome committed."""
    delivered = _metric(text, "treatycal_deliveries_total", '{outcome="delivered"}') == 1
    return delivered and _metric(text, "treatycal_deliveries_pending") == 0


def test_a_worker_serves_its_probes_and_counts_what_it_delivers(database_url: str, api: App):
    with Receiver().running() as receiver:
        _subscribe(api, receiver.url, "deadline.reached")
        soon = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        _track(api, "soon", soon, ["PT0S"])
        _track(api, "later", soon + timedelta(days=30), ["P7D", "PT0S"])
        with TestClient(create_worker_app(_settings(database_url))) as worker:
            assert worker.get("/healthz").status_code == 200
            assert worker.get("/readyz").json() == {"status": "ready"}
            receiver.wait_for(1, timeout=15)
            deadline = time.monotonic() + 10
            while not _settled(text := worker.get("/metrics").text):
                assert time.monotonic() < deadline, text
                time.sleep(0.1)
            engine = worker.app.state.services.app.context.engine  # type: ignore[attr-defined]
            who = f'{{worker="{engine.telemetry.worker}"}}'
            assert _metric(text, "treatycal_worker_claims_total", who) == 1
            assert _metric(text, "treatycal_worker_claimed_deliveries_total", who) == 1
            assert _metric(text, "treatycal_deliveries_total", '{outcome="retrying"}') == 0
            assert _metric(text, "treatycal_alert_lateness_seconds_count") == 1
            assert _metric(text, "treatycal_alert_lateness_seconds_bucket", '{le="5.0"}') == 1
            assert _metric(text, "treatycal_alerts_pending") == 2  # "later": P7D and PT0S
            engine.stop()
            stopped = worker.get("/healthz")
            assert stopped.status_code == 503
            assert stopped.json()["detail"] == "the alert engine has stopped"


def test_metrics_tell_the_queue_as_the_database_holds_it(database_url: str, api: App):
    """Every process's /metrics reads the backlog from the database: overdue alerts and the
    age of the oldest pending delivery show a stalled worker, whichever replica is scraped."""
    now = datetime.now(UTC).replace(microsecond=0)
    with Receiver().running() as receiver, Receiver().running() as failing:
        _subscribe(api, receiver.url, "commitment.created")
        _subscribe(api, failing.url, "commitment.created")
        _track(api, "overdue", now + timedelta(hours=1), ["PT2H", "PT0S"])
        _track(api, "ahead", now + timedelta(days=9), ["P7D"])
    # An endpoint disabled after failing: its messages wait on purpose, however long.
    [disabled] = [s.id for s in api.subscriptions.all() if s.url == failing.url]
    with api.context.store.transaction() as tx:
        tx.subscriptions.disable(disabled, "failed for five days", now)
    with api.context.store.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE deliveries SET next_attempt_at = ? WHERE subscription_id = ?"
            if api.context.store.db.is_sqlite
            else "UPDATE deliveries SET next_attempt_at = %s WHERE subscription_id = %s",
            (now - timedelta(days=2), disabled),
        )
    settings = _settings(database_url)
    with TestClient(create_app(settings, clock=lambda: now + timedelta(seconds=90))) as client:
        text = client.get("/metrics").text
    assert _metric(text, "treatycal_alerts_pending") == 3
    assert _metric(text, "treatycal_alerts_overdue") == 1  # PT2H fell due an hour ago
    assert _metric(text, "treatycal_deliveries_pending") == 4  # two created-events each, unsent
    assert 80 <= _metric(text, "treatycal_delivery_oldest_pending_age_seconds") <= 100
    assert "treatycal_worker_claims_total" not in text  # no engine runs in this process


def _commits(app: App) -> int:
    with app.context.store.db.engine.connect() as conn:
        query = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        return int(conn.exec_driver_sql(query).scalar_one())


@pytest.mark.postgres
def test_a_worker_does_not_spin_on_alerts_another_worker_holds(postgres_url: str):
    """Found by the replica system test: while one worker's firing transaction held due
    alerts, another went round as fast as it could (about 25 rounds in 150 ms), each round
    a few transactions, since the earliest pending fire time was in the past."""
    api, worker = App.open(_settings(postgres_url)), App.open(_settings(postgres_url))
    _track(api, "held", datetime.now(UTC) + timedelta(days=1), ["PT0S"])
    engine = worker.engine()
    try:
        with api.context.store.db.engine.connect() as holder:
            holder.exec_driver_sql("UPDATE alerts SET fire_at = now() - interval '1 minute'")
            holder.commit()
            # due now, and its row locked by this open transaction, as a firing worker would
            holder.exec_driver_sql("SELECT id FROM alerts FOR UPDATE").one()
            engine.start()
            time.sleep(0.5)
            before = _commits(api)
            time.sleep(2)
            spent = _commits(api) - before
    finally:
        engine.stop()
        worker.close()
        api.close()
    assert spent < 100, f"{spent} transactions committed in 2 s by a waiting worker"  # 2,530 before


def test_every_metric_the_dashboard_reads_is_served(tmp_path):
    """deploy/grafana-dashboard.json is checked against EXPOSED_METRICS; this checks the list
    against what an API and a worker really serve."""
    settings = _settings(f"sqlite:///{tmp_path / 'metrics.db'}").model_copy(
        update={"load_feeds_on_start": True}
    )
    with TestClient(create_app(settings)) as api_client:
        for _ in range(2):  # a build, then a hit
            assert api_client.get("/feeds/arms-control.ics").status_code == 200
        served = api_client.get("/metrics").text
    with TestClient(create_worker_app(settings)) as worker_client:
        served += worker_client.get("/metrics").text
    names = {line.split("{")[0].split(" ")[0] for line in served.splitlines() if line[:1] != "#"}
    missing = [
        name
        for name in EXPOSED_METRICS
        if not names & {name, f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    ]
    assert missing == []
    assert _metric(served, "treatycal_feed_cache_hits_total") >= 1
