"""The shape of a tagging rule, and what a rule sees when it resolves a match.

A rule is a regular expression and a function from its match to a resolved `Timex`, to a
`Shift` still waiting for its anchor ("a week later", "a 30-day process"), or to None when the
match turns out not to be a date ("the 435 House seats"). A group named `t` marks the span to
report when the pattern needs words around it ("in March": the span is "March").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from service.domain.proposals import Mod, Tense
from service.extract.sentences import Sentences
from service.extract.units import Timex, Unit

_FUTURE_VERB_BEFORE = re.compile(
    r"\b(?:(?:will|shall)\s+(?:[a-z]+\s+){1,6}?|"
    r"(?<!\bdid\s)(?<!\bnot\s)(?<!n't\s)"  # "did not expire in July" is behind
    r"(?:expire|end|lapse|begin|open|start|close|take\s+effect|run\s+out)s?\s+)(?:on|in)\s+$"
)
_WORD_BEFORE = re.compile(r"([\w$€£.\u2019'-]+)[\s,]*$")
_WORD_AFTER = re.compile(r"^[\s,]*([\w\u2019'-]+)")
_PAST_VERB_BEFORE = re.compile(
    r"(?<!\bbe\s)\b(?!(?:need|indeed|speed|proceed|succeed|exceed)\b)(?:[a-z]{3,}ed|met|held|began|"
    r"took\s+place|fell|came|went|won|lost|left|sent|sold|broke|withdrew)\s+"
    r"(?:(?:in|at)\s+(?:[A-Z][\w.\u2019'-]*\s+){1,3})?(?:in|on|during)\s+$"
)
"""A past verb said of the date, perhaps with the place between: "met in Anchorage in"; not a
participle after a bare "be" ("will now be held on" looks ahead)."""
_SINCE_BEFORE = re.compile(r"\b(?i:since)\s+(?:(?:early|late|mid)[\s-]+)?$")


@dataclass(frozen=True, slots=True)
class Context:
    """The article around a match: its text, its sentences and when it was published."""

    text: str
    published: date
    sentences: Sentences

    def tense_at(self, start: int, end: int) -> Tense | None:
        if self.since(start):
            return Tense.PAST
        return self.sentences.tense_at(start, end)

    def told(self, start: int) -> Tense | None:
        """The tense of a verb that governs the date at `start` directly: past in "lapsed in
        February", "was signed on March 3"; future in "will hold a referendum on April 22",
        "expires on February 5". "Since" does as a verb would: "stalled since January"."""
        if self.since(start) or _PAST_VERB_BEFORE.search(self.text, max(start - 60, 0), start):
            return Tense.PAST
        if _FUTURE_VERB_BEFORE.search(self.text, max(start - 60, 0), start):
            return Tense.FUTURE
        return None

    def since(self, start: int) -> bool:
        """Whether "since" governs the date at `start` ("his sixth visit since February"):
        whatever the verb, that date has begun by now."""
        return _SINCE_BEFORE.search(self.text, max(start - 20, 0), start) is not None

    def word_before(self, start: int) -> str:
        found = _WORD_BEFORE.search(self.text[max(start - 40, 0) : start])
        return found.group(1) if found else ""

    def word_after(self, end: int) -> str:
        found = _WORD_AFTER.search(self.text[end : end + 40])
        return found.group(1) if found else ""


class Anchor(StrEnum):
    """Where a shift finds the date it counts from, within its sentence."""

    NEAR = "near"  # a date before it, else one after it, else publication
    BEFORE = "before"  # a date before it ("a week later"), else publication
    NEXT = "next"  # the dated event it follows ("30 days after August 28"), else a length
    PUBLICATION = "publication"


@dataclass(frozen=True, slots=True)
class Shift:
    """An offset waiting for its anchor: a point moved from it, or a length laid from it."""

    least: int
    most: int
    unit: Unit
    sign: int
    anchor: Anchor
    duration: bool = False
    mod: Mod | None = None

    @property
    def vague(self) -> bool:
        return self.least != self.most


@dataclass(frozen=True, slots=True)
class Reference:
    """A unit the story set earlier: "the quarter" is the one the article last named,
    "the year-ago quarter" that one `years_back` years before, "the previous quarter" that
    one `quarters_back` quarters before."""

    years_back: int
    unit: str  # "quarter", or "period" (a quarter only when the story has named one)
    quarters_back: int = 0


@dataclass(frozen=True, slots=True)
class Narrated:
    """A year, month, week or day the story has reached: "the following year" is the one
    after the year of the date the text last named, "later that month" that date's month, "the
    next day" the day after that date's day, "that night" that day's night."""

    unit: Unit
    step: int  # -1 the one before, 0 that one, 1 the one after
    part: str | None = None  # of a day: "that night", "the next morning"


@dataclass(frozen=True, slots=True)
class YearLess:
    """A date said without its year ("met in July", "on March 3"): in the year that a date
    before it in its sentence states outright ("In 2015, the parties met in July") when its
    `tense` allows, else `alone`, the year its tense points to from publication."""

    make: Callable[[int], Timex | None]
    alone: Timex
    tense: Tense | None


Found = Timex | Shift | Reference | Narrated | YearLess
Resolved = Found | None


TRIGGERS = {
    "month": r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)",
    "weekday": r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day",
    "year": r"(?:19|20)\d\d",
    "old-year": r"\b1[5-8]\d\d\b",
    "iso": r"\d{4}-[\dWQ]",
}
LOWER_TRIGGERS = {
    "unit": r"day|week|fortnight|month|year|decade",
    "clock-unit": r"hour|minute",
    "decade-unit": r"decade",
    "day": r"today|tonight|yesterday|tomorrow|morning|afternoon|evening|night",
    "season": r"spring|summer|autumn|fall|winter",
    "quarter": r"quarter|half|period|year-earlier|year-ago|q[1-4]",
    "ref": r"\b(?:now|current|present|recent|former|lately|soon|future|past|days|term|come)",
    "decade": r"\d0[\u2019']?s\b|centur|[\u2019']\d\d\b",
    "set": r"\b(?:daily|weekly|monthly|yearly|annually|quarterly|hourly|every|each|once|twice|"
    r"times|per)\b",
    "holiday": r"christmas|new year|halloween|valentine|thanksgiving|easter|good friday| day\b|"
    r"fourth of july",
    "clock": r"\d(?:\s*[ap]\.?m\b|:\d\d)|\b(?:noon|midnight|midday)|\d{4}\s+(?:gmt|utc)\b",
    "spelled": r"\bnineteen\s|\btwo thousand",
    "ordinal": r" the \d\d?(?:st|nd|rd|th)\b",
}
"""A word each rule needs: rules run only near one, not at every position of the text.
`LOWER_TRIGGERS` are written in lower case and sought in the text lowered, which is several
times faster than a case-blind search."""


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    resolve: Callable[[re.Match[str], Context], Resolved]
    trigger: str

    def span(self, match: re.Match[str]) -> tuple[int, int]:
        return match.span("t") if "t" in self.pattern.groupindex else match.span()


def rule(name: str, pattern: str, trigger: str) -> Callable[[Callable[..., Resolved]], Rule]:
    """Decorate a resolver into a Rule with its compiled pattern and its trigger word."""
    if trigger not in TRIGGERS and trigger not in LOWER_TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")

    def wrap(resolve: Callable[[re.Match[str], Context], Resolved]) -> Rule:
        return Rule(name, re.compile(pattern), resolve, trigger)

    return wrap
