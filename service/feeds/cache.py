"""Feeds kept until the data changes, so most calendar polls touch no database.

The data version is read from the database at most once per `version_ttl`, and at once
after a write in this process. Another process's write (a worker, another replica, the CLI)
is seen within `version_ttl`; calendar clients poll every half hour at the most.

A small feed is kept whole (its body and its gzip); a large one only as what it takes to
answer a 304 and to stream its body from the stored events again. The cache is bounded by
bytes as well as by entries, so a few large feeds cannot hold the memory of a whole dataset.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.utils import format_datetime

from service.domain import CommitmentFilter
from service.store import DataVersion


@dataclass(frozen=True, slots=True, kw_only=True)
class CachedFeed:
    """What a conditional request is answered from: the validators of a feed's bytes."""

    etag: str
    last_modified: datetime
    version: int
    http_date: str = field(init=False, repr=False)
    gzip_etag: str = field(init=False, repr=False)
    """A strong ETag of its own for the gzip encoding, as RFC 9110 asks."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "http_date", format_datetime(self.last_modified, usegmt=True))
        object.__setattr__(self, "gzip_etag", self.etag[:-1] + '-gzip"')

    @property
    def cost(self) -> int:
        """The bytes it holds, roughly: what the cache counts against its limit."""
        return 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedFeed(CachedFeed):
    """A feed held whole."""

    body: bytes = field(repr=False)
    gzipped: bytes = field(repr=False)

    @property
    def cost(self) -> int:
        return len(self.body) + len(self.gzipped)


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamedFeed(CachedFeed):
    """A feed too large to hold: its bytes are read again from the stored events, in pages.

    `prefix` (the calendar's properties and VTIMEZONEs) comes first; then the events of
    `where` due from each bound to the next, read while the data stays at `data_version`.
    """

    length: int
    prefix: bytes = field(repr=False)
    where: CommitmentFilter
    bounds: tuple[datetime, ...] = field(repr=False)
    data_version: int

    @property
    def cost(self) -> int:
        return len(self.prefix) + 64 * len(self.bounds)


def content_etag(body: bytes) -> str:
    """A strong ETag from the bytes alone: the same on every replica for the same feed."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def whole(body: bytes, version: DataVersion) -> RenderedFeed:
    """A feed held whole, as rendered at `version`."""
    return RenderedFeed(
        etag=content_etag(body),
        last_modified=version.changed_at.replace(microsecond=0),
        version=version.version,
        body=body,
        gzipped=gzip.compress(body, 6),
    )


class FeedCache:
    """Feeds by key (a slug, or a canonical filter), valid while the data version stands.

    Last-Modified moves only when the bytes change: a write elsewhere builds a feed again but
    leaves its date alone if the feed came out the same.
    """

    def __init__(
        self, version_ttl: float = 1.0, max_entries: int = 256, max_bytes: int = 64_000_000
    ) -> None:
        self._entries: OrderedDict[str, CachedFeed] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.version_ttl = version_ttl
        self._version: DataVersion | None = None
        self._version_read_at = 0.0
        self.renders = 0
        """How many times a feed was built (a miss); /metrics reports it."""
        self.events_rendered = 0
        """How many events were rendered because no stored bytes fitted; /metrics reports it."""

    def known_version(self) -> DataVersion | None:
        """The data version, if it was read recently enough to trust without asking again."""
        fresh = time.monotonic() - self._version_read_at < self.version_ttl
        return self._version if fresh else None

    def remember_version(self, version: DataVersion) -> None:
        self._version, self._version_read_at = version, time.monotonic()

    def expire_version(self) -> None:
        """This process wrote: read the version again before the next answer."""
        self._version_read_at = 0.0

    def lookup(self, key: str, version: int) -> CachedFeed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found.version != version:
                return None
            self._entries.move_to_end(key)
            return found

    def render(self, key: str, version: DataVersion, render: Callable[[], bytes]) -> RenderedFeed:
        """A feed rendered whole, such as an Atom feed."""
        built = self.build(key, version, lambda at: whole(render(), at))
        assert isinstance(built, RenderedFeed)
        return built

    def build(
        self, key: str, version: DataVersion, build: Callable[[DataVersion], CachedFeed]
    ) -> CachedFeed:
        """Build under a lock, so a burst of polls for a stale feed builds it once."""
        with self._render_lock:
            cached = self.lookup(key, version.version)
            if cached is not None:
                return cached
            fresh = build(version)
            self.renders += 1
            with self._lock:
                previous = self._entries.get(key)
            if previous is not None and previous.etag == fresh.etag:
                fresh = replace(fresh, last_modified=previous.last_modified)
            self._store(key, fresh)
            return fresh

    def _store(self, key: str, feed: CachedFeed) -> None:
        with self._lock:
            previous = self._entries.pop(key, None)
            self._held -= previous.cost if previous is not None else 0
            if feed.cost > self.max_bytes:
                return
            self._entries[key] = feed
            self._held += feed.cost
            while len(self._entries) > self.max_entries or self._held > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._held -= evicted.cost
