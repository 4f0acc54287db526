"""Rules for offsets and lengths: "in 30 days", "a week later", "within the next two weeks",
"a 30-day process". They resolve to a `Shift`, which `anchoring` lays from a date.
"""

from __future__ import annotations

import re

from service.domain.proposals import Mod, Tense
from service.extract import units
from service.extract.grammar import Anchor, Context, Resolved, Shift, rule
from service.extract.lexicon import UNITS, VAGUE_AMOUNTS, amount_of, amount_re, counted, unit_re
from service.extract.tense import has_verb
from service.extract.units import Unit

DEADLINE_NOUNS = (
    "process|period|window|deadline|ultimatum|countdown|grace period|notice period|notice|"
    "clock|timeline|timetable"
)
PAUSE_NOUNS = (
    "moratorium|pause|truce|ceasefire|cease-fire|freeze|suspension|delay|extension|"
    "transition|mandate|term"
)
MEETING_NOUNS = "session|talks|negotiations|consultations|conference|summit|visit|review"
_NUMBER = r"(?P<n>(?<![\d,.])\d{1,3}|(?i:one|two|three|four|five|six|seven|eight|nine|ten|"
_NUMBER += r"twelve|fifteen|twenty|thirty|forty|forty-five|fifty|sixty|ninety))"


_GIVEN = re.compile(
    r"(?i:\b(?:give|gave|given|gives|giving|has|have|had|allow(?:s|ed)?|grant(?:s|ed)?)\s+"
    r"(?:[\w\u2019'-]+\s+){0,3})$"
)


_FIRST_IN = re.compile(
    r"\b(?i:first|last|only|longest|shortest|highest|lowest|biggest|largest|smallest|worst|"
    r"best|deadliest|strongest|weakest|fastest|slowest|sharpest|steepest|greatest|most|least|"
    r"fewest)\b(?P<between>[^,;.]*)$"
)
"""What the length after it measures since: "the first visit to China in seven years"."""
_ULTIMATUM = re.compile(r"\b(?i:ultimatum|deadline)\b")


def _unit(match: re.Match[str]) -> Shift:
    least, most, unit = counted(match["n"], match["u"])
    return Shift(least, most, unit, 1, Anchor.PUBLICATION)


@rule(
    "in-amount",
    rf"\b(?i:in)\s+(?:(?i:about|around|roughly|nearly|just|only|another)\s+)?"
    rf"{amount_re('n')}\s+{unit_re('u')}(?!\s+(?i:ago|of|earlier|later))(?:[\u2019']s?\s+time)?",
    trigger="unit",
)
def in_amount(match: re.Match[str], ctx: Context) -> Resolved:
    """ "in 30 days": a day counted from publication; but "the first visit in seven years",
    or "the arsenal had grown by 90 warheads in a year", is a length, TIMEX3 P7Y, that dates
    nothing."""
    first = _FIRST_IN.search(ctx.text, max(match.start() - 60, 0), match.start())
    said_of_the_past = ctx.tense_at(*match.span()) is Tense.PAST
    if said_of_the_past or (first and not has_verb(first.group("between"))):
        least, most, unit = counted(match["n"], match["u"])
        return units.length(None if least != most else least, unit, ctx.published)
    return _unit(match)


@rule("amount-ago", rf"\b{amount_re('n')}\s+{unit_re('u')}\s+(?i:ago)\b", trigger="unit")
def amount_ago(match: re.Match[str], ctx: Context) -> Resolved:
    shift = _unit(match)
    return Shift(shift.least, shift.most, shift.unit, -1, Anchor.PUBLICATION)


@rule(
    "amount-relative",
    rf"\b{amount_re('n')}\s+{unit_re('u')}\s+"
    r"(?P<dir>(?i:earlier|later|before|after|from(?P<now>\s+(?:now|today))?|prior\s+to|"
    r"afterwards?|beforehand))\b(?!\s+than\b)",
    trigger="unit",
)
def amount_relative(match: re.Match[str], ctx: Context) -> Resolved:
    """ "a week later", "30 days after August 28", "two years from now"."""
    shift = _unit(match)
    direction = match["dir"].lower()
    sign = -1 if direction in ("earlier", "before", "prior to", "beforehand") else 1
    anchor = Anchor.BEFORE if direction in ("earlier", "later") else Anchor.NEXT
    if match["now"]:
        anchor = Anchor.PUBLICATION
    return Shift(shift.least, shift.most, shift.unit, sign, anchor)


_OF_AFTER = re.compile(r"\s+(?i:of)\b")


