"""Feeds joined from each event's stored bytes, so a write costs one render, not thousands.

Building a feed reads its commitments' stored events in one indexed pass, renders the few
with none for their current key (after a write, the one that changed) and stores them in a
short transaction of their own, then reads the bytes in pages by due start to hash them.
The result is byte for byte what `render_feed` makes of the same data, and its ETag is the
hash of those bytes. A small feed is kept whole; a large one is read again, page by page,
for each response that sends it, so memory holds a page at a time, never the feed.

Every page is read with the data version after it: if a write moved the data since the feed
was surveyed, the bytes would no longer match the ETag, so the build starts over (a response
already under way is cut short, and its Content-Length tells the client it is incomplete).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from service.app.context import Context
from service.domain import CommitmentFilter
from service.errors import FeedChanging
from service.feeds import (
    FEED_END,
    CachedFeed,
    FeedOptions,
    RenderedEvent,
    StreamedFeed,
    ZoneSpans,
    add_zone_spans,
    event_render_key,
    feed_prefix,
    render_event,
    whole,
)
from service.store import DataVersion, IndexedEvent, StoredEvent

PAGE = 2000
"""Events per page read, at the least: a page ends where the due start changes."""
_FILL_BATCH = 500
_ATTEMPTS = 5


class _Moved(Exception):
    """The data version moved while a feed was read."""


@dataclass(slots=True)
class _Survey:
    """What one pass over a feed's index finds: zones, page bounds, events with no bytes."""

    spans: ZoneSpans = field(default_factory=dict)
    bounds: list[datetime] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class Assembly:
    """Builds feeds from stored event bytes, filling in the events that have none."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.render_key = event_render_key(ctx.publishing.default_alerts)

    def build(
        self, options: FeedOptions, where: CommitmentFilter, version: DataVersion
    ) -> CachedFeed:
        """The feed of what `where` matches, to cache at `version`; FeedChanging if writes
        keep moving the data under it."""
        for _ in range(_ATTEMPTS):
            try:
                return self._attempt(options, where, version)
            except _Moved:
                continue
        raise FeedChanging

    def chunks(self, feed: StreamedFeed) -> Iterator[bytes]:
        """A streamed feed's bytes, a page at a time; FeedChanging if the data moved."""
        yield feed.prefix
        try:
            yield from self._pages(feed.where, feed.bounds, feed.data_version)
        except _Moved as exc:
            raise FeedChanging from exc
        yield FEED_END

    def _attempt(
        self, options: FeedOptions, where: CommitmentFilter, version: DataVersion
    ) -> CachedFeed:
        with self._ctx.read() as tx:
            data_version = tx.versions.current().version  # before the index: see _page
            survey = _survey(tx.events.index(where, self.render_key))
        self._fill(survey.missing, survey.spans)
        prefix = feed_prefix(options, survey.spans)
        digest, length = hashlib.sha256(prefix), len(prefix)
        held: list[bytes] | None = [prefix]
        limit = self._ctx.settings.feed_stream_above
        for page in self._pages(where, survey.bounds, data_version):
            digest.update(page)
            length += len(page)
            if held is not None:
                held.append(page)
                held = held if length <= limit else None
        digest.update(FEED_END)
        if held is not None:
            return whole(b"".join([*held, FEED_END]), version)
        return StreamedFeed(
            etag='"' + digest.hexdigest()[:32] + '"',
            last_modified=version.changed_at.replace(microsecond=0),
            version=version.version,
            length=length + len(FEED_END),
            prefix=prefix,
            where=where,
            bounds=tuple(survey.bounds),
            data_version=data_version,
        )

    def _fill(self, missing: Sequence[str], spans: ZoneSpans) -> None:
        """Render and store the events that have no bytes yet, a batch per transaction, and
        widen `spans` to their zones (their bytes are read back with the others)."""
        defaults = self._ctx.publishing.default_alerts
        for batch in _batched(missing, _FILL_BATCH):
            with self._ctx.read() as tx:
                found = tx.commitments.many(batch)
            rendered: list[RenderedEvent] = []
            stored = []
            for commitment in found.values():
                event = render_event(commitment, defaults)
                if event is None:
                    continue
                rendered.append(event)
                stored.append(
                    StoredEvent(
                        commitment_id=commitment.id,
                        revision=commitment.revision,
                        superseded_by=commitment.superseded_by,
                        ical=event.ical,
                        tzids=event.tzids,
                        first_day=event.first,
                        last_day=event.last,
                    )
                )
            add_zone_spans(spans, rendered)
            self._ctx.feed_cache.events_rendered += len(stored)
            with self._ctx.transaction() as tx:
                tx.events.store(self.render_key, stored)

    def _pages(
        self, where: CommitmentFilter, bounds: Sequence[datetime], data_version: int
    ) -> Iterator[bytes]:
        ends: list[datetime | None] = [*bounds[1:], None]
        for start, end in zip(bounds, ends, strict=False):
            yield self._page(where, start, end, data_version)

    def _page(
        self, where: CommitmentFilter, start: datetime, end: datetime | None, data_version: int
    ) -> bytes:
        """One page's events in feed order (due start, then id), as `render_feed` sorts them.

        The version is read after the events: a write that committed before they were read
        has moved it by then, on PostgreSQL's per-statement snapshots too.
        """
        with self._ctx.read() as tx:
            rows = tx.events.page(where, self.render_key, start, end)
            moved = tx.versions.current().version != data_version
        if moved or any(ical is None for _, _, ical in rows):
            raise _Moved
        rows.sort(key=lambda row: (row[0], row[1]))
        return b"".join(ical for _, _, ical in rows if ical is not None)


def _survey(index: Iterable[IndexedEvent]) -> _Survey:
    """Zones and page bounds from the stored events, by due start; ids of those with none."""
    survey = _Survey()
    in_page, previous = 0, None
    for event in index:
        if previous is None or (in_page >= PAGE and event.due_start != previous):
            survey.bounds.append(event.due_start)
            in_page = 0
        in_page, previous = in_page + 1, event.due_start
        if event.tzids is None or event.first_day is None or event.last_day is None:
            survey.missing.append(event.commitment_id)
            continue
        for tzid in event.tzids.split():
            first, last = survey.spans.get(tzid, (event.first_day, event.last_day))
            survey.spans[tzid] = (min(first, event.first_day), max(last, event.last_day))
    return survey


def _batched(items: Sequence[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
