"""One article as the proposal rules see it: its text, sentences and tagged dates, and the
names, treaties, event cues and words in it, each found once and then looked up by offset."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar, cast

from service.domain import Source
from service.extract.actors import Actor, actors_in
from service.extract.attach import WORD
from service.extract.datelines import dateline_spans, in_dateline
from service.extract.events import Cue, CueMatch, Treaty, cue_matches, cues_from, treaties_in
from service.extract.sentences import Sentence, Sentences
from service.extract.tagger import Tagged
from service.extract.words import Words

_T = TypeVar("_T")


@dataclass(frozen=True)
class Article:
    text: str
    published: date
    sentences: Sentences
    tagged: Sequence[Tagged]
    source: Source
    datelines: list[tuple[int, int]] = field(init=False)
    actors: tuple[Actor, ...] = field(init=False)
    treaties: tuple[Treaty, ...] = field(init=False)
    words: Words = field(init=False, compare=False, repr=False)
    _cues: tuple[CueMatch, ...] = field(init=False)
    _found: dict[Hashable, Any] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        datelines = dateline_spans(self.text)
        object.__setattr__(self, "datelines", datelines)
        filed_from = (a for a in actors_in(self.text) if not in_dateline(datelines, a.start, a.end))
        object.__setattr__(self, "actors", tuple(filed_from))  # "BELEM, Brazil" takes no part
        object.__setattr__(self, "treaties", tuple(treaties_in(self.text, 0, len(self.text))))
        object.__setattr__(self, "words", Words(self.text, WORD))
        object.__setattr__(self, "_cues", tuple(cue_matches(self.text)))

    def actors_between(self, start: int, end: int) -> tuple[Actor, ...]:
        return _between(self.actors, start, end)

    def actors_near(self, start: int, end: int, offset: int, reach: int) -> tuple[Actor, ...]:
        """The names between `start` and `end`, at most `reach` of them either side of
        `offset`: a run-on text full of names gives each cue only those around it."""
        first = bisect.bisect_left(self.actors, start, key=_start)
        last = bisect.bisect_left(self.actors, end, key=_start)
        at = bisect.bisect_left(self.actors, offset, key=_start, lo=first, hi=last)
        return self.actors[max(first, at - reach) : min(last, at + reach)]

    def treaty_nearest(self, start: int, end: int, offset: int) -> Treaty | None:
        """The treaty named between `start` and `end` nearest to `offset`; the earlier of two
        as near."""
        first = bisect.bisect_left(self.treaties, start, key=_start)
        last = bisect.bisect_left(self.treaties, end, key=_start)
        at = bisect.bisect_left(self.treaties, offset, key=_start, lo=first, hi=last)
        near = self.treaties[max(first, at - 1) : min(last, at + 1)]
        return min(near, key=lambda treaty: abs(treaty.start - offset), default=None)

    def treaty_before(self, offset: int) -> Treaty | None:
        """The last treaty named before `offset`."""
        at = bisect.bisect_left(self.treaties, offset, key=_start)
        return self.treaties[at - 1] if at else None

    def cues(self, sentence: Sentence) -> list[Cue]:
        """The event cues of a sentence, their kinds judged by the sentence's own words."""
        return cues_from(_between(self._cues, sentence.start, sentence.end), sentence.text)

    def once(self, key: Hashable, judge: Callable[[], _T]) -> _T:
        """`judge()`, worked out once per article for each key: a sentence's hedges, say, which
        every date in that sentence asks about."""
        if key not in self._found:
            self._found[key] = judge()
        return cast(_T, self._found[key])


class _Placed(Protocol):
    @property
    def start(self) -> int: ...


_P = TypeVar("_P", bound=_Placed)


def _start(item: _Placed) -> int:
    return item.start


def _between(items: tuple[_P, ...], start: int, end: int) -> tuple[_P, ...]:
    """The items (sorted by start) that start between `start` and `end`."""
    first = bisect.bisect_left(items, start, key=_start)
    last = bisect.bisect_left(items, end, key=_start)
    return items[first:last]
