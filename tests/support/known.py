"""Every commitment as known on a day, read whole: the oracle the indexed reads are held to.

The service never reads everything at once (issue 13); tests compare its paged, indexed
answers with this one, which reads every commitment and filters in Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from service.app import App
from service.domain import Commitment, CommitmentFilter
from service.feeds import memberships


def known_on(
    app: App, day: date, where: CommitmentFilter, known_at: date | None = None
) -> list[Commitment]:
    """As known on `day`: the current state from today on, else the revisions then in force;
    with `known_at`, of those recorded by the end of that day (UTC). By due, undated last."""
    with app.context.read() as tx:
        if day >= app.context.clock().date() and known_at is None:
            return tx.commitments.matching(where)
        recorded_by = datetime.combine(known_at, time.max, tzinfo=UTC) if known_at else None
        known = tx.commitments.as_of(day, recorded_by)
        member = memberships(tx, [c.id for c in known])
        return [c for c in known if where.matches(c, member.of(c))]
