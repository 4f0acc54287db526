"""Feeds joined from each event's stored bytes, so a write costs one render, not thousands.

A feed is built in one snapshot of the data: one indexed pass over its commitments' stored
events, a render of the few with none for their current key (after a write, the one that
changed), then the bytes read in pages by due start and hashed for the ETag. Whatever is
written meanwhile, the bytes are those of one state of the data, and the feed carries that
state's version. The events rendered are stored after, in a short transaction of their own.
The result is byte for byte what `render_feed` makes of the same data. A small feed is kept
whole; a large one is read again, page by page, for each response that sends it, so memory
holds a page at a time, never the feed.

A streamed response reads each page in a transaction of its own (a slow client must not hold
a snapshot open): if a write moved the data since the feed was built, the bytes would no
longer match the ETag, so the response is cut short (its Content-Length tells the client it
is incomplete), and the next request builds the feed again.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

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
from service.store import DataVersion, IndexedEvent, StoredEvent, Tx

PAGE = 2000
"""Events per page read, at the least: a page ends where the due start changes."""
_FILL_BATCH = 500
_Item = TypeVar("_Item")


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

    def build(self, options: Callable[[Tx], FeedOptions], where: CommitmentFilter) -> CachedFeed:
        """The feed of what `where` matches, with its `options`, as of one snapshot."""
        with self._ctx.read(snapshot=True) as tx:
            version = tx.versions.current()
            survey = _survey(tx.events.index(where, self.render_key))
            rendered = self._render(tx, survey.missing, survey.spans)
            fresh = {event.commitment_id: event.ical for event in rendered}
            prefix = feed_prefix(options(tx), survey.spans)
            pages = (
                self._page(tx, where, start, end, fresh) for start, end in _ranges(survey.bounds)
            )
            feed = self._assemble(prefix, pages, version, where, survey.bounds)
        self._keep(rendered)
        return feed

    def chunks(self, feed: StreamedFeed) -> Iterator[bytes]:
        """A streamed feed's bytes, a page at a time; FeedChanging if the data moved."""
        yield feed.prefix
        for start, end in _ranges(feed.bounds):
            with self._ctx.read(snapshot=True) as tx:
                page = self._page(tx, feed.where, start, end, {})
                moved = tx.versions.current().version != feed.version
            if moved:
                raise FeedChanging
            yield page
        yield FEED_END

    def _assemble(
        self,
        prefix: bytes,
        pages: Iterable[bytes],
        version: DataVersion,
        where: CommitmentFilter,
        bounds: Sequence[datetime],
    ) -> CachedFeed:
        digest, length = hashlib.sha256(prefix), len(prefix)
        held: list[bytes] | None = [prefix]
        limit = self._ctx.settings.feed_stream_above
        for page in pages:
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
            bounds=tuple(bounds),
        )

    def _render(self, tx: Tx, missing: Sequence[str], spans: ZoneSpans) -> list[StoredEvent]:
        """The events that have no bytes yet, rendered from the snapshot; `spans` widened to
        their zones."""
        defaults = self._ctx.publishing.default_alerts
        rendered: list[StoredEvent] = []
        for batch in _batched(missing, _FILL_BATCH):
            events: list[RenderedEvent] = []
            for commitment in tx.commitments.many(batch).values():
                event = render_event(commitment, defaults)
                if event is None:
                    continue
                events.append(event)
                rendered.append(
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
            add_zone_spans(spans, events)
        return rendered

    def _keep(self, rendered: Sequence[StoredEvent]) -> None:
        """Store what was rendered, so the next build reads it instead."""
        self._ctx.feed_cache.events_rendered += len(rendered)
        for batch in _batched(rendered, _FILL_BATCH):
            with self._ctx.transaction() as tx:
                tx.events.store(self.render_key, batch)

    def _page(
        self,
        tx: Tx,
        where: CommitmentFilter,
        start: datetime,
        end: datetime | None,
        fresh: Mapping[str, bytes],
    ) -> bytes:
        """One page's events in feed order (due start, then id), as `render_feed` sorts them,
        those with no stored bytes from `fresh`; FeedChanging if one is in neither (a page
        of a streamed feed read after a write)."""
        rows = tx.events.page(where, self.render_key, start, end)
        rows.sort(key=lambda row: (row[0], row[1]))
        try:
            return b"".join(ical if ical is not None else fresh[id_] for _, id_, ical in rows)
        except KeyError:
            raise FeedChanging from None


def _ranges(bounds: Sequence[datetime]) -> Iterator[tuple[datetime, datetime | None]]:
    """Each page's due-start range: from one bound to the next, the last one open."""
    ends: list[datetime | None] = [*bounds[1:], None]
    return zip(bounds, ends, strict=False)


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


def _batched(items: Sequence[_Item], size: int) -> Iterator[list[_Item]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
