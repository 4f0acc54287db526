"""What is coming up, now or as it looked on a past day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from service.app.context import Context
from service.app.feeds import check_feeds
from service.domain import (
    CalendarDuration,
    Commitment,
    CommitmentFilter,
    Upcoming,
    UpcomingItem,
    days_left,
    undated,
    upcoming,
)
from service.errors import InvalidInput
from service.feeds import memberships


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
    ) -> Upcoming:
        """Commitments due between as_of (default today) and as_of + within, with days left.

        A commitment with an end that began earlier but ends in the period is listed too,
        with negative `days_left` and its `days_to_end`. Changes effective after as_of are
        ignored: as of 2019-05-14, New START still expires on 2021-02-05. With `known_at`,
        only what this database had recorded by the end of that day (UTC) counts, and as_of
        defaults to that day. A private feed may be named only `with_private`.
        """
        today = self._ctx.clock().date()
        day = as_of or known_at or today
        until = _until(day, within)
        with self._ctx.read() as tx:
            check_feeds(tx, where.feeds, with_private=with_private)
            current = day >= today and known_at is None
            if current:  # the current state: only what may fall in the period is read
                dated = tx.commitments.coming(where, day, until)
                waiting = tx.commitments.undated(where)
        if not current:
            dated = waiting = self.known_on(day, where, known_at, touching=(day, until))
        items = [
            UpcomingItem(
                **commitment.model_dump(),
                days_left=left,
                days_to_end=days_left(commitment.end, day) if commitment.end else None,
            )
            for commitment, left in upcoming(dated, day, until)
        ]
        return Upcoming(
            as_of=day,
            known_at=known_at,
            within=within,
            until=until,
            items=items,
            undated=undated(waiting),
        )

    def known_on(
        self,
        day: date,
        where: CommitmentFilter,
        known_at: date | None = None,
        *,
        touching: tuple[date, date] | None = None,
    ) -> list[Commitment]:
        """As known on `day`: the current state from today on, else the revisions then in force;
        with `known_at`, of those recorded by the end of that day (UTC). With `touching`, only
        those whose due touched that period, and those undated then."""
        with self._ctx.read() as tx:
            if day >= self._ctx.clock().date() and known_at is None:
                return tx.commitments.matching(where)
            recorded_by = _end_of(known_at) if known_at else None
            known = tx.commitments.as_of(day, recorded_by, touching)
            if not where.feeds:
                return [c for c in known if where.matches(c)]
            member = memberships(tx, [c.id for c in known])
        return [c for c in known if where.matches(c, member.of(c))]


def _end_of(day: date) -> datetime:
    """The last moment of a UTC day, so that "recorded by 2026-12-02" includes all of it."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _until(day: date, within: str) -> date:
    try:
        return CalendarDuration.parse(within).after_day(day)
    except ValueError as exc:
        raise InvalidInput(f"within: {exc}") from exc
