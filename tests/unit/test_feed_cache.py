"""The feed cache: bounded by the bytes it holds, not only by how many feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.feeds import FeedCache, whole
from service.store import DataVersion

AT = DataVersion(7, datetime(2026, 12, 3, 9, tzinfo=UTC))
SETTLE = timedelta(seconds=3)


def _body(size: int) -> bytes:
    return bytes(range(256)) * (size // 256)


def test_the_cache_drops_the_least_recently_used_feeds_past_its_byte_limit():
    cache = FeedCache(max_bytes=100_000)
    for key in ("a", "b", "c"):
        cache.render(key, AT, lambda: _body(40_000), lambda: AT)
    assert cache.lookup("a", AT.version) is None
    assert cache.lookup("b", AT.version) is not None
    assert cache.lookup("c", AT.version) is not None


def test_a_feed_larger_than_the_whole_limit_is_served_but_not_kept():
    cache = FeedCache(max_bytes=10_000)
    served = cache.render("big", AT, lambda: _body(20_000), lambda: AT)
    assert len(served.body) == 19_968
    assert cache.lookup("big", AT.version) is None


def test_last_modified_stays_while_the_bytes_stay():
    cache = FeedCache()
    first = cache.render("a", AT, lambda: b"same", lambda: AT)
    later = DataVersion(8, datetime(2026, 12, 4, tzinfo=UTC))
    again = cache.render("a", later, lambda: b"same", lambda: later)
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


def test_a_build_the_data_moved_under_is_built_again_at_the_new_version():
    cache = FeedCache()
    moved = DataVersion(8, datetime(2026, 12, 3, 9, 0, 5, tzinfo=UTC))
    versions = iter([moved, moved])
    bodies = iter([b"newer data, read under version 7", b"the data of version 8"])
    built = cache.render("a", AT, lambda: next(bodies), lambda: next(versions))
    assert (built.version, built.last_modified) == (8, moved.changed_at)
    assert built.body == b"the data of version 8"
    assert cache.lookup("a", 7) is None
    assert cache.lookup("a", 8) is built
    assert cache.renders == 2


def test_a_feed_whose_data_keeps_moving_is_served_dated_by_the_last_version_and_not_kept():
    cache = FeedCache()
    versions = (DataVersion(n, AT.changed_at + timedelta(seconds=n)) for n in range(8, 20))
    built = cache.render("a", AT, lambda: b"moving", lambda: next(versions))
    assert built.version == 10
    assert built.last_modified == AT.changed_at + timedelta(seconds=10)
    assert cache.lookup("a", 10) is None


def test_a_version_read_before_a_write_here_is_not_trusted_after_it():
    cache = FeedCache(version_ttl=60)
    mark = cache.version_mark()
    cache.expire_version()  # a write committed while the version was being read
    cache.remember_version(AT, mark)
    assert cache.known_version() is None
    cache.remember_version(AT, cache.version_mark())
    assert cache.known_version() == AT
