"""Replaying a commitment's stated history into dated versions, oldest first.

A file states each commitment as it stands now, plus the history that led there (each entry
a field's `from` and `to`, with when and why); the replay checks that the entries chain up
to the current state, so the store can answer "what was known on 14 May 2019?".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from service.domain import CommitmentFields, StatedVersion
from service.feeds.files import (
    Problem,
    YamlMap,
    a_date,
    known_keys,
    mapping,
    required,
    sequence,
    shown,
    validated,
)

FIELDS = frozenset(CommitmentFields.model_fields)
_NOTE_KEYS = frozenset({"effective", "reason", "source"})
_CHANGE_KEYS = frozenset({"from", "to"})


@dataclass(frozen=True, slots=True)
class _Change:
    """One field's move in a history entry, with the lines of its `from` and `to`."""

    before: Any
    after: Any
    before_line: int
    after_line: int


@dataclass(frozen=True, slots=True)
class _Step:
    """One history entry: when, why, and the fields it moved."""

    entry: YamlMap
    effective: date
    changes: dict[str, _Change]


def _steps(commitment: YamlMap) -> list[_Step]:
    if "history" not in commitment:
        return []
    entries = sequence(commitment["history"], commitment.line_of("history"), "history")
    return [
        _step(mapping(entry, line, "a history entry"))
        for entry, line in zip(entries, entries.lines, strict=True)
    ]


def _step(entry: YamlMap) -> _Step:
    known_keys(entry, _NOTE_KEYS | FIELDS, "a history entry")
    when = required(entry, "effective", "a history entry")
    effective = a_date(when, entry.line_of("effective"), "effective")
    changes = {name: _change(entry, name) for name in entry if name in FIELDS}
    if not changes:
        raise Problem(entry.line, "a history entry must change at least one field")
    return _Step(entry, effective, changes)


def _change(entry: YamlMap, name: str) -> _Change:
    line = entry.line_of(name)
    change = mapping(entry[name], line, f"the change to {name}")
    known_keys(change, _CHANGE_KEYS, f"the change to {name}")
    missing = sorted(_CHANGE_KEYS - change.keys())
    if missing:
        raise Problem(line, f"the change to {name} needs 'from' and 'to' (missing {missing[0]!r})")
    return _Change(change["from"], change["to"], change.line_of("from"), change.line_of("to"))


def _first_state(commitment: YamlMap, steps: Sequence[_Step]) -> YamlMap:
    """The current fields, with each one the history changes set back to its earliest `from`,
    and without the sources that history entries cite (they join when those entries do)."""
    state = YamlMap(commitment.line)
    for name in FIELDS & commitment.keys():
        state[name] = commitment[name]
        state.lines[name] = commitment.line_of(name)
    for step in reversed(steps):
        for name, change in step.changes.items():
            state[name] = change.before
            state.lines[name] = change.before_line
    if "sources" in state and not any("sources" in step.changes for step in steps):
        later = [step.entry["source"] for step in steps if "source" in step.entry]
        state["sources"] = [s for s in state["sources"] if not _cited(s, later)]
    return state


def _cited(source: Any, cited: Sequence[Any]) -> bool:
    """Whether a history entry cites this source (the same address, or title if none)."""
    key = _source_key(source)
    return key is not None and any(_source_key(other) == key for other in cited)


def _source_key(source: Any) -> str | None:
    if not isinstance(source, dict):
        return None
    found = source.get("url") or source.get("title")
    return str(found) if found else None


def _apply(step: _Step, before: CommitmentFields, current: Sequence[Any]) -> CommitmentFields:
    """The version after `step`: its changes, and the source it cites joining the sources
    (in the place the current list gives it)."""
    for name, change in step.changes.items():
        _check_from(name, change, before)
    merged = YamlMap(step.entry.line)
    merged.update(before.model_dump(exclude_computed_fields=True))
    for name, change in step.changes.items():
        merged[name] = change.after
        merged.lines[name] = change.after_line
    if "sources" not in step.changes and "source" in step.entry:
        merged["sources"] = _joined(merged.get("sources") or [], step.entry["source"], current)
    after = validated(CommitmentFields, merged, merged)
    if after == before:
        raise Problem(step.entry.line, "this history entry changes nothing")
    return after


def _joined(known: Sequence[Any], cited: Any, current: Sequence[Any]) -> list[Any]:
    """The sources known so far plus the one just cited, in the order of the current list."""
    keys = {_source_key(s) for s in known} | {_source_key(cited)}
    listed = [s for s in current if _source_key(s) in keys]
    return listed if len(listed) >= len(known) else list(known)


def _check_from(name: str, change: _Change, before: CommitmentFields) -> None:
    stated = before.model_dump(exclude_computed_fields=True)
    try:
        claimed = getattr(CommitmentFields.model_validate({**stated, name: change.before}), name)
    except ValidationError:
        claimed = change.before
    if claimed != getattr(before, name):
        raise Problem(
            change.before_line,
            f"{name} changes from {shown(change.before)}, but at this point in the history "
            f"it is {shown(getattr(before, name))}",
        )


def _check_effective(step: _Step, previous: date, today: date) -> None:
    line = step.entry.line_of("effective")
    if step.effective > today:
        raise Problem(
            line, f"effective {step.effective} is after today ({today}): record it once it happens"
        )
    if step.effective < previous:
        raise Problem(
            line,
            f"effective {step.effective} is before {previous}, when the version it changes "
            "took effect: list history oldest first, and give known_since if the commitment "
            "was known before its due date",
        )


def _check_current(last: CommitmentFields, current: CommitmentFields, commitment: YamlMap) -> None:
    for name in CommitmentFields.model_fields:
        if getattr(last, name) != getattr(current, name):
            raise Problem(
                commitment.line_of(name),
                f"{name} is {shown(getattr(current, name))}, but the history leaves it at "
                f"{shown(getattr(last, name))}: the last change must arrive at the current value",
            )


# ---------------------------------------------------------------------------- commitments


def _first_effective(commitment: YamlMap, fields: CommitmentFields, today: date) -> date:
    """When the first version became known: known_since, else its due day, never after today."""
    if "known_since" not in commitment:
        return min(fields.due.first_day, today) if fields.due else today
    line = commitment.line_of("known_since")
    known = a_date(commitment["known_since"], line, "known_since")
    if known > today:
        raise Problem(line, f"known_since {known} is after today ({today})")
    return known


def replay(commitment: YamlMap, today: date) -> tuple[StatedVersion, ...]:
    """The stated versions, oldest first, replayed from the current state and its history."""
    current = validated(CommitmentFields, _fields_of(commitment), commitment)
    steps = _steps(commitment)
    state = _first_state(commitment, steps)
    first = validated(CommitmentFields, state, state)
    versions = [StatedVersion(fields=first, effective=_first_effective(commitment, first, today))]
    listed = [s.model_dump(exclude_none=True) for s in current.sources]
    for step in steps:
        _check_effective(step, versions[-1].effective, today)
        fields = _apply(step, versions[-1].fields, listed)
        note = {"reason": step.entry.get("reason"), "source": step.entry.get("source")}
        data = {"fields": fields, "effective": step.effective, **note}
        versions.append(validated(StatedVersion, data, step.entry))
    _check_current(versions[-1].fields, current, commitment)
    return tuple(versions)


def _fields_of(commitment: YamlMap) -> dict[str, Any]:
    return {name: value for name, value in commitment.items() if name in FIELDS}


# ---------------------------------------------------------------------------- one file
