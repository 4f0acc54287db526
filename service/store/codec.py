"""Commitments to table rows and back; the one place that knows both shapes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import RowMapping

from service.domain import Commitment, CommitmentFields, Due, Revision, created_changes
from service.store.windows import touch_columns


def commitment_row(commitment: Commitment) -> dict[str, Any]:
    due, end, rule = commitment.due, commitment.end, commitment.due_rule
    return {
        "id": commitment.id,
        "title": commitment.title,
        "description": commitment.description,
        "kind": commitment.kind.value,
        "status": commitment.status.value,
        "due_value": due.value if due else None,
        "due_tz": due.tz if due else None,
        "due_start": due.start_instant() if due else None,
        "due_first_day": due.first_day if due else None,
        "due_last_day": due.last_day if due else None,
        "undated": due is None,
        **touch_columns(due, end),
        "end_value": end.value if end else None,
        "end_tz": end.tz if end else None,
        "parties": list(commitment.parties),
        "tags": list(commitment.tags),
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in commitment.sources],
        "alerts": None if commitment.alerts is None else list(commitment.alerts),
        "due_rule": rule.model_dump(mode="json") if rule else None,
        "due_after": rule.after if rule else None,
        "supersedes": commitment.supersedes,
        "superseded_by": commitment.superseded_by,
        "revision": commitment.revision,
        "created_at": commitment.created_at,
        "updated_at": commitment.updated_at,
    }


def commitment_from_row(row: RowMapping) -> Commitment:
    return Commitment.model_validate(
        {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "kind": row["kind"],
            "status": row["status"],
            "due": _due(row["due_value"], row["due_tz"]),
            "end": _due(row["end_value"], row["end_tz"]),
            "parties": row["parties"],
            "tags": row["tags"],
            "sources": row["sources"],
            "alerts": row["alerts"],
            "due_rule": row["due_rule"],
            "supersedes": row["supersedes"],
            "superseded_by": row["superseded_by"],
            "revision": row["revision"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
    )


def _due(value: str | None, tz: str | None) -> Due | None:
    return None if value is None else stored_due(value, tz)


@lru_cache(maxsize=16_384)
def stored_due(value: str, tz: str | None) -> Due:
    """A stored due, parsed once per distinct value and zone: a page of fifty read back spent
    a third of its time parsing dues again. Dues are immutable, so one may be shared."""
    return Due(value=value, tz=tz)


def snapshot_dues(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A revision's stored snapshot with its due and end read through `stored_due`."""
    dues = {
        name: stored_due(given["value"], given.get("tz"))
        for name in ("due", "end")
        if isinstance(given := snapshot.get(name), dict)
    }
    return snapshot | dues if dues else snapshot


def stated_json(fields: CommitmentFields) -> dict[str, Any]:
    """The stated fields as stored in a revision snapshot (no derived values)."""
    return fields.model_dump(mode="json", exclude_computed_fields=True)


def revision_from_row(row: RowMapping) -> Revision:
    return Revision.model_validate(
        {
            "commitment_id": row["commitment_id"],
            "revision": row["revision"],
            "recorded_at": row["recorded_at"],
            "effective": row["effective"],
            "actor": row["actor"],
            "reason": row["reason"],
            "source": row["source"],
            "changes": created_changes(row["snapshot"])
            if row["changes"] is None
            else row["changes"],
            "snapshot": row["snapshot"],
        }
    )
