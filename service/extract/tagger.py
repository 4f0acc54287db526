"""The temporal tagger: every rule over the text, the longest match where they overlap, then
shifts laid from their anchors, and units the story set ("the quarter") from the story.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from datetime import date

from service.domain import Precision
from service.domain.proposals import Tense
from service.extract import narrative
from service.extract import rules_calendar as cal
from service.extract import rules_clock as clk
from service.extract import rules_offsets as off
from service.extract import rules_refs as ref
from service.extract import rules_relative as rel
from service.extract.anchoring import ends_on, lay, pick_anchor
from service.extract.grammar import (
    LOWER_TRIGGERS,
    TRIGGERS,
    Anchor,
    Context,
    Found,
    Rule,
    Shift,
    YearLess,
)
from service.extract.sentences import Sentences
from service.extract.units import Timex

RULES: tuple[Rule, ...] = (
    cal.iso_day,
    cal.iso_week,
    cal.iso_quarter,
    cal.iso_month,
    cal.month_day_range,
    cal.day_month_range,
    cal.list_head,
    cal.month_day,
    cal.day_month,
    cal.listed_day,
    cal.listed_day_before,
    cal.month_year,
    cal.holiday,
    cal.month_relative_year,
    cal.part_month,
    cal.part_year,
    cal.year_range,
    cal.half_year,
    cal.h_half,
    cal.quarter_of_year,
    cal.ordinal_quarter,
    cal.q_quarter,
    narrative.the_quarter,
    narrative.year_ago,
    narrative.story_unit,
    narrative.story_part_of_day,
    clk.clock,
    clk.clock_alone,
    clk.day_part,
    rel.part_relative,
    rel.earlier_later,
    rel.week_of,
    rel.relative_unit,
    rel.relative_month,
    rel.weekday_range,
    rel.weekday,
    rel.day_of_this_month,
    rel.day_word,
    rel.season,
    rel.the_season,
    rel.the_weekend,
    rel.this_year,
    rel.year_end,
    off.length_noun,
    off.given_amount,
    off.within_amount,
    off.coming_units,
    off.within_units,
    off.amount_relative,
    off.amount_ago,
    off.in_amount,
    rel.month_paired_with_a_year,
    rel.month_after_preposition,
    rel.month_in_a_pair,
    rel.month_as_modifier,
    rel.month_possessive,
    off.length,
    off.given_hours,
    off.ultimatum_hours,
    off.clock_length,
    ref.century,
    ref.short_year,
    ref.decade,
    ref.every,
    ref.every_named,
    ref.present_ref,
    ref.past_ref,
    ref.future_ref,
    off.decade_length,
    off.vague_length,
    off.units_for,
    cal.spelled_year,
    cal.bare_year,
    cal.old_year,
)
"""In order of preference when two matches cover exactly the same span."""
_TRIGGERS = {name: re.compile(pattern) for name, pattern in TRIGGERS.items()}
_LOWER = {name: re.compile(pattern) for name, pattern in LOWER_TRIGGERS.items()}
_ANY_CASE = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in LOWER_TRIGGERS.items()}
_BEFORE, _AFTER = 60, 80  # characters a match may reach either side of its trigger word
_STATED = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")
"""A year written out in a mention's text."""
_ANCHOR_REACH = 16  # mentions either side; a sentence of news holds a handful in all


@dataclass(frozen=True, slots=True)
class Tagged:
    """A temporal expression found in the text: its span, window and the rule that found it."""

    start: int
    end: int
    timex: Timex
    rule: str
    anchor: int | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    order: int
    found: Found


def tag(text: str, published: date, sentences: Sentences) -> list[Tagged]:
    """Every temporal expression in `text`, resolved against `published`, in text order."""
    ctx = Context(text, published, sentences)
    chosen = _without_overlaps(_candidates(ctx))
    return _laid(chosen, ctx)


def _candidates(ctx: Context) -> list[_Candidate]:
    """Every rule's matches, each rule run only in the windows around its trigger words."""
    windows = _all_windows(ctx.text)
    found = []
    for order, rule in enumerate(RULES):
        for start, end in windows[rule.trigger]:
            for match in rule.pattern.finditer(ctx.text, start, end):
                resolved = rule.resolve(match, ctx)
                if resolved is not None:
                    found.append(_Candidate(*rule.span(match), order, resolved))
    return found


def _all_windows(text: str) -> dict[str, list[tuple[int, int]]]:
    """Each trigger's windows; the lower-case ones in the lowered text when lowering keeps
    every offset (it does not for a few letters, such as the dotted capital I)."""
    windows = {name: _windows(text, pattern) for name, pattern in _TRIGGERS.items()}
    lowered = text.lower()
    same = len(lowered) == len(text)
    for name, pattern in _LOWER.items():
        windows[name] = _windows(lowered, pattern) if same else _windows(text, _ANY_CASE[name])
    return windows


def _windows(text: str, trigger: re.Pattern[str]) -> list[tuple[int, int]]:
    """Merged stretches of text around each trigger word, wide enough for any rule's match."""
    merged: list[tuple[int, int]] = []
    for hit in trigger.finditer(text):
        start, end = max(hit.start() - _BEFORE, 0), min(hit.end() + _AFTER, len(text))
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _without_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    """The longest candidates that do not overlap, earlier rules first on equal spans.

    The characters already taken are marked in a bytearray, so that each candidate is checked
    against its own span, not against every candidate kept before it.
    """
    taken = bytearray(max((c.end for c in candidates), default=0))
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, c.order, c.start)):
        if candidate.start < candidate.end and taken.find(1, candidate.start, candidate.end) < 0:
            taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: c.start)


