"""Rendered feeds kept until the data changes, so most calendar polls touch no database.

The data version is read from the database at most once per `version_ttl`, and at once
after a write in this process. Another process's write (a worker, another replica, the CLI)
is seen within `version_ttl`; calendar clients poll every half hour at the most.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from service.store import DataVersion


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: datetime
    version: int
    gzipped: bytes = field(repr=False)

    @property
    def gzip_etag(self) -> str:
        """A strong ETag of its own for the gzip encoding, as RFC 9110 asks."""
        return self.etag[:-1] + '-gzip"'


class FeedCache:
    """Feeds by key (a slug, or a canonical filter), valid while the data version stands.

    Last-Modified moves only when the bytes change: a write elsewhere re-renders a feed but
    leaves its date alone if the feed came out the same.
    """

    def __init__(self, version_ttl: float = 1.0, max_entries: int = 256) -> None:
        self._entries: OrderedDict[str, RenderedFeed] = OrderedDict()
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self.max_entries = max_entries
        self.version_ttl = version_ttl
        self._version: DataVersion | None = None
        self._version_read_at = 0.0
        self.renders = 0
        """How many times a feed was rendered (a miss); /metrics reports it."""

    def known_version(self) -> DataVersion | None:
        """The data version, if it was read recently enough to trust without asking again."""
        fresh = time.monotonic() - self._version_read_at < self.version_ttl
        return self._version if fresh else None

    def remember_version(self, version: DataVersion) -> None:
        self._version, self._version_read_at = version, time.monotonic()

    def expire_version(self) -> None:
        """This process wrote: read the version again before the next answer."""
        self._version_read_at = 0.0

    def lookup(self, key: str, version: int) -> RenderedFeed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found.version != version:
                return None
            self._entries.move_to_end(key)
            return found

    def render(self, key: str, version: DataVersion, render: Callable[[], bytes]) -> RenderedFeed:
        """Render under a lock, so a burst of polls for a stale feed renders it once."""
        with self._render_lock:
            cached = self.lookup(key, version.version)
            if cached is not None:
                return cached
            body = render()
            self.renders += 1
            previous = self._entries.get(key)
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            unchanged = previous is not None and previous.etag == etag
            when = previous.last_modified if unchanged and previous else version.changed_at
            fresh = RenderedFeed(
                body, etag, when.replace(microsecond=0), version.version, gzip.compress(body, 6)
            )
            self._store(key, fresh)
            return fresh

    def _store(self, key: str, feed: RenderedFeed) -> None:
        with self._lock:
            self._entries[key] = feed
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
