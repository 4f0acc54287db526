"""Rules for dates named relative to publication: weekdays, "today", "last month", "in March".

A bare weekday is the publication day when it names that day; otherwise the tense of the
sentence picks the one before or after ("met Monday", "will meet Friday"), and the past when
nothing tells (news mostly reports what happened).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

from service.domain.proposals import Tense
from service.extract import units
from service.extract.choose import distance, in_year, of_tense, year_less
from service.extract.grammar import Context, Resolved, YearLess, rule
from service.extract.lexicon import AS_IT_STOOD, WEEKDAYS, month_of, month_re, weekday_re, year_re
from service.extract.rules_calendar import PART, part_of
from service.extract.units import Timex

_REL = r"(?P<rel>(?i:last|next|this\s+past|this\s+coming|this|the\s+coming))"
_STEP = {"last": -1, "this past": -1, "next": 1, "the coming": 1}
_STEP |= {"this coming": 1, "this": 0}
_NOT_WEEKDAY_BEFORE = frozenset(
    "Good Black Bloody Cyber Super Ash Holy Maundy Palm Easter Clean Manic".split()
)
_NOT_WEEKDAY_AFTER = frozenset("Times Telegraph Express Mirror Post Herald Agreement".split())
_SUPPOSED_TO = re.compile(rf"\b(?:{AS_IT_STOOD})\s+to\s+[^,;.]{{0,40}}$")
"""A plan told as it stood ("were supposed to begin on Thursday"): the nearer of the two."""
_SCHEDULED = re.compile(
    r"\b(?:(?:is|are)\s+(?:(?:on|due|set\s+for)\s+)?|go\s+to\s+the\s+polls\s+on\s+|"
    r"(?<!\bthe\s)(?<!\ba\s)(?<!\bits\s)(?<!\btheir\s)(?<!\bdid\s)(?<!\bnot\s)(?<!n't\s)"
    r"(?:meet|gather|convene)\s+(?:in\s+(?:[A-Z][\w.-]*\s+){1,3})?on\s+)$",
    re.IGNORECASE,
)
"""A present tense that names the day of something scheduled: "the vote is on Thursday",
"voters go to the polls on Tuesday", "the allies meet in Brussels on Friday" (not "did not meet on
Friday"; not "vote", as often a noun: "the Senate vote on Tuesday was close")."""


_LISTED_AFTER = re.compile(rf"\b{weekday_re('prev')}\s+(?:and|or)\s+$")
_OPENED_BEFORE = re.compile(
    rf"\b{weekday_re('prev')}\s+and\s+(?:runs?|lasts?|continues?|ends?|closes?|concludes?)\s+"
    r"(?:through|until|till|on)\s+$"
)
"""A weekday that closes what an earlier one opened: "opens on Monday and runs through"."""


def _step(match: re.Match[str]) -> int:
    return _STEP[re.sub(r"\s+", " ", (match["rel"] or "this").lower())]


@rule(
    "weekday",
    rf"(?:{_REL}\s+|(?P<tod>(?i:late|early))\s+)?{weekday_re('wd')}"
    r"(?:\s+(?P<part>(?i:morning|afternoon|evening|night)))?",
    trigger="weekday",
)
def weekday(match: re.Match[str], ctx: Context) -> Resolved:
    if ctx.word_before(match.start()) in _NOT_WEEKDAY_BEFORE:
        return None
    if ctx.word_after(match.end()) in _NOT_WEEKDAY_AFTER:
        return None
    step = _step(match) if match["rel"] else None
    day = units.day(weekday_date(ctx, WEEKDAYS[match["wd"]], step, match.span()))
    return units.part_of_day(day, match["part"]) if match["part"] else day


@rule(
    "weekday-range",
    rf"(?:(?i:from)\s+)?(?P<t>{weekday_re('wd')}\s*(?:-|\u2013|\bto\b|\bthrough\b|\buntil\b)"
    rf"\s*{weekday_re('wd2')})",
    trigger="weekday",
)
def weekday_range(match: re.Match[str], ctx: Context) -> Resolved:
    """ "from Tuesday to Thursday": the first day as a weekday would be, the last after it."""
    first = weekday_date(ctx, WEEKDAYS[match["wd"]], None, match.span("t"))
    last = first + timedelta((WEEKDAYS[match["wd2"]] - first.weekday()) % 7 or 7)
    return units.span(units.day(first), units.day(last))


def weekday_date(ctx: Context, target: int, step: int | None, span: tuple[int, int]) -> date:
    """The day a weekday names: publication's own, else the one before or after by the
    words ("last", "next") or the verb."""
    published = ctx.published
    back = (published.weekday() - target) % 7
    ahead = (target - published.weekday()) % 7
    if step is not None:
        return _named(published, target, back, ahead, step)
    listed = _LISTED_AFTER.search(ctx.text, max(span[0] - 20, 0), span[0])
    if listed:  # "meet on Thursday and Friday": both ahead when the first is
        first = weekday_date(ctx, WEEKDAYS[listed["prev"]], None, listed.span("prev"))
        if first > published:
            return published + timedelta(ahead or 7)
    opened = _OPENED_BEFORE.search(ctx.text, max(span[0] - 60, 0), span[0])
    if opened:  # "opens on Monday and runs through Friday": the Friday after that Monday
        first = weekday_date(ctx, WEEKDAYS[opened["prev"]], None, opened.span("prev"))
        return first + timedelta((target - first.weekday()) % 7 or 7)
    if back == 0:
        return published
    if _SUPPOSED_TO.search(ctx.text, max(span[0] - 50, 0), span[0]):
        return published + timedelta(ahead) if ahead <= back else published - timedelta(back)
    future = ctx.tense_at(*span) is Tense.FUTURE
    scheduled = _SCHEDULED.search(ctx.text, max(span[0] - 30, 0), span[0]) is not None
    return published + timedelta(ahead) if future or scheduled else published - timedelta(back)


def _named(published: date, target: int, back: int, ahead: int, step: int) -> date:
    """ "last Friday" is the latest before publication, "next" the first after, "this" in
    the same ISO week."""
    if step < 0:
        return published - timedelta(back or 7)
    if step > 0:
        return published + timedelta(ahead or 7)
    return published - timedelta(published.weekday()) + timedelta(target)


@rule(
    "day-of-this-month",
    r"\b(?i:on|by|until|till|before|after|from)\s+(?i:the)\s+"
    r"(?P<t>(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th))(?=\s*[.,;:)]|\s+(?i:of\s+the\s+month)\b)",
    trigger="ordinal",
)
def day_of_this_month(match: re.Match[str], ctx: Context) -> Resolved:
    """ "votes on the 15th": the 15th of the month the tense points to, the nearest if none."""
    published, day = ctx.published, int(match["d"])
    months = [(published.year * 12 + published.month - 1 + step) for step in (-1, 0, 1)]

    def make(index: int) -> Timex | None:
        year, month = divmod(months[index], 12)
        try:
            return units.day(date(year, month + 1, day))
        except ValueError:
            return None

    days = [found for index in range(3) if (found := make(index)) is not None]
    chosen = of_tense(days, ctx.published, ctx.tense_at(*match.span("t")))
    return chosen or min(days, key=lambda found: distance(found, ctx.published), default=None)


@rule(
    "day-word",
    r"\b(?P<w>(?i:(?:the\s+day\s+before\s+)?yesterday|(?:the\s+day\s+after\s+)?tomorrow|"
    r"today|tonight|this\s+(?:morning|afternoon|evening)))\b",
    trigger="day",
)
def day_word(match: re.Match[str], ctx: Context) -> Resolved:
    said = " ".join(match["w"].lower().split())
    shift = {"yesterday": -1, "tomorrow": 1}.get(said.rsplit(" ", 1)[-1], 0)
    return units.day(ctx.published + timedelta(shift * (2 if said.startswith("the") else 1)))


@rule(
    "relative-unit",
    rf"\b{_REL}\s+(?:(?i:fiscal)\s+)?(?P<u>(?i:week|month|year|weekend))\b(?!\s+of\b)",
    trigger="unit",
)
def relative_unit(match: re.Match[str], ctx: Context) -> Resolved:
    """ "last week", "next fiscal year"; not "the last week of March"."""
    return _unit(ctx.published, match["u"].lower(), _step(match))


def _unit(published: date, unit: str, step: int) -> Timex:
    """The week, month, year or weekend `step` units from the one holding publication."""
    if unit == "year":
        return units.year(published.year + step)
    if unit == "month":
        moved = units.add(published.replace(day=1), step, units.Unit.MONTH)
        return units.month(moved.year, moved.month)
    week = units.week_of(published + timedelta(weeks=step))
    if unit == "week":
        return week
    return units.weekend(week)


@rule(
    "the-weekend",
    r"\b(?i:over|during|at|on|for|through|throughout)\s+(?P<t>(?i:the)\s+(?i:weekend))\b",
    trigger="unit",
)
def the_weekend(match: re.Match[str], ctx: Context) -> Resolved:
    """ "over the weekend": the one before publication, or the next in a future sentence."""
    future = ctx.tense_at(*match.span("t")) is Tense.FUTURE
    step = 0 if future or ctx.published.weekday() >= 5 else -1
    return _unit(ctx.published, "weekend", step)


@rule(
    "this-year",
    r"\b(?i:the)\s+(?i:current|full|present)\s+(?:(?i:fiscal|calendar)\s+)?(?i:year)\b",
    trigger="unit",
)
def this_year(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the current fiscal year", "the full year": the year of publication."""
    return units.year(ctx.published.year)


@rule(
    "year-end",
    r"(?:\b(?:(?P<since>(?i:since))|(?P<by>(?i:by|before|until)))\s+)?"
    r"\b(?P<t>(?i:(?:the\s+)?year[-\s]end))\b",
    trigger="unit",
)
def year_end(match: re.Match[str], ctx: Context) -> Resolved:
    """ "by year-end" is the coming 31 December; "since year-end", or one said in the past,
    the last one."""
    published = ctx.published
    said_past = not match["by"] and ctx.tense_at(*match.span("t")) is Tense.PAST
    past = match["since"] or said_past
    return units.day(date(published.year - 1 if past else published.year, 12, 31))


@rule(
    "earlier-later-unit",
    r"\b(?P<side>(?i:earlier|later))\s+(?P<rel>(?i:this))\s+(?P<u>(?i:week|month|year))\b",
    trigger="unit",
)
def earlier_later(match: re.Match[str], ctx: Context) -> Resolved:
    whole = _unit(ctx.published, match["u"].lower(), 0)
    before = match["side"].lower() == "earlier"
    if before:
        return units.narrowed(whole, whole.earliest, ctx.published - timedelta(1))
    return units.narrowed(whole, ctx.published + timedelta(1), whole.latest)


@rule(
    "part-relative-unit",
    rf"{PART}(?:{_REL}|(?P<the>(?i:the)))\s+(?P<u>(?i:week|month|year))\b",
    trigger="unit",
)
def part_relative(match: re.Match[str], ctx: Context) -> Resolved:
    whole = _unit(ctx.published, match["u"].lower(), _step(match) if match["rel"] else 0)
    return units.part(whole, part_of(match["part"]))


@rule("relative-month", rf"\b{_REL}\s+{month_re('m')}(?!\.?\s*\d)", trigger="month")
def relative_month(match: re.Match[str], ctx: Context) -> Resolved:
    number, step = month_of(match["m"]), _step(match)
    published = ctx.published
    if step == 0:
        return units.month(published.year, number)
    year = published.year + (step if (number - published.month) * step <= 0 else 0)
    return units.month(year, number)


@rule(
    "month-after-preposition",
    r"\b(?i:in|by|since|until|till|through|from|during|before|after|of|for|between|early\s+in|"
    r"late\s+in)"
    rf"\s+(?P<t>{month_re('m')})",
    trigger="month",
)
def month_after_preposition(match: re.Match[str], ctx: Context) -> Resolved:
    return _month_by_tense(match["m"], ctx, match.span("t"))


_PAIR_OPENING = r"\b(?i:in|since|from|between|during)\s+"
_PAIR_JOIN = r"\s+(?i:and|or|to|through|until|till)\s+"
"""Two months said together: "between April and June", "from November to February"."""


@rule(
    "month-paired-with-a-year",
    rf"{_PAIR_OPENING}(?P<t>{month_re('m1')}){_PAIR_JOIN}{month_re('m2')},?\s+{year_re('y')}",
    trigger="month",
)
def month_paired_with_a_year(match: re.Match[str], ctx: Context) -> Resolved:
    """ "between April and June 2025": the first month is of the year told after the second,
    or of the year before if it comes later in a year ("from November to February 2026")."""
    first, year = month_of(match["m1"]), int(match["y"])
    return units.month(year - (first > month_of(match["m2"])), first)


@rule(
    "month-in-a-pair",
    rf"{_PAIR_OPENING}(?P<first>{month_re('m1')}){_PAIR_JOIN}"
    rf"(?P<t>{month_re('m2')})(?!,?\s+(?:19|20)\d\d|\.?\s*\d)",
    trigger="month",
)
def month_in_a_pair(match: re.Match[str], ctx: Context) -> Resolved:
    """ "between April and June", "from November to February": the second month is the
    first one's year, or the next year's if it comes earlier in a year."""
    first = _month_by_tense(match["m1"], ctx, match.span("first"))
    if first is None:
        return None
    after = partial(_month_after, month_of(match["m1"]), month_of(match["m2"]))
    return YearLess(after, after(first.alone.earliest.year), first.tense)


def _month_after(first: int, second: int, year: int) -> Timex:
    """The month `second` at or after the month `first` of `year`."""
    return units.month(year + (second < first), second)


@rule(
    "month-as-modifier",
    rf"\b(?i:the|an?|its|their|his|her|our)\s+(?P<t>{month_re('m')})(?=\s+[a-z]{{3,}}\b)",
    trigger="month",
)
def month_as_modifier(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the October shooting", "a June agreement", "their February meeting": a month that
    qualifies a noun."""
    return _month_by_tense(match["m"], ctx, match.span("t"))


@rule("month-possessive", rf"\b(?!May){month_re('m')}(?=['\u2019]s\b)", trigger="month")
def month_possessive(match: re.Match[str], ctx: Context) -> Resolved:
    """ "December's figures" (not May's: far more often a name)."""
    return _month_by_tense(match["m"], ctx, match.span())


def _month_by_tense(name: str, ctx: Context, span: tuple[int, int]) -> YearLess | None:
    """A month without its year, in the year the verb at `span` points to."""
    make = partial(_month_of_year, month_of(name))
    return year_less(make, ctx.published, ctx.tense_at(*span), told=ctx.told(span[0]))


def _month_of_year(number: int, year: int) -> Timex:
    return units.month(year, number)


@rule(
    "season",
    rf"\b(?:{_REL}\s+)?(?P<s>(?i:spring|summer|autumn|fall|winter))"
    rf"(?:\s+(?:of\s+)?(?:{year_re('y')}|(?P<y2>(?:19|20)\d\d)[-/\u2013]\d\d(?!\d)))?",
    trigger="season",
)
def season(match: re.Match[str], ctx: Context) -> Resolved:
    """ "last spring", "the summer of 2024", "the winter of 1997-98" (TIMEX3 1997-WI: a winter
    is of the year it begins in)."""
    year = match["y"] or match["y2"]
    if not (match["rel"] or year):
        return None
    name = match["s"].lower()
    if year:
        return units.season(int(year), name)
    winter_now = name == "winter" and ctx.published.month <= 2
    return units.season(ctx.published.year - winter_now + _step(match), name)


@rule(
    "the-season",
    r"\b(?i:in|during|through|over|before|after|by|until|since)\s+"
    r"(?P<t>(?i:the)\s+(?P<s>(?i:spring|summer|autumn|fall|winter)))\b(?!\s+of\b)",
    trigger="season",
)
def the_season(match: re.Match[str], ctx: Context) -> Resolved:
    """ "through the winter": the season the tense points to, else the nearest."""
    name = match["s"].lower()
    return in_year(
        lambda year: units.season(year, name), ctx.published, ctx.tense_at(*match.span("t"))
    )


@rule(
    "week-of",
    rf"\b(?i:the\s+week\s+of)\s+(?:{month_re('m')}\s+(?P<d>3[01]|[12]\d|0?[1-9])\b)",
    trigger="month",
)
def week_of(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the week of May 20": the ISO week holding that day."""
    day = in_year(
        partial(_day_of_month, month_of(match["m"]), int(match["d"])),
        ctx.published,
        ctx.tense_at(*match.span()),
    )
    return units.week_of(day.earliest) if day else None


def _day_of_month(number: int, day: int, year: int) -> Timex | None:
    try:
        return units.day(date(year, number, day))
    except ValueError:
        return None
