"""Sentence boundaries in news text, as character spans into the original string.

A period ends a sentence unless it closes a title ("Mr."), an initial ("Robert S. Mueller III")
or a month abbreviation ("Aug. 28"); after a dotted acronym ("U.S.") it ends one only when a
word that usually starts a sentence follows. Quotes and brackets that close after the stop stay
with the sentence they close. A line break always ends a sentence: paragraphs do not run on.
Nor does anything else: text that runs on for more than `LONGEST` characters without a stop is
not prose, and is cut at a space, so that a step that reads a whole sentence for each date in
it costs a bounded amount per date.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from service.domain.proposals import Tense
from service.extract.tense import Verbs

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
LONGEST = 2000
"""Characters in a sentence at most; the longest in the gold set has 352."""
# A stop starts only where a run of stops starts, and takes the whole run without giving any
# back: tried at every dot of "....", the pattern would take quadratic time.
_STOP = re.compile(r"(?<![.!?])[.!?]++[\"”\u2019')\]]*+(?=\s)|\n")
_WORD_BEFORE = re.compile(r"[\w.'\u2019-]+$")
_NEXT_WORD = re.compile(r"\s*([\"“\u2018'(\[]?)([\w\u2019']*)")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


class Sentences:
    """The sentences of one text, found once and looked up by character offset; the verbs of
    each, found when first asked for."""

    def __init__(self, text: str) -> None:
        self.items = split(text)
        self._starts = [sentence.start for sentence in self.items]
        self._verbs: dict[int, Verbs] = {}

    def index_at(self, offset: int) -> int:
        """The index of the sentence holding `offset` (or the one before a gap)."""
        return max(bisect.bisect_right(self._starts, offset) - 1, 0)

    def at(self, offset: int) -> Sentence:
        return self.items[self.index_at(offset)]

    def tense_at(self, start: int, end: int) -> Tense | None:
        """The tense of the verb nearest text[start:end], in the sentence that holds it."""
        index = self.index_at(start)
        sentence = self.items[index]
        verbs = self._verbs.get(index)
        if verbs is None:
            verbs = self._verbs[index] = Verbs(sentence.text)
        return verbs.near(start - sentence.start, end - sentence.start)


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
    """The stretch text[start:end] without its surrounding space, in pieces of `LONGEST`."""
    pieces = []
    while start < end:
        stop = _cut(text, start, end)
        chunk = text[start:stop]
        stripped = chunk.strip()
        if stripped:
            first = start + len(chunk) - len(chunk.lstrip())
            pieces.append(Sentence(first, first + len(stripped), stripped))
        start = stop
    return pieces


def _cut(text: str, start: int, end: int) -> int:
    """Where the piece that starts at `start` ends: at `end`, or after the last space within
    `LONGEST` characters (or right at the limit, when there is no space to cut at)."""
    if end - start <= LONGEST:
        return end
    space = text.rfind(" ", start + 1, start + LONGEST)
    return start + LONGEST if space < 0 else space + 1


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
