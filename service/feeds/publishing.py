"""Where feeds are published, and what each says about itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from service.domain import CommitmentFilter, Feed, Kind
from service.feeds.render import FeedOptions

ALL_FEED = "all"


@dataclass(frozen=True, slots=True)
class Publishing:
    """The settings feeds are published with: their base address, refresh and default alerts."""

    base_url: str
    refresh_interval: timedelta
    default_alerts: Mapping[Kind, tuple[str, ...]]

    def feed_url(self, slug: str) -> str:
        return f"{self.base_url}/feeds/{slug}.ics"

    def private_feed_url(self, token: str) -> str:
        return f"{self.base_url}/feeds/private/{token}.ics"

    def options_for(self, feed: Feed) -> FeedOptions:
        """A private feed names no address of its own: its only address holds its token."""
        return FeedOptions(
            name=feed.title,
            description=feed.description,
            refresh_interval=self.refresh_interval,
            default_alerts=self.default_alerts,
            url=None if feed.private else self.feed_url(feed.slug),
        )

    def options_for_event(self, title: str) -> FeedOptions:
        """A one-event file to add to a calendar once: it names no feed to poll."""
        return FeedOptions(
            name=title,
            description="",
            refresh_interval=self.refresh_interval,
            default_alerts=self.default_alerts,
        )


def webcal_url(url: str) -> str:
    """The same address as webcal://, which opens the subscribe dialog of a calendar app."""
    return "webcal://" + url.split("://", 1)[1]


def filtered_feed(where: CommitmentFilter) -> Feed:
    """The `all` feed of what a filter matches."""
    return Feed(slug=ALL_FEED, title="treatycal: all commitments", description=describe(where))


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
