"""Which way a sentence looks from the time of writing, near a given span of it.

Used only where the calendar cannot decide: a bare weekday ("met Tuesday" or "will meet
Friday"), a month or a month-day without a year, and whether an event on the day of
publication has happened. The verb nearest the span wins; verbs before it count a little
more than verbs after it, since English puts the verb first ("met on Tuesday"); a verb after
it counts only within its clause ("on October 18, when the deal required ..." is future).
"""

from __future__ import annotations

import bisect
import re

from service.domain.proposals import Tense
from service.extract.lexicon import AS_IT_STOOD, GIVEN_UNTIL, PUT_OFF
from service.extract.words import Words

_FUTURE = (
    r"will|won't|shall|'ll|\u2019ll|would|wouldn't|could|might|may|is to|are to|due to|set to|"
    r"must|mustn't|should|shouldn't|ought to|has to|have to|needs? to|"
    r"(?:hopes?|aims?|seeks?|wants?) to|(?<!\bhad\s)(?:hoped|aimed|intended) to|"
    r"going to|to be held|to meet|to hold|to visit|to open|to begin|to start|to sign|"
    r"to report back|to present|to submit|to respond|to decide|to deliver|"
    r"plan(?:s|ning)? to|intend(?:s|ing)? to|preparing to|expected to|(?:is|are)\s+expected|"
    r"scheduled|slated|planned|"
    r"upcoming|coming|next|(?:prospect|possibility)\s+of|"
    rf"(?:{PUT_OFF}|extended)\s+(?:until|till)(?!\s+further\s+notice)|(?:{PUT_OFF})\s+to|"
    r"extended\s+to(?=\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|"
    r"Thu|Fri|Sat|Sun|\d|the\s+end|mid-|early|late|next))|"
    r"ahead of|is due|are due|is set|are set|will be|to be|"
    r"expires|begins|starts|opens|resumes?|ends|closes|lapses|runs\s+out|takes?\s+effect|if|unless|"
    r"(?<!\bhas\s)(?<!\bhave\s)(?<!\bhad\s)(?:comes?|enters?)\s+(?:back\s+)?into\s+force|"
    r"arrives|departs|travels|visits|meets|convenes|hosts|heads\s+to|"
    r"(?<!\bthe\s)(?<!\bof\s)(?<!\bits\s)(?<!\btheir\s)votes(?=\s+(?:on|in)\b)|"
    r"(?<!\bdid\s)(?<!n't\s)(?:runs?|lasts?|continues?)\s+(?:until|till|through)|"
    rf"{GIVEN_UNTIL}|(?:has|have)\s+until|"
    r"(?:set|sets|setting|gave|gives|given|imposed|issued)\s+(?:a|an|the)\s+(?:[\w-]+\s+)?"
    r"(?:deadline|ultimatum)\s+of"
)
_PAST = (
    r"was|were|had|been|did|said|met|held|told|took|made|gave|began|came|went|spoke|"
    r"ago|since|last|earlier|previously|already|ran|won|lost|saw|left|sent|set out|"
    r"bought|brought|sold|paid|fell|rose|found|kept|led|built|thought|felt|heard|struck|stood|"
    r"wrote|chose|drew|grew|knew|threw|caught|fought|sought|became|broke|spent|tore|shot|fled|"
    r"flew|forgot|shook|stole|sank|swore|withdrew|underwent|undertook|oversaw|upheld|withheld|"
    r"overcame|overtook|foresaw|forbade|forgave|mistook|withstood|arose|got|sat|meant|dealt|"
    r"lent|bent|slept|wept|swept|crept|leapt|knelt|taught|drove|rode|wore|woke|froze|blew|ate|"
    r"drank|sang|rang|swam|sprang|shrank|strove|spun|swung|clung|flung|slid|hid|dug|sped|"
    r"(?<!-)[a-z]{2,}ed"
)
_PAST_AUX = frozenset({"was", "were"})
_NOT_PAST = frozenset({"need", "indeed", "speed", "proceed", "succeed", "exceed", "hundred"})
_MARKER = re.compile(rf"\b(?:(?P<future>{_FUTURE})|(?P<past>{_PAST}))\b")
_FUTURE_AUX = re.compile(
    rf"\b(?:{_FUTURE})\s+(?:(?:otherwise|still|also|then)\s+)?"  # "would otherwise have lapsed"
    r"(?:(?:\w+\s+)?|(?!not\b)\w+\s+be\s+)$"  # "will now be held"
)
_PAST_PERFECT = re.compile(r"\bhad\s+(?:[a-z]+\s+){0,4}?[a-z]+ed\b")
_MODALS = frozenset({"could", "might", "may", "must", "mustn't", "should", "shouldn't"})
_MODAL_PERFECT = re.compile(r"\s+(?:not\s+)?(?:[a-z]+ly\s+)?have\s+(?!to\b)")
_AFTER_MODAL_PERFECT = re.compile(
    r"\b(?:could|might|may|must|mustn't|should|shouldn't)\s+(?:not\s+)?(?:[a-z]+ly\s+)?"
    r"have\s+(?:been\s+)?$"
)
_HAD_BEEN = re.compile(r"\bhad\s+(?:[a-z]+ly\s+)?been\s+(?:[a-z]+ly\s+)?$")
_HAD = re.compile(r"\bhad\s+(?:[a-z]+ly\s+)?$")
_FUTURE_NEXT = re.compile(rf"\s+(?:{_FUTURE})\b")
_FAILED_PASSIVE = re.compile(r"\s+not\s+be\b")
_TO = re.compile(r"\s+to\b")
_SUPPOSED = re.compile(rf"\b(?:was|were)\s+(?:{AS_IT_STOOD})\s+(?:to\s+(?:be\s+)?)?$")
_SUPPOSED_NEXT = re.compile(rf"(?:(?:was|were)\s+)?(?:{AS_IT_STOOD})\s+to\b")
_PLAN_WORDS = frozenset({"planned", "scheduled", "slated"})
_DETERMINERS = r"a|an|the|its|their|his|her"
_AS_OR_DETERMINER = re.compile(
    rf"\b(?:{_DETERMINERS}|as|previously|originally)\s+(?:[a-z]+ly\s+)?$", re.IGNORECASE
)
_PASSIVE_NOW = re.compile(r"\b(?:is|are|be|being)\s+$")
_DETERMINER = re.compile(rf"\b(?:{_DETERMINERS}|our|this|that|still)\s+$", re.IGNORECASE)
_AFTER_WEIGHT = 1.5
_CLAUSE_BREAK = re.compile(r"[,;:\u2014]")
_WORD = re.compile(r"\S+")


