"""/feeds and /feeds/{slug}: subscribing to a feed, and a preview of what it holds."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from service.app import App, PublishedFeed, Session
from service.domain import SLUG_PATTERN, CommitmentFilter, Scope, UpcomingItem
from service.errors import FeedNotFound
from service.feeds import ALL_FEED
from service.web.deps import PAGE, Administrator, CheckedForm, PageApp, Visitor
from service.web.render import page
from service.web.subscribe import Subscribe, subscribe

NEXT = 3
NEXT_WITHIN = ("P90D", "P2Y", "P20Y")
"""Looked for in widening windows: a busy feed answers from the first, cheaply."""
PREVIEW_WITHIN = "P1Y"


class _SlugConvertor(Convertor[str]):
    """Only a slug matches, so /feeds/{slug}.ics stays the calendar's, not this page's."""

    regex = SLUG_PATTERN.removeprefix("^").removesuffix("$")

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("feed_slug", _SlugConvertor())

router = APIRouter(dependencies=PAGE, include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Listed:
    """A feed as the list shows it: how to subscribe, and what comes next in it."""

    published: PublishedFeed
    subscribe: Subscribe | None
    next: list[UpcomingItem]


@router.get("/feeds", summary="Subscribe to a feed")
def feeds_page(request: Request, app: PageApp, session: Visitor) -> Response:
    with_private = session is not None
    listed = [
        Listed(published, subscribe(published), _next(app, published.feed.slug, with_private))
        for published in app.feeds.listing(with_private=with_private)
    ]
    return page(request, "feeds.html", title="Subscribe", listed=listed)


@router.get("/feeds/{slug:feed_slug}", summary="One feed and what it holds")
def feed_page(request: Request, slug: str, app: PageApp, session: Visitor) -> Response:
    published = _find(app, slug, with_private=session is not None)
    return _feed(request, app, session, published, fresh=False)


@router.post("/feeds/{slug:feed_slug}/address", summary="Give a private feed a new address")
def new_address(
    request: Request, slug: str, app: PageApp, session: Administrator, form: CheckedForm
) -> Response:
    """The new address is in this answer only: the store keeps just a hash of its token."""
    return _feed(request, app, session, app.feeds.replace_token(slug), fresh=True)


def _feed(
    request: Request, app: App, session: Session | None, published: PublishedFeed, *, fresh: bool
) -> Response:
    preview = app.agenda.upcoming(
        _members(published.feed.slug), PREVIEW_WITHIN, None, with_private=session is not None
    )
    return page(
        request,
        "feed.html",
        title=published.feed.title,
        published=published,
        subscribe=subscribe(published),
        preview=preview,
        fresh=fresh,
        can_rotate=_can_rotate(session, published),
    )


def _find(app: App, slug: str, *, with_private: bool) -> PublishedFeed:
    """The listed feed of this slug; a private one is not found by a visitor without a key."""
    for published in app.feeds.listing(with_private=with_private):
        if published.feed.slug == slug:
            return published
    raise FeedNotFound(slug)


def _next(app: App, slug: str, with_private: bool) -> list[UpcomingItem]:
    for within in NEXT_WITHIN:
        agenda = app.agenda.upcoming(_members(slug), within, None, with_private=with_private)
        if len(agenda.items) >= NEXT:
            break
    return agenda.items[:NEXT]


def _members(slug: str) -> CommitmentFilter:
    """`all` is every commitment, not a stored feed of its own."""
    return CommitmentFilter() if slug == ALL_FEED else CommitmentFilter(feeds=(slug,))


def _can_rotate(session: Session | None, published: PublishedFeed) -> bool:
    """Only an admin may, as in the API: whoever holds the new address can read the feed."""
    admin = session is not None and session.scope.allows(Scope.ADMIN)
    return admin and published.feed.private
