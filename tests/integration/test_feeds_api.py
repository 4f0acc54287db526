"""Feeds made through the API: a selection that follows the data, and private addresses."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.domain import FeedCreate
from service.errors import FeedConflict, FeedNotFound, InvalidInput
from service.settings import Settings
from service.store import Tx
from tests.support.calendar_parsers import read_all

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
ADMIN = {"Authorization": "Bearer feeds-admin-token"}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
US_DEADLINES = {
    "slug": "us-deadlines",
    "title": "Deadlines the US is party to",
    "selection": {"kinds": ["deadline", "treaty_expiry"], "parties": ["US"]},
}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="feeds-admin-token",
        feeds_dir=FEEDS,
        public_url="https://calendar.example.org",
        feed_version_ttl=timedelta(seconds=0.5),
        webhook_allow="127.0.0.1/32",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def _create(client: TestClient, **fields: object) -> dict:
    created = client.post("/api/v1/feeds", json=US_DEADLINES | fields, headers=ADMIN)
    assert created.status_code == 201, created.text
    return created.json()


def _uids(client: TestClient, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return {event.uid.split("@")[0] for event in read_all(response.content)}


def _track(client: TestClient, slug: str, kind: str, parties: list[str]) -> None:
    body = {
        "id": slug,
        "title": f"{slug} falls due",
        "kind": kind,
        "due": {"value": "2027-03-01"},
        "parties": parties,
    }
    created = client.post("/api/v1/commitments", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text


def test_a_selection_feed_holds_what_matches_and_follows_the_data(client: TestClient):
    created = _create(client)
    assert created["url"] == "https://calendar.example.org/feeds/us-deadlines.ics"
    assert created["webcal_url"] == "webcal://calendar.example.org/feeds/us-deadlines.ics"
    expected = {
        c["id"]
        for kind in ("deadline", "treaty_expiry")
        for c in client.get(f"/api/v1/commitments?kind={kind}&party=US&limit=500").json()["items"]
    }
    assert "new-start-expiry" in expected
    assert _uids(client, "/feeds/us-deadlines.ics") == expected

    _track(client, "us-sanctions-review", "deadline", ["US", "IR"])
    _track(client, "eu-sanctions-review", "deadline", ["EU"])
    assert _uids(client, "/feeds/us-deadlines.ics") == expected | {"us-sanctions-review"}

    listed = {f["slug"]: f for f in client.get("/api/v1/feeds").json()}
    assert listed["us-deadlines"]["count"] == len(expected) + 1
    assert listed["us-deadlines"]["origin"] == "api"
    assert listed["arms-control"]["origin"].endswith("arms-control.yaml")
    in_list = client.get("/api/v1/commitments?feed=us-deadlines&limit=500").json()
    assert {c["id"] for c in in_list["items"]} == expected | {"us-sanctions-review"}


def test_a_private_feed_is_served_only_at_its_token_address(client: TestClient):
    created = _create(client, private=True)
    private_url = created["url"]
    assert private_url.startswith("https://calendar.example.org/feeds/private/tcfeed_")
    path = private_url.removeprefix("https://calendar.example.org")

    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("private")
    assert "us-deadlines" not in response.text, "the calendar names no public address"
    assert "new-start-expiry" in _uids(client, path)
    assert client.get("/feeds/us-deadlines.ics").status_code == 404

    anonymous = {f["slug"] for f in client.get("/api/v1/feeds").json()}
    assert "us-deadlines" not in anonymous
    with_key = {f["slug"]: f for f in client.get("/api/v1/feeds", headers=ADMIN).json()}
    assert with_key["us-deadlines"]["private"] is True
    assert with_key["us-deadlines"]["url"] is None, "the token is shown once"
    bad_key = client.get("/api/v1/feeds", headers={"Authorization": "Bearer tcal_nope"})
    assert bad_key.status_code == 401


def test_replacing_and_revoking_a_token_closes_the_old_address(client: TestClient):
    first = _create(client, private=True)["url"].removeprefix("https://calendar.example.org")
    etag = client.get(first).headers["etag"]

    replaced = client.post("/api/v1/feeds/us-deadlines/token", headers=ADMIN)
    assert replaced.status_code == 200
    second = replaced.json()["url"].removeprefix("https://calendar.example.org")
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second, headers={"If-None-Match": etag}).status_code == 304

    assert client.delete("/api/v1/feeds/us-deadlines/token", headers=ADMIN).status_code == 204
    gone = client.get(second)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert "revoked" in gone.json()["detail"]


def test_removing_a_feed_unpublishes_it_at_once_and_keeps_its_commitments(client: TestClient):
    _create(client)
    assert client.get("/feeds/us-deadlines.ics").status_code == 200
    assert client.delete("/api/v1/feeds/us-deadlines", headers=ADMIN).status_code == 204
    assert client.get("/feeds/us-deadlines.ics").status_code == 404
    assert client.get("/api/v1/commitments/new-start-expiry").status_code == 200
    assert client.delete("/api/v1/feeds/us-deadlines", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        ("post", "/api/v1/feeds", US_DEADLINES | {"slug": "arms-control"}, 409, "already exists"),
        ("post", "/api/v1/feeds", US_DEADLINES | {"slug": "all"}, 422, "reserved"),
        ("post", "/api/v1/feeds", US_DEADLINES | {"slug": "Not A Slug"}, 422, "slug"),
        ("post", "/api/v1/feeds", US_DEADLINES | {"title": " "}, 422, "title"),
        ("post", "/api/v1/feeds", US_DEADLINES | {"colour": "red"}, 422, "colour"),
        ("post", "/api/v1/feeds", US_DEADLINES | {"selection": {"kinds": ["war"]}}, 422, "kinds"),
        ("delete", "/api/v1/feeds/arms-control", None, 409, "change or remove that file"),
        ("post", "/api/v1/feeds/summits/token", None, 409, "change or remove that file"),
        ("post", "/api/v1/feeds/nowhere/token", None, 404, "nowhere"),
    ],
)
def test_feed_writes_that_cannot_be_done_say_why(
    client: TestClient, method: str, path: str, body: dict | None, status: int, detail: str
):
    response = client.request(method, path, json=body, headers=ADMIN)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.text


def test_a_public_feed_has_no_token_and_writes_need_a_key(client: TestClient):
    _create(client)
    refused = client.post("/api/v1/feeds/us-deadlines/token", headers=ADMIN)
    assert refused.status_code == 409 and "public" in refused.json()["detail"]
    assert client.post("/api/v1/feeds", json=US_DEADLINES | {"slug": "x"}).status_code == 401
    assert client.delete("/api/v1/feeds/us-deadlines").status_code == 401
    assert client.get("/feeds/private/tcfeed_not-a-real-token-at-all.ics").status_code == 404


def test_webhooks_filtered_by_a_selection_feed_hear_its_commitments(client: TestClient):
    _create(client)
    hook = {"url": "http://127.0.0.1:9/hooks", "filter": {"feeds": ["us-deadlines"]}}
    subscription = client.post("/api/v1/subscriptions", json=hook, headers=ADMIN).json()
    _track(client, "us-sanctions-review", "deadline", ["US"])
    _track(client, "eu-sanctions-review", "deadline", ["EU"])
    deliveries = client.get(
        f"/api/v1/subscriptions/{subscription['id']}/deliveries", headers=ADMIN
    ).json()
    heard = {d["payload"]["data"]["commitment"]["id"] for d in deliveries}
    assert heard == {"us-sanctions-review"}


def test_a_feed_file_may_not_take_the_slug_of_a_feed_made_through_the_api(
    client: TestClient, settings: Settings, tmp_path: Path
):
    _create(client)
    clash = tmp_path / "us-deadlines.yaml"
    clash.write_text(
        "feed:\n  title: Clash\ncommitments:\n  - id: clash-deadline\n    title: A clash\n"
        "    kind: deadline\n    due: '2027-01-01'\n"
    )
    other = App.open(settings, lambda: NOW)
    try:
        with pytest.raises(InvalidInput, match="made through the API"):
            other.feeds.load([clash])
        assert client.get("/api/v1/commitments/clash-deadline").status_code == 404
    finally:
        other.close()


def test_two_replicas_publishing_one_slug_at_once_meet_a_conflict(settings: Settings):
    """The second publisher checks the slug before the first commits. On PostgreSQL its insert
    then waits on the key and fails once the first commits: that is the same conflict (a 409),
    not a database error (it was a 503). On SQLite the second waits for the write lock."""
    wanted = FeedCreate.model_validate(US_DEADLINES)
    raised = _while_the_first_holds(
        settings,
        lambda tx: tx.feeds.create(wanted.as_feed()),
        lambda app: app.feeds.publish(wanted),
    )
    assert len(raised) == 1 and isinstance(raised[0], FeedConflict), raised


@pytest.mark.parametrize(
    "racing",
    [
        lambda app: app.feeds.unpublish("desk"),
        lambda app: app.feeds.replace_token("desk"),
        lambda app: app.feeds.revoke_token("desk"),
    ],
    ids=["remove", "new-address", "revoke-address"],
)
def test_a_feed_another_replica_removes_meanwhile_is_not_found(
    settings: Settings, racing: Callable[[App], object]
):
    """The second reads the feed before the first commits its removal; on PostgreSQL its
    write then waits for the row and finds it gone. That is a 404, as a later request gets:
    not a second 204 for a removal it did not make, nor a new address that opens nothing."""
    publisher = App.open(settings, lambda: NOW)
    publisher.feeds.publish(FeedCreate(slug="desk", title="Desk", private=True))
    publisher.close()
    raised = _while_the_first_holds(settings, lambda tx: tx.feeds.remove("desk"), racing)
    assert len(raised) == 1 and isinstance(raised[0], FeedNotFound), raised


def _while_the_first_holds(
    settings: Settings, holding: Callable[[Tx], object], racing: Callable[[App], object]
) -> list[Exception]:
    """What `racing` raises on a second replica that runs it while a first replica's
    transaction has done `holding` and not yet committed (it commits a second later)."""
    first, second = App.open(settings, lambda: NOW), App.open(settings, lambda: NOW)
    raised: list[Exception] = []

    def race() -> None:
        try:
            racing(second)
        except Exception as exc:  # noqa: BLE001 - handed to the test's thread to judge
            raised.append(exc)

    try:
        racer = threading.Thread(target=race)
        with first.context.transaction() as tx:
            holding(tx)
            racer.start()
            racer.join(timeout=1)  # long enough for the second to reach its write and wait
        racer.join(timeout=30)
        assert not racer.is_alive()
        return raised
    finally:
        first.close()
        second.close()
