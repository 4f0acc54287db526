"""One article as the proposal rules see it: its text, sentences and tagged dates, and the
names, treaties and event cues in it, each found once and then looked up by offset."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from service.domain import Source
from service.extract.actors import Actor, actors_in
from service.extract.events import Cue, CueMatch, Treaty, cue_matches, cues_from, treaties_in
from service.extract.sentences import Sentence, Sentences
from service.extract.tagger import Tagged


@dataclass(frozen=True)
class Article:
    text: str
    published: date
    sentences: Sentences
    tagged: Sequence[Tagged]
    source: Source
    actors: tuple[Actor, ...] = field(init=False)
    treaties: tuple[Treaty, ...] = field(init=False)
    _cues: tuple[CueMatch, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "actors", tuple(actors_in(self.text)))
        object.__setattr__(self, "treaties", tuple(treaties_in(self.text, 0, len(self.text))))
        object.__setattr__(self, "_cues", tuple(cue_matches(self.text)))

    def actors_between(self, start: int, end: int) -> tuple[Actor, ...]:
        return _between(self.actors, start, end)

    def treaties_between(self, start: int, end: int) -> tuple[Treaty, ...]:
        return _between(self.treaties, start, end)

    def cues(self, sentence: Sentence) -> list[Cue]:
        """The event cues of a sentence, their kinds judged by the sentence's own words."""
        return cues_from(_between(self._cues, sentence.start, sentence.end), sentence.text)


class _Placed(Protocol):
    @property
    def start(self) -> int: ...


_P = TypeVar("_P", bound=_Placed)


def _between(items: tuple[_P, ...], start: int, end: int) -> tuple[_P, ...]:
    """The items (sorted by start) that start between `start` and `end`."""
    first = bisect.bisect_left(items, start, key=lambda item: item.start)
    last = bisect.bisect_left(items, end, key=lambda item: item.start)
    return items[first:last]
