"""Calendar units as windows: the days a TIMEX3 value covers, parts of them, and shifts.

Everything here is arithmetic on dates; nothing reads text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from service.domain import Due, Precision
from service.domain.dues import FIRST_YEAR, LAST_YEAR
from service.domain.proposals import Mod, TimexType


class Unit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


UNIT_PRECISION = {
    Unit.DAY: Precision.DAY,
    Unit.WEEK: Precision.WEEK,
    Unit.MONTH: Precision.MONTH,
    Unit.YEAR: Precision.YEAR,
}
PRECISION_UNIT = {precision: unit for unit, precision in UNIT_PRECISION.items()}
_DATED = re.compile(r"\d{4}(?:[-/T]|$)(?!.*X)")
_DURATION_LETTER = {Unit.DAY: "D", Unit.WEEK: "W", Unit.MONTH: "M", Unit.YEAR: "Y"}
_UNIT_OF_LETTER = {letter: unit for unit, letter in _DURATION_LETTER.items()}
_COUNTED_LENGTH = re.compile(r"P(?P<n>\d+)(?P<letter>[DWMY])")


@dataclass(frozen=True, slots=True)
class Timex:
    """A resolved temporal expression: its TIMEX3 value and the days it allows."""

    value: str
    precision: Precision
    earliest: date
    latest: date
    mod: Mod | None = None
    type: TimexType = TimexType.DATE
    said_in_passing: bool = False  # a length that dates nothing ("for three years")

    @property
    def is_point(self) -> bool:
        """A single calendar unit, not a range or a duration: usable as an anchor."""
        return self.type is TimexType.DATE and "/" not in self.value and self.proposable

    @property
    def proposable(self) -> bool:
        """Whether it dates an event closely enough to propose it: not "now" (PRESENT_REF), a
        decade (198), a set, a date with unknown parts (XXXX-WXX-2), or one outside the years
        a commitment may fall in ("the Treaty of Utrecht, signed in 1713")."""
        if self.type is TimexType.DURATION:
            return not self.said_in_passing
        tracked = self.earliest.year >= FIRST_YEAR and self.latest.year <= LAST_YEAR
        return tracked and self.type is not TimexType.SET and _DATED.match(self.value) is not None


def day(when: date) -> Timex:
    return Timex(when.isoformat(), Precision.DAY, when, when)


def week_of(when: date) -> Timex:
    iso = when.isocalendar()
    monday = when - timedelta(days=when.weekday())
    return Timex(f"{iso.year}-W{iso.week:02d}", Precision.WEEK, monday, monday + timedelta(6))


def month(year: int, number: int) -> Timex:
    last = calendar.monthrange(year, number)[1]
    first = date(year, number, 1)
    return Timex(f"{year}-{number:02d}", Precision.MONTH, first, date(year, number, last))


def quarter(year: int, number: int) -> Timex:
    last = month(year, 3 * number).latest
    return Timex(f"{year}-Q{number}", Precision.QUARTER, date(year, 3 * number - 2, 1), last)


def year(number: int) -> Timex:
    return Timex(str(number), Precision.YEAR, date(number, 1, 1), date(number, 12, 31))


def quarter_of(when: date) -> Timex:
    return quarter(when.year, (when.month - 1) // 3 + 1)


def half(year_number: int, number: int) -> Timex:
    """TIMEX3 2026-H1: a window, precise only to the year (a half is coarser than a quarter)."""
    first = month(year_number, 6 * number - 5).earliest
    last = month(year_number, 6 * number).latest
    return Timex(f"{year_number}-H{number}", Precision.YEAR, first, last)


SEASONS = {"spring": ("SP", 3), "summer": ("SU", 6), "autumn": ("FA", 9), "fall": ("FA", 9)}
SEASONS |= {"winter": ("WI", 12)}


def season(year_number: int, name: str) -> Timex:
    """TIMEX3 2025-WI: three months from the season's first (winter runs into the next year)."""
    code, first_month = SEASONS[name]
    first = month(year_number, first_month).earliest
    last = add(first, 2, Unit.MONTH)
    return Timex(
        f"{year_number}-{code}", Precision.QUARTER, first, month(last.year, last.month).latest
    )


