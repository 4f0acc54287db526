"""Rules for times the text names only loosely: "now", "recently", "in the future" (TIMEX3
PRESENT_REF, PAST_REF and FUTURE_REF), decades and centuries ("the 1980s" is 198, "the 19th
century" 18), and repeated times ("daily", "every week": TIMEX3 sets).

None of these dates an event closely enough to propose it; `units.proposable` says so.
"""

from __future__ import annotations

import re

from service.extract import units
from service.extract.grammar import Context, Resolved, rule
from service.extract.lexicon import WEEKDAYS, month_of, month_re, weekday_re

_PRESENT = r"now|right\s+now|currently|nowadays|at\s+present|presently|these\s+days|today's"
_PAST = r"recently|formerly|lately|in\s+recent\s+years|recent\s+years|the\s+past"
_FUTURE = (
    r"soon|the\s+future|in\s+years\s+to\s+come|the\s+years\s+to\s+come|the\s+(?:near|short)\s+term|"
    r"future\s+(?:weeks|months|years|quarters)"
)
_DETERMINERS = frozenset("the a an its their his her our your this that these those".split())
_NOT_NOW_AFTER = frozenset("that".split())  # "now that they agree" is a conjunction
_NOT_SOON_AFTER = frozenset("as after afterwards thereafter enough".split())
_NOT_PAST_AFTER = re.compile(
    r"\s+(?:(?:few|several|two|three|four|five|six|seven|eight|nine|ten|\d+|"
    r"week|weeks|month|months|year|years|day|days|decade|decades|century|quarter|quarters|"
    r"summer|winter|spring|autumn|fall)\b|\w+\s+(?:weeks|months|years|days|decades))",
    re.IGNORECASE,
)
_EVERY = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "yearly": "P1Y", "annually": "P1Y"}
_EVERY |= {"quarterly": "P3M", "hourly": "PT1H", "day": "P1D", "week": "P1W", "month": "P1M"}
_EVERY |= {"year": "P1Y"}
_CENTURY_WORDS = {
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "twenty-first": 21,
}  # fmt: skip


@rule(
    "present-ref",
    rf"\b(?P<w>(?i:{_PRESENT})|(?i:current)(?!ly))\b",
    trigger="ref",
)
def present_ref(match: re.Match[str], ctx: Context) -> Resolved:
    word = match["w"].lower()
    after = ctx.word_after(match.end()).lower()
    if word == "now" and after in _NOT_NOW_AFTER:
        return None
    if word == "now" and ctx.word_before(match.start()).lower() in ("until", "till", "from"):
        return None
    if word == "current" and ctx.word_before(match.start()).lower().rstrip("'s") in _DETERMINERS:
        return None
    if word.endswith("'s") and after == "":
        return None
    return units.present_ref(ctx.published)


@rule("past-ref", rf"\b(?P<w>(?i:{_PAST})|(?i:recent))\b", trigger="ref")
def past_ref(match: re.Match[str], ctx: Context) -> Resolved:
    word = re.sub(r"\s+", " ", match["w"].lower())
    if word == "recent" and ctx.word_before(match.start()).lower() in _DETERMINERS | {"in"}:
        return None
    if word == "the past" and _NOT_PAST_AFTER.match(ctx.text, match.end()):
        return None  # "the past two weeks" is a length, found by another rule
    return units.past_ref(ctx.published)


@rule("future-ref", rf"\b(?P<w>(?i:{_FUTURE}))\b", trigger="ref")
def future_ref(match: re.Match[str], ctx: Context) -> Resolved:
    word = match["w"].lower()
    if word == "soon" and (
        ctx.word_after(match.end()).lower() in _NOT_SOON_AFTER
        or ctx.word_before(match.start()).lower() in ("as", "how", "too")
    ):
        return None
    return units.future_ref(ctx.published)


@rule(
    "decade",
    r"(?:\b(?i:the)\s+|(?<![\w'\u2019]))(?:(?P<c>1[0-9]|20)(?P<d>[0-9])0|[\u2019'](?P<s>[0-9])0)"
    r"[\u2019']?s\b",
    trigger="decade",
)
def decade(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the 1980s" is 198; "the '90s" the nineties of publication's century if they have
    begun by the year after it (said in 1989, the coming nineties), else of the century
    before (said in 2026, the 1990s; "the '30s", the 1930s)."""
    if match["s"] is not None:
        digit = int(match["s"])
        century = ctx.published.year // 100
        if century * 100 + digit * 10 > ctx.published.year + 1:
            century -= 1
        return units.decade(century * 10 + digit)
    return units.decade(int(match["c"]) * 10 + int(match["d"]))


@rule(
    "short-year",
    r"\b(?P<lead>(?i:class\s+of|in|since|of|until|by|from|summer\s+of|winter\s+of))\s+"
    r"(?P<t>[\u2019'](?P<yy>\d\d))(?![\w\u2019'])",
    trigger="decade",
)
def short_year(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the class of '99": the year of the century that has begun by publication."""
    yy = int(match["yy"])
    century = ctx.published.year // 100 - (yy > ctx.published.year % 100)
    return units.year(century * 100 + yy)


@rule(
    "century",
    r"(?:\b(?i:the)\s+|(?<![\w-]))(?:(?P<n>1[0-9]|2[01])(?:st|nd|rd|th)|"
    r"\b(?<=(?i:the)\s)(?P<w>(?i:fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
    r"twentieth|twenty-first)))[\s-](?i:century)\b",
    trigger="decade",
)
def century(match: re.Match[str], ctx: Context) -> Resolved:
    """ "the 19th century" is 18: the years 1800 to 1899; "an 11th-century temple" too (a
    century in figures needs no article; one in words does)."""
    number = int(match["n"]) if match["n"] else _CENTURY_WORDS[match["w"].lower()]
    return units.century(number - 1)


@rule(
    "set",
    r"\b(?:(?P<adverb>(?i:daily|weekly|monthly|yearly|annually|quarterly|hourly))|"
    r"(?:(?i:every|each|per)|(?i:once|twice|\w+\s+times)\s+(?i:a|an|per))\s+"
    r"(?P<u>(?i:day|week|month|year)))\b",
    trigger="set",
)
def every(match: re.Match[str], ctx: Context) -> Resolved:
    """ "daily", "every week", "twice a week", "per year": a set, TIMEX3 P1D, P1W, P1Y."""
    return units.every(_EVERY[(match["adverb"] or match["u"]).lower()], ctx.published)


@rule(
    "every-named",
    rf"\b(?i:every|each)\s+(?:{weekday_re('wd')}|{month_re('m')})",
    trigger="set",
)
def every_named(match: re.Match[str], ctx: Context) -> Resolved:
    """ "each Thursday", "every July": a set of that day of the week, or of that month, in
    every year: TIMEX3 XXXX-WXX-4, XXXX-07."""
    if match["wd"]:
        return units.every(f"XXXX-WXX-{WEEKDAYS[match['wd']] + 1}", ctx.published)
    return units.every(f"XXXX-{month_of(match['m']):02d}", ctx.published)
