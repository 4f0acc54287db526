"""Feeds: the reviewed feed files, the RFC 5545 renderer, membership, publishing and the cache.

- `catalog` (with `files` and `history`) reads feeds/*.yaml into a Catalog, pure;
- `render` turns commitments into iCalendar bytes, pure;
- `membership` says which feeds a commitment is in;
- `publishing` says where feeds live and what each says about itself;
- `cache` keeps feeds (whole, or what it takes to stream them) until the data version moves.
"""

from __future__ import annotations

from service.feeds.cache import CachedFeed, FeedCache, RenderedFeed, StreamedFeed, whole
from service.feeds.catalog import FeedFile, read_catalog, read_feed_file
from service.feeds.membership import Memberships, memberships
from service.feeds.publishing import (
    ALL_FEED,
    Publishing,
    describe,
    filter_query,
    filtered_feed,
    narrowed_title,
    webcal_url,
)
from service.feeds.render import (
    FEED_END,
    PRODID,
    FeedOptions,
    RenderedEvent,
    ZoneSpans,
    add_zone_spans,
    event_render_key,
    feed_prefix,
    render_event,
    render_feed,
)

__all__ = [
    "ALL_FEED",
    "FEED_END",
    "PRODID",
    "CachedFeed",
    "FeedCache",
    "FeedFile",
    "FeedOptions",
    "Memberships",
    "Publishing",
    "RenderedEvent",
    "RenderedFeed",
    "StreamedFeed",
    "ZoneSpans",
    "add_zone_spans",
    "describe",
    "event_render_key",
    "feed_prefix",
    "filter_query",
    "filtered_feed",
    "memberships",
    "narrowed_title",
    "read_catalog",
    "read_feed_file",
    "render_event",
    "render_feed",
    "webcal_url",
    "whole",
]
