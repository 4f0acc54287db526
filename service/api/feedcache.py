"""Rendered feeds kept until the data changes, so most calendar polls cost one tiny query."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: datetime
    version: int


class FeedCache:
    """Feeds by key (a slug, or a canonical filter), valid while the data version stands.

    Last-Modified moves only when the bytes change: a write elsewhere re-renders a feed but
    leaves its date alone if the feed came out the same.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: OrderedDict[str, RenderedFeed] = OrderedDict()
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self.max_entries = max_entries

    def get(
        self, key: str, version: int, changed_at: datetime, render: Callable[[], bytes]
    ) -> RenderedFeed:
        cached = self._lookup(key, version)
        if cached is not None:
            return cached
        with self._render_lock:  # one render at a time: a burst of polls renders once
            cached = self._lookup(key, version)
            if cached is not None:
                return cached
            body = render()
            previous = self._entries.get(key)
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            unchanged = previous is not None and previous.etag == etag
            when = previous.last_modified if unchanged and previous else changed_at
            fresh = RenderedFeed(body, etag, when.replace(microsecond=0), version)
            self._store(key, fresh)
            return fresh

    def _lookup(self, key: str, version: int) -> RenderedFeed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found.version != version:
                return None
            self._entries.move_to_end(key)
            return found

    def _store(self, key: str, feed: RenderedFeed) -> None:
        with self._lock:
            self._entries[key] = feed
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
