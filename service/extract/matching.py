"""When two proposals are one event, and when a proposal repeats a tracked commitment.

Both tests ask the same three questions: the same kind (a summit is a meeting of leaders, so
those two kinds meet), windows that meet, and the same actors (a shared party, or titles that
share most of their telling words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.domain import Commitment, Due, Kind
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
STRONG_OVERLAP = 0.5


def same_kind(one: Kind, other: Kind) -> bool:
    return one == other or {one, other} <= _KIN


def windows_meet(one: Due | None, other: Due | None) -> bool:
    """Whether two due windows overlap; two undated events may be one, a dated and an
    undated one may not be told apart, so they do not meet."""
    if one is None or other is None:
        return one is None and other is None
    return one.first_day <= other.last_day and other.first_day <= one.last_day


def title_overlap(one: str, other: str) -> float:
    """The share of the shorter title's telling words that the other title also has."""
    first, second = _telling(one), _telling(other)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _telling(title: str) -> set[str]:
    return set(_WORD.findall(title.lower())) - _PLAIN_WORDS


def known_match(proposal: Proposal, known: Sequence[Commitment]) -> str | None:
    """The id of the tracked commitment this proposal repeats, if one does: of several, the
    one of the very same kind, then with the most similar title, then the most shared
    parties."""
    best: tuple[tuple[bool, float, int], str] | None = None
    for commitment in known:
        if not same_kind(proposal.kind, commitment.kind):
            continue
        if not windows_meet(proposal.due, commitment.due):
            continue
        shared = len(set(proposal.parties) & set(commitment.parties))
        overlap = title_overlap(proposal.title, commitment.title)
        if shared or overlap >= STRONG_OVERLAP:
            score = (proposal.kind == commitment.kind, overlap, shared)
            best = (score, commitment.id) if best is None or score > best[0] else best
    return best[1] if best else None


def deduplicated(proposals: Sequence[Proposal]) -> list[Proposal]:
    """One proposal per event: of two that nest in time, the narrower is kept."""
    kept: list[Proposal] = []
    for proposal in proposals:
        twin = next((k for k in kept if _same_event(k, proposal)), None)
        if twin is None:
            kept.append(proposal)
        elif _narrower(proposal, twin):
            kept[kept.index(twin)] = proposal
    return kept


def _same_event(one: Proposal, other: Proposal) -> bool:
    """Nested windows of one kind, and the same actors: titles that share most telling
    words, or (from different sentences) shared parties and titles that do not conflict."""
    if one.kind != other.kind or not _nested(one.due, other.due):
        return False
    if one.due is None and one.status != other.status:
        return False  # a summit called off, and another hoped for
    shared = bool(set(one.parties) & set(other.parties))
    if one.quote == other.quote and one.parties and other.parties and not shared:
        return False  # "Russia signed it in 1996; the United States signed it in 1996"
    overlap = title_overlap(one.title, other.title)
    if overlap >= STRONG_OVERLAP:
        return True
    if one.quote == other.quote or not shared:
        return False
    return overlap > 0 or not (_telling(one.title) and _telling(other.title))


def _nested(one: Due | None, other: Due | None) -> bool:
    if one is None or other is None:
        return one is None and other is None
    inside = one.first_day >= other.first_day and one.last_day <= other.last_day
    return inside or (other.first_day >= one.first_day and other.last_day <= one.last_day)


def _narrower(one: Proposal, other: Proposal) -> bool:
    if one.due is None or other.due is None:
        return False
    width = (one.due.last_day - one.due.first_day).days
    return width < (other.due.last_day - other.due.first_day).days
