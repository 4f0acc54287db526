"""Feeds joined from stored event bytes: the same bytes as a full render, one render a write."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.domain import ChangeNote, CommitmentCreate, CommitmentFilter, CommitmentPatch
from service.feeds import ALL_FEED, CachedFeed, RenderedFeed, StreamedFeed
from service.settings import Settings
from tests.support.clocks import Clock
from tests.support.shipped import FEEDS

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
SHIPPED = sorted(path.stem for path in FEEDS.glob("*.yaml"))
MOVED = "new-start-expiry"


def _settings(database_url: str, stream_above: int) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        feeds_dir=FEEDS,
        load_feeds_on_start=False,
        feed_stream_above=stream_above,
        feed_version_ttl=timedelta(0),
    )


@pytest.fixture(params=[1_000_000, 2_000], ids=["held", "streamed"])
def shipped(request: pytest.FixtureRequest, database_url: str) -> Iterator[App]:
    """The shipped feeds, held whole or (above 2 kB) streamed from the stored events."""
    opened = App.open(_settings(database_url, request.param), clock=lambda: NOW)
    try:
        opened.feeds.load(sorted(FEEDS.glob("*.yaml")), complete=True)
        yield opened
    finally:
        opened.close()


def _served(app: App, slug: str) -> bytes:
    feed = (
        app.feeds.filtered_calendar(CommitmentFilter())
        if slug == ALL_FEED
        else app.feeds.calendar(slug)
    )
    body = _body(app, feed)
    assert feed.etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return body


def _body(app: App, feed: CachedFeed) -> bytes:
    if isinstance(feed, StreamedFeed):
        body = b"".join(app.feeds.chunks(feed))
        assert len(body) == feed.length
        return body
    assert isinstance(feed, RenderedFeed)
    return feed.body


def _every_feed_as_rendered_whole(app: App) -> None:
    for slug in [*SHIPPED, ALL_FEED]:
        assert _served(app, slug) == app.feeds.export(slug), slug


def _rendered(app: App) -> int:
    return app.context.feed_cache.events_rendered


def test_joined_feeds_are_the_bytes_of_a_full_render(shipped: App):
    _every_feed_as_rendered_whole(shipped)
    assert _rendered(shipped) > 0
    with shipped.context.read() as tx:
        assert tx.events.count() == _rendered(shipped)


def test_after_one_write_one_event_is_rendered_and_the_feeds_still_match(shipped: App):
    _every_feed_as_rendered_whole(shipped)
    before = _rendered(shipped)
    patch = CommitmentPatch(description="Extended by exchange of notes; a new line to fold.")
    shipped.commitments.patch(MOVED, patch, ChangeNote(reason="test"), "test")
    _every_feed_as_rendered_whole(shipped)
    assert _rendered(shipped) == before + 1
    with shipped.context.read() as tx:
        assert tx.events.count() == before, "the older revision's bytes were not dropped"


def test_a_second_supersession_without_a_revision_renders_the_event_again(shipped: App):
    """superseded_by changes without a new revision when a superseded commitment is
    superseded again: the stored bytes must not be reused."""
    note = ChangeNote(reason="test")
    for cid in ("first-deal", "second-deal", "third-deal"):
        supersedes = {} if cid == "first-deal" else {"supersedes": "first-deal"}
        data = CommitmentCreate(
            id=cid, title=cid, kind="deadline", due={"value": "2027-03-01"}, **supersedes
        )
        shipped.commitments.create(data, note, "test")
        assert _served(shipped, ALL_FEED) == shipped.feeds.export(ALL_FEED)
    assert b"Superseded by third-deal." in _served(shipped, ALL_FEED)


def test_a_streamed_feed_over_http_keeps_its_validators_gzip_and_head(database_url: str):
    settings = _settings(database_url, 2_000).model_copy(
        update={"load_feeds_on_start": True, "admin_token": "feed-admin-token"}
    )
    clock = Clock(NOW)
    with TestClient(create_app(settings, clock=clock)) as client:
        clock.now = NOW + timedelta(minutes=1)  # Last-Modified validates once the change settled
        plain = client.get("/feeds/all.ics", headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200
        assert plain.headers["content-length"] == str(len(plain.content))
        assert plain.headers["etag"] == '"' + hashlib.sha256(plain.content).hexdigest()[:32] + '"'
        zipped = client.get("/feeds/all.ics", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
        assert zipped.content == plain.content  # httpx undoes the gzip
        head = client.head("/feeds/all.ics", headers={"Accept-Encoding": "identity"})
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == plain.headers["content-length"]
        for condition in (
            {"If-None-Match": plain.headers["etag"]},
            {"If-None-Match": zipped.headers["etag"]},
            {"If-Modified-Since": plain.headers["last-modified"]},
        ):
            assert client.get("/feeds/all.ics", headers=condition).status_code == 304
        assert "treatycal_feed_events_rendered_total " in client.get("/metrics").text
