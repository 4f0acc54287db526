"""Tracking commitments: create, replace, patch and cancel, and reading them back."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from service.app import changes, importing
from service.app.context import Context
from service.app.feeds import Progress, check_feeds
from service.domain import (
    Alert,
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    CommitmentFilter,
    CommitmentPage,
    CommitmentPatch,
    Revision,
    Status,
    follow_ups,
)
from service.errors import InvalidInput


class Commitments:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def get(self, commitment_id: str) -> Commitment:
        with self._ctx.read() as tx:
            return tx.commitments.get(commitment_id)

    def page(
        self, where: CommitmentFilter, limit: int, offset: int, *, with_private: bool = False
    ) -> CommitmentPage:
        """Commitments matching every given filter, by due date (undated last).

        A private feed may be named only `with_private` (by a caller with a key).
        """
        with self._ctx.read() as tx:
            check_feeds(tx, where.feeds, with_private=with_private)
            return tx.commitments.page(where, limit, offset)

    def history(self, commitment_id: str) -> list[Revision]:
        with self._ctx.read() as tx:
            return tx.commitments.history(commitment_id)

    def alerts(self, commitment_id: str) -> list[Alert]:
        """Every alert planned for it: pending, fired, or settled otherwise with the reason."""
        with self._ctx.read() as tx:
            tx.commitments.get(commitment_id)
            return tx.alerts.of_commitment(commitment_id)

    def follow_ups(self, commitment_id: str) -> list[CommitmentCreate]:
        """What a treaty clause says follows this notice, with a due relative to it; to review."""
        with self._ctx.read() as tx:
            return follow_ups(tx.commitments.get(commitment_id))

    def create(self, data: CommitmentCreate, note: ChangeNote, actor: str) -> Commitment:
        with self._ctx.transaction() as tx:
            return changes.create(tx, self._ctx.planner, changes.citing(data, note), note, actor)

    def create_many(
        self,
        items: Sequence[CommitmentCreate],
        note: ChangeNote,
        actor: str,
        progress: Progress = None,
        *,
        chunk: int = importing.CHUNK,
    ) -> list[str]:
        """Create them all in one transaction, or none: each as `create` would, in bulk; their ids.

        `progress` hears (created, in all) after each batch of `chunk`. Errors name the item
        by its index (from 0).
        """
        with self._ctx.transaction() as tx:
            made = importing.create_many(tx, self._ctx.planner, items, note, actor, progress, chunk)
        self._ctx.store.settle_after_import()
        return made

    def replace(
        self,
        commitment_id: str,
        fields: CommitmentFields,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        return self._change(commitment_id, lambda _: fields, note, actor, expected_revision)

    def patch(
        self,
        commitment_id: str,
        patch: CommitmentPatch,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        """Only the fields sent change; each change is a new revision with its reason."""

        def patched(before: Commitment) -> CommitmentFields:
            try:
                return patch.apply(before.fields())
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc

        return self._change(commitment_id, patched, note, actor, expected_revision)

    def cancel(
        self,
        commitment_id: str,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        """Mark it cancelled; it stays, so feeds can tell calendars to drop the event."""
        cancelled = Status.CANCELLED
        return self._change(
            commitment_id, lambda b: b.with_status(cancelled), note, actor, expected_revision
        )

    def _change(
        self,
        commitment_id: str,
        fields_for: Callable[[Commitment], CommitmentFields],
        note: ChangeNote,
        actor: str,
        expected_revision: int | None,
    ) -> Commitment:
        """Write the fields `fields_for` makes of the commitment as it stands, locked."""
        with self._ctx.transaction() as tx:
            before = changes.current(tx, commitment_id, expected_revision)
            fields = changes.citing(fields_for(before), note)
            return changes.record(tx, self._ctx.planner, commitment_id, before, fields, note, actor)
