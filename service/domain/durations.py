"""ISO 8601 durations whose years and months are calendar units (alert offsets, windows)."""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_DAYS_PER_MONTH = 146097 / 4800
"""The Gregorian calendar's mean month, so that 'P20Y' is exactly 20 years long."""
_MAX_OFFSET_DAYS = 366 * 20


@dataclass(frozen=True, slots=True)
class CalendarDuration:
    """An ISO 8601 duration whose years and months are calendar units, not fixed lengths."""

    months: int = 0
    days: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> CalendarDuration:
        match = _DURATION.match(text.strip().upper())
        if match is None:
            raise ValueError(
                f"{text!r} is not an ISO 8601 duration such as 'P30D', 'P1W', 'P1Y' or 'PT12H'"
            )
        part = {name: int(value or 0) for name, value in match.groupdict().items()}
        duration = cls(
            months=part["years"] * 12 + part["months"],
            days=part["weeks"] * 7 + part["days"],
            seconds=part["hours"] * 3600 + part["minutes"] * 60 + part["seconds"],
        )
        if duration.months * _DAYS_PER_MONTH + duration.days + duration.seconds / 86400 > (
            _MAX_OFFSET_DAYS
        ):
            raise ValueError(f"{text!r} is longer than 20 years")
        return duration

    def __str__(self) -> str:
        years, months = divmod(self.months, 12)
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        date_part = "".join(
            f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (self.days, "D")) if n
        )
        time_part = "".join(
            f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n
        )
        if not date_part and not time_part:
            return "PT0S"
        return f"P{date_part}" + (f"T{time_part}" if time_part else "")

    def before(self, moment: datetime) -> datetime:
        """The moment this long before `moment`, counted on `moment`'s own wall clock."""
        wall = moment.replace(tzinfo=None)
        if self.months:  # most offsets count days alone: no month to step back over
            wall = _add_months(wall, -self.months)
        wall -= timedelta(days=self.days, seconds=self.seconds)
        return wall.replace(tzinfo=moment.tzinfo)

    def after_day(self, day: date) -> date:
        """The day this long after `day`; time parts count only as whole days."""
        try:
            moved = _add_months(datetime.combine(day, time(0), tzinfo=UTC), self.months)
            return moved.date() + timedelta(days=self.days + self.seconds // 86400)
        except (OverflowError, ValueError) as exc:
            raise ValueError(f"{self} after {day} is beyond the calendar") from exc


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month0 = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


class Edge(StrEnum):
    """Which edge of a window an alert counts back from."""

    START = "start"
    END = "end"


_OFFSET = re.compile(r"^\s*(?P<duration>P\S*)(?:\s+before\s+(?P<edge>start|end))?\s*$", re.I)


@dataclass(frozen=True, slots=True)
class AlertOffset:
    """How long before which edge of a window to warn: 'P30D' (the start), 'P30D before end'."""

    duration: CalendarDuration
    edge: Edge = Edge.START

    @classmethod
    def parse(cls, text: str) -> AlertOffset:
        return _offset(text)

    def __str__(self) -> str:
        """The canonical form: a bare duration before the start, so stored offsets stay valid."""
        return str(self.duration) if self.edge is Edge.START else f"{self.duration} before end"


@functools.lru_cache(maxsize=1024)
def _offset(text: str) -> AlertOffset:
    """Parsed once for all: every commitment of a kind has the same few offsets."""
    match = _OFFSET.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not an ISO 8601 duration such as 'P30D' or 'PT12H', "
            "nor one before the end such as 'P30D before end'"
        )
    edge = Edge((match["edge"] or Edge.START).lower())
    return AlertOffset(CalendarDuration.parse(match["duration"]), edge)


def _normalise_offset(text: str) -> str:
    return str(AlertOffset.parse(text))


Offset = Annotated[str, AfterValidator(_normalise_offset)]
"""An alert offset, normalised: 'P1W' -> 'P7D', 'p30d Before End' -> 'P30D before end'."""
