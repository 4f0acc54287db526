"""Writing a commitment: the revision, the data version, its alerts and its change messages.

Every write of a commitment goes through `record`, whatever asked for it (the API, the CLI,
a feed file, an accepted proposal, an anchor that moved), inside the caller's transaction;
only a bulk import (`importing`) writes new ones in batches, with the same rows.
"""

from __future__ import annotations

from typing import TypeVar

from service.alerts import Planner
from service.app import following
from service.domain import (
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    Source,
    Status,
    assembled,
    slug_for,
)
from service.errors import DuplicateCommitment, InvalidInput, RevisionConflict
from service.store import Tx

Stated = TypeVar("Stated", bound=CommitmentFields)


def create(
    tx: Tx, planner: Planner, data: CommitmentCreate, note: ChangeNote, actor: str
) -> Commitment:
    commitment_id, fields = identified(data)
    if tx.commitments.exists(commitment_id):
        raise DuplicateCommitment(commitment_id)
    return record(tx, planner, commitment_id, None, fields, note, actor)


def identified(data: CommitmentCreate) -> tuple[str, CommitmentFields]:
    """A new commitment's id (the one given, else one made from it) and its stated fields."""
    commitment_id = data.id or slug_for(data.title, data.due)
    # `data` is valid as a whole, so are its fields without the id: not validated again
    given = data.__dict__
    return commitment_id, assembled(
        CommitmentFields, {name: given[name] for name in CommitmentFields.model_fields}
    )


def citing(fields: Stated, note: ChangeNote) -> Stated:
    """The fields with the change's source among their own, so that feeds cite it too."""
    source = note.source
    if source is None or any(_same_source(source, known) for known in fields.sources):
        return fields
    stated = fields.model_dump(exclude_computed_fields=True)
    return type(fields).model_validate(stated | {"sources": (*fields.sources, source)})


def _same_source(one: Source, other: Source) -> bool:
    return one.url == other.url if one.url else one.title == other.title


def current(tx: Tx, commitment_id: str, expected_revision: int | None) -> Commitment:
    """The commitment, locked for a change based on `expected_revision` (if one is given)."""
    found = tx.commitments.get(commitment_id, lock=True)
    if expected_revision is not None and expected_revision != found.revision:
        raise RevisionConflict(commitment_id, expected_revision, found.revision)
    return found


def record(
    tx: Tx,
    planner: Planner,
    commitment_id: str,
    before: Commitment | None,
    fields: CommitmentFields,
    note: ChangeNote,
    actor: str,
) -> Commitment:
    """Write `fields` as the commitment's next revision and plan what follows from it.

    Returns `before` unchanged when the fields are what it already holds.
    """
    fields = following.resolved(tx, commitment_id, fields)
    change = tx.commitments.write(commitment_id, before, fields, note, actor)
    if change is None:
        assert before is not None, "a first revision always changes something"
        return before
    tx.versions.bump()
    if fields.supersedes and fields.supersedes != (before.supersedes if before else None):
        _supersede(tx, planner, fields.supersedes, commitment_id, note, actor)
    planner.plan(tx, change)
    for follower in following.followers(tx, change):
        record(
            tx, planner, follower.before.id, follower.before, follower.fields, follower.note, actor
        )
    return change.after


def _supersede(
    tx: Tx, planner: Planner, target_id: str, by_id: str, note: ChangeNote, actor: str
) -> None:
    if target_id == by_id:
        raise InvalidInput("a commitment cannot supersede itself")
    target = tx.commitments.find(target_id, lock=True)
    if target is None:
        raise InvalidInput(f"supersedes names {target_id!r}, which is not a tracked commitment")
    reason = note.reason or f"superseded by {by_id}"
    fields = target.with_status(Status.SUPERSEDED)
    record(
        tx, planner, target_id, target, fields, note.model_copy(update={"reason": reason}), actor
    )
    tx.commitments.mark_superseded_by(target_id, by_id)
