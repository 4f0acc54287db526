"""POST /api/v1/commitments/bulk: many new commitments in one request and one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.domain import Scope
from service.settings import Settings

ADMIN = {"Authorization": "Bearer test-admin-token"}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
BULK = "/api/v1/commitments/bulk"


def _item(number: int, **more: Any) -> dict[str, Any]:
    return (
        {"id": f"talks-{number}", "title": f"Talks, round {number}", "kind": "meeting"}
        | {"due": f"2027-{1 + number % 12:02d}-15"}
        | more
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="test-admin-token",
        load_feeds_on_start=False,
        max_body_bytes=64 * 1024,
        max_bulk_body_bytes=2 * 1024 * 1024,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_a_bulk_create_needs_a_key_that_may_write(client: TestClient, settings: Settings):
    body = {"items": [_item(1)]}
    _problem(client.post(BULK, json=body), 401)
    keys = App.open(settings)
    _, read_token = keys.keys.create("reader", Scope.READ)
    keys.close()
    reader = {"Authorization": f"Bearer {read_token}"}
    assert "scope 'write'" in _problem(client.post(BULK, json=body, headers=reader), 403)["detail"]
    assert client.get("/api/v1/commitments").json()["total"] == 0


def test_it_creates_every_item_and_answers_201_with_their_ids(client: TestClient):
    items = [_item(n) for n in range(1, 4)] + [{"title": "Summit", "kind": "summit", "due": "2027"}]
    change = {"reason": "from the register", "effective": "2026-11-01"}
    created = client.post(BULK, json={"items": items, "change": change}, headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.json() == {"count": 4, "ids": ["talks-1", "talks-2", "talks-3", "summit-2027"]}
    (entry,) = client.get("/api/v1/commitments/talks-2/history").json()
    assert (entry["reason"], entry["effective"], entry["actor"]) == (
        "from the register",
        "2026-11-01",
        "admin-token",
    )
    assert client.get("/api/v1/commitments/talks-2/alerts").json(), "alerts are planned"


def test_an_invalid_item_is_named_by_its_index_and_nothing_is_created(client: TestClient):
    items = [_item(1), _item(2, due="2027-02-30"), _item(3)]
    body = _problem(client.post(BULK, json={"items": items}, headers=ADMIN), 422)
    assert any(
        e["field"] == "body.items.1.due" and "not a real date" in e["message"]
        for e in body["errors"]
    ), body
    following = [_item(1), _item(2, due={"after": "nothing-yet", "offset": "P6M"})]
    body = _problem(client.post(BULK, json={"items": following}, headers=ADMIN), 422)
    assert "item 1 (talks-2)" in body["detail"] and "nothing-yet" in body["detail"]
    assert client.get("/api/v1/commitments").json()["total"] == 0


def test_a_taken_id_is_409_and_a_repeated_one_422(client: TestClient):
    client.post(BULK, json={"items": [_item(1)]}, headers=ADMIN)
    taken = _problem(client.post(BULK, json={"items": [_item(2), _item(1)]}, headers=ADMIN), 409)
    assert "'talks-1'" in taken["detail"]
    twice = {"items": [_item(2), _item(3), _item(2)]}
    assert "(items 0, 2)" in _problem(client.post(BULK, json=twice, headers=ADMIN), 422)["detail"]
    assert client.get("/api/v1/commitments").json()["total"] == 1


def test_too_many_items_or_none_is_422_and_a_body_too_large_413(client: TestClient):
    many = {"items": [{"title": "t", "kind": "other", "status": "tentative"}] * 10_001}
    body = _problem(client.post(BULK, json=many, headers=ADMIN), 422)
    assert any(e["field"] == "body.items" and "10000" in e["message"] for e in body["errors"])
    _problem(client.post(BULK, json={"items": []}, headers=ADMIN), 422)
    padded = [_item(n, description="x" * 1000) for n in range(1, 1501)]  # 1.5 MB
    assert client.post(BULK, json={"items": padded}, headers=ADMIN).status_code == 201
    twice_as_much = [_item(n, description="x" * 1000) for n in range(1501, 4501)]
    _problem(client.post(BULK, json={"items": twice_as_much}, headers=ADMIN), 413)
    one = _item(9999, description="x" * 70_000)
    _problem(client.post("/api/v1/commitments", json=one, headers=ADMIN), 413)


def test_the_endpoint_is_documented(client: TestClient):
    operation = client.get("/openapi.json").json()["paths"][BULK]["post"]
    assert operation["summary"] == "Track many new commitments at once"
    assert "one transaction" in operation["description"]
    assert {"201", "401", "409", "413", "422"} <= set(operation["responses"])
    taken = operation["responses"]["409"]
    assert "id is taken" in taken["description"]
    assert taken["content"]["application/json"]["schema"]["$ref"].endswith("/Problem")
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("/BulkCreated")
