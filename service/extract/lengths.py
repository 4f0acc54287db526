"""Lengths of time that end in a deadline: "a 30-day process", "50 days to agree", "must
respond within 30 days". The deadline falls when the length runs out, and the date the
length counts from ("on August 28 a 30-day process") is not an event of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from service.domain import Kind
from service.domain.proposals import Mod, TimexType
from service.extract.anchoring import ends_on
from service.extract.article import Article
from service.extract.events import Cue, obliged
from service.extract.rules_offsets import DEADLINE_NOUNS, PAUSE_NOUNS
from service.extract.sentences import Sentence
from service.extract.tagger import Tagged
from service.extract.units import add, counted_length

_LENGTH_EVENT = re.compile(rf"(?i:\b(?:{DEADLINE_NOUNS}|{PAUSE_NOUNS})$)")
_TO_ACT = re.compile(r"(?:,\s+(?i:until|till)\s+[^,]{1,30},)?\s+to\s+[a-z]")
_LENGTH_WORDS = re.compile(r"^(?i:(?:a|an|the|its|their)\s+)?(?P<rest>.+)$")
_LASTS_BEFORE = re.compile(
    r"\b(?i:runs?|lasts?|continues?|will\s+(?:run|last|continue)|is\s+to\s+(?:run|last))"
    r"\s+(?:for\s+)?$"
)
"""A verb that gives an event's length: "opens on April 27 and runs for four weeks"."""
_AND_RUNS = re.compile(
    r",\s+and\s+(?:will\s+|is\s+to\s+)?(?:runs?|lasts?|continues?)\s+(?:for\s+)?"
)
"""The comma a date with its year ends on, then its event's length: "on April 27, 2026, and
run for four weeks"."""
_SPAN_AFTER = re.compile(r"\s+(?i:from|between|running\s+from|lasting\s+from)\s+")
_CLAUSE_BREAK = re.compile(r"[,;:]")
_AFTER_WHICH = re.compile(r"\b(?i:after\s+which|after\s+that|thereafter)\b")
"""What a length counts from when it follows another event: "extended the mandate until
December 31, after which a withdrawal must be completed within a year" (the mandate's end is
an event of its own)."""
_OVER_BEFORE = re.compile(r"\b(?i:after|following|since|ending|ended)\s+$")
"""A length told as over: "talks resumed after a three-week pause"."""
_SUPERSEDED_BEFORE = re.compile(r"\b(?i:earlier|previous|original|initial|former|old)\s+$")
"""A length set before and since replaced: "shortening an earlier 50-day deadline"."""


def _length_text(article: Article, tagged: Tagged) -> str:
    return article.text[tagged.start : tagged.end]


def is_deadline_length(article: Article, tagged: Tagged) -> bool:
    """ "a 30-day process", "50 days to agree": a length of time that ends in a deadline."""
    if tagged.timex.type is not TimexType.DURATION or superseded(article, tagged):
        return False
    named = _LENGTH_EVENT.search(_length_text(article, tagged))
    if named and _OVER_BEFORE.search(article.text, max(tagged.start - 12, 0), tagged.start):
        return False
    within = tagged.timex.mod is Mod.EQUAL_OR_LESS
    if named or (not within and _TO_ACT.match(article.text, tagged.end)):
        return True  # "50 days to agree"; but "meet within two weeks to discuss" is a purpose
    if not within:
        return False
    number = article.sentences.index_at(tagged.start)  # "must ... within"
    sentence = article.sentences.items[number].text
    return article.once(("obliged", number), lambda: obliged(sentence))


def superseded(article: Article, tagged: Tagged) -> bool:
    """ "shortening an earlier 50-day deadline": a length set before and since replaced, whose
    start the text does not give; it dates nothing."""
    if tagged.timex.type is not TimexType.DURATION:
        return False
    return bool(_SUPERSEDED_BEFORE.search(article.text, max(tagged.start - 12, 0), tagged.start))


def anchors_of_lengths(article: Article) -> set[int]:
    """Mentions that only start or end a deadline's count ("on August 28 a 30-day process",
    "a 60-day pause that ends in January"): they are not events of their own."""
    tagged = article.tagged
    starts = {
        length.anchor
        for length in tagged
        if length.anchor is not None
        and is_deadline_length(article, length)
        and not _AFTER_WHICH.search(article.text, tagged[length.anchor].end, length.start)
    }
    return starts | set(stated_ends(article).values())


def stated_ends(article: Article) -> dict[int, int]:
    """Each deadline length whose sentence then says when it ends ("a 60-day ceasefire that
    began on November 27 expires in January"): the index of that mention, by the length's."""
    return article.once("stated ends", lambda: _stated_ends(article))


def _stated_ends(article: Article) -> dict[int, int]:
    tagged, ends = article.tagged, {}
    for index, length in enumerate(tagged):
        if not is_deadline_length(article, length):
            continue
        sentence = article.sentences.at(length.start)
        for later in range(index + 1, len(tagged)):
            mention = tagged[later]
            if mention.start >= sentence.end:
                break
            if mention.timex.is_point and ends_on(article.text, length.end, mention.start):
                ends[index] = later
                break
            if _SPAN_AFTER.fullmatch(article.text, length.end, mention.start):
                ends[index] = later  # "a three-day truce from May 8 to 10": it ends on the 10th
                break
    return ends


def length_cues(article: Article, items: Sequence[tuple[int, Tagged]]) -> list[Cue]:
    """A deadline length is its own event: the deadline falls when it runs out."""
    return [
        Cue(tagged.start, tagged.end, Kind.DEADLINE, "length", reach=0, priority=5)
        for _, tagged in items
        if is_deadline_length(article, tagged)
    ]


def length_name(article: Article, tagged: Tagged) -> str:
    """ "30-day process" from "a 30-day process"."""
    words = _LENGTH_WORDS.match(_length_text(article, tagged))
    return words.group("rest") if words else _length_text(article, tagged)


def last_day_after(article: Article, sentence: Sentence, opening: int) -> date | None:
    """The last day of an event that opens on the day tagged at `opening`, when the same
    clause goes on to say how long it runs ("opens on April 27 and runs for four weeks":
    May 24; not "opened on Monday, and the ceasefire will last 30 days")."""
    first = article.tagged[opening]
    at = opening + 1
    while at < len(article.tagged) and (tagged := article.tagged[at]).start < sentence.end:
        broken = _CLAUSE_BREAK.search(article.text, first.end, tagged.start)
        if broken and not _AND_RUNS.fullmatch(article.text, first.end, tagged.start):
            return None
        counted = counted_length(tagged.timex.value)
        lasts = _LASTS_BEFORE.search(article.text, max(tagged.start - 30, 0), tagged.start)
        if counted and lasts:
            return add(first.timex.earliest, *counted) - timedelta(1)
        at += 1
    return None
