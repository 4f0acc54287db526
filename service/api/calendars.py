"""The calendars: /feeds/{slug}.ics, /feeds/all.ics and private feeds, with HTTP caching.

Every public feed and `all` has an Atom companion, /feeds/{slug}.atom, of its latest changes,
served with the same caching.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import AppDep
from service.api.filters import BasicFilter
from service.api.problems import PROBLEM_RESPONSES
from service.app import App
from service.app.changelog import atom_key
from service.app.feeds import all_key, named_key
from service.domain import SLUG_PATTERN
from service.errors import FeedNotFound, PrivateFeedNotFound
from service.feeds import RenderedFeed

router = APIRouter(tags=["feeds"])

CALENDAR = "text/calendar; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
_ICS_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/calendar": {}}, "description": "An RFC 5545 calendar"},
    304: {"description": "Not modified since the ETag or date the client holds"},
    404: PROBLEM_RESPONSES[404],
    422: PROBLEM_RESPONSES[422],
}
_ATOM_RESPONSES: dict[int | str, dict[str, object]] = {
    **_ICS_RESPONSES,
    200: {"content": {"application/atom+xml": {}}, "description": "An RFC 4287 Atom feed"},
}
_TOKEN_PATTERN = r"^tcfeed_[A-Za-z0-9_-]{20,100}$"  # noqa: S105 - a pattern, not a secret


@router.get(
    "/feeds/private/{token}.ics",
    summary="A private feed, at the address its token makes",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
@router.head("/feeds/private/{token}.ics", include_in_schema=False)
async def private_feed(request: Request, app: AppDep, token: str) -> Response:
    if not re.fullmatch(_TOKEN_PATTERN, token):
        raise PrivateFeedNotFound
    _feed, rendered = await run_in_threadpool(app.feeds.private_calendar, token)
    return _answer(request, app, rendered, shared=False)


@router.get(
    "/feeds/all.ics",
    summary="Every commitment, filtered",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
@router.head("/feeds/all.ics", include_in_schema=False)
async def all_feed(request: Request, app: AppDep, where: BasicFilter) -> Response:
    rendered = await _rendered(app, all_key(where), lambda: app.feeds.filtered_calendar(where))
    return _answer(request, app, rendered)


@router.get(
    "/feeds/{slug}.ics",
    summary="A published feed",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
@router.head("/feeds/{slug}.ics", include_in_schema=False)
async def named_feed(request: Request, app: AppDep, slug: str) -> Response:
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise FeedNotFound(slug)
    rendered = await _rendered(app, named_key(slug), lambda: app.feeds.calendar(slug))
    return _answer(request, app, rendered)


@router.get(
    "/feeds/{slug}.atom",
    summary="A public feed's changes that took effect last, as Atom",
    response_class=Response,
    responses=_ATOM_RESPONSES,
)
@router.head("/feeds/{slug}.atom", include_in_schema=False)
async def atom_feed(request: Request, app: AppDep, slug: str) -> Response:
    """The last 50 revisions of the feed's commitments (`all`: of every one), newest first.

    Each entry is titled by what changed ("New START expires: due moved from 5 February 2021
    to 5 February 2026"), links to the commitment's page, and keeps its id (a tag: URI from
    the commitment id and revision number). Cached and validated like the calendars.
    """
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise FeedNotFound(slug)
    rendered = await _rendered(app, atom_key(slug), lambda: app.changelog.atom(slug))
    return _answer(request, app, rendered, media_type=ATOM)


async def _rendered(app: App, key: str, render: Callable[[], RenderedFeed]) -> RenderedFeed:
    """A poll that memory can answer is answered on the event loop; else in a thread."""
    found = app.feeds.remembered(key)
    return found if found is not None else await run_in_threadpool(render)


def _answer(
    request: Request,
    app: App,
    rendered: RenderedFeed,
    *,
    shared: bool = True,
    media_type: str = CALENDAR,
) -> Response:
    """The feed, or 304 when the client holds it; a private feed is not for shared caches."""
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    max_age = int(app.settings.feed_max_age.total_seconds())
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
        return Response(rendered.gzipped, media_type=media_type, headers=headers)
    return Response(rendered.body, media_type=media_type, headers=headers)


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
