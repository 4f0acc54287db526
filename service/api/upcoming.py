"""/api/v1/upcoming: what is coming up, now or as it looked on a past day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import Anyone, AppDep
from service.api.filters import ListFeedFilter
from service.api.problems import PROBLEM_RESPONSES
from service.app.upcoming import MAX_PAGE, PAGE
from service.domain import Upcoming

router = APIRouter(prefix="/api/v1", tags=["upcoming"], responses=PROBLEM_RESPONSES)


@router.get("/upcoming", summary="What is coming up")
def get_upcoming(
    app: AppDep,
    caller: Anyone,
    where: ListFeedFilter,
    within: Annotated[
        str,
        Query(max_length=40, description="How far ahead, an ISO 8601 duration", examples=["P90D"]),
    ] = "P90D",
    as_of: Annotated[
        date | None,
        Query(
            description="Answer as the world stood on this day: each commitment as its "
            "revisions effective by then left it (default: today, or known_at)"
        ),
    ] = None,
    known_at: Annotated[
        date | None,
        Query(
            description="Answer only from what this database had recorded by the end of this "
            "day (UTC): what did our data say then?"
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description="The most items on one page")
    ] = PAGE,
    cursor: Annotated[
        str | None,
        Query(
            max_length=400,
            description="The `next` of the page before: the page that follows it",
        ),
    ] = None,
) -> Upcoming:
    """Commitments due between as_of and as_of + within, by due date, with days left.

    A commitment with an end that began earlier but ends in the period is listed too, with
    negative `days_left` and its `days_to_end`.

    Every revision has two dates: when it took effect in the world (`effective`) and when it
    was recorded here (`recorded_at`). `as_of` reads by the first: as of 2019-05-14, New
    START still expires on 2021-02-05, though the extension was recorded later. `known_at`
    reads by the second, and the two combine.

    Items come a page at a time, in due order: while `next` is not null, ask again with
    `cursor` set to it (and the same other parameters) for the page that follows. Each page
    is read through the database's index, so a page costs what it lists, however many
    commitments are tracked.
    """
    return app.agenda.upcoming(
        where,
        within,
        as_of,
        known_at=known_at,
        with_private=caller is not None,
        limit=limit,
        cursor=cursor,
    )
