"""Feeds over HTTP: the shipped calendars, validators, 304s and a cache that follows the data."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import vobject
from fastapi.testclient import TestClient
from icalendar import Calendar, Component

from service.api import create_app
from service.app import App
from service.domain import ChangeNote, CommitmentPatch
from service.settings import Settings
from tests.support.calendar_parsers import read_all
from tests.support.clocks import Clock

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
SHIPPED = sorted(path.stem for path in FEEDS.glob("*.yaml"))
ADMIN = {"Authorization": "Bearer feed-admin-token"}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SETTLED = timedelta(minutes=1)
"""Long enough after a change for its Last-Modified to validate (see service/feeds/cache.py)."""


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def client(database_url: str, clock: Clock) -> Iterator[TestClient]:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="feed-admin-token",
        feeds_dir=FEEDS,
        public_url="https://calendar.example.org",
        feed_version_ttl=timedelta(seconds=0.5),
    )
    with TestClient(create_app(settings, clock=clock)) as test_client:
        services = test_client.app.state.services  # type: ignore[attr-defined]
        assert services.warmed.wait(30), "the feeds were not warmed"
        yield test_client


def _renders(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("treatycal_feed_renders_total "):
            return float(line.split()[1])
    raise AssertionError("no feed render counter in /metrics")


def _event(feed: bytes, uid: str) -> Component:
    (found,) = [e for e in Calendar.from_ical(feed).walk("VEVENT") if str(e["UID"]) == uid]
    return found


@pytest.mark.parametrize("slug", [*SHIPPED, "all"])
def test_every_shipped_feed_is_valid_for_every_parser(client: TestClient, slug: str):
    response = client.get(f"/feeds/{slug}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = read_all(response.content)
    assert events, f"{slug} has no events"
    assert len({e.uid for e in events}) == len(events)


def test_the_sochi_feed_holds_what_the_report_mentions(client: TestClient):
    events = {e.uid: e for e in read_all(client.get("/feeds/sochi-2019.ics").content)}
    assert {
        "new-start-expiry@treatycal",
        "helsinki-summit-2018@treatycal",
        "putin-kim-vladivostok-2019@treatycal",
        "trump-putin-call-2019-05-03@treatycal",
        "us-election-2016@treatycal",
        "us-election-2020@treatycal",
    } <= set(events)
    listed = client.get("/api/v1/commitments", params={"feed": "sochi-2019", "limit": 100}).json()
    undated = [c["id"] for c in listed["items"] if c["due"] is None]
    assert undated == ["new-start-extension-talks-2019"]
    assert f"{undated[0]}@treatycal" not in events


def test_validators_give_304s_and_head_gives_headers(client: TestClient, clock: Clock):
    clock.now = NOW + SETTLED
    first = client.get("/feeds/arms-control.ics")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "public, max-age=900"
    matched = client.get("/feeds/arms-control.ics", headers={"If-None-Match": etag})
    assert (matched.status_code, matched.content) == (304, b"")
    assert matched.headers["etag"] == etag
    listed = client.get("/feeds/arms-control.ics", headers={"If-None-Match": f'"x", W/{etag}'})
    assert listed.status_code == 304
    since = client.get("/feeds/arms-control.ics", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = client.get(
        "/feeds/arms-control.ics",
        headers={
            "If-Modified-Since": format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
        },
    )
    assert stale.status_code == 200
    other = client.get(
        "/feeds/arms-control.ics",
        headers={"If-None-Match": '"other"', "If-Modified-Since": modified},
    )
    assert other.status_code == 200, "If-None-Match decides when both are sent"
    head = client.head("/feeds/arms-control.ics")
    assert head.status_code == 200 and head.headers["etag"] == etag and head.content == b""


def test_polls_are_served_from_cache_until_the_data_changes(client: TestClient):
    first = client.get("/feeds/summits.ics")
    renders = _renders(client)
    for _ in range(5):
        assert client.get("/feeds/summits.ics").content == first.content
    assert _renders(client) == renders

    unrelated = client.patch(
        "/api/v1/commitments/new-start-expiry", json={"description": "Expired."}, headers=ADMIN
    )
    assert unrelated.status_code == 200
    same = client.get("/feeds/summits.ics")
    assert _renders(client) == renders + 1
    assert same.headers["etag"] == first.headers["etag"]
    assert same.headers["last-modified"] == first.headers["last-modified"]

    member = client.patch(
        "/api/v1/commitments/helsinki-summit-2018",
        json={"title": "Trump-Putin summit, Helsinki (Presidential Palace)"},
        headers=ADMIN,
    )
    assert member.status_code == 200
    changed = client.get("/feeds/summits.ics", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    helsinki = _event(changed.content, "helsinki-summit-2018@treatycal")
    was = _event(first.content, "helsinki-summit-2018@treatycal")
    assert (
        helsinki.decoded("SEQUENCE") == was.decoded("SEQUENCE") + 1
    )  # calendars replace, never duplicate
    assert str(helsinki["SUMMARY"]).startswith("Trump-Putin summit, Helsinki (Presidential")


def test_a_cancelled_commitment_stays_in_the_feed_as_cancelled(client: TestClient):
    uid = "helsinki-summit-2018@treatycal"
    was = _event(client.get("/feeds/summits.ics").content, uid)
    client.delete("/api/v1/commitments/helsinki-summit-2018", headers=ADMIN)
    helsinki = _event(client.get("/feeds/summits.ics").content, uid)
    assert (helsinki["STATUS"], helsinki.decoded("SEQUENCE")) == (
        "CANCELLED",
        was.decoded("SEQUENCE") + 1,
    )


def test_the_all_feed_takes_the_api_filters(client: TestClient):
    summits = read_all(client.get("/feeds/all.ics", params={"kind": "summit"}).content)
    listed = client.get("/api/v1/commitments", params={"kind": "summit", "limit": 500}).json()
    expected = {f"{c['id']}@treatycal" for c in listed["items"] if c["due"]}
    assert len(expected) >= 6 and {e.uid for e in summits} == expected
    both = read_all(client.get("/feeds/all.ics", params=[("party", "KP"), ("party", "HU")]).content)
    assert {e.uid for e in both} == {
        "putin-kim-vladivostok-2019@treatycal",
        "trump-putin-budapest-2025@treatycal",
    }
    bad = client.get("/feeds/all.ics", params={"party": "USA"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_a_filtered_all_feed_is_named_by_its_filters_and_refreshes_from_its_own_address(
    client: TestClient,
):
    """Subscribed twice with different filters, a calendar lists two names that tell them
    apart; a client refreshing from SOURCE (RFC 7986) must not get the unfiltered feed."""
    narrowed = vobject.readOne(client.get("/feeds/all.ics?kind=summit&party=RU").text)
    named = {narrowed.contents[key][0].value for key in ("name", "x-wr-calname")}
    assert named == {"treatycal: commitments (kinds: summit; parties: RU)"}
    address = "https://calendar.example.org/feeds/all.ics?kind=summit&party=RU"
    assert {narrowed.contents[key][0].value for key in ("source", "url")} == {address}
    plain = vobject.readOne(client.get("/feeds/all.ics").text)
    assert plain.contents["x-wr-calname"][0].value == "treatycal: all commitments"
    assert plain.contents["source"][0].value == "https://calendar.example.org/feeds/all.ics"


def test_unknown_feeds_are_404_problems(client: TestClient):
    for path in ("/feeds/nope.ics", "/feeds/..%2F..%2Fetc.ics", "/feeds/UPPER.ics"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


def test_the_feed_list_gives_https_and_webcal_addresses(client: TestClient):
    listed = {f["slug"]: f for f in client.get("/api/v1/feeds").json()}
    assert set(listed) == {*SHIPPED, "all"}
    arms = listed["arms-control"]
    assert arms["url"] == "https://calendar.example.org/feeds/arms-control.ics"
    assert arms["webcal_url"] == "webcal://calendar.example.org/feeds/arms-control.ics"
    tracked = client.get("/api/v1/commitments", params={"limit": 1}).json()["total"]
    assert arms["count"] > 20 and listed["all"]["count"] == tracked > arms["count"]


def test_gzip_is_served_to_clients_that_ask_with_its_own_etag(client: TestClient):
    plain = client.get("/feeds/arms-control.ics", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/feeds/arms-control.ics", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == plain.content
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for etag in (plain.headers["etag"], zipped.headers["etag"]):
        again = client.get(
            "/feeds/arms-control.ics", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
        )
        assert again.status_code == 304


def test_a_write_by_another_process_is_seen_within_the_version_ttl(client: TestClient):
    first = client.get("/feeds/summits.ics")
    services = client.app.state.services  # type: ignore[attr-defined]
    other = App.open(services.app.settings)
    try:
        other.commitments.patch(
            "trump-putin-alaska-2025",
            CommitmentPatch.model_validate({"description": "Anchorage and no deal on Ukraine."}),
            ChangeNote(),
            "another process",
        )
    finally:
        other.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        seen = client.get("/feeds/summits.ics")
        if seen.headers["etag"] != first.headers["etag"]:
            break
        time.sleep(0.1)
    assert seen.headers["etag"] != first.headers["etag"]
    assert b"Anchorage and no deal on Ukraine." in seen.content.replace(b"\r\n ", b"")
