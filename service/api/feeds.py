"""The calendars: /feeds/{slug}.ics, /feeds/all.ics, private feeds, and /api/v1/feeds."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from service.api.deps import Anyone, Services, ServicesDep, Writer
from service.api.feedcache import RenderedFeed
from service.api.filters import BasicFilter
from service.api.models import FeedEntry
from service.api.problems import PROBLEM_RESPONSES
from service.domain import SLUG_PATTERN, CommitmentFilter, Feed, FeedCreate
from service.errors import FeedNotFound, PrivateFeedNotFound, ServiceError
from service.publish import (
    ALL_FEED,
    feed_url,
    private_feed_url,
    render,
    render_filtered,
    render_named,
    webcal_url,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["feeds"])

CALENDAR = "text/calendar; charset=utf-8"
_ICS_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/calendar": {}}, "description": "An RFC 5545 calendar"},
    304: {"description": "Not modified since the ETag or date the client holds"},
    404: PROBLEM_RESPONSES[404],
    422: PROBLEM_RESPONSES[422],
}
_TOKEN_PATTERN = r"^tcfeed_[A-Za-z0-9_-]{20,100}$"  # noqa: S105 - a pattern, not a secret


@router.get("/api/v1/feeds", summary="The published feeds", responses=PROBLEM_RESPONSES)
def list_feeds(services: ServicesDep, caller: Anyone) -> list[FeedEntry]:
    """Each feed with its http(s) and webcal:// address; `all` takes the list filters.

    Private feeds are listed only to a caller with a key, and without their address.
    """
    listed = [
        _entry(services, summary.feed, _count(services, summary.feed, summary.count))
        for summary in services.store.feeds.summaries()
        if caller is not None or not summary.feed.private
    ]
    everything = Feed(
        slug=ALL_FEED,
        title="All commitments",
        description="Every tracked commitment; filter with ?kind=, ?party=, ?tag=, ?status=",
        origin="built in",
    )
    return [*listed, _entry(services, everything, None)]


@router.post(
    "/api/v1/feeds",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a feed of the commitments a selection matches",
    responses=PROBLEM_RESPONSES,
)
def create_feed(services: ServicesDep, caller: Writer, body: FeedCreate) -> FeedEntry:
    """The feed follows the data: a commitment that comes to match the selection joins it.

    A private feed is served only at `/feeds/private/{token}.ics`; that address is in this
    response and never shown again (only a hash of the token is stored).
    """
    feed = body.as_feed()
    token = services.store.feeds.create(feed)
    return _entry(services, feed, _count(services, feed), token)


@router.delete(
    "/api/v1/feeds/{slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unpublish a feed made through the API",
    responses=PROBLEM_RESPONSES,
)
def delete_feed(services: ServicesDep, caller: Writer, slug: str) -> Response:
    """Its commitments stay tracked. Feeds loaded from files are removed by removing the file."""
    services.store.feeds.remove(slug)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/v1/feeds/{slug}/token",
    summary="Give a private feed a new address",
    responses=PROBLEM_RESPONSES,
)
def replace_feed_token(services: ServicesDep, caller: Writer, slug: str) -> FeedEntry:
    """The old address stops working at once; the new one is in this response only."""
    feed, token = services.store.feeds.replace_token(slug)
    return _entry(services, feed, _count(services, feed), token)


@router.delete(
    "/api/v1/feeds/{slug}/token",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a private feed's address",
    responses=PROBLEM_RESPONSES,
)
def revoke_feed_token(services: ServicesDep, caller: Writer, slug: str) -> Response:
    """Calendars subscribed to it get 404 from now on; the feed stays, with no address."""
    services.store.feeds.revoke_token(slug)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _entry(
    services: Services, feed: Feed, count: int | None, token: str | None = None
) -> FeedEntry:
    """A feed as listed: a private one has an address only in the response that made it."""
    settings = services.settings
    if feed.private:
        url = private_feed_url(settings, token) if token else None
    else:
        url = feed_url(settings, feed.slug)
    return FeedEntry(
        slug=feed.slug,
        title=feed.title,
        description=feed.description,
        count=count,
        url=url,
        webcal_url=webcal_url(url) if url else None,
        origin=feed.origin,
        selection=feed.selection,
        private=feed.private,
    )


def _count(services: Services, feed: Feed, listed: int = 0) -> int:
    """A file's feed counts its `listed` members; a selection is counted by running it."""
    if feed.selection is None:
        return listed
    return services.store.commitments.page(CommitmentFilter(feed=feed.slug), 1, 0).total


