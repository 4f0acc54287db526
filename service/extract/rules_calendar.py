"""Rules for dates the text states on the calendar: ISO forms, days, ranges, months, years.

Where the year is missing ("July 16", "mid-October") it is chosen by `choose.in_year`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from service.domain.proposals import Mod, Tense
from service.extract import units
from service.extract.choose import in_year, year_less
from service.extract.grammar import Context, Resolved, rule
from service.extract.lexicon import (
    ORDINALS,
    day_re,
    month_of,
    month_re,
    weekday_re,
    year_re,
)
from service.extract.units import Timex

PART = (
    r"(?P<part>(?i:early|mid|late|the\s+(?:beginning|start|middle|end|close)\s+of|"
    r"(?:the\s+)?end\s+of|the\s+turn\s+of|"
    r"the\s+(?:first|last|final)\s+(?:week|days|few\s+days)\s+of))(?:-|\s+)"
)
PARTS = {"early": Mod.START, "beginning": Mod.START, "start": Mod.START, "turn": Mod.START}
PARTS |= {"mid": Mod.MID, "middle": Mod.MID, "late": Mod.END, "end": Mod.END, "close": Mod.END}
PARTS |= {"first": Mod.START, "last": Mod.END, "final": Mod.END}  # "the last week of December"
_RANGE = r"\s*(?:-|\u2013|\u2014|\bto\b|\bthrough\b|\band\b|\buntil\b)\s*"
_WEEKDAY_PREFIX = rf"(?:{weekday_re('wd')},?\s+)?"
_OPTIONAL_YEAR = rf"(?:,?\s+{year_re('y')})?"

_NOT_YEAR_AFTER = frozenset(
    """
    troops soldiers people warheads missiles launchers bombers seats votes delegates
    inspectors centrifuges kilograms kg tons tonnes km kilometers kilometres miles meters
    metres feet dollars euros rubles pounds casualties deaths members sites facilities units
    points words pages copies barrels residents refugees percent per gmt utc edt est hours
    hrs cases workers jobs vehicles tanks aircraft ships rounds shells drones
    """.split()
)
_COUNTED_AFTER = _NOT_YEAR_AFTER | {"million", "billion", "thousand", "hundred", "of"}
"""Words after a number that make it a count: "on May 3, 14 and 15 million people"."""
_AHEAD_BEFORE = frozenset("payable effective record".split())
"""Words after which a day is one to come, whatever the verb ("payable Dec. 7")."""
_AHEAD_FROM = re.compile(r"\b(?i:effective|payable)\s+(?i:from|on|as\s+of)\s+$")
"""... and with a preposition between: "effective from 27 August"."""
_EXTENDED_UNTIL = re.compile(
    r"\b(?i:extend|renew|prolong)\w*\s+(?:[\w\u2019'-]+,?\s+){0,8}?(?i:until|till|through|to)\s+$"
)
"""A measure made to last up to the day, which is then ahead: "renewed the sanctions for six
months, until March 15", "extend their tariff truce by another 90 days, to Feb. 10"."""
_NOT_YEAR_BEFORE = frozenset(
    """
    about some nearly approximately around roughly almost over than least only just
    resolution resolutions unscr no no. nos. number article articles section sections
    flight route highway page pages p. room paragraph chapter code model boeing airbus item
    bill h.r. law decree order
    """.split()
)
# The word before a run of numbers ("resolutions 1737 and 2231"). Each part takes all it can
# and gives none back: a run of digits split three to five at a time every possible way would
# take exponential time, and a run of three or more is exactly what such splits can cover.
_HEAD = re.compile(r"([A-Za-z$€£.]++)[\s,]*+(?:(?:\d{3,}+|and|or)[\s,]*+)*+$")


def part_of(word: str) -> Mod:
    """The TIMEX3 mod a part word gives: "early" START, "mid" MID, "the end of" END."""
    for key, mod in PARTS.items():
        if key in word.lower():
            return mod
    raise ValueError(f"{word!r} names no part of a unit")


