"""Sentence boundaries in news text, as character spans into the original string.

A period ends a sentence unless it closes a title ("Mr."), an initial ("Robert S. Mueller III")
or a month abbreviation ("Aug. 28"); after a dotted acronym ("U.S.") it ends one only when a
word that usually starts a sentence follows. Quotes and brackets that close after the stop stay
with the sentence they close. A line break always ends a sentence: paragraphs do not run on.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr gen sen rep gov lt col sgt capt maj adm amb prof rev st jr sr no nos vol inc
    corp ltd co jan feb mar apr jun jul aug sep sept oct nov dec vs pres dept cmdr gov't approx
    """.split()
)
STARTERS = frozenset(
    """
    The A An In On At But And He She It They We I This That These Those His Her Its Their
    Our Mr Mrs Ms After Before When While As If Yet Still So For Officials Some Many
    """.split()
)
_STOP = re.compile(r"[.!?]+[\"”\u2019')\]]*(?=\s)|\n")
_WORD_BEFORE = re.compile(r"[\w.'\u2019-]+$")
_NEXT_WORD = re.compile(r"\s*([\"“\u2018'(\[]?)([\w\u2019']*)")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


class Sentences:
    """The sentences of one text, found once and looked up by character offset."""

    def __init__(self, text: str) -> None:
        self.items = split(text)
        self._starts = [sentence.start for sentence in self.items]

    def index_at(self, offset: int) -> int:
        """The index of the sentence holding `offset` (or the one before a gap)."""
        return max(bisect.bisect_right(self._starts, offset) - 1, 0)

    def at(self, offset: int) -> Sentence:
        return self.items[self.index_at(offset)]


def split(text: str) -> list[Sentence]:
    """The sentences of `text`, stripped of surrounding whitespace, in order."""
    found, start = [], 0
    for stop in _STOP.finditer(text):
        if stop.group() == "\n" or _ends_sentence(text, stop):
            found.extend(_trimmed(text, start, stop.end()))
            start = stop.end()
    found.extend(_trimmed(text, start, len(text)))
    return found


def _trimmed(text: str, start: int, end: int) -> list[Sentence]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return []
    first = start + chunk.index(stripped)
    return [Sentence(first, first + len(stripped), stripped)]


def _ends_sentence(text: str, stop: re.Match[str]) -> bool:
    """Whether the stop at `stop` ends a sentence, judged by the words around it."""
    following = _NEXT_WORD.match(text, stop.end())
    quote, word = (following.group(1), following.group(2)) if following else ("", "")
    if not word or not (word[0].isupper() or word[0].isdigit()):
        return False
    if "." not in stop.group() or stop.group()[0] != ".":
        return True
    before = _WORD_BEFORE.search(text[max(stop.start() - 40, 0) : stop.start()])
    token = before.group() if before else ""
    return _period_ends(token, word, quote)


def _period_ends(token: str, following: str, quote: str) -> bool:
    bare = token.rstrip(".").lower()
    if bare in ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):
        return False
    if "." in token.rstrip("."):
        return bool(quote) or following in STARTERS
    return True
