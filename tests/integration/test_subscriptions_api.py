"""Subscriptions over the API, with the engine running in the app and a receiver on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook, WebhookVerificationError
from typer.testing import CliRunner

from service.api import create_app
from service.app import App
from service.cli import app as cli
from service.domain import Scope
from service.settings import Settings
from tests.support.receiver import Received, Receiver, verify_signature

ADMIN = {"Authorization": "Bearer hooks-admin-token"}
FEED = {"slug": "capped", "title": "Capped"}


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


# ---------------------------------------------------------------------------- secret rotation


class _Shifted:
    """The app's clock: real time, moved on by `ahead` (so the engine sees the move too)."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def _ping(client: TestClient, subscription_id: str) -> str:
    queued = client.post(f"/api/v1/subscriptions/{subscription_id}/test", headers=ADMIN)
    assert queued.status_code == 202, queued.text
    return queued.json()["message_id"]


def _rotate(client: TestClient, subscription_id: str, headers: dict[str, str] = ADMIN) -> dict:
    rotated = client.post(f"/api/v1/subscriptions/{subscription_id}/secret", headers=headers)
    assert rotated.status_code == 200, rotated.text
    return rotated.json()


def _verified_by(secret: str, got: Received) -> bool:
    """Whether the `standardwebhooks` package, as a receiver would use it, accepts the request."""
    try:
        Webhook(secret).verify(got.body, got.headers)
    except WebhookVerificationError:
        return False
    return True


def test_a_rotated_secret_signs_alongside_the_old_one_until_the_grace_ends(settings: Settings):
    clock = _Shifted()
    app = create_app(settings, clock=clock, engine=True)
    with TestClient(app) as client, Receiver().running() as receiver:
        created = _subscribe(client, receiver.url)
        old = created["secret"]
        rotated = _rotate(client, created["id"])
        new = rotated["secret"]
        assert new.startswith("whsec_") and new != old and rotated["id"] == created["id"]
        until = datetime.fromisoformat(rotated["previous_secret_until"])
        assert abs(until - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)
        shown = client.get(f"/api/v1/subscriptions/{created['id']}", headers=ADMIN).text
        assert new not in shown and old not in shown and "previous_secret" not in shown

        during = _ping(client, created["id"])
        (got,) = receiver.wait_for(1)
        assert got.message_id == during
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        assert verify_signature(old, got) and verify_signature(new, got)
        assert _verified_by(old, got) and _verified_by(new, got)

        clock.ahead = timedelta(hours=24, seconds=1)
        after = _ping(client, created["id"])
        _during, got = receiver.wait_for(2)
    assert got.message_id == after
    assert " " not in got.headers["webhook-signature"]
    assert verify_signature(new, got) and not verify_signature(old, got)


def test_rotating_again_ends_the_oldest_secret_at_once(client: TestClient):
    with Receiver().running() as receiver:
        created = _subscribe(client, receiver.url)
        second = _rotate(client, created["id"])["secret"]
        third = _rotate(client, created["id"])["secret"]
        _ping(client, created["id"])
        (got,) = receiver.wait_for(1)
    assert verify_signature(third, got) and verify_signature(second, got)
    assert _verified_by(third, got) and _verified_by(second, got)
    assert not verify_signature(created["secret"], got)
    assert not _verified_by(created["secret"], got)


def test_rotating_needs_write_scope_and_a_subscription(client: TestClient, settings: Settings):
    created = _subscribe(client, "http://127.0.0.1:9/hooks")
    path = f"/api/v1/subscriptions/{created['id']}/secret"
    keys = App.open(settings)
    _, read_token = keys.keys.create("reader", Scope.READ)
    keys.close()
    assert client.post(path).status_code == 401
    refused = client.post(path, headers={"Authorization": f"Bearer {read_token}"})
    assert refused.status_code == 403 and "scope 'write'" in refused.json()["detail"]
    missing = client.post("/api/v1/subscriptions/sub_nothing/secret", headers=ADMIN)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_rotate_secret_from_the_command_line_prints_the_new_secret_once(
    client: TestClient, database_url: str
):
    with Receiver().running() as receiver:
        created = _subscribe(client, receiver.url)
        done = CliRunner().invoke(
            cli, ["subscriptions", "rotate-secret", created["id"], "--db", database_url]
        )
        assert done.exit_code == 0, done.output
        new = done.stdout.strip()
        assert new.startswith("whsec_") and new != created["secret"]
        assert "cannot be shown again" in done.stderr and new not in done.stderr
        _ping(client, created["id"])
        (got,) = receiver.wait_for(1)
    assert verify_signature(new, got) and verify_signature(created["secret"], got)
    missing = CliRunner().invoke(
        cli, ["subscriptions", "rotate-secret", "sub_nothing", "--db", database_url]
    )
    assert missing.exit_code == 1 and "no subscription" in missing.stderr


