"""/api/v1/feeds: the published feeds, and publishing feeds of a selection."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.api.deps import Admin, Anyone, AppDep, Writer
from service.api.models import FeedEntry
from service.api.problems import PROBLEM_RESPONSES
from service.domain import FeedCreate, Slug

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"], responses=PROBLEM_RESPONSES)


@router.get("", summary="The published feeds")
def list_feeds(app: AppDep, caller: Anyone) -> list[FeedEntry]:
    """Each feed with its http(s) and webcal:// address; `all` takes the list filters.

    Private feeds are listed only to a caller with a key, and without their address.
    """
    return [FeedEntry.of(p) for p in app.feeds.listing(with_private=caller is not None)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a feed of the commitments a selection matches",
)
def create_feed(app: AppDep, caller: Writer, body: FeedCreate) -> FeedEntry:
    """The feed follows the data: a commitment that comes to match the selection joins it.

    A private feed is served only at `/feeds/private/{token}.ics`; that address is in this
    response and never shown again (only a hash of the token is stored).
    """
    return FeedEntry.of(app.feeds.publish(body))


@router.delete(
    "/{slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unpublish a feed made through the API",
)
def delete_feed(app: AppDep, caller: Writer, slug: Slug) -> Response:
    """Its commitments stay tracked. Feeds loaded from files are removed by removing the file."""
    app.feeds.unpublish(slug)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{slug}/token", summary="Give a private feed a new address")
def replace_feed_token(app: AppDep, caller: Admin, slug: Slug) -> FeedEntry:
    """The old address stops working at once; the new one is in this response only.

    This needs an admin key: whoever rotates the token can read the feed, so a write key
    that did not make the feed must not be able to. Revoking needs only a write key.
    """
    return FeedEntry.of(app.feeds.replace_token(slug))


@router.delete(
    "/{slug}/token",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a private feed's address",
)
def revoke_feed_token(app: AppDep, caller: Writer, slug: Slug) -> Response:
    """Calendars subscribed to it get 404 from now on; the feed stays, with no address."""
    app.feeds.revoke_token(slug)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
