"""The feed cache: bounded by the bytes it holds, not only by how many feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.feeds import FeedCache, RenderedFeed, whole
from service.store import DataVersion

AT = DataVersion(7, datetime(2026, 12, 3, 9, tzinfo=UTC))
SETTLE = timedelta(seconds=3)


def _body(size: int) -> bytes:
    return bytes(range(256)) * (size // 256)


def test_the_cache_drops_the_least_recently_used_feeds_past_its_byte_limit():
    cache = FeedCache(max_bytes=100_000)
    for key in ("a", "b", "c"):
        cache.build(key, AT, lambda: whole(_body(40_000), AT))
    assert cache.lookup("a", AT.version) is None
    assert cache.lookup("b", AT.version) is not None
    assert cache.lookup("c", AT.version) is not None


def test_a_feed_larger_than_the_whole_limit_is_served_but_not_kept():
    cache = FeedCache(max_bytes=10_000)
    served = cache.build("big", AT, lambda: whole(_body(20_000), AT))
    assert isinstance(served, RenderedFeed) and len(served.body) == 19_968
    assert cache.lookup("big", AT.version) is None


def test_last_modified_stays_while_the_bytes_stay():
    cache = FeedCache()
    first = cache.build("a", AT, lambda: whole(b"same", AT))
    later = DataVersion(8, datetime(2026, 12, 4, tzinfo=UTC))
    again = cache.build("a", later, lambda: whole(b"same", later))
    assert again.version == 8
    assert again.last_modified == first.last_modified
    assert again.http_date(later.changed_at, SETTLE) == "Thu, 03 Dec 2026 09:00:01 GMT"


def test_last_modified_is_the_second_of_the_change_until_it_settles_then_the_next():
    changed = DataVersion(9, datetime(2026, 12, 3, 9, 0, 0, 400_000, tzinfo=UTC))
    feed = whole(b"bytes", changed)
    assert feed.last_modified == datetime(2026, 12, 3, 9, tzinfo=UTC)
    assert feed.http_date(changed.changed_at, SETTLE) == "Thu, 03 Dec 2026 09:00:00 GMT"
    just_before = feed.last_modified + timedelta(seconds=1) + SETTLE - timedelta(microseconds=1)
    assert feed.http_date(just_before, SETTLE) == "Thu, 03 Dec 2026 09:00:00 GMT"
    assert feed.http_date(just_before + timedelta(microseconds=1), SETTLE) == (
        "Thu, 03 Dec 2026 09:00:01 GMT"
    )
    behind = feed.last_modified - timedelta(seconds=5, milliseconds=300)  # a slower clock
    assert feed.http_date(behind, SETTLE) == "Thu, 03 Dec 2026 08:59:54 GMT"


def test_if_modified_since_holds_only_after_the_second_of_the_change():
    feed = whole(b"bytes", DataVersion(9, datetime(2026, 12, 3, 9, 0, 0, 400_000, tzinfo=UTC)))
    assert not feed.unchanged_since(datetime(2026, 12, 3, 8, 59, 59, tzinfo=UTC))
    assert not feed.unchanged_since(datetime(2026, 12, 3, 9, tzinfo=UTC))
    assert feed.unchanged_since(datetime(2026, 12, 3, 9, 0, 1, tzinfo=UTC))


def test_a_feed_read_at_a_newer_version_than_asked_for_is_kept_as_what_it_is():
    cache = FeedCache()
    moved = DataVersion(8, datetime(2026, 12, 3, 9, 0, 5, tzinfo=UTC))
    built = cache.build("a", AT, lambda: whole(b"the data of version 8", moved))
    assert (built.version, built.last_modified) == (8, moved.changed_at)
    assert cache.lookup("a", 7) is None
    assert cache.lookup("a", 8) is built
    assert cache.build("a", moved, lambda: whole(b"not built again", moved)) is built
    assert cache.renders == 1


def test_a_version_read_before_a_write_here_is_not_trusted_after_it():
    cache = FeedCache(version_ttl=60)
    mark = cache.version_mark()
    cache.expire_version()  # a write committed while the version was being read
    cache.remember_version(AT, mark)
    assert cache.known_version() is None
    cache.remember_version(AT, cache.version_mark())
    assert cache.known_version() == AT