class Verbs:
    """The tense markers of one sentence, found once and then asked about any span of it.

    Asking costs a few binary searches, not a pass over the sentence: a sentence with a date
    in every few words is asked about each of them.
    """

    def __init__(self, sentence: str) -> None:
        sentence = _first_word_lowered(sentence)
        found = [
            (marker.start(), marker.end(), tense, marker.group().startswith("to "))
            for marker in _MARKER.finditer(sentence)
            if (tense := _classify(sentence, marker)) is not None
        ]
        self._starts = [start for start, _, _, _ in found]
        self._ends = [end for _, end, _, _ in found]
        self._tenses = [tense for _, _, tense, _ in found]
        self._infinitives = [infinitive for _, _, _, infinitive in found]
        self._words = Words(sentence, _WORD).between
        self._breaks = [stop.start() for stop in _CLAUSE_BREAK.finditer(sentence)]

    def near(self, start: int, end: int) -> Tense | None:
        """The tense of the marker nearest the span; of two as near, the earlier one.

        A marker before the span counts the words between; one that starts in the span is
        ignored; one after it counts a little more per word, and only up to the next clause
        break (the one after, for a span that opens the sentence); one that starts before the
        span and runs into it is as near as can be after.
        """
        before = bisect.bisect_right(self._ends, start)  # markers [0, before) end by `start`
        candidates: list[tuple[float, int]] = []
        if before:
            nearest = self._words(self._ends[before - 1], start)
            first = bisect.bisect_left(
                range(before), True, key=lambda i: self._words(self._ends[i], start) <= nearest
            )
            candidates.append((nearest, first))
        if before < len(self._starts) and self._starts[before] < start:
            candidates.append((_AFTER_WEIGHT, before))  # runs into the span
        after = bisect.bisect_left(self._starts, end)
        # "In August, the ministry announced ...": a date that opens the sentence is followed
        # by its main verb, past the comma after it; but in "agreed on Tuesday to hold talks"
        # the infinitive after the date is the agreeing's, not the date's
        fronted = self._words(0, start) <= 1
        governed = after < len(self._starts) and self._infinitives[after] and candidates
        if (
            after < len(self._starts)
            and not governed
            and self._reaches(end, self._starts[after], int(fronted))
        ):
            gap = self._words(end, self._starts[after]) + 1
            candidates.append((_AFTER_WEIGHT * gap, after))
        best: tuple[float, int] | None = None
        for distance, index in candidates:  # in text order: the earlier wins a tie
            if best is None or distance < best[0]:
                best = (distance, index)
        return self._tenses[best[1]] if best else None

    def _reaches(self, end: int, marker: int, passing: int = 0) -> bool:
        """Whether no clause break (beyond the first `passing`) stands between the span's end
        and a marker after it."""
        index = bisect.bisect_left(self._breaks, end) + passing
        return index >= len(self._breaks) or self._breaks[index] >= marker