@rule(
    "within-amount",
    r"\b(?P<prep>(?i:within|over|in|during|for))\s+(?:(?i:the)\s+)?"
    r"(?:(?P<side>(?i:next|coming|past|last|previous))\s+)?"
    rf"{amount_re('n')}\s+{unit_re('u')}",
    trigger="unit",
)
def within_amount(match: re.Match[str], ctx: Context) -> Resolved:
    prep, side = match["prep"].lower(), (match["side"] or "").lower()
    if not side and prep != "within":
        return None  # "for five years" says how long, not when
    shift = _unit(match)
    sign = -1 if side in ("past", "last", "previous") else 1
    anchor = Anchor.PUBLICATION if side else Anchor.BEFORE
    if not side and _OF_AFTER.match(ctx.text, match.end()):
        anchor = Anchor.NEXT  # "within 30 days of the results being validated": from that
    mod = Mod.EQUAL_OR_LESS if prep == "within" else None
    return Shift(shift.least, shift.most, shift.unit, sign, anchor, duration=True, mod=mod)


@rule(
    "within-units",
    r"\b(?i:within)\s+(?:(?i:a\s+few|several)\s+)?(?P<u>(?i:day|week|month|year))s\b",
    trigger="unit",
)
def within_units(match: re.Match[str], ctx: Context) -> Resolved:
    """ "within days", "within a few weeks": soon, by an unstated count of units."""
    least, most = VAGUE_AMOUNTS["a few"]
    unit = UNITS[match["u"].lower()]
    return Shift(least, most, unit, 1, Anchor.PUBLICATION, duration=True, mod=Mod.EQUAL_OR_LESS)


@rule(
    "coming-units",
    r"\b(?:(?P<prep>(?i:in|within|over|during))\s+)?(?i:the)\s+"
    r"(?P<side>(?i:next|coming))\s+(?:(?P<few>(?i:few|several))\s+)?"
    r"(?P<u>(?i:day|week|month|year))s\b",
    trigger="unit",
)
def coming_units(match: re.Match[str], ctx: Context) -> Resolved:
    least, most = VAGUE_AMOUNTS["a few"]
    mod = Mod.EQUAL_OR_LESS if (match["prep"] or "").lower() == "within" else None
    unit = UNITS[match["u"].lower()]
    return Shift(least, most, unit, 1, Anchor.PUBLICATION, duration=True, mod=mod)


_MODIFIER = r"(?!(?i:and|or|of|to|in|on|for|the|a|an)\b)[A-Za-z][a-z]+(?:-[a-z]+)*"
"""One word that says what sort of length it is: "a 30-day snapback process"."""


@rule(
    "length-noun",
    rf"\b(?:(?i:a|an|the|its|their)\s+)?{_NUMBER}[- ](?P<u>(?i:day|week|month|year))"
    rf"(?:-long)?\s+(?:{_MODIFIER}\s+)?(?P<noun>(?i:{DEADLINE_NOUNS}|{PAUSE_NOUNS}|{MEETING_NOUNS}))\b",
    trigger="unit",
)
def length_noun(match: re.Match[str], ctx: Context) -> Resolved:
    shift = _unit(match)
    return Shift(shift.least, shift.most, shift.unit, 1, Anchor.NEAR, duration=True)


@rule(
    "length",
    rf"\b{amount_re('n')}[\s-]+(?:(?i:more|additional|further|extra)\s+)?{unit_re('u')}"
    r"(?:-(?i:long|old))?",
    trigger="unit",
)
def length(match: re.Match[str], ctx: Context) -> Resolved:
    """ "for three years", "a five-year plan": a length, TIMEX3 P3Y, dating nothing."""
    least, most, unit = counted(match["n"], match["u"])
    return units.length(None if least != most else least, unit, ctx.published)


@rule(
    "decade-length",
    rf"\b{amount_re('n')}[\s-]+(?!(?i:decades-))(?i:decades?)(?:-(?i:long|old))?\b"
    r"(?!\s+(?i:ago|later|earlier|before|after)\b)|\b(?i:decades-long)\b|"
    r"\b(?P<past>(?i:(?:the\s+)?(?:past|last)))\s+(?i:decade)\b",
    trigger="decade-unit",
)
def decade_length(match: re.Match[str], ctx: Context) -> Resolved:
    """ "two decades", "the past decade", "decades-long": a length in years, TIMEX3 P20Y,
    dating nothing. ("A decade ago" is left alone: news means it loosely, and TimeML corpora
    value it every which way.)"""
    if not match["n"]:
        return units.length(10 if match["past"] else None, Unit.YEAR, ctx.published)
    least, most = amount_of(match["n"])
    return units.length(10 * least if least == most else None, Unit.YEAR, ctx.published)


