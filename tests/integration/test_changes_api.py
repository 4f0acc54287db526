"""/api/v1/changes: every revision once, in the order recorded, whatever the writers do."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.domain import ChangeNote, CommitmentCreate, CommitmentPatch
from service.settings import Settings

ADMIN = {"Authorization": "Bearer changes-admin-token"}
WRITERS = 4
ROUNDS = 6


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="changes-admin-token",
        load_feeds_on_start=False,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def writer(settings: Settings) -> Iterator[App]:
    """Use cases of their own, as another process writing to the same database would have."""
    opened = App.open(settings)
    yield opened
    opened.close()


def _create(app: App, commitment_id: str) -> None:
    data = CommitmentCreate(
        id=commitment_id, title=f"Talks {commitment_id}", kind="meeting", status="tentative"
    )
    app.commitments.create(data, ChangeNote(), "test")


def _edit(app: App, commitment_id: str, text: str) -> None:
    app.commitments.patch(commitment_id, CommitmentPatch(description=text), ChangeNote(), "test")


def _poll(client: TestClient, since: str, limit: int = 100) -> dict[str, Any]:
    response = client.get("/api/v1/changes", params={"since": since, "limit": limit})
    assert response.status_code == 200, response.text
    return response.json()


def _drain(client: TestClient, since: str, limit: int) -> tuple[list[tuple[str, int]], str]:
    """Every change after `since`, page by page, and the cursor after the last."""
    seen: list[tuple[str, int]] = []
    while True:
        page = _poll(client, since, limit)
        seen += [(item["commitment_id"], item["revision"]) for item in page["items"]]
        since = page["next"]
        if not page["more"]:
            return seen, since


def test_paging_returns_every_revision_once_in_order(client: TestClient, writer: App):
    for number in range(5):
        _create(writer, f"talks-{number}")
    _edit(writer, "talks-0", "moved")
    seen, cursor = _drain(client, "0", limit=2)
    assert seen == [*((f"talks-{n}", 1) for n in range(5)), ("talks-0", 2)]
    item = _poll(client, "0", 1)["items"][0]
    assert item["summary"].startswith("created on") and item["actor"] == "test"
    assert set(item["changes"]["title"]) == {"from", "to"}
    assert _poll(client, cursor) == {"items": [], "next": cursor, "more": False}


def test_a_poll_after_more_writes_returns_only_the_new_ones(client: TestClient, writer: App):
    _create(writer, "talks-a")
    first = _poll(client, "0")
    _edit(writer, "talks-a", "agenda set")
    _create(writer, "talks-b")
    later = _poll(client, first["next"])
    assert [(i["commitment_id"], i["revision"]) for i in later["items"]] == [
        ("talks-a", 2),
        ("talks-b", 1),
    ]
    assert later["items"][-1]["cursor"] == later["next"]
    assert later["items"][0]["changes"]["description"] == {"from": "", "to": "agenda set"}


def test_concurrent_writers_never_make_a_poller_miss_or_repeat(client: TestClient, writer: App):
    def write(number: int) -> None:
        commitment_id = f"talks-{number}"
        _create(writer, commitment_id)
        for round_number in range(ROUNDS):
            _edit(writer, commitment_id, f"round {round_number}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    seen: list[tuple[str, int]] = []
    cursor = "0"
    for _ in range(10_000):  # poll while they write, a page of three at a time
        page = _poll(client, cursor, limit=3)
        seen += [(item["commitment_id"], item["revision"]) for item in page["items"]]
        cursor = page["next"]
        if not any(thread.is_alive() for thread in threads):
            break
    for thread in threads:
        thread.join(timeout=60)
    rest, _ = _drain(client, cursor, limit=3)
    seen += rest
    expected = {(f"talks-{n}", r) for n in range(WRITERS) for r in range(1, ROUNDS + 2)}
    assert len(seen) == len(set(seen)), "a change was listed twice"
    assert set(seen) == expected, "a change was missed"
    for number in range(WRITERS):
        revisions = [r for c, r in seen if c == f"talks-{number}"]
        assert revisions == sorted(revisions)


def test_feed_filter_and_private_feeds(client: TestClient, writer: App):
    _create(writer, "talks-a")
    private = {"slug": "desk", "title": "Desk", "private": True}
    assert client.post("/api/v1/feeds", json=private, headers=ADMIN).status_code == 201
    hidden = client.get("/api/v1/changes", params={"feed": "desk"})
    assert hidden.status_code == 404
    shown = client.get("/api/v1/changes", params={"feed": "desk"}, headers=ADMIN)
    assert shown.status_code == 200 and len(shown.json()["items"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "abc"}, "query.since"),
        ({"since": "-1"}, "query.since"),
        ({"since": "1" * 19}, "query.since"),
        ({"limit": "0"}, "query.limit"),
        ({"limit": "501"}, "query.limit"),
    ],
)
def test_bad_cursors_and_limits_are_422_problems(
    client: TestClient, params: dict[str, str], field: str
):
    response = client.get("/api/v1/changes", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_cursor_beyond_the_last_change_is_refused(client: TestClient, writer: App):
    _create(writer, "talks-a")
    response = client.get("/api/v1/changes", params={"since": "5"})
    assert response.status_code == 422
    assert "beyond the last change (1)" in response.json()["detail"]
