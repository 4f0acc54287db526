"""The reference time moving with the story: "the quarter" is the quarter the article last
named, and "a year earlier", said of that quarter, is the same quarter a year before; "the
following year" is the year after the one of the date the text last named.

Business news reports a quarter's results and compares them with "the year-earlier period";
a profile runs from one year to "the following year"; the publication date alone cannot tell
which quarter or year such a phrase means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from service.domain import Precision
from service.extract import units
from service.extract.grammar import (
    Anchor,
    Context,
    Found,
    Narrated,
    Reference,
    Resolved,
    Shift,
    rule,
)
from service.extract.units import Timex, Unit

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
QUARTER_REACH = 1500
"""Characters back that a named quarter still sets what "a year earlier" means."""
STORY_REACH = 1500
"""Characters back that a named date still sets what "the following year" means."""
_DATED = re.compile(r"^\d{4}(?:-|$)")
_STEPS = {"following": 1, "next": 1, "after": 1, "same": 0, "that": 0, "previous": -1, "prior": -1}
_STEPS |= {"before": -1}


@rule(
    "the-quarter",
    r"\b(?i:the|that|its)\s+(?:(?P<adj>(?i:latest|most\s+recent|recent|same|comparable|"
    r"corresponding|current|just-ended|just\s+ended|previous|prior|preceding))\s+)?"
    r"(?:(?P<ago>(?i:year-earlier|year-ago|prior-year|previous-year))\s+)?"
    r"(?P<u>(?i:quarter|period))\b",
    trigger="quarter",
)
def the_quarter(match: re.Match[str], ctx: Context) -> Resolved:
    adjective = (match["adj"] or "").lower()
    if adjective == "current" and match["u"].lower() == "quarter":
        return units.quarter_of(ctx.published)
    before = int(adjective in ("previous", "prior", "preceding"))  # "the previous quarter"
    return Reference(1 if match["ago"] else 0, match["u"].lower(), quarters_back=before)


_NOT_AN_EVENT_AFTER = r"(?=\s*(?:[,.;:!?)\u2014]|$))"
"""Ending a clause: "left the day after." Not "the day after the summit", nor "the day before
authorities issued a warrant": a day or week before or after an event is no story date."""


@rule(
    "story-unit",
    r"\b(?:(?i:later|earlier)\s+(?i:that)\s+(?P<u1>(?i:year|month|week|day))"
    r"|(?i:the)\s+(?P<rel>(?i:following|same|previous|prior))\s+(?P<u2>(?i:year|month|week))"
    r"|(?i:the)\s+(?P<u3>(?i:year|month))\s+(?P<side>(?i:before|after))"
    r"|(?i:that)\s+(?P<u4>(?i:year|month|week))"
    r"|(?i:the)\s+(?P<rel5>(?i:following|next|same|previous|prior))\s+(?P<u5>(?i:day))"
    rf"|(?i:the)\s+(?P<u6>(?i:day|week))\s+(?P<side6>(?i:before|after)){_NOT_AN_EVENT_AFTER})"
    r"(?![-\w])",
    trigger="unit",
)
def story_unit(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the following year", "later that month", "the year before", "the next day": from
    the story's date (a day or a week only from a date known to its day)."""
    said = match["rel"] or match["side"] or match["rel5"] or match["side6"] or "that"
    named = match["u1"] or match["u2"] or match["u3"] or match["u4"] or match["u5"] or match["u6"]
    return Narrated(Unit(named.lower()), _STEPS[said.lower()])


@rule(
    "story-part-of-day",
    r"\b(?:(?i:that)|(?i:the)\s+(?P<rel>(?i:following|next|previous)))\s+"
    r"(?P<part>(?i:morning|afternoon|evening|night))\b",
    trigger="day",
)
def story_part_of_day(match: re.Match[str], ctx: Context) -> Resolved:
    """ "that night", "the next morning": a part of the story's day, or of the day beside it."""
    return Narrated(Unit.DAY, _STEPS[(match["rel"] or "that").lower()], match["part"].lower())


@rule("year-ago", r"\b(?i:year-earlier|year-ago)\b", trigger="quarter")
def year_ago(match: re.Match[str], ctx: Context) -> Resolved:
    """ "year-earlier results": a year before the story's quarter, else the year before."""
    return Reference(1, "year")


def follow(
    starts: Sequence[int],
    found: Sequence[Found],
    timexes: list[Timex | None],
    published: date,
) -> None:
    """Resolve, in text order, the references in `found` and the year-back shifts said of a
    quarter, in place in `timexes`, from the last quarter the text named before each; and
    the years and months the story reached, from the last date it named before each."""
    last: tuple[int, Timex] | None = None
    dated: tuple[int, Timex] | None = None
    for index, (start, item) in enumerate(zip(starts, found, strict=True)):
        near = last[1] if last is not None and start - last[0] <= QUARTER_REACH else None
        if isinstance(item, Reference):
            timexes[index] = _referred(item, last, published)
        elif isinstance(item, Shift) and near is not None and _year_back(item):
            timexes[index] = _back(near, 1)
        elif isinstance(item, Narrated):
            story = dated[1] if dated is not None and start - dated[0] <= STORY_REACH else None
            timexes[index] = None if story is None else _reached(item, story)
        if isinstance(item, Timex) and _QUARTER.match(item.value) and item.mod is None:
            last = (start, item)
        if (resolved := timexes[index]) is not None and _DATED.match(resolved.value):
            dated = (start, resolved)


def _reached(narrated: Narrated, story: Timex) -> Timex | None:
    """The year or month `narrated` steps to from the story's date; None for a month said
    of a date known only to its year."""
    when = story.earliest
    if narrated.unit is Unit.YEAR:
        return units.year(when.year + narrated.step)
    exact = story.precision is Precision.DAY and story.earliest == story.latest
    if narrated.unit is Unit.DAY:
        if not exact:
            return None
        day = units.day(when + timedelta(narrated.step))
        return units.part_of_day(day, narrated.part) if narrated.part else day
    if narrated.unit is Unit.WEEK:
        return units.week_of(when + timedelta(weeks=narrated.step)) if exact else None
    if story.precision not in (Precision.DAY, Precision.MONTH):
        return None
    months = when.year * 12 + when.month - 1 + narrated.step
    return units.month(months // 12, months % 12 + 1)


def _year_back(shift: Shift) -> bool:
    """ "a year earlier", "a year ago": one year back, from a date or from publication."""
    one = shift.least == shift.most == 1 and shift.unit is Unit.YEAR
    return one and shift.sign < 0 and not shift.duration and shift.anchor is not Anchor.NEXT


def _referred(
    reference: Reference, last: tuple[int, Timex] | None, published: date
) -> Timex | None:
    if last is not None:
        return _back(last[1], reference.years_back, reference.quarters_back)
    if reference.unit == "quarter":
        before = units.quarter_of(units.quarter_of(published).earliest - timedelta(1))
        return _back(before, reference.years_back, reference.quarters_back)
    if reference.unit == "year":
        return units.year(published.year - 1)
    return None


def _back(quarter: Timex, years: int, quarters: int = 0) -> Timex:
    found = _QUARTER.match(quarter.value)
    if found is None or quarter.precision is not Precision.QUARTER:
        return quarter
    year, number = divmod((int(found[1]) - years) * 4 + int(found[2]) - 1 - quarters, 4)
    return units.quarter(year, number + 1)
