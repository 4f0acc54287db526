"""/api/v1/upcoming: what is coming up, now or as it looked on a past day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ServicesDep
from service.api.filters import BasicFilter
from service.api.models import Upcoming, UpcomingItem
from service.api.problems import PROBLEM_RESPONSES
from service.domain import CalendarDuration, days_left, undated, upcoming
from service.errors import InvalidInput

router = APIRouter(prefix="/api/v1", tags=["upcoming"], responses=PROBLEM_RESPONSES)


@router.get("/upcoming", summary="What is coming up")
def get_upcoming(
    services: ServicesDep,
    where: BasicFilter,
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
    day = as_of or services.clock().date()
    until = _until(day, within)
    known = services.store.commitments.known_on(day, where)
    items = [
        UpcomingItem(
            **commitment.model_dump(),
            days_left=left,
            days_to_end=days_left(commitment.end, day) if commitment.end else None,
        )
        for commitment, left in upcoming(known, day, until)
    ]
    return Upcoming(as_of=day, within=within, until=until, items=items, undated=undated(known))


def _until(day: date, within: str) -> date:
    try:
        return CalendarDuration.parse(within).after_day(day)
    except ValueError as exc:
        raise InvalidInput(f"within: {exc}") from exc