def _day_in(month: int, day: int, year: int) -> Timex | None:
    try:
        return units.day(date(year, month, day))
    except ValueError:
        return None


def _month_in(month: int, year: int) -> Timex:
    return units.month(year, month)


@rule("iso-day", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b", trigger="iso")
def iso_day(match: re.Match[str], ctx: Context) -> Resolved:
    return _day_in(int(match["m"]), int(match["d"]), int(match["y"]))


@rule("iso-week", r"\b(?P<y>\d{4})-W(?P<w>\d{2})\b", trigger="iso")
def iso_week(match: re.Match[str], ctx: Context) -> Resolved:
    try:
        return units.week_of(date.fromisocalendar(int(match["y"]), int(match["w"]), 1))
    except ValueError:
        return None


@rule("iso-quarter", r"\b(?P<y>\d{4})-Q(?P<q>[1-4])\b", trigger="iso")
def iso_quarter(match: re.Match[str], ctx: Context) -> Resolved:
    return units.quarter(int(match["y"]), int(match["q"]))


@rule("iso-month", r"\b(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])\b(?!-\d)", trigger="iso")
def iso_month(match: re.Match[str], ctx: Context) -> Resolved:
    year, month = int(match["y"]), int(match["m"])
    if month > year % 100:  # "2019-20" is a span of years, not a month
        return None
    return units.month(year, month)


@rule(
    "month-day",
    rf"{_WEEKDAY_PREFIX}{month_re('m')}\s+{day_re('d')}{_OPTIONAL_YEAR}",
    trigger="month",
)
def month_day(match: re.Match[str], ctx: Context) -> Resolved:
    return _dated(match, ctx, int(match["d"]))


@rule(
    "day-month",
    rf"{_WEEKDAY_PREFIX}(?:the\s+)?(?<![\d,.$])(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
    rf"(?:\s+of)?\s+{month_re('m')}{_OPTIONAL_YEAR}",
    trigger="month",
)
def day_month(match: re.Match[str], ctx: Context) -> Resolved:
    return _dated(match, ctx, int(match["d"]))


def _dated(match: re.Match[str], ctx: Context, day: int) -> Resolved:
    make = partial(_day_in, month_of(match["m"]), day)
    if match["y"]:
        return make(int(match["y"]))
    start = match.start()
    ahead = ctx.word_before(start).lower() in _AHEAD_BEFORE or bool(
        _AHEAD_FROM.search(ctx.text, max(start - 25, 0), start)
        or _EXTENDED_UNTIL.search(ctx.text, max(start - 80, 0), start)
        or _EVERY_YEAR_AFTER.match(ctx.text, match.end())  # "by December 31 each year": next
    )
    tense = Tense.FUTURE if ahead else ctx.tense_at(*match.span())
    return year_less(make, ctx.published, tense, told=ctx.told(match.start()))


_EVERY_YEAR_AFTER = re.compile(r"\s+(?i:each|every)\s+year\b")
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_LIST_SEP = r"(?:,\s*|,?\s+(?i:and|or)\s+)"
_LIST_HEAD = re.compile(rf"{month_re('m')}\s+{_DAY}(?:{_LIST_SEP}{_DAY})*{_LIST_SEP}$")
_WHOLE_LIST = re.compile(
    rf"{month_re('m')}\s+{_DAY}(?:,\s*{_DAY})+,?\s+(?i:and|or)\s+(?P<last>{_DAY})(?![\d:.,]\d|\w)"
    rf"{_OPTIONAL_YEAR}"
)
_DAY_NUMBER = re.compile(r"\b\d{1,2}(?=\D|$)")


@rule(
    "listed-day",
    rf"{_LIST_SEP}(?P<t>{day_re('d')}(?:,?\s+(?:19|20)\d\d\b)?)",
    trigger="month",
)
def listed_day(match: re.Match[str], ctx: Context) -> Resolved:
    """ "October 13, 14 and 15": each day after the first is a day of the month the list
    opens with. A list of three or more only: "October 13 and 14" is a range."""
    head = _LIST_HEAD.search(ctx.text, max(match.start() - 60, 0), match.start("t"))
    whole = head and _WHOLE_LIST.match(ctx.text, head.start())
    if not whole or whole.end() < match.end("t") or _counts_after(whole.end(), ctx):
        return None
    days = [int(day) for day in _DAY_NUMBER.findall(ctx.text, whole.start(), whole.end("last"))]
    if days != sorted(set(days)):
        return None  # "March 12, 3 and 4": no calendar lists its days out of order
    return _dated(whole, ctx, int(match["d"]))


@rule(
    "list-head",
    rf"{month_re('m')}\s+{day_re('d')}(?=(?:,\s*{_DAY})+,?\s+(?i:and|or)\s+{_DAY},?\s+"
    rf"{year_re('y')})",
    trigger="month",
)
def list_head(match: re.Match[str], ctx: Context) -> Resolved:
    """ "October 13, 14 and 15, 2026": the first day takes the year the list ends with."""
    return _day_in(month_of(match["m"]), int(match["d"]), int(match["y"]))


@rule(
    "listed-day-before",
    rf"(?<![\d,.$]){day_re('d')}"
    rf"(?=(?:,\s*{_DAY})*,?\s+(?i:and|or)\s+{_DAY}\s+(?:of\s+)?{month_re('m')}{_OPTIONAL_YEAR})",
    trigger="month",
)
def listed_day_before(match: re.Match[str], ctx: Context) -> Resolved:
    """ "13, 14 and 15 October": the days before the last take the month after it."""
    return _dated(match, ctx, int(match["d"]))


def _counts_after(end: int, ctx: Context) -> bool:
    """ "on May 3, 14 and 15 people were hurt": the last number counts things."""
    return ctx.word_after(end).lower() in _COUNTED_AFTER


@rule(
    "month-day-range",
    rf"(?:{weekday_re('wd')}(?:-|\u2013|\s+(?:to|and)\s+){weekday_re('wd2')},?\s+)?"  # a diary's
    rf"{month_re('m')}\s+{day_re('d')}{_RANGE}(?:{month_re('m2')}\s+)?{day_re('d2')}"
    rf"{_OPTIONAL_YEAR}",
    trigger="month",
)
def month_day_range(match: re.Match[str], ctx: Context) -> Resolved:
    return _day_range(match, ctx, match["m"], match["m2"] or match["m"])


@rule(
    "day-month-range",
    rf"(?<![\d,.$])(?P<d>3[01]|[12]\d|0?[1-9])(?:\s+{month_re('m')})?{_RANGE}"
    rf"{day_re('d2')}\s+{month_re('m2')}{_OPTIONAL_YEAR}",
    trigger="month",
)
def day_month_range(match: re.Match[str], ctx: Context) -> Resolved:
    return _day_range(match, ctx, match["m"] or match["m2"], match["m2"])


def _day_range(match: re.Match[str], ctx: Context, first: str, last: str) -> Resolved:
    """Both ends in the year of the first; the year is chosen for the range as a whole, or
    told before it in its sentence ("hosts the 2026 summit in Ankara on July 7-8")."""

    def make(year: int) -> Timex | None:
        start = _day_in(month_of(first), int(match["d"]), year)
        end_year = year + (month_of(last) < month_of(first))
        stop = _day_in(month_of(last), int(match["d2"]), end_year)
        if start is None or stop is None or stop.earliest <= start.earliest:
            return None
        return units.span(start, stop)

    if match["y"]:
        return make(int(match["y"]))
    tense = ctx.tense_at(*match.span())
    return year_less(make, ctx.published, tense, told=ctx.told(match.start()))


@rule("month-year", rf"{month_re('m')},?\s+(?:of\s+)?{year_re('y')}", trigger="month")
def month_year(match: re.Match[str], ctx: Context) -> Resolved:
    return units.month(int(match["y"]), month_of(match["m"]))


@rule("part-month", rf"{PART}{month_re('m')}(?:,?\s+(?:of\s+)?{year_re('y')})?", trigger="month")
def part_month(match: re.Match[str], ctx: Context) -> Resolved:
    make = partial(_part_of_month, month_of(match["m"]), part_of(match["part"]))
    if match["y"]:
        return make(int(match["y"]))
    tense = ctx.tense_at(*match.span())
    return year_less(make, ctx.published, tense, told=ctx.told(match.start()))


def _part_of_month(month: int, mod: Mod, year: int) -> Timex:
    return units.part(_month_in(month, year), mod)


@rule("part-year", rf"{PART}(?P<y>(?:19|20)\d\d)(?![\w%]|[.,]\d|-\d)", trigger="year")
def part_year(match: re.Match[str], ctx: Context) -> Resolved:
    return units.part(units.year(int(match["y"])), part_of(match["part"]))


@rule(
    "year-range",
    r"(?<![\w$€£/.-])(?:(?P<between>(?i:between))\s+)?(?P<y>(?:19|20)\d\d)"
    r"(?:\s*(?:-|\u2013)\s*|\s+(?:to|through|and)\s+)(?P<y2>(?:19|20)?\d\d)(?![\w%]|[.,]\d|-\d)",
    trigger="year",
)
def year_range(match: re.Match[str], ctx: Context) -> Resolved:
    first, last = int(match["y"]), int(match["y2"])
    if last < 100:
        last += first - first % 100
    separator = match.group()[match.end("y") - match.start() : match.start("y2") - match.start()]
    if last <= first or last - first > 50 or ("and" in separator and not match["between"]):
        return None
    return units.span(units.year(first), units.year(last))


_FIXED_HOLIDAYS = {
    "christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
    "new year's day": (1, 1), "new year's eve": (12, 31), "independence day": (7, 4),
    "halloween": (10, 31), "valentine's day": (2, 14), "boxing day": (12, 26),
    "fourth of july": (7, 4), "veterans day": (11, 11), "armistice day": (11, 11),
    "remembrance day": (11, 11), "victory day": (5, 9), "bastille day": (7, 14),
}  # fmt: skip
_NTH_WEEKDAY_HOLIDAYS = {
    "labor day": (9, 0, 1), "memorial day": (5, 0, -1), "thanksgiving": (11, 3, 4),
    "thanksgiving day": (11, 3, 4), "martin luther king day": (1, 0, 3),
    "martin luther king jr. day": (1, 0, 3), "presidents day": (2, 0, 3),
    "presidents' day": (2, 0, 3), "columbus day": (10, 0, 2), "mother's day": (5, 6, 2),
    "father's day": (6, 6, 3),
}  # fmt: skip
"""(month, weekday with Monday 0, which one: 1 the first, -1 the last)."""


@rule(
    "holiday",
    r"\b(?P<h>(?i:christmas(?:\s+(?:day|eve))?|new\s+year[\u2019']s\s+(?:day|eve)|"
    r"independence\s+day|halloween|valentine[\u2019']s\s+day|boxing\s+day|"
    r"thanksgiving(?:\s+day)?)|"
    r"(?:Labor|Memorial|Veterans|Armistice|Remembrance|Victory|Bastille|Columbus)\s+Day|"
    r"Presidents[\u2019']?\s+Day|Martin\s+Luther\s+King(?:\s+Jr\.)?\s+Day|"
    r"(?:Mother|Father)[\u2019']s\s+Day|Fourth\s+of\s+July|Easter(?:\s+Sunday)?|Good\s+Friday)"
    r"(?P<week>\s+week)?(?![\w-])(?!\s+[A-Z])"  # not the "Good Friday Agreement"
    rf"(?:,?\s+{year_re('y')})?",
    trigger="holiday",
)
def holiday(match: re.Match[str], ctx: Context) -> Resolved:
    """ "Christmas", "Thanksgiving Day" (the fourth Thursday of November), "Easter", "Easter
    week", in the year the text gives, else the one its tense points to; not a name that
    goes on in capitals ("the Good Friday Agreement")."""
    name = re.sub(r"\s+", " ", match["h"].lower()).replace("\u2019", "'")
    make: Callable[[int], Timex | None]
    if name in _FIXED_HOLIDAYS:
        make = partial(_day_in, *_FIXED_HOLIDAYS[name])
    elif name in _NTH_WEEKDAY_HOLIDAYS:
        make = partial(_nth_weekday, *_NTH_WEEKDAY_HOLIDAYS[name])
    else:
        make = partial(_from_easter, -2 if name == "good friday" else 0)
    if match["week"]:  # "Easter week": the week that holds the day
        make = partial(_week_holding, make)
    if match["y"]:
        return make(int(match["y"]))
    return in_year(make, ctx.published, ctx.tense_at(*match.span()))


def _week_holding(make: Callable[[int], Timex | None], year: int) -> Timex | None:
    day = make(year)
    return units.week_of(day.earliest) if day else None


def _nth_weekday(month: int, weekday: int, nth: int, year: int) -> Timex:
    """The `nth` `weekday` of `month` (the last for -1): Labor Day, the first Monday of
    September."""
    if nth < 0:
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(1)
        return units.day(last - timedelta((last.weekday() - weekday) % 7))
    first = date(year, month, 1)
    return units.day(first + timedelta((weekday - first.weekday()) % 7 + 7 * (nth - 1)))


def _from_easter(days: int, year: int) -> Timex:
    """Easter Sunday of `year` in the Gregorian calendar, moved by `days` (Good Friday: -2),
    by the anonymous Gregorian computus."""
    golden = year % 19
    century, rest = divmod(year, 100)
    skipped_leaps, century_in_four = divmod(century, 4)
    moon_shift = (century - (century + 8) // 25 + 1) // 3
    epact = (19 * golden + century - skipped_leaps - moon_shift + 15) % 30
    to_sunday = (32 + 2 * century_in_four + 2 * (rest // 4) - epact - rest % 4) % 7
    late = (golden + 11 * epact + 22 * to_sunday) // 451
    month, day = divmod(epact + to_sunday - 7 * late + 114, 31)
    return units.day(date(year, month, day + 1) + timedelta(days))


@rule("year", year_re("y"), trigger="year")
def bare_year(match: re.Match[str], ctx: Context) -> Resolved:
    if _is_quantity(match, ctx):
        return None
    return units.year(int(match["y"]))


@rule(
    "old-year",
    r"\b(?i:in|since|until|before|after|the|of)\s+(?P<t>(?P<y>1[5-8]\d\d))(?![\w%]|[.,]\d|-\d)",
    trigger="old-year",
)
def old_year(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the 1899 Hague Convention", "in 1868": a year before 1900 only where a preposition
    or an article sets it off; alone, a number like 1850 counts things more often."""
    if _is_quantity(match, ctx):
        return None
    return units.year(int(match["y"]))


_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_ONES |= {"eight": 8, "nine": 9}
_SPELLED_ONES = "|".join(_ONES)


@rule(
    "spelled-year",
    rf"\b(?:(?i:nineteen)\s+(?P<tens>(?i:{'|'.join(_TENS)}))(?:[-\s](?P<ones>(?i:{_SPELLED_ONES})))?"
    rf"|(?P<millennium>(?i:the\s+year\s+two\s+thousand(?:\s+and\s+(?P<ones2>{_SPELLED_ONES}))?"
    rf"|two\s+thousand\s+and\s+(?P<ones3>{_SPELLED_ONES}))))\b",
    trigger="spelled",
)
def spelled_year(match: re.Match[str], ctx: Context) -> Resolved:
    """A year said in words, as broadcast transcripts write them: "nineteen ninety-one",
    "the year two thousand", "two thousand and one"; "two thousand" alone is a number."""
    if match["millennium"]:
        ones = match["ones2"] or match["ones3"] or ""
        return units.year(2000 + _ONES.get(ones.lower(), 0))
    tens = _TENS[match["tens"].lower()]
    return units.year(1900 + tens + _ONES.get((match["ones"] or "").lower(), 0))


def _is_quantity(match: re.Match[str], ctx: Context) -> bool:
    """Whether a four-digit number counts things or names a resolution, not a year."""
    if ctx.word_after(match.end()).lower() in _NOT_YEAR_AFTER:
        return True
    head = _HEAD.search(ctx.text[max(match.start() - 80, 0) : match.start()])
    return head is not None and head.group(1).lower() in _NOT_YEAR_BEFORE


@rule(
    "quarter",
    r"(?:(?i:the)\s+)?(?P<q>(?i:first|second|third|fourth|last|1st|2nd|3rd|4th))(?:\s+|-)"
    r"(?i:quarter)"
    rf"(?:\s+of\s+(?:{year_re('y')}|(?P<rel>(?i:this|next|last))\s+year))?",
    trigger="quarter",
)
def ordinal_quarter(match: re.Match[str], ctx: Context) -> Resolved:
    number = ORDINALS.get(match["q"].lower(), 4)
    if match["y"] or match["rel"]:
        return units.quarter(_year_of(match, ctx), number)
    tense = ctx.tense_at(*match.span()) or Tense.PAST  # news reports quarters that ended
    return in_year(partial(units.quarter, number=number), ctx.published, tense)


@rule(
    "month-relative-year",
    rf"{month_re('m')},?\s+(?:(?i:of)\s+)?(?P<rel>(?i:this|last|next))\s+(?i:year)\b",
    trigger="month",
)
def month_relative_year(match: re.Match[str], ctx: Context) -> Resolved:
    """ "June last year": the month in the year before publication's."""
    return units.month(_year_of(match, ctx), month_of(match["m"]))


@rule(
    "quarter-of-year",
    r"(?:(?i:the)\s+)?(?:(?P<rel>(?i:this|last|next))\s+(?i:year)[\u2019']s|"
    rf"{year_re('y')}(?:[\u2019']s)?)\s+(?P<q>(?i:first|second|third|fourth))(?:\s+|-)"
    r"(?i:quarter)\b",
    trigger="quarter",
)
def quarter_of_year(match: re.Match[str], ctx: Context) -> Resolved:
    """ "last year's third quarter", "the 1988 third quarter"."""
    return units.quarter(_year_of(match, ctx), ORDINALS[match["q"].lower()])


@rule("q-quarter", rf"(?<!-)\bQ(?P<q>[1-4])(?:\s+|-)?(?:{year_re('y')})?(?!\w)", trigger="quarter")
def q_quarter(match: re.Match[str], ctx: Context) -> Resolved:
    return units.quarter(_year_of(match, ctx), int(match["q"]))


@rule(
    "half-year",
    r"(?:(?i:the)\s+)?(?P<h>(?i:first|second|1st|2nd|last|latter))\s+half\s+of\s+"
    rf"(?:{year_re('y')}|(?P<rel>(?i:this|next|last))\s+year)",
    trigger="quarter",
)
def half_year(match: re.Match[str], ctx: Context) -> Resolved:
    return units.half(_year_of(match, ctx), 1 if match["h"].lower() in ("first", "1st") else 2)


@rule(
    "h-half",
    rf"\b(?:H(?P<h>[12])\s*{year_re('y')}|{year_re('y2')}\s*H(?P<h2>[12]))\b",
    trigger="year",
)
def h_half(match: re.Match[str], ctx: Context) -> Resolved:
    """ "H1 2026", "2026 H2": a half of a year, as markets write it."""
    return units.half(int(match["y"] or match["y2"]), int(match["h"] or match["h2"]))


def _year_of(match: re.Match[str], ctx: Context) -> int:
    """The year a match names, or one relative to publication, or publication's own."""
    if match.groupdict().get("y"):
        return int(match["y"])
    shift = {"next": 1, "last": -1}.get((match.groupdict().get("rel") or "this").lower(), 0)
    return ctx.published.year + shift