def _first_word_lowered(sentence: str) -> str:
    """ "Since August ...", "Earlier, ...": a marker that opens the sentence counts as well
    (only "May" keeps its capital: it is the month there far more often than the verb)."""
    if sentence.startswith("May") or not sentence[:1].isupper():
        return sentence
    return sentence[:1].lower() + sentence[1:]


def has_verb(text: str) -> bool:
    """Whether a stretch of text holds a finite verb form, by the same markers."""
    return any(_classify(text, marker) is not None for marker in _MARKER.finditer(text))


def _classify(sentence: str, marker: re.Match[str]) -> Tense | None:
    before = sentence[max(marker.start() - 40, 0) : marker.start()]
    if _SUPPOSED.search(before) or _SUPPOSED_NEXT.match(sentence, marker.start()):
        return None  # "was supposed to be signed by August 18": planned then, ahead or not
    if marker.group("future"):
        # "had challenged him to meet on Thursday": an infinitive under a past perfect
        infinitive_in_past = marker.group().startswith("to ") and _PAST_PERFECT.search(before)
        # "had been due to expire on Friday": a plan as it stood before, so behind us
        superseded_plan = _HAD_BEEN.search(before) is not None
        # "had given Hamas until Sunday": told as background, the time allowed is behind us
        allowed_before = marker.group().startswith("given") and _HAD.search(before) is not None
        # "may have met in March", "should have ended in June": a guess or a regret about
        # the past ("will have ended" stays ahead, "would have" stays as undecided as ever)
        guessed_past = marker.group() in _MODALS and _MODAL_PERFECT.match(sentence, marker.end())
        # "could not be reached on Sunday": what was tried and failed
        failed = marker.group() == "could" and _FAILED_PASSIVE.match(sentence, marker.end())
        if marker.group() == "next" and _TO.match(sentence, marker.end()):
            return None  # "next to the embassy": a place, not a time
        if marker.group() in _PLAN_WORDS and _AS_OR_DETERMINER.search(before):
            return None  # "as planned", "the hastily planned visit": no plan still ahead
        past = infinitive_in_past or superseded_plan or allowed_before or guessed_past or failed
        return Tense.PAST if past else Tense.FUTURE
    if marker.group() in _NOT_PAST:
        return None
    if marker.group() == "last" and _DETERMINER.search(before):
        return None  # "the last week of June", "its last session": the final one, not the past
    if marker.group() in _PAST_AUX and _FUTURE_NEXT.match(sentence, marker.end()):
        return None  # "were planning to", "was expected to": the plan's marker decides
    # "would have lapsed", "is expected to have ended": a past form under a future auxiliary;
    # but "may have met", "should have ended" are said of the past
    if _AFTER_MODAL_PERFECT.search(before):
        return Tense.PAST
    if _FUTURE_AUX.search(before):
        return Tense.FUTURE
    if marker.group().endswith("ed") and _PASSIVE_NOW.search(before):
        return None  # "if no deal is reached": a present passive, not a past event
    if marker.group().endswith("ed") and _DETERMINER.search(before):
        return None  # "on an unspecified date", "the revised figures": an adjective
    if marker.group().endswith("ed") and before.endswith("highly "):
        return None  # "highly enriched uranium": an adjective
    return Tense.PAST