_REF_REACH = 10  # years a loose reference to the past or future is taken to span


def present_ref(published: date) -> Timex:
    """TIMEX3 PRESENT_REF ("now", "currently"): the time of writing."""
    return Timex("PRESENT_REF", Precision.DAY, published, published)


def past_ref(published: date) -> Timex:
    """TIMEX3 PAST_REF ("recently", "formerly"): some time before writing."""
    earliest = add(published, -_REF_REACH, Unit.YEAR)
    return Timex("PAST_REF", Precision.YEAR, earliest, published - timedelta(1), Mod.APPROX)


def future_ref(published: date) -> Timex:
    """TIMEX3 FUTURE_REF ("soon", "in the future"): some time after writing."""
    latest = add(published, _REF_REACH, Unit.YEAR)
    return Timex("FUTURE_REF", Precision.YEAR, published + timedelta(1), latest, Mod.APPROX)


def decade(number: int) -> Timex:
    """TIMEX3 198 for the 1980s: the ten years from 1980."""
    first = date(number * 10, 1, 1)
    return Timex(str(number), Precision.YEAR, first, date(number * 10 + 9, 12, 31))


def century(number: int) -> Timex:
    """TIMEX3 18 for the 19th century: the hundred years from 1800."""
    first = date(number * 100, 1, 1)
    return Timex(f"{number:02d}", Precision.YEAR, first, date(number * 100 + 99, 12, 31))


def length(amount: int | None, unit: Unit, published: date) -> Timex:
    """ "for three years": TIMEX3 P3Y, a length that dates nothing, so proposes nothing."""
    found = duration(amount, unit, published, published)
    return replace(found, said_in_passing=True)


def clock_length(amount: str, published: date) -> Timex:
    """ "five hours": TIMEX3 PT5H, a length under a day that dates nothing."""
    return Timex(
        f"PT{amount}",
        Precision.DAY,
        published,
        published,
        type=TimexType.DURATION,
        said_in_passing=True,
    )


