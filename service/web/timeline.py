"""A commitment's revisions as a reader follows them: what moved, when it took effect, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from service.domain import Due, Revision, Source
from service.web.format import due_text, kind_label

_FIELD_NAMES = {"due": "due date", "end": "end", "parties": "parties", "tags": "tags"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One revision: 'moved from 5 February 2021 to 5 February 2026'."""

    revision: int
    effective: date
    recorded_at: datetime
    changes: list[str]
    reason: str | None
    source: Source | None
    actor: str


def timeline(history: list[Revision]) -> list[Entry]:
    """Newest first, as a reader asks "what changed lately?"."""
    return [_entry(revision) for revision in reversed(history)]


def _entry(revision: Revision) -> Entry:
    if revision.revision == 1:
        changes = ["first recorded" + _first_due(revision)]
    else:
        changes = [
            _change(name, c.before, c.after)
            for name, c in revision.changes.items()
            if not (name == "sources" and revision.source is not None)  # it is cited below
        ]
    return Entry(
        revision=revision.revision,
        effective=revision.effective,
        recorded_at=revision.recorded_at,
        changes=changes or ["no field changed"],
        reason=revision.reason,
        source=revision.source,
        actor=revision.actor,
    )


def _first_due(revision: Revision) -> str:
    due = revision.snapshot.due
    return f", due {due_text(due)}" if due is not None else ", with no date yet"


def _change(name: str, before: Any, after: Any) -> str:
    if name in ("due", "end"):
        return f"{_FIELD_NAMES[name]} moved from {_due(before)} to {_due(after)}"
    if name == "status":
        return f"status changed from {before} to {after}"
    if name == "kind":
        return f"kind changed from {kind_label(before)} to {kind_label(after)}"
    if name == "sources" and isinstance(after, list) and isinstance(before, list):
        added = len(after) - len(before)
        return f"{added} source{'s' if added != 1 else ''} added" if added > 0 else "sources edited"
    if isinstance(after, list | tuple):
        return f"{_FIELD_NAMES.get(name, name)} now {', '.join(map(str, after)) or 'none'}"
    if name == "title":
        return f"renamed from “{before}” to “{after}”"
    return f"{_FIELD_NAMES.get(name, name)} edited"


def _due(value: Any) -> str:
    if value is None:
        return "no date"
    try:
        return due_text(Due.model_validate(value))
    except ValueError:
        return str(value)