@router.get(
    "/feeds/private/{token}.ics",
    summary="A private feed, at the address its token makes",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
@router.head("/feeds/private/{token}.ics", include_in_schema=False)
async def private_feed(request: Request, services: ServicesDep, token: str) -> Response:
    if not re.fullmatch(_TOKEN_PATTERN, token):
        raise PrivateFeedNotFound
    feed = await run_in_threadpool(services.store.feeds.by_token, token)
    return await _serve(
        request,
        services,
        private_key(feed.slug),
        lambda: render(services.store, services.settings, feed),
        shared=False,
    )


@router.get(
    "/feeds/all.ics",
    summary="Every commitment, filtered",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
@router.head("/feeds/all.ics", include_in_schema=False)
async def all_feed(request: Request, services: ServicesDep, where: BasicFilter) -> Response:
    return await _serve(
        request,
        services,
        all_key(where),
        lambda: render_filtered(services.store, services.settings, where),
    )


@router.get(
    "/feeds/{slug}.ics",
    summary="A published feed",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
@router.head("/feeds/{slug}.ics", include_in_schema=False)
async def named_feed(request: Request, services: ServicesDep, slug: str) -> Response:
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise FeedNotFound(slug)
    return await _serve(
        request,
        services,
        named_key(slug),
        lambda: render_named(services.store, services.settings, slug),
    )


def warm(services: Services) -> None:
    """Render every published feed once at start, so no calendar waits for the first render."""
    try:
        for summary in services.store.feeds.summaries():
            slug = summary.feed.slug
            render = partial(render_named, services.store, services.settings, slug)
            cached_feed(services, named_key(slug), render)
        everything = CommitmentFilter()
        render = partial(render_filtered, services.store, services.settings, everything)
        cached_feed(services, all_key(everything), render)
    except ServiceError:
        log.exception("could not warm the feed cache", extra={"action": "feed_warm_failed"})
    finally:
        services.warmed.set()


def all_key(where: CommitmentFilter) -> str:
    return "all?" + where.model_dump_json(exclude_defaults=True)


def named_key(slug: str) -> str:
    return f"feed:{slug}"


def private_key(slug: str) -> str:
    return f"private:{slug}"


def cached_feed(services: Services, key: str, render: Callable[[], bytes]) -> RenderedFeed:
    """The feed for `key` at the current data version, rendering it if needed (blocking)."""
    version = services.feed_cache.known_version()
    if version is None:
        version = services.store.feeds.version()
        services.feed_cache.remember_version(version)
    found = services.feed_cache.lookup(key, version.version)
    if found is not None:
        return found
    services.metrics.feed_renders.inc()
    return services.feed_cache.render(key, version, render)


async def _serve(
    request: Request,
    services: Services,
    key: str,
    render: Callable[[], bytes],
    *,
    shared: bool = True,
) -> Response:
    """A poll that can be answered from memory is answered on the event loop; else a thread.

    A feed that is not `shared` (a private one) must not be kept by shared caches.
    """
    version = services.feed_cache.known_version()
    rendered = services.feed_cache.lookup(key, version.version) if version else None
    if rendered is None:
        rendered = await run_in_threadpool(cached_feed, services, key, render)
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    max_age = int(services.settings.feed_max_age.total_seconds())
    headers = {
        "ETag": rendered.gzip_etag if zipped else rendered.etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": f"{'public' if shared else 'private'}, max-age={max_age}",
        "Vary": "Accept-Encoding",
    }
    if _not_modified(request, rendered):
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
        return Response(rendered.gzipped, media_type=CALENDAR, headers=headers)
    return Response(rendered.body, media_type=CALENDAR, headers=headers)


def _not_modified(request: Request, rendered: RenderedFeed) -> bool:
    """RFC 9110 13.1: If-None-Match wins; If-Modified-Since only when it is absent."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or not tags.isdisjoint({rendered.etag, rendered.gzip_etag})
    since = _http_date(request.headers.get("if-modified-since"))
    return since is not None and rendered.last_modified <= since


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None
