"""Which commitments a list, feed or subscription covers, and what is coming up."""

from __future__ import annotations

import string
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.domain.base import FROZEN, Kind, Line, Party, Slug, Status, Tag
from service.domain.commitments import Commitment
from service.domain.dues import Due


def status_as_of(status: Status, due: Due | None, as_of: date) -> Status:
    """What the status was on `as_of`: an event that later occurred was still scheduled."""
    if status is Status.OCCURRED and due is not None and due.first_day > as_of:
        return Status.SCHEDULED
    return status


def days_left(due: Due, as_of: date) -> int:
    """Whole days from `as_of` to the first day of the due window (negative once it began)."""
    return (due.first_day - as_of).days


class CommitmentFilter(BaseModel):
    """Which commitments a list, a feed or a subscription covers; empty means all."""

    model_config = FROZEN

    kinds: tuple[Kind, ...] = ()
    parties: tuple[Party, ...] = ()
    tags: tuple[Tag, ...] = ()
    statuses: tuple[Status, ...] = ()
    ids: tuple[Slug, ...] = ()
    feeds: tuple[Slug, ...] = Field(default=(), description="in any of these feeds")
    start: date | None = Field(default=None, description="due window ends on or after this day")
    end: date | None = Field(default=None, description="due window starts on or before this day")
    text: Annotated[Line, StringConstraints(strip_whitespace=True, max_length=200)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self

    def matches(self, commitment: Commitment, feeds: Iterable[str] = ()) -> bool:
        """The test the store applies in SQL, for a commitment in memory in these `feeds`."""
        due = commitment.due
        return (
            (not self.kinds or commitment.kind in self.kinds)
            and (not self.statuses or commitment.status in self.statuses)
            and (not self.parties or bool(set(self.parties) & set(commitment.parties)))
            and (not self.tags or bool(set(self.tags) & set(commitment.tags)))
            and (not self.ids or commitment.id in self.ids)
            and (not self.feeds or not set(self.feeds).isdisjoint(feeds))
            and (self.start is None or (due is not None and due.last_day >= self.start))
            and (self.end is None or (due is not None and due.first_day <= self.end))
            and (self.text is None or _contains(commitment, self.text))
        )


def _contains(commitment: Commitment, text: str) -> bool:
    needle = ascii_lower(text)
    return needle in ascii_lower(commitment.title) or needle in ascii_lower(commitment.description)


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def by_due(commitment: Commitment) -> tuple[bool, datetime | None, str]:
    """The order of lists by due: the earliest start first, then by id; undated last."""
    due = commitment.due
    start = due.start_instant() if due else None
    return (start is None, start, commitment.id)


def ascii_lower(text: str) -> str:
    """`text` with only its ASCII letters lowered, as the databases' text search folds it."""
    return text.translate(_ASCII_LOWER)


class CommitmentPage(BaseModel):
    """One page of a list, with the total that matched."""

    items: list[Commitment]
    total: int = Field(
        description="How many matched; counting stops at 1,000, where total_exact is false"
    )
    total_exact: bool = Field(
        default=True, description="false: at least `total` matched, and maybe many more"
    )
    limit: int
    offset: int


ACTIVE_STATUSES = frozenset({Status.SCHEDULED, Status.TENTATIVE, Status.OCCURRED})


def upcoming(
    commitments: Iterable[Commitment], as_of: date, until: date
) -> list[tuple[Commitment, int]]:
    """What was due between `as_of` and `until` as seen on `as_of`, with days left, by due.

    A commitment with an end counts while it lasts: a window that opened before `as_of` and
    closes within the period is coming up too (its days left are negative). Statuses are read
    as they stood on `as_of`; cancelled and superseded ones are left out.
    """
    found = []
    for commitment in commitments:
        due = commitment.due
        if due is None or not _spans(commitment, due, as_of, until):
            continue
        status = status_as_of(commitment.status, due, as_of)
        if status in ACTIVE_STATUSES:
            if status != commitment.status:
                commitment = commitment.model_copy(update={"status": status})
            found.append((commitment, days_left(due, as_of)))
    return sorted(found, key=lambda pair: (pair[0].due.start_instant(), pair[0].id))  # type: ignore[union-attr]


def _spans(commitment: Commitment, due: Due, start: date, end: date) -> bool:
    """Whether the commitment, from its due to its end if it has one, touches start..end."""
    last_day = commitment.end.last_day if commitment.end is not None else due.last_day
    return due.first_day <= end and last_day >= start


def undated(commitments: Iterable[Commitment]) -> list[Commitment]:
    """Tentative commitments with no date yet: coming, but nobody knows when."""
    return [c for c in commitments if c.due is None and c.status is Status.TENTATIVE]


class UpcomingItem(Commitment):
    days_left: int = Field(
        description="Days from as_of to the first day of the due window; negative once it began"
    )
    days_to_end: int | None = Field(
        default=None, description="Days from as_of to the first day of the end, if it has one"
    )


class Upcoming(BaseModel):
    """What falls due in a period, as it was known on its first day."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    known_at: date | None = Field(
        default=None, description="Only what had been recorded by the end of this day (UTC)"
    )
    within: str
    until: date
    items: list[UpcomingItem] = Field(description="Dated commitments in the window, by due")
    undated: list[Commitment] = Field(
        description="Tentative commitments with no date yet, on the first page: the first "
        "`limit` of them by id"
    )
    next: str | None = Field(
        default=None,
        description="More items follow: pass this as `cursor` for the next page; null on the last",
    )
