"""Which feeds a commitment is in: the ones that list it, and the ones whose selection it matches.

This is the one statement of the rule in Python; the store applies the same rule in SQL for
`?feed=` lists (`service.store.commitments`), and a property test holds the two together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.domain import Commitment, CommitmentFilter
from service.store import Tx


@dataclass(frozen=True, slots=True)
class Memberships:
    """The feeds a commitment is in: those that list it, and those whose selection it matches."""

    listed: Mapping[str, set[str]]
    selecting: Mapping[str, CommitmentFilter]

    def of(self, commitment: Commitment) -> set[str]:
        selected = {slug for slug, where in self.selecting.items() if where.matches(commitment)}
        return self.listed.get(commitment.id, set()) | selected


def memberships(tx: Tx, commitment_ids: Iterable[str]) -> Memberships:
    """The memberships of these commitments, read in one transaction."""
    selecting = {slug: selection.as_filter for slug, selection in tx.feeds.selections().items()}
    return Memberships(tx.feeds.listing(commitment_ids), selecting)
