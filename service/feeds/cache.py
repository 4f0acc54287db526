"""Feeds kept until the data changes, so most calendar polls touch no database.

The data version is read from the database at most once per `version_ttl`, and at once
after a write in this process. Another process's write (a worker, another replica, the CLI)
is seen within `version_ttl`; calendar clients poll every half hour at the most.

A small feed is kept whole (its body and its gzip); a large one only as what it takes to
answer a 304 and to stream its body from the stored events again. The cache is bounded by
bytes as well as by entries, so a few large feeds cannot hold the memory of a whole dataset.

Validators. The ETag is a hash of the bytes, so every replica gives the same one. Last-Modified
comes from the database's `changed_at` of the data version the bytes were read at, never from
a replica's own clock, so replicas that built a feed at the same version give the same date
(one that has held the same bytes since an earlier version keeps that earlier date, which is
still true). HTTP dates have whole seconds, and two writes in one second S give two sets of
bytes both "modified at S": a client that fetched between them and sends
`If-Modified-Since: S` would be told 304 with stale bytes. So:

- If-Modified-Since holds only for a date after the whole second of the change (S < date),
  and a date within S proves nothing;
- once that second has closed and `settle` has passed (no write stamped in S can still
  commit, and every replica has seen the last one that did), Last-Modified is S + 1 s, the
  first moment at which the change is wholly past: a client that sends it back gets its 304;
- until then Last-Modified is S itself, which is true and can never earn a 304: the client
  gets the bytes once more, with S + 1 s, on its next poll.

`settle` is the version TTL (how stale a replica's view of the version may be) plus
SETTLE_SLACK (a write's commit after it stamps `changed_at`, and clock differences between
replicas). A feed is built in one snapshot of the data and carries the version read in it,
so its bytes are never kept under, or dated by, a version older than the data they hold.

Not chosen: dating the change S + 1 s at once (the next write in S would be dated S + 1 s as
well, and the date would be later than the response's Date); sending no Last-Modified until
the second closes (caches then revalidate with the response's Date, which has the same hole).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import format_datetime

from service.domain import CommitmentFilter
from service.store import DataVersion

SECOND = timedelta(seconds=1)
SETTLE_SLACK = timedelta(seconds=2)
"""How long a write may take from stamping the data version to its commit, plus how far
replicas' clocks may differ: Last-Modified validates only once this has passed as well."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CachedFeed:
    """What a conditional request is answered from: the validators of a feed's bytes."""

    etag: str
    last_modified: datetime
    """The whole second in which the bytes last changed (a data version's changed_at)."""
    version: int
    gzip_etag: str = field(init=False, repr=False)
    """A strong ETag of its own for the gzip encoding, as RFC 9110 asks."""
    _closed_date: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_modified", self.last_modified.replace(microsecond=0))
        object.__setattr__(self, "gzip_etag", self.etag[:-1] + '-gzip"')
        closed = format_datetime(self.last_modified + SECOND, usegmt=True)
        object.__setattr__(self, "_closed_date", closed)

    def http_date(self, now: datetime, settle: timedelta) -> str:
        """Last-Modified as sent at `now`: the end of the second of the change once it has
        settled, and until then that second itself (never later than now), which earns no 304."""
        if now >= self.last_modified + SECOND + settle:
            return self._closed_date
        return format_datetime(min(self.last_modified, now.replace(microsecond=0)), usegmt=True)

    def unchanged_since(self, since: datetime) -> bool:
        """If-Modified-Since: true only for a date after the whole second of the change."""
        return self.last_modified < since

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
    `where` due from each bound to the next, read while the data stays at `version`.
    """

    length: int
    prefix: bytes = field(repr=False)
    where: CommitmentFilter
    bounds: tuple[datetime, ...] = field(repr=False)

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
        last_modified=version.changed_at,
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
        self._writes = 0
        self.renders = 0
        """How many times a feed was built (a miss); /metrics reports it."""
        self.hits = 0
        """How many answers came from a feed already held (a 200 or a 304); /metrics too."""
        self.events_rendered = 0
        """How many events were rendered because no stored bytes fitted; /metrics reports it."""

    def known_version(self) -> DataVersion | None:
        """The data version, if it was read recently enough to trust without asking again."""
        fresh = time.monotonic() - self._version_read_at < self.version_ttl
        return self._version if fresh else None

    def version_mark(self) -> int:
        """Taken before reading the version, for `remember_version`."""
        return self._writes

    def remember_version(self, version: DataVersion, mark: int) -> None:
        """Trust `version` for `version_ttl`, unless this process wrote since `mark` was taken:
        the read may then predate the write, which the next answer must show."""
        with self._lock:
            if mark == self._writes:
                self._version, self._version_read_at = version, time.monotonic()

    def expire_version(self) -> None:
        """This process wrote: read the version again before the next answer."""
        with self._lock:
            self._writes += 1
            self._version_read_at = 0.0

    def lookup(self, key: str, version: int) -> CachedFeed | None:
        """The feed held for `key` at `version`, if any; counted as a hit when found."""
        found = self._find(key, version)
        if found is not None:
            self.hits += 1
        return found

    def _find(self, key: str, version: int) -> CachedFeed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found.version != version:
                return None
            self._entries.move_to_end(key)
            return found

    @property
    def settle(self) -> timedelta:
        """How long after the second of a change before its Last-Modified may validate."""
        return timedelta(seconds=self.version_ttl) + SETTLE_SLACK

    def build(self, key: str, version: DataVersion, build: Callable[[], CachedFeed]) -> CachedFeed:
        """A feed that `build` reads in one snapshot, under a lock, so a burst of polls for a
        stale feed builds it once. The feed carries the version its bytes were read at, and
        is kept as that, even if the data has moved on since: it is one state of the data."""
        with self._render_lock:
            cached = self._find(key, version.version)
            if cached is not None:
                return cached
            fresh = build()
            self.renders += 1
            return self._keep(key, fresh)

    def _keep(self, key: str, fresh: CachedFeed) -> CachedFeed:
        """Store a feed; if its bytes are those already held, it keeps their date."""
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
