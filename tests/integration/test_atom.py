"""The Atom companions of the feeds: what they list, RFC 4287, and caching like the calendars."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings
from tests.support.atom_check import atom_problems
from tests.support.clocks import Clock

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
SHIPPED = sorted(path.stem for path in FEEDS.glob("*.yaml"))
ADMIN = {"Authorization": "Bearer atom-admin-token"}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
BASE = "https://calendar.example.org"
ELECTION = "us-election-2016"
NEW_START = """\
feed:
  title: Arms control
  description: New START milestones.
commitments:
  - id: new-start-expiry
    title: New START expires
    kind: treaty_expiry
    due: "2026-02-05"
    status: occurred
    parties: [US, RU]
    known_since: 2011-02-05
    history:
      - effective: 2021-02-03
        reason: The five-year extension entered into force
        due: {from: "2021-02-05", to: "2026-02-05"}
      - effective: 2026-02-05
        reason: The treaty expired
        status: {from: scheduled, to: occurred}
"""


def _client(database_url: str, feeds_dir: Path, clock: Clock | None = None) -> TestClient:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="atom-admin-token",
        feeds_dir=feeds_dir,
        public_url=BASE,
        feed_version_ttl=timedelta(seconds=0.5),
    )
    return TestClient(create_app(settings, clock=clock or Clock(NOW)))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def client(database_url: str, clock: Clock) -> Iterator[TestClient]:
    """The shipped feeds."""
    with _client(database_url, FEEDS, clock) as test_client:
        yield test_client


@pytest.fixture
def new_start(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """An arms-control feed of New START's expiry alone, so its changes fill the Atom feed."""
    (tmp_path / "arms-control.yaml").write_text(NEW_START, encoding="utf-8")
    with _client(database_url, tmp_path) as test_client:
        yield test_client


