"""Due dates to the precision that is known, and the window each one allows."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, Field, computed_field, field_validator, model_validator

from service.domain.base import FROZEN, Precision

# [0-9], not \d: \d would take Arabic-Indic and other digits that no calendar client reads.
_YEAR = re.compile(r"^([0-9]{4})$")
_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")
_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_TIME = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$")

FIRST_YEAR, LAST_YEAR = 1800, 2999
"""The years a due may fall in: ample for treaties, and far from the ends of the calendar,
where counting alerts back, rendering time zones or adding a window would overflow."""


def check_zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or ValueError."""
    if name not in _zone_names():
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata damaged
        raise ValueError(f"time zone {name!r} cannot be loaded") from exc


_ZONE_NAMES: frozenset[str] = frozenset()


def _zone_names() -> frozenset[str]:
    global _ZONE_NAMES
    if not _ZONE_NAMES:
        _ZONE_NAMES = frozenset(available_timezones() | {"UTC"})
    return _ZONE_NAMES


@dataclass(frozen=True, slots=True)
class _Parsed:
    precision: Precision
    first: date
    last: date
    moment: datetime | None = None


def _parse_due(value: str, tz: str | None) -> _Parsed:
    text = value.strip()
    if tz is not None and not _TIME.match(text):
        raise ValueError("tz is only allowed with a date and time value such as 2026-02-05T10:00")
    leading_year = text[:4]
    if (
        leading_year.isascii()
        and leading_year.isdigit()
        and not FIRST_YEAR <= int(leading_year) <= LAST_YEAR
    ):
        raise ValueError(
            f"{text!r} is outside the years this service tracks ({FIRST_YEAR} to {LAST_YEAR})"
        )
    if m := _YEAR.match(text):
        year = int(m[1])
        return _Parsed(Precision.YEAR, date(year, 1, 1), date(year, 12, 31))
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        first = date(year, 3 * quarter - 2, 1)
        return _Parsed(Precision.QUARTER, first, _month_end(year, 3 * quarter))
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        first = _valid_date(year, month, 1, text)
        return _Parsed(Precision.MONTH, first, _month_end(year, month))
    if m := _WEEK.match(text):
        try:
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real ISO week ({exc})") from exc
        return _Parsed(Precision.WEEK, monday, monday + timedelta(days=6))
    if m := _DAY.match(text):
        day = _valid_date(int(m[1]), int(m[2]), int(m[3]), text)
        return _Parsed(Precision.DAY, day, day)
    if m := _TIME.match(text):
        if tz is None:
            raise ValueError(f"{text!r} has a time of day, so it needs a time zone in 'tz'")
        day = _valid_date(int(m[1]), int(m[2]), int(m[3]), text)
        moment = _local_moment(day, int(m[4]), int(m[5]), int(m[6] or 0), tz, text)
        return _Parsed(Precision.TIME, day, day, moment)
    raise ValueError(
        f"{text!r} is not a due date: use 2021, 2025-Q3, 2019-04, 2019-W20, 2026-02-05 "
        "or 2026-02-05T10:00:00 with a tz"
    )


def _valid_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from exc


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _local_moment(day: date, hour: int, minute: int, second: int, tz: str, text: str) -> datetime:
    zone = check_zone(tz)
    try:
        wall = datetime.combine(day, time(hour, minute, second))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real time of day ({exc})") from exc
    moment = wall.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise ValueError(f"{text!r} does not exist in {tz} (the clocks skip it)")
    return moment


