"""When two proposals are one event, and when a proposal repeats a tracked commitment.

Both tests ask the same three questions: the same kind (a summit is a meeting of leaders, so
those two kinds meet), windows that meet, and the same actors (a shared party, or titles that
share most of their telling words).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.domain import Commitment, Due, Kind, ascii_lower
from service.domain.proposals import Proposal

_KIN = frozenset({Kind.SUMMIT, Kind.MEETING})
_PLAIN_WORDS = frozenset(
    """
    a an the of in on at to for and with from by next new summit meeting talks call phone
    election expires signed agreed enters into force withdrawal deadline conference report
    vote visit treaty ends takes effect sanctions return
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")
_LONGEST_DUE_DAYS = 366  # a due is at most a year: it starts no earlier than this before
STRONG_OVERLAP = 0.5


def same_kind(one: Kind, other: Kind) -> bool:
    return one == other or {one, other} <= _KIN


def kin(kind: Kind) -> frozenset[Kind]:
    """The kinds `same_kind` takes for this one: itself, or summits and meetings both."""
    return _KIN if kind in _KIN else frozenset({kind})


def windows_meet(one: Due | None, other: Due | None) -> bool:
    """Whether two due windows overlap; two undated events may be one, a dated and an
    undated one may not be told apart, so they do not meet."""
    if one is None or other is None:
        return one is None and other is None
    return one.first_day <= other.last_day and other.first_day <= one.last_day


def _overlap(first: set[str], second: set[str]) -> float:
    """The share of the shorter set of telling words that the other set also has."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _telling(title: str) -> set[str]:
    """Its words but the plain ones; ASCII letters folded, as the databases fold them, so that
    a read narrowed to titles holding one of them (see `clues`) misses none."""
    return set(_WORD.findall(ascii_lower(title))) - _PLAIN_WORDS


def clues(proposal: Proposal) -> tuple[frozenset[str], frozenset[str]]:
    """The parties and the telling words of a proposal's title: for `known_match` to take a
    tracked commitment for it, that commitment must state one of the parties or have one of
    the words in its title. With neither, no commitment can repeat it."""
    return frozenset(proposal.parties), frozenset(_telling(proposal.title))


class Known:
    """The tracked commitments, filed by kind and by the first day of their window, so that a
    proposal is compared only with those it could repeat, not with every one."""

    def __init__(self, known: Sequence[Commitment]) -> None:
        self._undated: dict[Kind, list[int]] = {}
        dated: dict[Kind, list[tuple[date, int]]] = {}
        for position, commitment in enumerate(known):
            family = _family(commitment.kind)
            if commitment.due is None:
                self._undated.setdefault(family, []).append(position)
            else:
                dated.setdefault(family, []).append((commitment.due.first_day, position))
        self._dated = {family: sorted(filed) for family, filed in dated.items()}
        self._known = known
        self._telling = [_telling(commitment.title) for commitment in known]

    def candidates(self, proposal: Proposal) -> list[tuple[Commitment, set[str]]]:
        """Those of the proposal's kind whose windows could meet its own, in the order given,
        each with the telling words of its title."""
        family = _family(proposal.kind)
        if proposal.due is None:
            positions = self._undated.get(family, [])
        else:
            filed = self._dated.get(family, [])
            earliest = proposal.due.first_day - timedelta(_LONGEST_DUE_DAYS)
            first = bisect.bisect_left(filed, (earliest, -1))
            last = bisect.bisect_right(filed, (proposal.due.last_day, len(self._known)))
            positions = sorted(position for _, position in filed[first:last])
        return [(self._known[position], self._telling[position]) for position in positions]


def matched(proposals: Sequence[Proposal], known: Sequence[Commitment]) -> list[Proposal]:
    """The proposals, each naming in `matches` the one of `known` it repeats (or none)."""
    index = Known(known)
    return [p.model_copy(update={"matches": known_match(p, index)}) for p in proposals]


def known_match(proposal: Proposal, known: Known) -> str | None:
    """The id of the tracked commitment this proposal repeats, if one does: of several, the
    one of the very same kind, then with the most similar title, then the most shared
    parties."""
    best: tuple[tuple[bool, float, int], str] | None = None
    telling = _telling(proposal.title)
    for commitment, its_telling in known.candidates(proposal):
        if not same_kind(proposal.kind, commitment.kind):
            continue
        if not windows_meet(proposal.due, commitment.due):
            continue
        shared = len(set(proposal.parties) & set(commitment.parties))
        overlap = _overlap(telling, its_telling)
        if shared or overlap >= STRONG_OVERLAP:
            score = (proposal.kind == commitment.kind, overlap, shared)
            best = (score, commitment.id) if best is None or score > best[0] else best
    return best[1] if best else None


def deduplicated(proposals: Sequence[Proposal], limit: int) -> list[Proposal]:
    """One proposal per event: of two that nest in time, the narrower is kept; the first
    `limit` events.

    Exactly the first `limit` of what deduplicating them all would keep: an event past the
    limit is dropped unseen, while a later proposal of an event within it still narrows it.
    Each proposal is compared with at most `limit` others, not with every one before it.
    """
    kept: list[_Event] = []
    for proposal in proposals:
        event = _Event.of(proposal)
        twin = next((i for i, k in enumerate(kept) if _same_event(k, event)), None)
        if twin is None:
            if len(kept) < limit:
                kept.append(event)
        elif _narrower(event, kept[twin]):
            kept[twin] = event
    return [event.proposal for event in kept]


def _family(kind: Kind) -> Kind:
    """The kinds that `same_kind` takes for one, filed together (summits with meetings)."""
    return Kind.MEETING if kind in _KIN else kind


@dataclass(frozen=True, slots=True)
class _Event:
    """A proposal with what deduplication compares, worked out once rather than per pair."""

    proposal: Proposal
    window: tuple[date, date] | None
    parties: frozenset[str]
    telling: set[str]

    @classmethod
    def of(cls, proposal: Proposal) -> _Event:
        due = proposal.due
        window = None if due is None else (due.first_day, due.last_day)
        return cls(proposal, window, frozenset(proposal.parties), _telling(proposal.title))


def _same_event(one: _Event, other: _Event) -> bool:
    """Nested windows of one kind, and the same actors: titles that share most telling
    words, or (from different sentences) shared parties and titles that do not conflict."""
    first, second = one.proposal, other.proposal
    if first.kind != second.kind or not _nested(one.window, other.window):
        return False
    if one.window is None and first.status != second.status:
        return False  # a summit called off, and another hoped for
    shared = bool(one.parties & other.parties)
    same_quote = first.quote == second.quote
    if same_quote and one.parties and other.parties and not shared:
        return False  # "Russia signed it in 1996; the United States signed it in 1996"
    if same_quote and first.title == second.title:
        return True  # "return at 8pm on September 27": two dates, one event
    overlap = _overlap(one.telling, other.telling)
    if overlap >= STRONG_OVERLAP:
        return True
    if same_quote or not shared:
        return False
    return overlap > 0 or not (one.telling and other.telling)


def _nested(one: tuple[date, date] | None, other: tuple[date, date] | None) -> bool:
    if one is None or other is None:
        return one is None and other is None
    inside = one[0] >= other[0] and one[1] <= other[1]
    return inside or (other[0] >= one[0] and other[1] <= one[1])


def _narrower(one: _Event, other: _Event) -> bool:
    if one.window is None or other.window is None:
        return False
    return (one.window[1] - one.window[0]).days < (other.window[1] - other.window[0]).days
