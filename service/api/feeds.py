"""The calendars: /feeds/{slug}.ics, /feeds/all.ics, and their list at /api/v1/feeds."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import Services, ServicesDep
from service.api.feedcache import RenderedFeed
from service.api.filters import BasicFilter
from service.api.models import FeedEntry
from service.api.problems import PROBLEM_RESPONSES
from service.domain import SLUG_PATTERN, CommitmentFilter, Feed
from service.errors import FeedNotFound, ServiceError
from service.publish import ALL_FEED, feed_url, render_filtered, render_named, webcal_url

log = logging.getLogger(__name__)
router = APIRouter(tags=["feeds"])

CALENDAR = "text/calendar; charset=utf-8"
_ICS_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/calendar": {}}, "description": "An RFC 5545 calendar"},
    304: {"description": "Not modified since the ETag or date the client holds"},
    404: PROBLEM_RESPONSES[404],
    422: PROBLEM_RESPONSES[422],
}


@router.get("/api/v1/feeds", summary="The published feeds", responses=PROBLEM_RESPONSES)
def list_feeds(services: ServicesDep) -> list[FeedEntry]:
    """Each feed with its http(s) and webcal:// address; `all` takes the list filters."""
    settings = services.settings
    listed = [(s.feed, s.count) for s in services.store.feeds.summaries()]
    everything = Feed(
        slug=ALL_FEED,
        title="All commitments",
        description="Every tracked commitment; filter with ?kind=, ?party=, ?tag=, ?status=",
    )
    return [
        FeedEntry(
            slug=feed.slug,
            title=feed.title,
            description=feed.description,
            count=count,
            url=feed_url(settings, feed.slug),
            webcal_url=webcal_url(feed_url(settings, feed.slug)),
        )
        for feed, count in [*listed, (everything, None)]
    ]


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
    request: Request, services: Services, key: str, render: Callable[[], bytes]
) -> Response:
    """A poll that can be answered from memory is answered on the event loop; else a thread."""
    version = services.feed_cache.known_version()
    rendered = services.feed_cache.lookup(key, version.version) if version else None
    if rendered is None:
        rendered = await run_in_threadpool(cached_feed, services, key, render)
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    headers = {
        "ETag": rendered.gzip_etag if zipped else rendered.etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": f"public, max-age={int(services.settings.feed_max_age.total_seconds())}",
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
