"""Rules for times of day: clock times ("9:30 a.m. EST", "noon Saturday") and parts of days
("Tuesday morning" is TIMEX3 ...TMO, "last night" ...TNI).

A clock time takes the day of a weekday or "today" beside it, else the day of publication.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from service.extract import units
from service.extract.grammar import Context, Resolved, rule
from service.extract.lexicon import WEEKDAYS, weekday_re
from service.extract.rules_relative import weekday_date
from service.extract.units import Timex

ZONES = {
    "gmt": "Z", "utc": "Z", "bst": "+01", "cet": "+01", "cest": "+02", "est": "-05",
    "edt": "-04", "cst": "-06", "cdt": "-05", "mst": "-07", "mdt": "-06", "pst": "-08",
    "pdt": "-07",
}  # fmt: skip
_DAY_WORDS = r"today|tonight|yesterday|tomorrow"
_DAY = rf"(?:{weekday_re('wd')}|(?P<dw>(?i:{_DAY_WORDS})))"
_ZONE = rf"(?:\s+(?P<z>(?i:{'|'.join(ZONES)}))\b)?"
_CLOCK = (
    r"(?:(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s*(?P<ap>(?i:[ap]\.m\.|[ap]\.m\b|[ap]m\b))"
    r"|(?<![\d:.,])(?P<h24>[01]\d|2[0-3]):(?P<m24>[0-5]\d)(?![\d:])"
    r"|(?P<named>(?i:noon|midday|midnight))"
    r"|(?<![\d:.,])(?P<h4>[01]\d|2[0-3])(?P<m4>[0-5]\d)(?=\s+(?:GMT|UTC)\b))"
)
"""12-hour and 24-hour times, noon and midnight, and the wires' four digits before GMT or UTC
("0400 GMT"), which without a zone would be a year."""
_NO_DATE_AFTER = (
    r"(?!,?\s+(?:\d{1,2}\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)"
)
"""Not a weekday that a date follows ("6 p.m. on Sunday, Oct. 5"): the time is then that date's,
which the date, tagged whole, gives it."""


@rule(
    "clock",
    rf"(?:{_DAY}\s+(?:(?i:at)\s+)?)?{_CLOCK}{_ZONE}"
    rf"(?:,?\s+(?:(?i:on)\s+)?(?:{weekday_re('wd2')}{_NO_DATE_AFTER}|(?P<dw2>(?i:{_DAY_WORDS}))))?",
    trigger="clock",
)
def clock(match: re.Match[str], ctx: Context) -> Resolved:
    """ "Monday at 9:30 a.m.", "noon Saturday": a time on the day named beside it."""
    if not (match["wd"] or match["wd2"] or match["dw"] or match["dw2"]):
        return None  # a time alone: `clock_alone`
    hour, minute = _hour_minute(match)
    zone = ZONES[match["z"].lower()] if match["z"] else None
    return units.clock(_day(match, ctx), hour, minute, zone)


@rule("clock-alone", rf"{_CLOCK}{_ZONE}", trigger="clock")
def clock_alone(match: re.Match[str], ctx: Context) -> Resolved:
    """ "at 8 p.m. in New York on Saturday": on publication day until `on_day_of_sentence`
    moves it to the day its sentence names."""
    if _in_a_name(ctx.text, match):
        return None
    hour, minute = _hour_minute(match)
    zone = ZONES[match["z"].lower()] if match["z"] else None
    return units.clock(units.day(ctx.published), hour, minute, zone)


def _in_a_name(text: str, match: re.Match[str]) -> bool:
    """ "Steadfast Noon", "Operation Midnight Hammer": a capitalised noon or midnight inside a
    sentence is part of a name, not a time."""
    named = match["named"]
    if not named or not named[0].isupper():
        return False
    before = text[: match.start("named")].rstrip()
    return bool(before) and before[-1] not in '.!?"\u201c:'


def on_day_of_sentence(clock_time: Timex, days: list[Timex]) -> Timex:
    """The time moved to the one day its sentence names, if it names exactly one."""
    named = {day.value for day in days}
    if len(named) != 1:
        return clock_time
    day = days[0]
    return replace(
        clock_time,
        value=day.value + clock_time.value[10:],
        earliest=day.earliest,
        latest=day.latest,
    )


def _hour_minute(match: re.Match[str]) -> tuple[int, int]:
    if match["named"]:
        return (24 if match["named"].lower() == "midnight" else 12), 0
    if match["h24"]:
        return int(match["h24"]), int(match["m24"])
    if match["h4"]:
        return int(match["h4"]), int(match["m4"])
    hour = int(match["h"]) % 12 + (12 if match["ap"].lower().startswith("p") else 0)
    return hour, int(match["m"]) if match["m"] else 0


def _day(match: re.Match[str], ctx: Context) -> Timex:
    weekday = match["wd"] or match["wd2"]
    if weekday:
        group = "wd" if match["wd"] else "wd2"
        return units.day(weekday_date(ctx, WEEKDAYS[weekday], None, match.span(group)))
    word = (match["dw"] or match["dw2"] or "today").lower()
    return units.day(ctx.published + timedelta({"yesterday": -1, "tomorrow": 1}.get(word, 0)))


@rule(
    "day-part",
    r"\b(?:(?P<d>(?i:yesterday|tomorrow|this|last))\s+(?P<p>(?i:morning|afternoon|evening|night))"
    r"|(?P<tonight>(?i:tonight|overnight)))\b",
    trigger="day",
)
def day_part(match: re.Match[str], ctx: Context) -> Resolved:
    """ "yesterday morning" and "last night": a part of a day counted from publication."""
    if match["tonight"]:
        return units.part_of_day(units.day(ctx.published), "night")
    word, part = match["d"].lower(), match["p"].lower()
    if word == "this" and part == "night":
        return None
    back = {"yesterday": -1, "tomorrow": 1, "last": -1}.get(word, 0)
    if word == "last" and part != "night":
        return None  # "last evening" is rare, "the last morning of" is not a date
    return units.part_of_day(units.day(ctx.published + timedelta(back)), part)
