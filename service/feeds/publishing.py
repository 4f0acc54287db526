"""Where feeds are published, and what each says about itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

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

    def options_for(self, feed: Feed, query: str = "") -> FeedOptions:
        """A private feed names no address of its own: its only address holds its token. A
        filtered one names its filters (`query`, from `filter_query`) in its address, so that
        a client refreshing from its SOURCE keeps getting only what it subscribed to."""
        return FeedOptions(
            name=feed.title,
            description=feed.description,
            refresh_interval=self.refresh_interval,
            default_alerts=self.default_alerts,
            url=None if feed.private else self.feed_url(feed.slug) + query,
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
    """The `all` feed of what a filter matches, named by its filters: a calendar lists two
    subscriptions to it, with different filters, under names that tell them apart."""
    title = narrowed_title(where)
    return Feed(
        slug=ALL_FEED,
        title=f"treatycal: {title[0].lower()}{title[1:]}",
        description=describe(where),
    )


def narrowed_title(where: CommitmentFilter) -> str:
    """'Commitments (kinds: election)', or 'All commitments' when nothing narrows."""
    narrowing = _narrowing(where)
    return f"Commitments ({narrowing})" if narrowing else "All commitments"


def describe(where: CommitmentFilter) -> str:
    """What a filtered feed holds, in words, for its calendar description."""
    narrowing = _narrowing(where)
    return "Tracked commitments" + (f" ({narrowing})" if narrowing else "")


def filter_query(where: CommitmentFilter) -> str:
    """The query string that asks a feed for what `where` matches, or "" when nothing narrows."""
    pairs = [(name, str(value)) for name, _, values in _filters(where) for value in values]
    return "?" + urlencode(pairs) if pairs else ""


def _narrowing(where: CommitmentFilter) -> str:
    """'kinds: election; parties: RU, US', or "" when nothing narrows."""
    return "; ".join(
        f"{label}: {', '.join(str(v) for v in values)}"
        for _, label, values in _filters(where)
        if values
    )


def _filters(where: CommitmentFilter) -> list[tuple[str, str, Sequence[object]]]:
    """(query parameter, label, values) of each filter a feed address can carry."""
    return [
        ("kind", "kinds", where.kinds),
        ("party", "parties", where.parties),
        ("tag", "tags", where.tags),
        ("status", "statuses", where.statuses),
    ]
