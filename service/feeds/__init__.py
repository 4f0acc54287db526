"""Feeds: the reviewed feed files, the RFC 5545 renderer, membership, publishing and the cache.

- `catalog` (with `files` and `history`) reads feeds/*.yaml into a Catalog, pure;
- `render` turns commitments into iCalendar bytes, pure;
- `membership` says which feeds a commitment is in;
- `publishing` says where feeds live and what each says about itself;
- `cache` keeps rendered feeds until the data version moves.
"""

from __future__ import annotations

from service.feeds.cache import FeedCache, RenderedFeed
from service.feeds.catalog import FeedFile, read_catalog, read_feed_file
from service.feeds.membership import Memberships, memberships
from service.feeds.publishing import ALL_FEED, Publishing, describe, filtered_feed, webcal_url
from service.feeds.render import PRODID, FeedOptions, render_feed

__all__ = [
    "ALL_FEED",
    "PRODID",
    "FeedCache",
    "FeedFile",
    "FeedOptions",
    "Memberships",
    "Publishing",
    "RenderedFeed",
    "describe",
    "filtered_feed",
    "memberships",
    "read_catalog",
    "read_feed_file",
    "render_feed",
    "webcal_url",
]
