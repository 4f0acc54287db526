"""`as_of` reads when a change took effect in the world, `known_at` when it was recorded here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings

ADMIN = {"Authorization": "Bearer test-admin-token"}


class Clock:
    """A clock the test moves on, as days pass between two writes."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2020, 3, 1, 12, tzinfo=UTC))


@pytest.fixture
def client(database_url: str, clock: Clock) -> Iterator[TestClient]:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="test-admin-token",
        load_feeds_on_start=False,
    )
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def _due_of(client: TestClient, **query: str) -> str | None:
    found = client.get("/api/v1/upcoming", params={"within": "P20Y", **query})
    assert found.status_code == 200, found.text
    items = [i for i in found.json()["items"] if i["id"] == "new-start-expiry"]
    return items[0]["due"]["value"] if items else None


def test_known_at_answers_what_the_database_said_and_as_of_what_the_world_did(
    client: TestClient, clock: Clock
):
    # Recorded on 2020-03-01: New START, in force since 2011, expires on 2021-02-05.
    created = client.post(
        "/api/v1/commitments",
        headers=ADMIN,
        json={
            "id": "new-start-expiry",
            "title": "New START expires",
            "kind": "treaty_expiry",
            "due": {"value": "2021-02-05"},
            "change": {"effective": "2011-02-05"},
        },
    )
    assert created.status_code == 201, created.text
    # Recorded on 2021-02-10, a week late: the extension took effect on 2021-02-03.
    clock.now = datetime(2021, 2, 10, 9, tzinfo=UTC)
    moved = client.patch(
        "/api/v1/commitments/new-start-expiry",
        headers=ADMIN,
        json={"due": {"value": "2026-02-05"}, "change": {"effective": "2021-02-03"}},
    )
    assert moved.status_code == 200, moved.text
    clock.now = datetime(2021, 6, 1, 12, tzinfo=UTC)

    assert _due_of(client, as_of="2021-02-04") == "2026-02-05"  # in the world, by then
    assert _due_of(client, as_of="2021-02-04", known_at="2021-02-05") == "2021-02-05"
    assert _due_of(client, as_of="2021-02-04", known_at="2021-02-09") == "2021-02-05"
    assert _due_of(client, as_of="2021-02-04", known_at="2021-02-10") == "2026-02-05"
    assert _due_of(client, known_at="2020-02-29") is None  # not yet recorded at all
    assert _due_of(client, as_of="2019-05-14", known_at="2021-06-01") == "2021-02-05"

    # Without as_of, the day is known_at's: on 2021-02-09 our data still said 2021-02-05,
    # which had passed, so nothing was coming up.
    answer = client.get("/api/v1/upcoming", params={"known_at": "2021-02-09"}).json()
    assert (answer["as_of"], answer["known_at"], answer["items"]) == (
        "2021-02-09",
        "2021-02-09",
        [],
    )


def test_known_at_must_be_a_date(client: TestClient):
    refused = client.get("/api/v1/upcoming", params={"known_at": "yesterday"})
    assert refused.status_code == 422
    assert "known_at" in refused.json()["detail"]