def hours_to_act(hours: int, published: date) -> Timex:
    """ "72 hours to respond": TIMEX3 PT72H, over the days from publication to when the hours
    run out (a day's part unknown, the last of them whole)."""
    last = published + timedelta(days=-(-hours // 24))
    return Timex(f"PT{hours}H", Precision.DAY, published, last, type=TimexType.DURATION)


def every(value: str, published: date) -> Timex:
    """A TIMEX3 set ("daily" is P1D); its window is open, the time of writing stands for it."""
    return Timex(value, Precision.DAY, published, published, type=TimexType.SET)


PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
PARTS_OF_DAY |= {"tonight": "NI", "overnight": "NI"}


def part_of_day(whole: Timex, part: str) -> Timex:
    """TIMEX3 2019-05-14TMO for the morning of a day: a time, as precise as the day."""
    code = PARTS_OF_DAY[part.lower()]
    return replace(whole, value=f"{whole.value}T{code}", type=TimexType.TIME)


def clock(whole: Timex, hour: int, minute: int | None, zone: str | None) -> Timex:
    """TIMEX3 2019-05-14T09:30 (T09 when only the hour is given), with a zone offset if known."""
    value = f"{whole.value}T{hour:02d}" + ("" if minute is None else f":{minute:02d}")
    return replace(whole, value=value + (zone or ""), type=TimexType.TIME)


def weekend(week: Timex) -> Timex:
    """TIMEX3 2019-W20-WE: the Saturday and Sunday of an ISO week."""
    saturday = week.earliest + timedelta(5)
    return Timex(f"{week.value}-WE", Precision.WEEK, saturday, saturday + timedelta(1))


def span(first: Timex, last: Timex) -> Timex:
    """A range from one unit to another: "July 11-12" is 2019-07-11/2019-07-12."""
    return Timex(f"{first.value}/{last.value}", first.precision, first.earliest, last.latest)


def approx(earliest: date, latest: date) -> Timex:
    """A window whose ends the text does not state, as a range of days."""
    value = f"{earliest.isoformat()}/{latest.isoformat()}"
    return Timex(value, Precision.DAY, earliest, latest, Mod.APPROX)


def narrowed(unit: Timex, earliest: date, latest: date) -> Timex:
    """The same value, with a window the text narrows ("earlier this week")."""
    return replace(unit, earliest=max(earliest, unit.earliest), latest=min(latest, unit.latest))


def part(unit: Timex, mod: Mod) -> Timex:
    """The first, middle or last third of a unit: "mid-October" is October 11 to 20."""
    first, last = unit.earliest, unit.latest
    if unit.precision is Precision.YEAR:
        bounds = {Mod.START: (1, 4), Mod.MID: (5, 8), Mod.END: (9, 12)}[mod]
        first, last = month(first.year, bounds[0]).earliest, month(first.year, bounds[1]).latest
    elif unit.precision is Precision.MONTH:
        bounds = {Mod.START: (1, 10), Mod.MID: (11, 20), Mod.END: (21, last.day)}[mod]
        first, last = first.replace(day=bounds[0]), first.replace(day=bounds[1])
    else:
        length = (last - first).days + 1
        third = max(length // 3, 1)
        offsets = {Mod.START: (0, third - 1), Mod.MID: (third, 2 * third - 1)}
        start, stop = offsets.get(mod, (length - third, length - 1))
        first, last = first + timedelta(start), first + timedelta(stop)
    return replace(unit, earliest=first, latest=last, mod=mod)


def add(when: date, amount: int, unit: Unit) -> date:
    """`when` moved by whole units; month and year steps keep the day where it exists."""
    if unit is Unit.DAY:
        return when + timedelta(days=amount)
    if unit is Unit.WEEK:
        return when + timedelta(weeks=amount)
    months = amount * (12 if unit is Unit.YEAR else 1)
    index = when.year * 12 + when.month - 1 + months
    new_year, month0 = divmod(index, 12)
    last = calendar.monthrange(new_year, month0 + 1)[1]
    return date(new_year, month0 + 1, min(when.day, last))


def unit_at(when: date, unit: Unit) -> Timex:
    """The calendar unit of this kind that contains `when`."""
    if unit is Unit.DAY:
        return day(when)
    if unit is Unit.WEEK:
        return week_of(when)
    if unit is Unit.MONTH:
        return month(when.year, when.month)
    return year(when.year)


def duration(amount: int | None, unit: Unit, earliest: date, latest: date) -> Timex:
    """A length of time laid over a window; an unknown amount ("a few days") is TIMEX3 X."""
    count = "X" if amount is None else str(amount)
    value = f"P{count}{_DURATION_LETTER[unit]}"
    return Timex(value, UNIT_PRECISION[unit], earliest, latest, type=TimexType.DURATION)


def counted_length(value: str) -> tuple[int, Unit] | None:
    """The count and unit of a length `duration` made with an amount: "P4W" is (4, WEEK)."""
    found = _COUNTED_LENGTH.fullmatch(value)
    return (int(found["n"]), _UNIT_OF_LETTER[found["letter"]]) if found else None


def covering(earliest: date, latest: date) -> str | None:
    """The narrowest single unit (day, week, month, quarter, year) holding a window, if any."""
    if earliest == latest:
        return earliest.isoformat()
    units = (week_of(earliest), month(earliest.year, earliest.month), quarter_of(earliest))
    for unit in (*units, year(earliest.year)):
        if unit.latest >= latest:
            return unit.value
    return None


def from_value(value: str) -> Timex:
    """The unit a Due-style value names (2021, 2025-Q3, 2019-04, 2019-W20, 2019-05-14)."""
    due = Due(value=value)
    return Timex(value, due.precision, due.first_day, due.last_day)


def event_window(timex: Timex) -> tuple[date, date]:
    """The days the event a mention dates may fall on: an event "six months after" something
    happens as the length runs out, in its last unit; "within two weeks" anywhere in it."""
    exact = timex.type is TimexType.DURATION and timex.mod is None and "X" not in timex.value
    if exact:
        end = unit_at(timex.latest, PRECISION_UNIT[timex.precision])
        return end.earliest, end.latest
    return timex.earliest, timex.latest
