"""Dues that follow another commitment: resolved on every write, moved when the anchor moves.

`changes.record` calls `resolved` before it writes, and writes each of `followers` after, so a
chain of rules moves in the writer's transaction, every step a revision naming its cause.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from service.domain import (
    UNDATED_STATUSES,
    Change,
    ChangeEvent,
    ChangeNote,
    Commitment,
    CommitmentFields,
    Counting,
    Due,
    DueRule,
    Status,
    resolve,
)
from service.errors import InvalidInput
from service.store import Tx

_SETTLED = frozenset({Status.OCCURRED, Status.CANCELLED, Status.SUPERSEDED})
"""A dependent in one of these is history: its anchor moving no longer moves it."""


@dataclass(frozen=True, slots=True)
class Follower:
    """A dependent to write next: where it stands, what it becomes, and why."""

    before: Commitment
    fields: CommitmentFields
    note: ChangeNote


def resolved(tx: Tx, commitment_id: str, fields: CommitmentFields) -> CommitmentFields:
    """`fields` with the due its rule gives now; undated (and tentative) while the anchor is."""
    rule = fields.due_rule
    if rule is None:
        return fields
    _refuse_cycles(tx, commitment_id, rule)
    try:
        due = resolve(rule, anchor_due(tx, rule))
        status = Status.TENTATIVE if due is None and fields.status not in UNDATED_STATUSES else None
        stated = fields.model_dump(exclude_computed_fields=True)
        return CommitmentFields.model_validate(
            stated | {"due": due, "status": status or fields.status}
        )
    except ValueError as exc:
        raise InvalidInput(f"due after {rule.after!r}: {exc}") from exc


def anchor_due(tx: Tx, rule: DueRule) -> Due | None:
    """What the rule counts from: the anchor's due, or the day it was recorded as occurred."""
    anchor = tx.commitments.find(rule.after)
    if anchor is None:
        raise InvalidInput(f"the due follows {rule.after!r}, which is not a tracked commitment")
    if rule.counting is Counting.DUE:
        return anchor.due
    occurred = _occurred_on(tx, anchor)
    return None if occurred is None else Due(value=occurred.isoformat())


def _occurred_on(tx: Tx, anchor: Commitment) -> date | None:
    """The effective date of the revision that made the anchor occurred (and it still is)."""
    if anchor.status is not Status.OCCURRED:
        return None
    since: date | None = None
    for revision in reversed(tx.commitments.history(anchor.id)):
        if revision.snapshot.status is not Status.OCCURRED:
            break
        since = revision.effective
    return since


def _refuse_cycles(tx: Tx, commitment_id: str, rule: DueRule) -> None:
    chain = [commitment_id]
    after: str | None = rule.after
    while after is not None:
        if after in chain:
            loop = " -> ".join((*chain, after))
            raise InvalidInput(f"due rules go round in a circle: {loop}")
        chain.append(after)
        anchor = tx.commitments.find(after)
        after = anchor.due_rule.after if anchor and anchor.due_rule else None


def followers(tx: Tx, change: Change) -> Iterator[Follower]:
    """The dependents a change to their anchor moves or cancels, each locked, one at a time."""
    moved = change.revision.changes.keys() & {"due", "status"}
    if change.before is None or not moved:
        return
    for dependent_id in tx.commitments.dependents(change.after.id):
        dependent = tx.commitments.get(dependent_id, lock=True)
        if dependent.status not in _SETTLED:
            yield _follower(tx, change, dependent)


def _follower(tx: Tx, change: Change, dependent: Commitment) -> Follower:
    anchor_id = change.after.id
    if change.event is ChangeEvent.CANCELLED:
        fields = dependent.with_status(Status.CANCELLED)
        reason = f"its anchor {anchor_id} was cancelled"
    else:
        fields = dependent.fields()
        reason = f"its anchor {anchor_id} moved: {change.revision.describe()}"
    last = tx.commitments.last_effective(dependent.id)
    effective = max(change.revision.effective, last) if last else change.revision.effective
    return Follower(dependent, fields, ChangeNote(reason=reason[:2000], effective=effective))
