"""Dues that follow from another commitment: 'six months after the notice of withdrawal'."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.domain.base import Precision, Slug
from service.domain.dues import Due
from service.domain.durations import CalendarDuration


class Counting(StrEnum):
    """What the offset counts from: the anchor's due, or the day it was recorded as occurred."""

    DUE = "due"
    OCCURRED = "occurred"


def _calendar_span(text: str) -> str:
    duration = CalendarDuration.parse(text)
    if duration.seconds:
        raise ValueError(f"{text!r} has a time part: a rule counts whole days, months or years")
    return str(duration)


Span = Annotated[str, AfterValidator(_calendar_span)]
"""An ISO 8601 duration of years, months, weeks and days (P6M, P3M, P30D), normalised."""


class DueRule(BaseModel):
    """A due stated as an offset after another commitment, kept current as that one moves."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True
    )

    after: Slug = Field(description="The id of the commitment this one follows")
    offset: Span = Field(examples=["P6M", "P3M", "P30D"])
    counting: Counting = Field(
        default=Counting.DUE,
        alias="from",
        description="Count from the anchor's due (its window's start) or from when it occurred",
    )


def rule_in_due(data: Any) -> Any:
    """Map a relative `due: {after, offset}` onto `due_rule`, leaving the due to resolution."""
    if not isinstance(data, dict) or not isinstance(data.get("due"), dict):
        return data
    if "after" not in data["due"]:
        return data
    if data.get("due_rule") is not None:
        raise ValueError("send a relative due either as due or as due_rule, not both")
    return {**data, "due": None, "due_rule": data["due"]}


def resolve(rule: DueRule, anchor: Due | None) -> Due | None:
    """The due `rule` gives after `anchor`, no more precise than the anchor; None if undated.

    ValueError when the result falls outside the calendar this service tracks.
    """
    if anchor is None:
        return None
    offset = CalendarDuration.parse(rule.offset)
    if anchor.moment is not None:
        return _after_moment(offset, anchor.moment, anchor.tz)
    first, last = offset.after_day(anchor.first_day), offset.after_day(anchor.last_day)
    return _covering(first, last, anchor.precision)


def _after_moment(offset: CalendarDuration, moment: datetime, tz: str | None) -> Due:
    day = offset.after_day(moment.date())
    wall = datetime.combine(day, moment.time())
    return Due(value=wall.isoformat(timespec="seconds"), tz=tz)


_FINEST_FIRST = (Precision.DAY, Precision.WEEK, Precision.MONTH, Precision.QUARTER)
_COARSEST_FIRST = list(Precision)


def _covering(first: date, last: date, finest: Precision) -> Due:
    """The most precise due, no finer than `finest`, whose window holds first..last.

    A window that crosses a year's end has none; it keeps its first year, so that alerts,
    which count back from the window's start, are never late.
    """
    allowed = _COARSEST_FIRST.index(finest)
    for precision in _FINEST_FIRST:
        if _COARSEST_FIRST.index(precision) > allowed:
            continue
        due = Due(value=_value(first, precision))
        if due.first_day <= first and last <= due.last_day:
            return due
    return Due(value=f"{first.year:04d}")


def _value(day: date, precision: Precision) -> str:
    if precision is Precision.DAY:
        return day.isoformat()
    if precision is Precision.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if precision is Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
