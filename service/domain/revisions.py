"""The append-only history of a commitment, and what changed between two states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from service.domain.base import FROZEN, Lines, Slug, Status, UtcDatetime
from service.domain.commitments import Commitment, CommitmentFields, Source


class ChangeNote(BaseModel):
    """Why a change was made: the reason, when it happened in the world, and the source."""

    model_config = FROZEN

    reason: Annotated[Lines, StringConstraints(strip_whitespace=True, max_length=2000)] | None = (
        None
    )
    effective: date | None = Field(
        default=None, description="When the change happened in the world; today if omitted"
    )
    source: Source | None = None


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    before: Any = Field(alias="from")
    after: Any = Field(alias="to")


class Revision(BaseModel):
    """One append-only entry in a commitment's history."""

    model_config = FROZEN

    commitment_id: Slug
    revision: int = Field(ge=1)
    recorded_at: UtcDatetime
    effective: date
    actor: str
    reason: str | None = None
    source: Source | None = None
    changes: dict[str, FieldChange]
    snapshot: CommitmentFields

    def describe(self) -> str:
        """One line a person can read: 'due moved from 2021-02-05 to 2026-02-05 on 2021-02-03'."""
        if self.revision == 1:
            text = f"created on {self.effective.isoformat()}"
        else:
            moves = "; ".join(_move(name, change) for name, change in self.changes.items())
            text = f"{moves or 'no field changed'} on {self.effective.isoformat()}"
        return f"{text} ({self.reason})" if self.reason else text


def _move(name: str, change: FieldChange) -> str:
    """'due moved from A to B', or for a list that only grew, 'sources: added X'."""
    before, after = change.before, change.after
    if isinstance(before, list | tuple) and isinstance(after, list | tuple):
        added = [item for item in after if item not in before]
        if added and all(item in after for item in before):
            return f"{name}: added {', '.join(_item(item) for item in added)}"
    return f"{name} moved from {_show(before)} to {_show(after)}"


def _item(value: Any) -> str:
    """One element of a list field: a source by its address or title."""
    if isinstance(value, dict):
        return str(value.get("url") or value.get("title") or value)
    return str(value)


def _show(value: Any, limit: int = 60) -> str:
    """A changed value, short enough for one line of history."""
    if isinstance(value, dict) and "value" in value:
        return str(value["value"]) + (f" {value['tz']}" if value.get("tz") else "")
    if isinstance(value, list | tuple):
        if any(isinstance(item, dict) for item in value):
            return f"{len(value)} item{'s' if len(value) != 1 else ''}"
        text = ", ".join(map(str, value)) or "none"
    else:
        text = "none" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_FIELD_CHANGES = TypeAdapter(dict[str, FieldChange])
"""Validates a whole diff in one call (in pydantic-core: faster than constructing each)."""


def diff(before: CommitmentFields | None, after: CommitmentFields) -> dict[str, FieldChange]:
    """The stated fields that differ, as JSON values; every field when there is no `before`."""
    new = after.model_dump(mode="json", exclude_computed_fields=True)
    if before is None:
        return _FIELD_CHANGES.validate_python(created_changes(new))
    old = before.model_dump(mode="json", exclude_computed_fields=True)
    return _FIELD_CHANGES.validate_python(
        {
            name: {"from": old.get(name), "to": value}
            for name, value in new.items()
            if old.get(name) != value
        }
    )


def created_changes(stated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A first revision's changes, as stored: every stated field (as JSON) from nothing."""
    return {name: {"from": None, "to": value} for name, value in stated.items()}


class ChangeEvent(StrEnum):
    CREATED = "commitment.created"
    UPDATED = "commitment.updated"
    CANCELLED = "commitment.cancelled"


@dataclass(frozen=True, slots=True)
class Change:
    """One commitment write: what it was, what it became, and the revision that records it."""

    event: ChangeEvent
    before: Commitment | None
    after: Commitment
    revision: Revision


def change_event(before: Commitment | None, after: Commitment) -> ChangeEvent:
    if before is None:
        return ChangeEvent.CREATED
    if after.status is Status.CANCELLED and before.status is not Status.CANCELLED:
        return ChangeEvent.CANCELLED
    return ChangeEvent.UPDATED