def _laid(chosen: list[_Candidate], ctx: Context) -> list[Tagged]:
    """Dates as they are; shifts laid from an anchor in their sentence, in text order."""
    timexes = [c.found if isinstance(c.found, Timex) else None for c in chosen]
    _years_told(chosen, timexes, ctx)
    anchors: list[int | None] = [None] * len(chosen)
    for index, candidate in enumerate(chosen):
        if isinstance(candidate.found, Shift):
            shift = candidate.found
            anchor = anchors[index] = _anchor_of(shift, chosen, timexes, index, ctx)
            if anchor is None and shift.anchor is Anchor.NEXT:
                timexes[index] = _unanchored(shift, candidate, ctx)
                continue
            if (
                anchor is not None
                and anchor > index
                and _ends_there(shift, candidate, chosen[anchor], ctx)
            ):
                shift = replace(shift, sign=-1)  # laid back from the day it ends
            base = None if anchor is None else timexes[anchor]
            timexes[index] = lay(shift, base, ctx.published)
    narrative.follow([c.start for c in chosen], [c.found for c in chosen], timexes, ctx.published)
    _clocks_on_their_days(chosen, timexes, ctx)
    kept = [index for index, timex in enumerate(timexes) if timex is not None]
    position = {index: at for at, index in enumerate(kept)}  # an anchor indexes what is kept
    return [
        Tagged(
            chosen[index].start,
            chosen[index].end,
            timex,
            RULES[chosen[index].order].name,
            None if (anchor := anchors[index]) is None else position.get(anchor),
        )
        for index in kept
        if (timex := timexes[index]) is not None
    ]


def _years_told(chosen: list[_Candidate], timexes: list[Timex | None], ctx: Context) -> None:
    """A date said without its year takes the year that a date before it in its sentence
    states outright ("In 2015, the parties met in July": July 2015) if its tense agrees,
    else the one its tense gave it from publication."""
    told: tuple[int, int] | None = None  # (its sentence's start, the year stated)
    for index, candidate in enumerate(chosen):
        found = candidate.found
        sentence = ctx.sentences.at(candidate.start).start
        if isinstance(found, YearLess):
            year = told[1] if told is not None and told[0] == sentence else None
            dated = found.make(year) if year and _agrees(found, year, ctx.published) else None
            timexes[index] = dated or found.alone
        elif (
            isinstance(found, Timex)
            and str(found.latest.year) in _stated(ctx, candidate)
            and not ctx.since(candidate.start)  # "vacant since October 2022": not the story's
        ):
            told = (sentence, found.latest.year)


def _stated(ctx: Context, candidate: _Candidate) -> list[str]:
    """The years a mention's own words write out."""
    return _STATED.findall(ctx.text, candidate.start, candidate.end)


def _agrees(found: YearLess, year: int, published: date) -> bool:
    """Whether a year stated before a date without one may be its year: a past year not for
    a date said of the future, a year to come not for one said of the past ("invited in
    July 1997, they will join on March 12" is not about 1997)."""
    if year < published.year:
        return found.tense is not Tense.FUTURE
    return year == published.year or found.tense is not Tense.PAST


def _clocks_on_their_days(
    chosen: list[_Candidate], timexes: list[Timex | None], ctx: Context
) -> None:
    """A clock time with no day beside it takes the day its sentence names."""
    for index, candidate in enumerate(chosen):
        timex = timexes[index]
        if RULES[candidate.order] is not clk.clock_alone or timex is None:
            continue
        sentence = ctx.sentences.at(candidate.start)
        first = bisect.bisect_left(chosen, sentence.start, key=lambda c: c.start)
        last = bisect.bisect_left(chosen, sentence.end, key=lambda c: c.start)
        days = [
            day
            for i in range(max(first, index - _ANCHOR_REACH), min(last, index + _ANCHOR_REACH))
            if (day := timexes[i]) is not None and day.is_point and day.precision is Precision.DAY
        ]
        timexes[index] = clk.on_day_of_sentence(timex, days)


def _ends_there(shift: Shift, length: _Candidate, anchor: _Candidate, ctx: Context) -> bool:
    """ "a 30-day deadline that runs out on January 6": the anchor after the length is the
    day it ends."""
    return shift.duration and ends_on(ctx.text, length.end, anchor.start)


def _unanchored(shift: Shift, candidate: _Candidate, ctx: Context) -> Timex:
    """ "six months after that notice": a length, laid back from publication when the
    sentence tells of the past ("expired ..., six months after the notice"), else forward.
    Counted from an event with no date, it dates nothing ("90 days after it is ratified")."""
    past = ctx.tense_at(candidate.start, candidate.end) is Tense.PAST
    length = replace(shift, duration=True, sign=-1 if past else 1)
    return replace(lay(length, None, ctx.published), said_in_passing=True)


def _anchor_of(
    shift: Shift,
    chosen: list[_Candidate],
    timexes: list[Timex | None],
    index: int,
    ctx: Context,
) -> int | None:
    """The index of the mention the shift at `index` counts from, in its own sentence, among
    the `_ANCHOR_REACH` mentions either side of it."""
    sentence = ctx.sentences.at(chosen[index].start)
    first = bisect.bisect_left(chosen, sentence.start, key=lambda c: c.start)
    last = bisect.bisect_left(chosen, sentence.end, key=lambda c: c.start)
    members = range(max(first, index - _ANCHOR_REACH), min(last, index + _ANCHOR_REACH + 1))
    spans = [(chosen[i].start, chosen[i].end, timexes[i]) for i in members]
    picked = pick_anchor(shift, spans, members.index(index), ctx.text)
    return None if picked is None else members[picked]
