"""The calendars: /feeds/{slug}.ics, /feeds/all.ics, and their list at /api/v1/feeds."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import APIRouter, Request, Response

from service.api.deps import Services, ServicesDep
from service.api.feedcache import RenderedFeed
from service.api.filters import BasicFilter
from service.api.models import FeedEntry
from service.api.problems import PROBLEM_RESPONSES
from service.domain import SLUG_PATTERN, Feed
from service.errors import FeedNotFound
from service.publish import ALL_FEED, feed_url, render_filtered, render_named, webcal_url

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
def all_feed(request: Request, services: ServicesDep, where: BasicFilter) -> Response:
    key = "all?" + where.model_dump_json(exclude_defaults=True)
    return _serve(
        request, services, key, lambda: render_filtered(services.store, services.settings, where)
    )


@router.get(
    "/feeds/{slug}.ics",
    summary="A published feed",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
@router.head("/feeds/{slug}.ics", include_in_schema=False)
def named_feed(request: Request, services: ServicesDep, slug: str) -> Response:
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise FeedNotFound(slug)
    return _serve(
        request,
        services,
        f"feed:{slug}",
        lambda: render_named(services.store, services.settings, slug),
    )


def _serve(request: Request, services: Services, key: str, render: Callable[[], bytes]) -> Response:
    def counted_render() -> bytes:
        services.metrics.feed_renders.inc()
        return render()

    version = services.store.feeds.version()
    rendered = services.feed_cache.get(key, version.version, version.changed_at, counted_render)
    headers = {
        "ETag": rendered.etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": f"public, max-age={int(services.settings.feed_max_age.total_seconds())}",
    }
    if _not_modified(request, rendered):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=CALENDAR, headers=headers)


def _not_modified(request: Request, rendered: RenderedFeed) -> bool:
    """RFC 9110 13.1: If-None-Match wins; If-Modified-Since only when it is absent."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or rendered.etag in tags
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