def test_the_arms_control_feed_lists_the_new_start_extension(new_start: TestClient):
    response = new_start.get("/feeds/arms-control.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Arms control: changes"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == f"{BASE}/feeds/arms-control.atom"
    assert links["alternate"] == f"{BASE}/feeds/arms-control"
    moved = "New START expires: due moved from 5 February 2021 to 5 February 2026"
    (entry,) = [e for e in parsed.entries if e.title == moved]
    assert entry.link == f"{BASE}/commitments/new-start-expiry"
    assert entry.id == "tag:calendar.example.org,2026:commitments/new-start-expiry/revisions/2"
    assert "3 February 2021" in entry.summary
    titles = [e.title for e in parsed.entries]
    assert titles == [
        "New START expires: status changed from scheduled to occurred",
        moved,
        "New START expires: first recorded, due 5 February 2021",
    ]


def test_the_shipped_feed_lists_what_took_effect_last_first(client: TestClient):
    """Loaded in one go, a feed's history is recorded at once: the order is the world's."""
    parsed = feedparser.parse(client.get("/feeds/arms-control.atom").content)
    assert len(parsed.entries) == 50
    effective = [e.summary.split(".")[0].removeprefix("Took effect on ") for e in parsed.entries]
    days = [datetime.strptime(day + " +0000", "%d %B %Y %z").date() for day in effective]
    assert days == sorted(days, reverse=True)
    moved = "New START expires: due moved from 5 February 2021 to 5 February 2026; 1 source added"
    assert moved in [e.title for e in parsed.entries]


@pytest.mark.parametrize("slug", [*SHIPPED, "all"])
def test_every_public_feed_keeps_rfc_4287(client: TestClient, slug: str):
    response = client.get(f"/feeds/{slug}.atom")
    assert response.status_code == 200
    assert atom_problems(response.content) == []
    assert feedparser.parse(response.content).entries


def test_validators_give_304s_like_the_calendars(client: TestClient, clock: Clock):
    clock.now = NOW + timedelta(minutes=1)  # Last-Modified validates once the change settled
    first = client.get("/feeds/arms-control.atom")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and etag != client.get("/feeds/arms-control.ics").headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    matched = client.get("/feeds/arms-control.atom", headers={"If-None-Match": etag})
    assert matched.status_code == 304 and matched.content == b""
    since = client.get("/feeds/arms-control.atom", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = format_datetime(NOW - timedelta(days=3650), usegmt=True)
    older = client.get("/feeds/arms-control.atom", headers={"If-Modified-Since": stale})
    assert older.status_code == 200
    head = client.head("/feeds/arms-control.atom")
    assert head.status_code == 200 and head.headers["etag"] == etag


def test_a_new_change_is_the_first_entry_and_a_new_etag(client: TestClient):
    before = client.get("/feeds/all.atom")
    patch = {"title": "Talks <A & B>", "change": {"reason": "renamed"}}
    response = client.patch("/api/v1/commitments/new-start-expiry", json=patch, headers=ADMIN)
    assert response.status_code == 200, response.text
    after = client.get("/feeds/all.atom", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    first = feedparser.parse(after.content).entries[0]
    assert first.title == "Talks <A & B>: title changed from New START expires to Talks <A & B>"
    assert atom_problems(after.content) == []


def test_private_and_unknown_feeds_have_no_atom(client: TestClient):
    private = {"slug": "desk", "title": "Desk", "private": True}
    assert client.post("/api/v1/feeds", json=private, headers=ADMIN).status_code == 201
    assert client.get("/feeds/desk.atom").status_code == 404
    assert client.get("/feeds/no-such-feed.atom").status_code == 404
    assert client.get("/feeds/Not_A_Slug.atom").status_code == 404


def test_the_feed_page_links_its_atom_feed(client: TestClient):
    page = client.get("/feeds/arms-control")
    assert 'type="application/atom+xml"' in page.text
    assert 'href="/feeds/arms-control.atom"' in page.text


def _kinds_of_entries(client: TestClient, path: str) -> list[str]:
    """The kind of the commitment each entry of an Atom feed is about, in order."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert atom_problems(response.content) == []
    ids = [entry.link.rsplit("/", 1)[-1] for entry in feedparser.parse(response.content).entries]
    return [client.get(f"/api/v1/commitments/{cid}").json()["kind"] for cid in ids]


def test_the_filters_of_the_calendars_narrow_the_atom_feeds_too(client: TestClient):
    """/feeds/all.atom says it takes ?kind=, ?party=, ?tag=, ?status= as all.ics does."""
    assert set(_kinds_of_entries(client, "/feeds/all.atom")) > {"election"}
    assert set(_kinds_of_entries(client, "/feeds/all.atom?kind=election")) == {"election"}
    narrowed = _kinds_of_entries(client, "/feeds/arms-control.atom?kind=treaty_expiry")
    assert set(narrowed) == {"treaty_expiry"}
    assert set(_kinds_of_entries(client, "/feeds/arms-control.atom")) > {"treaty_expiry"}
    narrowed_feed = feedparser.parse(client.get("/feeds/all.atom?kind=election").content).feed
    assert narrowed_feed.subtitle == "Tracked commitments (kinds: election)"
    assert narrowed_feed.title == "Commitments (kinds: election): changes"
    plain = feedparser.parse(client.get("/feeds/all.atom").content).feed
    assert plain.title == "All commitments: changes"
    links = {link.rel: link.href for link in narrowed_feed.links}
    assert links["self"] == f"{BASE}/feeds/all.atom?kind=election"  # a reader moving to it keeps it
    assert links["related"] == f"{BASE}/feeds/all.ics?kind=election"
    assert narrowed_feed.id != feedparser.parse(client.get("/feeds/all.atom").content).feed.id
    assert client.get("/feeds/all.atom?kind=no-such-kind").status_code == 422


def test_a_filtered_atom_feed_changes_only_with_what_it_holds(client: TestClient):
    elections = client.get("/feeds/all.atom?kind=election")
    unchanged = {"If-None-Match": elections.headers["etag"]}
    assert client.get("/feeds/all.atom?kind=election", headers=unchanged).status_code == 304
    _rename(client, "new-start-expiry", "New START ends")
    everything = feedparser.parse(client.get("/feeds/all.atom").content)
    assert everything.entries[0].title.startswith("New START ends")
    assert client.get("/feeds/all.atom?kind=election", headers=unchanged).status_code == 304
    _rename(client, ELECTION, "Midterms")
    changed = client.get("/feeds/all.atom?kind=election", headers=unchanged)
    assert changed.status_code == 200
    assert feedparser.parse(changed.content).entries[0].title.startswith("Midterms")


def _rename(client: TestClient, commitment_id: str, title: str) -> None:
    patch = {"title": title, "change": {"reason": "renamed"}}
    response = client.patch(f"/api/v1/commitments/{commitment_id}", json=patch, headers=ADMIN)
    assert response.status_code == 200, response.text
