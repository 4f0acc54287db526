"""Feed validators across writes and replicas: Last-Modified moves with the bytes, and the
bytes do not depend on which replica (host and port) serves them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings
from tests.support.clocks import Clock

ADMIN = {"Authorization": "Bearer validators-admin-token"}
START = datetime(2026, 12, 3, 12, tzinfo=UTC)
SECOND = timedelta(seconds=1)
SETTLED = timedelta(seconds=10)
"""Long enough after a write for every replica to have seen it (version TTL, commit, skew)."""
NEW_START = """\
feed:
  title: Arms control
  description: New START milestones.
commitments:
  - id: new-start-expiry
    title: New START expires
    kind: treaty_expiry
    due: "2026-02-05"
    parties: [US, RU]
"""
PATHS = ["/feeds/arms-control.ics", "/feeds/all.ics", "/feeds/arms-control.atom"]


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def feeds_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "arms-control.yaml").write_text(NEW_START, encoding="utf-8")
    return folder


def _settings(database_url: str, feeds_dir: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "database_url": database_url,
        "admin_token": "validators-admin-token",
        "feeds_dir": feeds_dir,
        **changes,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(params=[16_000_000, 1_000], ids=["held", "streamed"])
def client(
    request: pytest.FixtureRequest, database_url: str, feeds_dir: Path, clock: Clock
) -> Iterator[TestClient]:
    """One replica over the feed of New START alone, held whole or streamed."""
    settings = _settings(
        database_url,
        feeds_dir,
        public_url="https://calendar.example.org",
        feed_stream_above=request.param,
    )
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def _rename(client: TestClient, title: str) -> None:
    patch = {"title": title, "change": {"reason": "renamed"}}
    response = client.patch("/api/v1/commitments/new-start-expiry", json=patch, headers=ADMIN)
    assert response.status_code == 200, response.text


def _date(response_header: str) -> datetime:
    return parsedate_to_datetime(response_header)


@pytest.mark.parametrize("path", PATHS)
def test_a_second_change_within_the_same_second_is_not_answered_304_by_date(
    client: TestClient, clock: Clock, path: str
):
    """The stale 304: fetched between two writes of one second, the copy must not validate."""
    clock.now = START + SETTLED + timedelta(milliseconds=100)
    _rename(client, "New START expires (first)")
    clock.now += timedelta(milliseconds=100)
    first = client.get(path)
    assert first.status_code == 200 and b"(first)" in first.content
    assert _date(first.headers["last-modified"]) == START + SETTLED, "dated before the change"
    clock.now += timedelta(milliseconds=300)
    _rename(client, "New START expires (second)")
    again = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert again.status_code == 200, "a copy from before the second write was called current"
    assert b"(second)" in again.content
    assert again.headers["etag"] != first.headers["etag"]


@pytest.mark.parametrize("path", PATHS)
def test_last_modified_validates_once_the_second_of_the_change_has_closed(
    client: TestClient, clock: Clock, path: str
):
    clock.now = START + SETTLED + timedelta(milliseconds=400)
    _rename(client, "New START expires (renamed)")
    changed_in = clock.now.replace(microsecond=0)
    early = client.get(path)
    assert _date(early.headers["last-modified"]) == changed_in
    held = client.get(path, headers={"If-Modified-Since": early.headers["last-modified"]})
    assert held.status_code == 200, "a date inside the second of the change proves nothing"

    clock.now = changed_in + SETTLED
    settled = client.get(path)
    assert settled.headers["etag"] == early.headers["etag"]
    assert _date(settled.headers["last-modified"]) == changed_in + SECOND
    for _ in range(2):  # built, then answered from memory before the handler
        since = client.get(path, headers={"If-Modified-Since": settled.headers["last-modified"]})
        assert (since.status_code, since.content) == (304, b"")
    older = (changed_in - SECOND).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(path, headers={"If-Modified-Since": older}).status_code == 200


@pytest.mark.parametrize("path", PATHS[:2])
def test_an_unchanged_feed_keeps_its_date_but_a_change_later_in_that_second_moves_it(
    client: TestClient, clock: Clock, path: str
):
    """A write that leaves the feed's bytes alone keeps the date: it must not open a hole."""
    clock.now = START + SETTLED + timedelta(milliseconds=100)
    _rename(client, "New START expires (first)")
    clock.now += timedelta(milliseconds=100)
    first = client.get(path)
    assert _date(first.headers["last-modified"]) == START + SETTLED, "dated before the change"
    clock.now += timedelta(milliseconds=100)
    elsewhere = {
        "id": "elsewhere",
        "title": "Elsewhere",
        "kind": "meeting",
        "due": {"value": "2027-01-01"},
    }
    made = client.post("/api/v1/commitments", json=elsewhere, headers=ADMIN)
    assert made.status_code == 201, made.text
    if path.endswith("arms-control.ics"):
        kept = client.get(path)
        assert kept.headers["etag"] == first.headers["etag"]
        assert kept.headers["last-modified"] == first.headers["last-modified"]
    clock.now += timedelta(milliseconds=300)
    _rename(client, "New START expires (second)")
    again = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert again.status_code == 200 and b"(second)" in again.content


@contextmanager
def _replicas(
    database_url: str, feeds_dir: Path, clock: Clock, **changes: object
) -> Iterator[list[TestClient]]:
    """Two replicas of one database, each listening on an address of its own."""
    with ExitStack() as stack:
        clients = [
            stack.enter_context(
                TestClient(
                    create_app(
                        _settings(database_url, feeds_dir, host=host, port=port, **changes),
                        clock=clock,
                    )
                )
            )
            for host, port in (("10.0.0.5", 8000), ("10.0.0.6", 8080))
        ]
        clock.now = START + SETTLED
        yield clients


@pytest.mark.parametrize("path", PATHS[:2])
def test_replicas_with_no_public_url_serve_the_same_calendar_bytes(
    database_url: str, feeds_dir: Path, clock: Clock, path: str
):
    with _replicas(database_url, feeds_dir, clock) as (first, second):
        served = [first.get(path), second.get(path)]
        assert served[0].content == served[1].content
        assert b"10.0.0." not in served[0].content, "a replica's own address is in the feed"
        assert served[0].headers["etag"] == served[1].headers["etag"]
        assert served[0].headers["last-modified"] == served[1].headers["last-modified"]
        since = second.get(path, headers={"If-None-Match": served[0].headers["etag"]})
        assert since.status_code == 304


@pytest.mark.parametrize("path", PATHS)
def test_replicas_with_a_public_url_name_it_and_serve_the_same_bytes(
    database_url: str, feeds_dir: Path, clock: Clock, path: str
):
    """The Atom feed must name an address (its ids and links): TREATYCAL_PUBLIC_URL gives it."""
    public = "https://calendar.example.org"
    with _replicas(database_url, feeds_dir, clock, public_url=public) as (first, second):
        served = [first.get(path), second.get(path)]
        assert served[0].content == served[1].content
        assert public.encode() in served[0].content
        assert served[0].headers["etag"] == served[1].headers["etag"]