# ---------------------------------------------------------------------------- deletion


def _deliveries(client: TestClient, subscription_id: str) -> list[dict]:
    listed = client.get(f"/api/v1/subscriptions/{subscription_id}/deliveries", headers=ADMIN)
    assert listed.status_code == 200, listed.text
    return listed.json()


def _settled(client: TestClient, subscription_id: str, delivery_id: int) -> dict:
    for _ in range(100):
        found = {d["id"]: d for d in _deliveries(client, subscription_id)}
        if found[delivery_id]["attempts"]:
            return found[delivery_id]
        time.sleep(0.1)
    raise AssertionError(f"delivery {delivery_id} was never attempted")


def test_deleting_cancels_what_is_pending_and_keeps_the_log_readable(client: TestClient):
    answer = {"status": 204}
    with Receiver(lambda _r: (answer["status"], {})).running() as receiver:
        created = _subscribe(client, receiver.url)
        sub = created["id"]
        sent = client.post(f"/api/v1/subscriptions/{sub}/test", headers=ADMIN).json()
        assert _settled(client, sub, sent["id"])["status"] == "succeeded"
        answer["status"] = 500
        held = client.post(f"/api/v1/subscriptions/{sub}/test", headers=ADMIN).json()
        assert _settled(client, sub, held["id"])["status"] == "pending"
        assert client.delete(f"/api/v1/subscriptions/{sub}", headers=ADMIN).status_code == 200
    cancelled, succeeded = _deliveries(client, sub)
    assert (cancelled["id"], succeeded["id"]) == (held["id"], sent["id"])
    assert succeeded["status"] == "succeeded"
    assert cancelled["status"] == "cancelled" and cancelled["next_attempt_at"] is None
    assert cancelled["last_error"] == "the subscription was deleted"
    assert cancelled["completed_at"] is not None
    for delivery in (cancelled, succeeded):
        refused = client.post(
            f"/api/v1/subscriptions/deliveries/{delivery['id']}/retry", headers=ADMIN
        )
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert f"its subscription '{sub}' was deleted" in refused.json()["detail"]
    assert _deliveries(client, sub)[0]["status"] == "cancelled"


def test_a_deleted_subscription_is_gone_but_for_its_log(client: TestClient):
    sub = _subscribe(client, "http://127.0.0.1:9/hooks")["id"]
    assert client.delete(f"/api/v1/subscriptions/{sub}", headers=ADMIN).status_code == 200
    for method, path in (
        ("GET", ""),
        ("DELETE", ""),
        ("POST", "/enable"),
        ("POST", "/test"),
        ("POST", "/secret"),
    ):
        gone = client.request(method, f"/api/v1/subscriptions/{sub}{path}", headers=ADMIN)
        assert gone.status_code == 404, (method, path)
    assert client.get("/api/v1/subscriptions", headers=ADMIN).json() == []
    assert _deliveries(client, sub) == []
    never = client.get("/api/v1/subscriptions/sub_never/deliveries", headers=ADMIN)
    assert never.status_code == 404


# ---------------------------------------------------------------------------- caps


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/subscriptions", {"filter": {"parties": ["RU"] * 61}}, "body.filter.parties"),
        ("/api/v1/subscriptions", {"filter": {"tags": ["nuclear"] * 31}}, "body.filter.tags"),
        ("/api/v1/subscriptions", {"filter": {"feeds": ["summits"] * 31}}, "body.filter.feeds"),
        ("/api/v1/subscriptions", {"filter": {"ids": ["new-start"] * 1001}}, "body.filter.ids"),
        ("/api/v1/feeds", {"selection": {"parties": ["RU"] * 61}}, "body.selection.parties"),
        ("/api/v1/feeds", {"selection": {"tags": ["nuclear"] * 31}}, "body.selection.tags"),
        ("/api/v1/feeds", {"selection": {"ids": ["new-start"] * 1001}}, "body.selection.ids"),
    ],
)
def test_filters_over_their_caps_are_refused_naming_the_field(
    client: TestClient, path: str, body: dict, field: str
):
    base = {"url": "http://127.0.0.1:9/hooks"} if "subscriptions" in path else FEED
    refused = client.post(path, json=base | body, headers=ADMIN)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in refused.json()["errors"]]
    assert field in refused.json()["detail"]
    ((key, inner),) = body.items()
    ((name, values),) = inner.items()
    at_cap = base | {key: {name: values[:-1]}}
    assert client.post(path, json=at_cap, headers=ADMIN).status_code == 201
