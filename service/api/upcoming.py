"""/api/v1/upcoming: what is coming up, now or as it looked on a past day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import Anyone, AppDep
from service.api.filters import ListFeedFilter
from service.api.problems import PROBLEM_RESPONSES
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
        Query(description="Answer from what was known on this day (default: today)"),
    ] = None,
) -> Upcoming:
    """Commitments due between as_of and as_of + within, by due date, with days left.

    A commitment with an end that began earlier but ends in the period is listed too, with
    negative `days_left` and its `days_to_end`.

    With `as_of`, changes recorded as effective after that day are ignored: as of 2019-05-14,
    New START still expires on 2021-02-05.
    """
    return app.agenda.upcoming(where, within, as_of, with_private=caller is not None)
