"""Laying a shift from its anchor: "a week later" counts from the date before it in the
sentence, "a 30-day process" from the day it started, "in 30 days" from publication.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from service.domain import Precision, TimexType
from service.extract import units
from service.extract.grammar import Anchor, Shift
from service.extract.units import Timex, Unit

_ADJACENT = 3  # characters of space between "30 days after" and "August 28"
_ENDING = re.compile(
    r"\b(?:runs?\s+out|ran\s+out|expire[sd]?|ends?|ended|lapse[sd]?|elapse[sd]?|close[sd]?|"
    r"until|till)"
    r"(?:\s+(?:on|in|at|by|at\s+midnight\s+on))?\s*$",
    re.IGNORECASE,
)
_ENDING_REACH = 80  # characters from a length to the date it ends on
_NAMED_END = re.compile(r"(?i:deadline|ultimatum)\s+(?:of|for)\s+$")
"""A length named a deadline, then the date it is "of": "a 10-day deadline of August 8"."""
_RESTATED_END = re.compile(
    r",\s+(?:a|the)\s+(?:[\w-]+\s+)?(?:deadline|ultimatum)\s+(?:that|which)\s+"
    r"(?:now\s+)?(?:expires|ends|runs\s+out|falls)(?:\s+on)?\s*$",
    re.IGNORECASE,
)
"""The length told again as a deadline, however long its clause: "gave Russia 50 days to agree
to a ceasefire or face tariffs, a deadline that expires on September 2"."""
_APPOSITION = re.compile(r",\s*(?:around|about|roughly|approximately|or|in|on|by)?\s*$")


def lay(shift: Shift, anchor: Timex | None, published: date) -> Timex:
    """The window a shift gives from its anchor, or from publication when it has none."""
    base = anchor or units.day(published)
    if shift.duration:
        return _length(shift, base)
    return _moved(shift, base, from_publication=shift.anchor is Anchor.PUBLICATION)


def _moved(shift: Shift, base: Timex, *, from_publication: bool) -> Timex:
    """A point moved from the anchor; as precise as the anchor and the unit allow.

    Counted from the time of writing ("two weeks ago", "in six months") it is as precise as
    its unit; counted from a day ("a week later", "six months after May 22") it is a day.
    """
    near, far = (shift.least, shift.most) if shift.sign > 0 else (-shift.most, -shift.least)
    earliest = units.add(base.earliest, near, shift.unit)
    latest = units.add(base.latest, far, shift.unit)
    if shift.vague:
        return units.approx(earliest, latest)
    if from_publication or (shift.unit is Unit.YEAR and shift.anchor is Anchor.BEFORE):
        return units.unit_at(earliest, shift.unit)  # "a year earlier" is a year, as TIMEX3 has it
    if base.precision is Precision.DAY:
        return units.day(earliest)
    value = units.covering(earliest, latest)
    return units.from_value(value) if value else units.approx(earliest, latest)


def _length(shift: Shift, base: Timex) -> Timex:
    """A length laid forward from the anchor, or back from it ("the past two weeks")."""
    if shift.sign > 0:
        earliest, latest = base.earliest, units.add(base.latest, shift.most, shift.unit)
    else:
        earliest, latest = units.add(base.earliest, -shift.most, shift.unit), base.latest
    amount = None if shift.vague else shift.least
    return replace(units.duration(amount, shift.unit, earliest, latest), mod=shift.mod)


def ends_on(text: str, length_end: int, anchor_start: int) -> bool:
    """ "a 30-day deadline that runs out on January 6": a date after a verb of ending is the
    day the length ends, not the day it starts."""
    between = text[length_end:anchor_start]
    if len(between) > _ENDING_REACH:
        return _RESTATED_END.search(between) is not None
    named = _NAMED_END.search(text, max(length_end - len("ultimatum"), 0), anchor_start)
    return named is not None or _ENDING.search(between) is not None


def pick_anchor(
    shift: Shift, spans: Sequence[tuple[int, int, Timex | None]], index: int, text: str
) -> int | None:
    """The index of the mention a shift counts from, among those of its own sentence.

    `spans` holds (start, end, timex) for every mention of the sentence, in order; a timex
    of None is a shift not yet laid, which cannot serve as an anchor.
    """
    usable = [i for i, (_, _, timex) in enumerate(spans) if _can_anchor(shift, timex)]
    before = [i for i in usable if i < index]
    after = [i for i in usable if i > index]
    if shift.anchor is Anchor.PUBLICATION:
        return None
    if shift.anchor is Anchor.NEXT:
        return _event_date(spans, index, after, text)
    if before:
        return before[-1]
    return after[0] if after and shift.anchor is not Anchor.BEFORE else None


def _event_date(
    spans: Sequence[tuple[int, int, Timex | None]], index: int, after: list[int], text: str
) -> int | None:
    """The date of the event "30 days after" counts from: right after it ("after August 28"),
    or later in the sentence ("after formal notice, which would be delivered on Friday") but
    not a date set off by a comma, which restates the result ("..., around mid-December")."""
    end = spans[index][1]
    for i in after:
        start = spans[i][0]
        if start - end <= _ADJACENT:
            return i
        if not _APPOSITION.search(text[max(start - 20, end) : start]):
            return i
    return None


def _can_anchor(shift: Shift, timex: Timex | None) -> bool:
    """Lengths start on a stated day, or an hour of one ("a three-month truce that takes effect
    at midnight on Friday"); points may move from any single unit."""
    if timex is None:
        return False
    if timex.is_point:
        return timex.precision is Precision.DAY or not shift.duration
    hour = timex.type is TimexType.TIME and timex.proposable and "/" not in timex.value
    return shift.duration and hour