class Due(BaseModel):
    """When a commitment falls due, to the precision that is known.

    `value` is a TIMEX3-style value whose form gives the precision: 2021 (year), 2025-Q3,
    2019-04, 2026-02-05, or 2026-02-05T10:00:00 with an IANA `tz`. `earliest` and `latest`
    bound the window the value allows.
    """

    model_config = FROZEN

    value: str = Field(examples=["2026-02-05", "2021", "2025-Q3", "2019-04"])
    tz: str | None = Field(
        default=None,
        examples=["Europe/Moscow"],
        description=(
            "IANA zone of a value with a time of day. A local time the clocks skip is refused; "
            "one they pass twice (when they go back) is its first occurrence, as RFC 5545 reads "
            "a DTSTART with a TZID."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_plain_and_derived(cls, data: Any) -> Any:
        """Accept a bare value, and round-trip a served due whose derived fields agree."""
        if isinstance(data, str | int | date):
            return {"value": str(data)}
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("value"), int | date):
            data["value"] = str(data["value"])
        served = {
            name: data.pop(name) for name in ("precision", "earliest", "latest") if name in data
        }
        if served and isinstance(data.get("value"), str):
            parsed = Due.model_validate(data)
            for name, given in served.items():
                if str(given) != str(getattr(parsed, name)):
                    raise ValueError(
                        f"{name} {given!r} does not match value {parsed.value!r} "
                        f"(it gives {getattr(parsed, name)}); send only value and tz"
                    )
        return data

    @field_validator("value")
    @classmethod
    def _normalise(cls, value: str) -> str:
        value = value.strip()
        return f"{value}:00" if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value) else value

    @model_validator(mode="after")
    def _parse(self) -> Self:
        # Through the cached window, so a Due parses once, however often it is validated
        # again as a field of a model (pydantic runs this on instances it is given too).
        self._window  # noqa: B018
        return self

    @cached_property
    def _window(self) -> _Parsed:
        # Computed once per instance; Due is frozen, so it cannot go stale.
        return _parse_due(self.value, self.tz)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> Precision:
        return self._window.precision

    @computed_field  # type: ignore[prop-decorator]
    @property
    def earliest(self) -> date | datetime:
        """The first day of the window, or the moment itself for a time."""
        return self._window.moment or self._window.first

    @computed_field  # type: ignore[prop-decorator]
    @property
    def latest(self) -> date | datetime:
        """The last day of the window (inclusive), or the moment itself for a time."""
        return self._window.moment or self._window.last

    @property
    def first_day(self) -> date:
        return self._window.first

    @property
    def last_day(self) -> date:
        return self._window.last

    @property
    def moment(self) -> datetime | None:
        """The zoned moment, for a due with a time of day."""
        return self._window.moment

    def start_instant(self, default_zone: ZoneInfo | None = None) -> datetime:
        """The earliest moment of the window, in UTC: where alerts count back from."""
        return self.start_local(default_zone).astimezone(UTC)

    def start_local(self, default_zone: ZoneInfo | None = None) -> datetime:
        """The earliest moment of the window on the due's own wall clock."""
        if self._window.moment is not None:
            return self._window.moment
        return datetime.combine(self._window.first, time(0), tzinfo=default_zone or UTC)

    def end_instant(self, default_zone: ZoneInfo | None = None) -> datetime:
        """The moment the window closes (exclusive), in UTC."""
        if self._window.moment is not None:
            return self._window.moment.astimezone(UTC)
        after = self._window.last + timedelta(days=1)
        return datetime.combine(after, time(0), tzinfo=default_zone or UTC).astimezone(UTC)

    def describe(self) -> str:
        """The due in words that claim no more than is known: '2021 (day not known)'."""
        window = self._window
        if window.precision is Precision.YEAR:
            return f"{window.first.year} (month and day not yet known)"
        if window.precision is Precision.QUARTER:
            return f"{self.value} ({window.first:%B} to {window.last:%B %Y}; day not yet known)"
        if window.precision is Precision.MONTH:
            return f"{window.first:%B %Y} (day not yet known)"
        if window.precision is Precision.WEEK:
            return f"week of {window.first.day} {window.first:%B %Y} (day not yet known)"
        if window.moment is not None:
            return f"{window.moment.day} {window.moment:%B %Y, %H:%M} {self.tz}"
        return f"{window.first:%d %B %Y}".lstrip("0")