_VAGUE_UNITS = r"(?P<u>(?i:day|week|month|year|decade))s\b"


@rule(
    "vague-length",
    r"\b(?i:recent|(?:the\s+)?(?:past|last|next|coming))\s+"
    rf"(?:(?i:few|several|couple\s+of)\s+)?{_VAGUE_UNITS}",
    trigger="unit",
)
def vague_length(match: re.Match[str], ctx: Context) -> Resolved:
    """ "in recent months", "the past few weeks": a length of no stated count, TIMEX3 PXM,
    PXW, dating nothing."""
    return _uncounted(match, ctx)


@rule(
    "units-for",
    rf"\b(?i:for|in|over)\s+(?P<t>(?:(?i:the)\s+)?{_VAGUE_UNITS})",
    trigger="unit",
)
def units_for(match: re.Match[str], ctx: Context) -> Resolved:
    """ "for years", "over the years", "the first time in decades": TIMEX3 PXY."""
    return _uncounted(match, ctx)


def _uncounted(match: re.Match[str], ctx: Context) -> Resolved:
    unit = match["u"].lower()
    return units.length(None, Unit.YEAR if unit == "decade" else UNITS[unit], ctx.published)


@rule("given-hours", rf"\b{amount_re('n')}\s+(?i:hours?)(?=\s+to\s+[a-z])", trigger="clock-unit")
def given_hours(match: re.Match[str], ctx: Context) -> Resolved:
    """ "gave Hamas 72 hours to respond": time to act, TIMEX3 PT72H, that runs out on the
    day the hours do, counted from publication."""
    least, most = amount_of(match["n"])
    if least != most or not _given_before(match, ctx):
        return None
    return units.hours_to_act(least, ctx.published)


@rule(
    "ultimatum-hours",
    rf"\b(?i:within)\s+(?P<t>{amount_re('n')}\s+(?i:hours?))\b",
    trigger="clock-unit",
)
def ultimatum_hours(match: re.Match[str], ctx: Context) -> Resolved:
    """ "an ultimatum to accept the deal within 48 hours": time to act, as hours given are.
    Hours "within" which a standing rule has things done ("must report donations within 48
    hours") are said in passing: the sentence must name the ultimatum or the giving."""
    least, most = amount_of(match["n"])
    named = _ULTIMATUM.search(ctx.text, ctx.sentences.at(match.start()).start, match.start())
    if least != most or not (named or _given_before(match, ctx)):
        return None
    return units.hours_to_act(least, ctx.published)


def _given_before(match: re.Match[str], ctx: Context) -> bool:
    """Whether the amount is time someone was given or has: "gave Russia 50 days"."""
    return _GIVEN.search(ctx.text, max(match.start() - 40, 0), match.start()) is not None


@rule(
    "clock-length",
    rf"\b(?:(?P<half>(?i:half\s+an))|{amount_re('n')}(?P<and_half>\s+1/2|\s+and\s+a\s+half)?)"
    r"[\s-]+(?P<u>(?i:hour|minute))s?(?:-(?i:long))?\b",
    trigger="clock-unit",
)
def clock_length(match: re.Match[str], ctx: Context) -> Resolved:
    """ "five hours", "a 16-hour flight", "half an hour": TIMEX3 PT5H, PT16H, PT30M."""
    hours = match["u"].lower() == "hour"
    if match["half"]:
        return units.clock_length("30M" if hours else "30S", ctx.published)
    least, most = amount_of(match["n"])
    if least != most:
        return units.clock_length("XH" if hours else "XM", ctx.published)
    letter, smaller = ("H", "M") if hours else ("M", "S")
    half = f"30{smaller}" if match["and_half"] else ""
    return units.clock_length(f"{least}{letter}{half}", ctx.published)


@rule(
    "given-amount",
    rf"\b{amount_re('n')}\s+{unit_re('u')}(?=(?:,\s+(?i:until|till)\s+[^,]{{1,30}},)?\s+to\s+[a-z])",
    trigger="unit",
)
def given_amount(match: re.Match[str], ctx: Context) -> Resolved:
    """ "gave Russia 50 days to agree": a length of time to act, laid from when it was given."""
    if not _given_before(match, ctx):
        return None
    shift = _unit(match)
    return Shift(shift.least, shift.most, shift.unit, 1, Anchor.NEAR, duration=True)
