"""Query parameters shared by lists, the upcoming view and filtered feeds."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from pydantic import ValidationError

from service.domain import CommitmentFilter, Kind, Status
from service.errors import InvalidInput


def readable(exc: ValidationError) -> str:
    """A pydantic error as one line: 'parties.0: unknown party ...'."""
    return "; ".join(
        ".".join(str(p) for p in error["loc"]) + ": " + error["msg"].removeprefix("Value error, ")
        for error in exc.errors()
    )


async def commitment_filter(
    kind: Annotated[list[Kind] | None, Query(description="Any of these kinds")] = None,
    party: Annotated[
        list[str] | None, Query(description="Any of these parties (ISO 3166 or org code)")
    ] = None,
    tag: Annotated[list[str] | None, Query(description="Any of these tags")] = None,
    status: Annotated[list[Status] | None, Query(description="Any of these statuses")] = None,
) -> CommitmentFilter:
    try:
        return CommitmentFilter(
            kinds=tuple(kind or ()),
            parties=tuple(party or ()),
            tags=tuple(tag or ()),
            statuses=tuple(status or ()),
        )
    except ValidationError as exc:
        raise InvalidInput(readable(exc)) from exc


BasicFilter = Annotated[CommitmentFilter, Depends(commitment_filter)]

FeedParameter = Annotated[
    str | None,
    Query(max_length=100, description="Only this feed (a private one needs a key)"),
]


async def feed_filter(basic: BasicFilter, feed: FeedParameter = None) -> CommitmentFilter:
    try:
        feeds = (feed,) if feed else ()
        return CommitmentFilter(**basic.model_dump(exclude_defaults=True), feeds=feeds)
    except ValidationError as exc:
        raise InvalidInput(readable(exc)) from exc


ListFeedFilter = Annotated[CommitmentFilter, Depends(feed_filter)]


async def list_filter(
    basic: BasicFilter,
    start: Annotated[
        date | None, Query(alias="from", description="Due window ends on or after this day")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Due window starts on or before this day")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="A piece of the title or description, any case (ASCII letters folded); "
            "three characters or more are found through a text index",
        ),
    ] = None,
    feed: FeedParameter = None,
) -> CommitmentFilter:
    try:
        return CommitmentFilter(
            **basic.model_dump(exclude_defaults=True),
            start=start,
            end=end,
            text=q or None,
            feeds=(feed,) if feed else (),
        )
    except ValidationError as exc:
        raise InvalidInput(readable(exc)) from exc


ListFilter = Annotated[CommitmentFilter, Depends(list_filter)]
