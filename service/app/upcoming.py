"""What is coming up, now or as it looked on a past day."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from service.app.context import Context
from service.app.feeds import check_feeds
from service.domain import (
    CalendarDuration,
    Commitment,
    CommitmentFilter,
    Kind,
    Upcoming,
    UpcomingItem,
    by_due,
    days_left,
    undated,
    upcoming,
)
from service.errors import InvalidInput
from service.feeds import memberships
from service.store import PageKey, Tx

PAGE = 50
"""Items on a page of upcoming, unless asked otherwise."""

MAX_PAGE = 500

Window = tuple[date, date]
"""A first and a last day."""

MEETING = 2_000
"""The most tracked commitments an article's proposal is compared with: those whose windows
meet its own, earliest first."""


class Agenda:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def upcoming(
        self,
        where: CommitmentFilter,
        within: str,
        as_of: date | None,
        *,
        known_at: date | None = None,
        with_private: bool = False,
        limit: int = PAGE,
        cursor: str | None = None,
    ) -> Upcoming:
        """Commitments due between as_of (default today) and as_of + within, with days left,
        a page of at most `limit` at a time: `next` is the cursor of the page after.

        A commitment with an end that began earlier but ends in the period is listed too,
        with negative `days_left` and its `days_to_end`. Changes effective after as_of are
        ignored: as of 2019-05-14, New START still expires on 2021-02-05. With `known_at`,
        only what this database had recorded by the end of that day (UTC) counts, and as_of
        defaults to that day. A private feed may be named only `with_private`. Undated
        tentative ones are listed on the first page only, the first `limit` of them by id.
        """
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit: {limit} is not between 1 and {MAX_PAGE}")
        after = PageKey.from_token(cursor) if cursor else None
        today = self._ctx.clock().date()
        day = as_of or known_at or today
        until = _until(day, within)
        with self._ctx.read() as tx:
            check_feeds(tx, where.feeds, with_private=with_private)
            if day >= today and known_at is None:  # the current state, read by its own index
                dated = tx.commitments.coming(where, day, until, after, limit + 1)
                waiting = [] if after else tx.commitments.undated(where, limit)
            else:
                read = _AsKnown(tx, where, day, known_at)
                dated = read.dated((day, until), after, limit + 1)
                waiting = [] if after else read.undated(limit)
        listed = upcoming(dated, day, until)
        more = len(listed) > limit
        # Each commitment is valid as read; the item adds two counts, so it is not validated again.
        items = [
            UpcomingItem.model_construct(
                **dict(commitment),
                days_left=left,
                days_to_end=days_left(commitment.end, day) if commitment.end else None,
            )
            for commitment, left in listed[:limit]
        ]
        return Upcoming(
            as_of=day,
            known_at=known_at,
            within=within,
            until=until,
            items=items,
            undated=undated(waiting),
            next=_key_of(items[-1]).token() if more else None,
        )

    def meeting(self, day: date, asked: Sequence[Meeting], most: int = MEETING) -> list[Commitment]:
        """The commitments as known on `day`, whatever their status, that were then of one of
        the kinds asked with a window and whose due (with its end) meets it; no window asks
        for the undated ones. With values or words, only those whose stated fields then held
        one (in any ASCII case). At most `most` for each, earliest first; by due,
        undated last. Read by the due index, a page at a time."""
        found: dict[str, Commitment] = {}
        with self._ctx.read() as tx:
            for asking in asked:
                if asking.window is None:
                    met = tx.commitments.undated_as_of(
                        day, None, most, asking.kinds, asking.stating, asking.mentioning
                    )
                else:
                    met = _meeting(tx, day, asking, most)
                found |= {c.id: c for c in met}
        return sorted(found.values(), key=by_due)


class Meeting(NamedTuple):
    """What `Agenda.meeting` asks for: commitments of these kinds whose windows meet this one
    (None: undated ones), and, unless both are empty, that state one of these values whole
    (a party, say) or mention one of these words anywhere."""

    window: Window | None
    kinds: Collection[Kind]
    stating: Collection[str] = ()
    mentioning: Collection[str] = ()


def _meeting(tx: Tx, day: date, asking: Meeting, most: int) -> list[Commitment]:
    assert asking.window is not None, "undated ones are read by id, not paged by key"
    found: list[Commitment] = []
    after = None
    while len(found) < most:
        size = min(most - len(found), MAX_PAGE)
        page = tx.commitments.as_of_page(
            day, None, asking.window, after, size, asking.kinds, asking.stating, asking.mentioning
        )
        found += page
        if len(page) < size:
            break
        after = _key_of(page[-1])
    return found


class _AsKnown:
    """Reads of the revisions in force on a past day, with the filter applied as it then stood.

    The filter is applied in memory (a past revision's fields are in its snapshot), so a page
    is read in batches until it is full or the period is exhausted.
    """

    def __init__(self, tx: Tx, where: CommitmentFilter, day: date, known_at: date | None) -> None:
        self._tx, self._where, self._day = tx, where, day
        self._recorded_by = _end_of(known_at) if known_at else None

    def dated(
        self, period: tuple[date, date], after: PageKey | None, limit: int
    ) -> list[Commitment]:
        found: list[Commitment] = []
        # A batch a quarter larger than the page, since what was cancelled or superseded by
        # then is read and left out: most pages then take one batch, not two.
        size = limit + limit // 4
        while len(found) < limit:
            batch = self._tx.commitments.as_of_page(
                self._day, self._recorded_by, period, after, size
            )
            found += [c for c, _ in upcoming(self.matching(batch), self._day, period[1])]
            if len(batch) < size:
                break
            after = _key_of(batch[-1])
        return found[:limit]

    def undated(self, limit: int) -> list[Commitment]:
        return self.matching(
            self._tx.commitments.undated_as_of(self._day, self._recorded_by, limit)
        )

    def matching(self, known: list[Commitment]) -> list[Commitment]:
        where = self._where
        if not where.feeds:
            return [c for c in known if where.matches(c)]
        member = memberships(self._tx, [c.id for c in known])
        return [c for c in known if where.matches(c, member.of(c))]


def _key_of(commitment: Commitment) -> PageKey:
    assert commitment.due is not None, "only dated commitments are paged by key"
    return PageKey(commitment.due.start_instant(), commitment.id)


def _end_of(day: date) -> datetime:
    """The last moment of a UTC day, so that "recorded by 2026-12-02" includes all of it."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _until(day: date, within: str) -> date:
    try:
        return CalendarDuration.parse(within).after_day(day)
    except ValueError as exc:
        raise InvalidInput(f"within: {exc}") from exc
