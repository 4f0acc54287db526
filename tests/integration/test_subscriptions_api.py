"""Subscriptions over the API, with the engine running in the app and a receiver on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings
from tests.support.receiver import Receiver, verify_signature

ADMIN = {"Authorization": "Bearer hooks-admin-token"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="hooks-admin-token",
        load_feeds_on_start=False,
        webhook_allow="127.0.0.1/32",
        webhook_timeout=timedelta(seconds=2),
        delivery_lease=timedelta(seconds=5),
        engine_safety_interval=timedelta(seconds=1),
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=True)) as test_client:
        yield test_client


def _subscribe(client: TestClient, url: str, **fields: object) -> dict:
    created = client.post("/api/v1/subscriptions", json={"url": url} | fields, headers=ADMIN)
    assert created.status_code == 201, created.text
    return created.json()


def test_the_secret_is_shown_once_and_reads_need_a_key(client: TestClient):
    created = _subscribe(client, "http://127.0.0.1:9/hooks", description="newsroom")
    assert created["secret"].startswith("whsec_") and created["status"] == "active"
    shown = client.get(f"/api/v1/subscriptions/{created['id']}", headers=ADMIN).json()
    assert "secret" not in shown and shown["description"] == "newsroom"
    listed = client.get("/api/v1/subscriptions", headers=ADMIN)
    assert created["secret"] not in listed.text
    assert client.get("/api/v1/subscriptions").status_code == 401
    assert (
        client.post("/api/v1/subscriptions", json={"url": "http://127.0.0.1:9/"}).status_code == 401
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/hooks", "only https"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://10.0.0.7/hooks", "private"),
        ("https://[::1]:8443/hooks", "loopback"),
        ("https://[fd00::1]/hooks", "private"),
        ("ftp://127.0.0.1/hooks", "only https"),
        ("https://no-such-host.invalid/hooks", "does not resolve"),
    ],
)
def test_bad_webhook_targets_are_refused_with_the_reason(client: TestClient, url: str, reason: str):
    refused = client.post("/api/v1/subscriptions", json={"url": url}, headers=ADMIN)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert reason in refused.json()["detail"]


def test_subscription_input_is_validated(client: TestClient):
    for body in (
        {"url": "http://127.0.0.1:9/", "event_types": ["ping"]},
        {"url": "http://127.0.0.1:9/", "event_types": []},
        {"url": "http://127.0.0.1:9/", "offsets": ["soon"]},
        {"url": "http://127.0.0.1:9/", "filter": {"parties": ["USA"]}},
        {"url": "http://127.0.0.1:9/", "secret": "whsec_mine"},
    ):
        assert client.post("/api/v1/subscriptions", json=body, headers=ADMIN).status_code == 422


def test_a_ping_arrives_signed_and_its_attempts_are_listed(client: TestClient):
    with Receiver().running() as receiver:
        created = _subscribe(client, receiver.url)
        queued = client.post(f"/api/v1/subscriptions/{created['id']}/test", headers=ADMIN)
        assert queued.status_code == 202 and queued.json()["event_type"] == "ping"
        (got,) = receiver.wait_for(1)
        assert verify_signature(created["secret"], got)
        assert json.loads(got.body)["type"] == "ping"
        assert got.message_id == queued.json()["message_id"]
        retried = client.post(
            f"/api/v1/subscriptions/deliveries/{queued.json()['id']}/retry", headers=ADMIN
        )
        assert retried.status_code == 200
        first, second = receiver.wait_for(2)
        assert second.message_id == first.message_id and verify_signature(created["secret"], second)
    deliveries = client.get(f"/api/v1/subscriptions/{created['id']}/deliveries", headers=ADMIN)
    (delivery,) = deliveries.json()
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [204, 204]
    assert all(a["latency_ms"] > 0 for a in delivery["attempts"])
    missing = client.post("/api/v1/subscriptions/deliveries/999999/retry", headers=ADMIN)
    assert missing.status_code == 404


def test_a_commitment_falling_due_reaches_its_subscriber(client: TestClient):
    with Receiver().running() as receiver:
        created = _subscribe(client, receiver.url, event_types=["deadline.reached"])
        due = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
        commitment = {
            "id": "snapback-window-closes",
            "title": "Snapback window closes",
            "kind": "deadline",
            "due": {"value": due.strftime("%Y-%m-%dT%H:%M:%S"), "tz": "UTC"},
            "alerts": ["PT0S"],
        }
        assert client.post("/api/v1/commitments", json=commitment, headers=ADMIN).status_code == 201
        (got,) = receiver.wait_for(1, timeout=15)
    body = json.loads(got.body)
    assert body["type"] == "deadline.reached" and body["data"]["late"] is False
    (alert,) = client.get("/api/v1/commitments/snapback-window-closes/alerts").json()
    assert alert["offset"] == "PT0S" and alert["status"] == "fired"
    assert client.get("/api/v1/commitments/nothing-here/alerts").status_code == 404
    assert body["data"]["commitment"]["id"] == "snapback-window-closes"
    assert got.at >= due.timestamp() - 0.5
    assert verify_signature(created["secret"], got)


def test_410_disables_enable_resumes_and_delete_removes(client: TestClient):
    answer = {"status": 410}
    with Receiver(lambda _r: (answer["status"], {})).running() as receiver:
        created = _subscribe(client, receiver.url)
        client.post(f"/api/v1/subscriptions/{created['id']}/test", headers=ADMIN)
        receiver.wait_for(1)
        for _ in range(50):
            shown = client.get(f"/api/v1/subscriptions/{created['id']}", headers=ADMIN).json()
            if shown["status"] == "disabled":
                break
            receiver.wait_for(2, timeout=0.1)
        assert shown["status"] == "disabled"
        assert shown["disabled_reason"] == "the endpoint answered 410 Gone"
        answer["status"] = 204
        held = client.post(f"/api/v1/subscriptions/{created['id']}/test", headers=ADMIN).json()
        assert len(receiver.wait_for(2, timeout=1.5)) == 1, "nothing is sent while disabled"
        enabled = client.post(f"/api/v1/subscriptions/{created['id']}/enable", headers=ADMIN)
        assert enabled.json()["status"] == "active" and enabled.json()["disabled_reason"] is None
        _gone, resumed = receiver.wait_for(2, timeout=10)
        assert resumed.message_id == held["message_id"]
    removed = client.delete(f"/api/v1/subscriptions/{created['id']}", headers=ADMIN)
    assert removed.status_code == 200
    assert client.get(f"/api/v1/subscriptions/{created['id']}", headers=ADMIN).status_code == 404
    assert client.get("/api/v1/subscriptions", headers=ADMIN).json() == []
