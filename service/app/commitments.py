"""Tracking commitments: create, replace, patch and cancel, and reading them back."""

from __future__ import annotations

from service.app import changes
from service.app.context import Context
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
)
from service.errors import InvalidInput


class Commitments:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def get(self, commitment_id: str) -> Commitment:
        with self._ctx.read() as tx:
            return tx.commitments.get(commitment_id)

    def page(self, where: CommitmentFilter, limit: int, offset: int) -> CommitmentPage:
        """Commitments matching every given filter, by due date (undated last)."""
        with self._ctx.read() as tx:
            return tx.commitments.page(where, limit, offset)

    def history(self, commitment_id: str) -> list[Revision]:
        with self._ctx.read() as tx:
            return tx.commitments.history(commitment_id)

    def alerts(self, commitment_id: str) -> list[Alert]:
        """Every alert planned for it: pending, fired, or settled otherwise with the reason."""
        with self._ctx.read() as tx:
            tx.commitments.get(commitment_id)
            return tx.alerts.of_commitment(commitment_id)

    def create(self, data: CommitmentCreate, note: ChangeNote, actor: str) -> Commitment:
        with self._ctx.transaction() as tx:
            return changes.create(tx, self._ctx.planner, data, note, actor)

    def replace(
        self,
        commitment_id: str,
        fields: CommitmentFields,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        with self._ctx.transaction() as tx:
            before = changes.current(tx, commitment_id, expected_revision)
            return changes.record(tx, self._ctx.planner, commitment_id, before, fields, note, actor)

    def patch(
        self,
        commitment_id: str,
        patch: CommitmentPatch,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        """Only the fields sent change; each change is a new revision with its reason."""
        with self._ctx.transaction() as tx:
            before = changes.current(tx, commitment_id, expected_revision)
            try:
                fields = patch.apply(before.fields())
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc
            return changes.record(tx, self._ctx.planner, commitment_id, before, fields, note, actor)

    def cancel(
        self,
        commitment_id: str,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        """Mark it cancelled; it stays, so feeds can tell calendars to drop the event."""
        with self._ctx.transaction() as tx:
            before = changes.current(tx, commitment_id, expected_revision)
            fields = before.with_status(Status.CANCELLED)
            return changes.record(tx, self._ctx.planner, commitment_id, before, fields, note, actor)
