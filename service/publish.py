"""Rendering stored feeds: the same bytes for the web route and for `treatycal export`."""

from __future__ import annotations

from service.domain import CommitmentFilter, Feed
from service.errors import FeedNotFound
from service.ical import FeedOptions, render_feed
from service.settings import Settings
from service.store import Store

ALL_FEED = "all"


def feed_url(settings: Settings, slug: str) -> str:
    return f"{settings.base_url}/feeds/{slug}.ics"


def private_feed_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/feeds/private/{token}.ics"


def webcal_url(url: str) -> str:
    """The same address as webcal://, which opens the subscribe dialog of a calendar app."""
    return "webcal://" + url.split("://", 1)[1]


def options_for(settings: Settings, feed: Feed) -> FeedOptions:
    """A private feed names no address of its own: its only address holds its token."""
    return FeedOptions(
        name=feed.title,
        description=feed.description,
        refresh_interval=settings.feed_refresh_interval,
        default_alerts=settings.default_alerts,
        url=None if feed.private else feed_url(settings, feed.slug),
    )


def render(store: Store, settings: Settings, feed: Feed) -> bytes:
    """A stored feed as iCalendar bytes: its listed members, or what its selection matches."""
    members = store.commitments.matching(CommitmentFilter(feed=feed.slug))
    return render_feed(options_for(settings, feed), members)


def render_named(store: Store, settings: Settings, slug: str) -> bytes:
    """A public feed as served at /feeds/{slug}.ics; FeedNotFound if there is none."""
    feed = store.feeds.get(slug)
    if feed.private:
        raise FeedNotFound(slug)
    return render(store, settings, feed)


def render_filtered(store: Store, settings: Settings, where: CommitmentFilter) -> bytes:
    """Every commitment the filter matches, as the `all` feed."""
    feed = Feed(slug=ALL_FEED, title="treatycal: all commitments", description=describe(where))
    return render_feed(options_for(settings, feed), store.commitments.matching(where))


def describe(where: CommitmentFilter) -> str:
    """What a filtered feed holds, in words, for its calendar description."""
    parts = [
        f"{label}: {', '.join(str(v) for v in values)}"
        for label, values in (
            ("kinds", where.kinds),
            ("parties", where.parties),
            ("tags", where.tags),
            ("statuses", where.statuses),
        )
        if values
    ]
    return "Tracked commitments" + (f" ({'; '.join(parts)})" if parts else "")
