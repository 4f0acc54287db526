"""A feed asked for while writes keep landing: it is built, whole, as one state of the data.

The writer edits commitments round-robin, numbering its edits, so a feed that is one state of
the data holds, for each commitment, its last edit up to some n and none after: the edit
numbers it shows span less than one round. Pages read from different states would mix older
and newer rounds.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar

from service.app import App, assembly
from service.domain import ChangeNote, CommitmentCreate, CommitmentFilter, CommitmentPatch
from service.errors import FeedChanging
from service.feeds import CachedFeed, RenderedFeed, StreamedFeed
from service.feeds.cache import content_etag
from service.settings import Settings

COUNT = 30
_EDIT = re.compile(r"edit (\d+)")


@pytest.fixture(params=[16_000_000, 500], ids=["held", "streamed"])
def app(request: pytest.FixtureRequest, database_url: str) -> Iterator[App]:
    """Every call for a feed reads the data version afresh (no version TTL); the feed is held
    whole, or streamed (it is larger than 500 bytes)."""
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        feed_version_ttl=timedelta(0),
        feed_stream_above=request.param,
    )
    opened = App.open(settings)
    for number in range(COUNT):
        data = {"id": f"c{number:02d}", "title": f"Meeting {number}", "kind": "summit"}
        due = {"due": {"value": f"2030-01-{number % 28 + 1:02d}"}}
        opened.commitments.create(CommitmentCreate.model_validate(data | due), ChangeNote(), "t")
    yield opened
    opened.close()


class Writer:
    """Edits the commitments round-robin, edit n going to commitment n mod COUNT."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.edits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            patch = CommitmentPatch(description=f"edit {self.edits}")
            target = f"c{self.edits % COUNT:02d}"
            self.app.commitments.patch(target, patch, ChangeNote(), "writer")
            self.edits += 1

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(30)


def _edits_shown(body: bytes) -> list[int]:
    events = Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == COUNT
    return sorted(int(_EDIT.search(str(e["DESCRIPTION"])).group(1)) for e in events)  # type: ignore[union-attr]


def _bytes(app: App, feed: CachedFeed) -> bytes:
    if isinstance(feed, RenderedFeed):
        return feed.body
    assert isinstance(feed, StreamedFeed)
    return b"".join(app.feeds.chunks(feed))


def test_a_feed_built_while_writes_land_is_one_state_of_the_data(
    app: App, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(assembly, "PAGE", 1)  # a page per event: writes land between pages
    read_page = assembly.Assembly._page

    def slowly(*args: Any, **kwargs: Any) -> bytes:
        time.sleep(0.005)  # a build takes a while, as a large feed's does
        return read_page(*args, **kwargs)

    monkeypatch.setattr(assembly.Assembly, "_page", slowly)
    with Writer(app) as writer:
        while writer.edits < 2 * COUNT:  # every commitment has been edited
            time.sleep(0.01)
        built, overlapped = [], 0
        for _ in range(6):
            before = writer.edits
            built.append(app.feeds.filtered_calendar(CommitmentFilter()))
            overlapped += writer.edits > before + 1
    assert overlapped == len(built)  # writes landed while each feed was built
    for feed in built:
        if isinstance(feed, RenderedFeed):
            shown = _edits_shown(feed.body)
            assert shown[-1] - shown[0] == COUNT - 1, shown  # one round: one state
    last = app.feeds.filtered_calendar(CommitmentFilter())  # the writes have stopped
    assert isinstance(last, RenderedFeed | StreamedFeed)
    body = _bytes(app, last)
    assert content_etag(body) == last.etag
    assert _edits_shown(body) == list(range(writer.edits - COUNT, writer.edits))


def test_a_feed_whose_data_moved_after_it_was_built_is_never_sent_mixed(app: App):
    feed = app.feeds.filtered_calendar(CommitmentFilter())
    patch = CommitmentPatch(description="edit 99")
    app.commitments.patch("c05", patch, ChangeNote(), "writer")
    if isinstance(feed, StreamedFeed):  # read again to be sent: cut short, not mixed
        with pytest.raises(FeedChanging):
            b"".join(app.feeds.chunks(feed))
    else:  # held whole: the bytes of its own state
        assert isinstance(feed, RenderedFeed) and b"edit 99" not in feed.body
    after = app.feeds.filtered_calendar(CommitmentFilter())
    assert after.version > feed.version and b"edit 99" in _bytes(app, after)
