"""The feed cache: bounded by the bytes it holds, not only by how many feeds."""

from __future__ import annotations

from datetime import UTC, datetime

from service.feeds import FeedCache
from service.store import DataVersion

AT = DataVersion(7, datetime(2026, 12, 3, 9, tzinfo=UTC))


def _body(size: int) -> bytes:
    return bytes(range(256)) * (size // 256)


def test_the_cache_drops_the_least_recently_used_feeds_past_its_byte_limit():
    cache = FeedCache(max_bytes=100_000)
    for key in ("a", "b", "c"):
        cache.render(key, AT, lambda: _body(40_000))
    assert cache.lookup("a", AT.version) is None
    assert cache.lookup("b", AT.version) is not None
    assert cache.lookup("c", AT.version) is not None


def test_a_feed_larger_than_the_whole_limit_is_served_but_not_kept():
    cache = FeedCache(max_bytes=10_000)
    served = cache.render("big", AT, lambda: _body(20_000))
    assert len(served.body) == 19_968
    assert cache.lookup("big", AT.version) is None


def test_last_modified_stays_while_the_bytes_stay():
    cache = FeedCache()
    first = cache.render("a", AT, lambda: b"same")
    later = DataVersion(8, datetime(2026, 12, 4, tzinfo=UTC))
    again = cache.render("a", later, lambda: b"same")
    assert again.version == 8
    assert again.last_modified == first.last_modified
    assert again.http_date == "Thu, 03 Dec 2026 09:00:00 GMT"
