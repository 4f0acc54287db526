"""The calendars: /feeds/{slug}.ics, /feeds/all.ics and private feeds, with HTTP caching.

Every public feed and `all` has an Atom companion, /feeds/{slug}.atom, of its latest changes,
served with the same caching.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Coroutine, Iterable, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from service.api.deps import AppDep
from service.api.filters import BasicFilter
from service.api.problems import PROBLEM_RESPONSES
from service.app import App
from service.app.changelog import atom_key
from service.app.feeds import all_key, named_key
from service.domain import SLUG_PATTERN, CommitmentFilter
from service.errors import FeedNotFound, PrivateFeedNotFound
from service.feeds import CachedFeed, RenderedFeed, StreamedFeed

_EVERYTHING_KEY = all_key(CommitmentFilter())
_CONDITIONAL_KEYS: dict[str, Callable[[Request], str | None]] = {
    "/feeds/all.ics": lambda request: None if request.scope["query_string"] else _EVERYTHING_KEY,
    "/feeds/{slug}.ics": lambda request: named_key(request.path_params["slug"]),
    "/feeds/{slug}.atom": lambda request: (
        None if request.scope["query_string"] else atom_key(request.path_params["slug"])
    ),
}
"""The cache key of each public route's feed, from the raw request; None: ask the handler."""


class _ConditionalRoute(APIRoute):
    """A route whose 304 is answered from memory before FastAPI parses its parameters.

    Most calendar polls are conditional and match: they need the cached validators only, so
    parsing query parameters into a filter (or even resolving dependencies) would cost more
    than the answer. Anything the cache cannot answer goes to the handler as usual.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        key_of = _CONDITIONAL_KEYS.get(self.path)
        if key_of is None:
            return handler

        async def answer(request: Request) -> Response:
            headers = request.headers
            if "if-none-match" in headers or "if-modified-since" in headers:
                app: App = request.app.state.services.app
                key = key_of(request)
                found = app.feeds.remembered(key) if key is not None else None
                if found is not None and _not_modified(request, found):
                    return Response(status_code=304, headers=_headers(request, app, found))
            return await handler(request)

        return answer


router = APIRouter(tags=["feeds"], route_class=_ConditionalRoute)

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
    """Every commitment the filters match, as one calendar named by them ("treatycal:
    commitments (kinds: summit; parties: RU)"), whose URL and SOURCE keep them."""
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
async def atom_feed(request: Request, app: AppDep, slug: str, where: BasicFilter) -> Response:
    """The last 50 revisions of the feed's commitments (`all`: of every one), newest first;
    with `kind`, `party`, `tag` or `status`, of only those it matches now.

    Each entry is titled by what changed ("New START expires: due moved from 5 February 2021
    to 5 February 2026"), links to the commitment's page, and keeps its id (a tag: URI from
    the commitment id and revision number). Cached and validated like the calendars.
    """
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise FeedNotFound(slug)
    key = atom_key(slug, where)
    rendered = await _rendered(app, key, lambda: app.changelog.atom(slug, where))
    return _answer(request, app, rendered, media_type=ATOM)


async def _rendered(app: App, key: str, render: Callable[[], CachedFeed]) -> CachedFeed:
    """A poll that memory can answer is answered on the event loop; else in a thread."""
    found = app.feeds.remembered(key)
    return found if found is not None else await run_in_threadpool(render)


def _headers(
    request: Request, app: App, rendered: CachedFeed, *, shared: bool = True
) -> dict[str, str]:
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    max_age = int(app.settings.feed_max_age.total_seconds())
    return {
        "ETag": rendered.gzip_etag if zipped else rendered.etag,
        "Last-Modified": app.feeds.last_modified(rendered),
        "Cache-Control": f"{'public' if shared else 'private'}, max-age={max_age}",
        "Vary": "Accept-Encoding",
    }


def _answer(
    request: Request,
    app: App,
    rendered: CachedFeed,
    *,
    shared: bool = True,
    media_type: str = CALENDAR,
) -> Response:
    """The feed, or 304 when the client holds it; a private feed is not for shared caches."""
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    headers = _headers(request, app, rendered, shared=shared)
    if _not_modified(request, rendered):
        return Response(status_code=304, headers=headers)
    if isinstance(rendered, StreamedFeed):
        return _streamed(request, app, rendered, headers, zipped, media_type)
    assert isinstance(rendered, RenderedFeed)
    if zipped:
        headers["Content-Encoding"] = "gzip"
        return Response(rendered.gzipped, media_type=media_type, headers=headers)
    return Response(rendered.body, media_type=media_type, headers=headers)


def _streamed(
    request: Request,
    app: App,
    feed: StreamedFeed,
    headers: dict[str, str],
    zipped: bool,
    media_type: str,
) -> Response:
    """A large feed sent as it is read, a page of stored events at a time.

    Unzipped, it announces its whole length, so a response cut short (the data moved while it
    was read) is seen as incomplete by the client rather than kept.
    """
    if zipped:
        headers["Content-Encoding"] = "gzip"
    else:
        headers["Content-Length"] = str(feed.length)
    if request.method == "HEAD":
        return StreamingResponse(iter(()), media_type=media_type, headers=headers)
    chunks = app.feeds.chunks(feed)
    body = _gzip(chunks) if zipped else chunks
    return StreamingResponse(body, media_type=media_type, headers=headers)


def _gzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks as one gzip stream (no file name, no time: the same bytes every time)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        if packed := compressor.compress(chunk):
            yield packed
    yield compressor.flush()


def _not_modified(request: Request, rendered: CachedFeed) -> bool:
    """RFC 9110 13.1: If-None-Match wins; If-Modified-Since only when it is absent, and only
    for a date after the second the bytes changed in (see service/feeds/cache.py)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match in (rendered.etag, rendered.gzip_etag):
            return True
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or not tags.isdisjoint({rendered.etag, rendered.gzip_etag})
    since = _http_date(request.headers.get("if-modified-since"))
    return since is not None and rendered.unchanged_since(since)


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None
