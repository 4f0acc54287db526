"""Dates that head a list: a diary's "TUESDAY, Dec. 15" dates the items below it.

A week-ahead diary names each day once, on a line of its own, and lists the day's events under
it without a date ("- BRUSSELS: EU foreign ministers meet."). Such a line is a sentence that
holds one date and nothing else but its weekday; it heads the sentences after it, up to the
next heading, that name no day of their own.
"""

from __future__ import annotations

import bisect
import re

from service.extract.article import Article
from service.extract.events import Cue

_ONLY_A_DAY = re.compile(r"[\W_]*(?i:(?:mon|tues|wednes|thurs|fri|satur|sun)day)?[\W_]*", re.ASCII)
"""What a heading holds besides its date: its weekday and punctuation."""
_HEADED_REACH = 12
"""Sentences a heading dates at most: one day's events in a diary."""


def headed(article: Article) -> dict[int, int]:
    """The sentences a heading dates, by number: the index of the heading's mention."""
    return article.once("headed", lambda: _headed(article))


def main_cue(cues: list[Cue]) -> Cue | None:
    """The cue an undated item is about: the weightiest, the first of those."""
    return max(cues, key=lambda cue: (cue.priority, -cue.start), default=None)


def _headed(article: Article) -> dict[int, int]:
    found: dict[int, int] = {}
    heading: tuple[int, int] | None = None  # (its sentence's number, its mention's index)
    starts = [tagged.start for tagged in article.tagged]
    for number, sentence in enumerate(article.sentences.items):
        first = bisect.bisect_left(starts, sentence.start)
        last = bisect.bisect_left(starts, sentence.end)
        if last - first == 1 and _heads(article, sentence.text, sentence.start, first):
            heading = (number, first)
            continue
        if heading is None or number - heading[0] > _HEADED_REACH:
            heading = None
            continue
        days = (article.tagged[i].timex for i in range(first, last))
        if not any(timex.is_point for timex in days):
            found[number] = heading[1]
    return found


def _heads(article: Article, sentence: str, offset: int, index: int) -> bool:
    """Whether a sentence holds nothing but the mention `index` and its weekday."""
    tagged = article.tagged[index]
    if not tagged.timex.is_point:
        return False
    rest = sentence[: tagged.start - offset] + " " + sentence[tagged.end - offset :]
    return _ONLY_A_DAY.fullmatch(rest) is not None
