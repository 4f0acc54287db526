"""The reviewed feed files (feeds/*.yaml), read into a Catalog the store can load.

A file states each commitment as it stands now, plus the history that led there; the reader
replays that history into dated versions so the store can answer "what was known on 14 May
2019?". Every error names the file and line to fix, and one bad file refuses the whole set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from service.domain import (
    SLUG_PATTERN,
    Catalog,
    CommitmentFields,
    Due,
    Feed,
    StatedVersion,
    Status,
)
from service.errors import FeedFileError

__all__ = ["FeedFile", "read_catalog", "read_feed_file"]

_FIELDS = frozenset(CommitmentFields.model_fields)
_FILE_KEYS = frozenset({"feed", "commitments", "includes"})
_FEED_KEYS = frozenset({"title", "description"})
_COMMITMENT_KEYS = _FIELDS | {"id", "known_since", "history"}
_NOTE_KEYS = frozenset({"effective", "reason", "source"})
_CHANGE_KEYS = frozenset({"from", "to"})

Model = TypeVar("Model", bound=BaseModel)


class _Problem(Exception):
    """Something wrong at a line of the file being read; becomes a FeedFileError."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


# ---------------------------------------------------------------------------- YAML with lines


class _Map(dict[str, Any]):
    """A YAML mapping that remembers the line of each key, so errors can point at it."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class _Seq(list[Any]):
    """A YAML list that remembers the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, building _Map and _Seq, refusing repeated keys and unreal dates."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _refuse(reason: str, node: yaml.Node) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, reason, node.start_mark)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map(_line(node))
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise _refuse(f"key {key!r} is not text", key_node)
        if key in data:
            raise _refuse(f"key {key!r} appears twice (first at line {data.lines[key]})", key_node)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = _line(key_node)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[_Seq]:
    data = _Seq(_line(node))
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.lines.append(_line(item))


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> date:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:
        raise _refuse(f"{node.value!r} is not a real date ({exc})", node) from exc


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _Problem(None, f"is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise _Problem(None, f"cannot be read ({exc.strerror or exc})") from exc
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise _Problem(_mark_line(exc), _yaml_reason(exc)) from exc
    except yaml.YAMLError as exc:
        raise _Problem(None, f"is not valid YAML ({exc})") from exc
    finally:
        loader.dispose()


def _mark_line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else None


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    if isinstance(exc, yaml.constructor.ConstructorError):
        return exc.problem or str(exc)
    started = exc.context_mark.line + 1 if exc.context_mark else None
    if exc.context and started not in (None, _mark_line(exc)):
        return f"YAML syntax error: {exc.problem} ({exc.context} started at line {started})"
    return f"YAML syntax error: {exc.problem}"


# ---------------------------------------------------------------------------- shapes


def _mapping(value: Any, line: int | None, what: str) -> _Map:
    if not isinstance(value, _Map):
        raise _Problem(line, f"{what} must be a mapping of keys to values")
    return value


def _sequence(value: Any, line: int, what: str) -> _Seq:
    if not isinstance(value, _Seq):
        raise _Problem(line, f"{what} must be a list")
    return value


def _known_keys(data: _Map, allowed: frozenset[str], what: str) -> None:
    for key in data:
        if key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise _Problem(data.line_of(key), f"unknown key {key!r} in {what}; use {expected}")


def _required(data: _Map, key: str, what: str) -> Any:
    if key not in data:
        raise _Problem(data.line, f"{what} needs {key!r}")
    return data[key]


def _slug(value: Any, line: int, what: str) -> str:
    if not isinstance(value, str) or not re.match(SLUG_PATTERN, value):
        raise _Problem(
            line, f"{what} {value!r} is not a slug: use lower-case letters, digits and hyphens"
        )
    return value


def _date(value: Any, line: int, what: str) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError as exc:
            raise _Problem(line, f"{what} {value!r} is not a date such as 2021-02-03") from exc
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _Problem(line, f"{what} must be a date such as 2021-02-03, not {value!r}")


# ---------------------------------------------------------------------------- validation


def _validated(model: type[Model], data: Mapping[str, Any], where: _Map) -> Model:
    """The model, or a _Problem at the line of the first field pydantic refused."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise _Problem(_line_at(where, errors[0]["loc"]), _describe(errors)) from exc


def _line_at(root: _Map, loc: Sequence[int | str]) -> int:
    line: int = root.line
    node: Any = root
    for part in loc:
        if isinstance(node, _Map) and isinstance(part, str) and part in node:
            line, node = node.line_of(part), node[part]
        elif isinstance(node, _Seq) and isinstance(part, int) and part < len(node):
            line, node = node.lines[part], node[part]
        else:
            break
    return line


def _describe(errors: Sequence[Any]) -> str:
    return "; ".join(_one_error(error) for error in errors)


def _one_error(error: Any) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] != "value_error" and isinstance(error["input"], str | int | date):
        message = f"{message} (got {error['input']!r})"
    return f"{path}: {message}" if path else message


def _shown(value: Any) -> str:
    """A field value as a reviewer wrote it: 2021-02-05, null, [US, RU]."""
    if value is None:
        return "null"
    if isinstance(value, Due):
        return f"{value.value} {value.tz}" if value.tz else value.value
    if isinstance(value, Mapping) and "value" in value:
        return str(value["value"])
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(_shown, value)) + "]"
    return str(value)


# ---------------------------------------------------------------------------- history


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

    entry: _Map
    effective: date
    changes: dict[str, _Change]


def _steps(commitment: _Map) -> list[_Step]:
    if "history" not in commitment:
        return []
    entries = _sequence(commitment["history"], commitment.line_of("history"), "history")
    return [
        _step(_mapping(entry, line, "a history entry"))
        for entry, line in zip(entries, entries.lines, strict=True)
    ]


def _step(entry: _Map) -> _Step:
    _known_keys(entry, _NOTE_KEYS | _FIELDS, "a history entry")
    when = _required(entry, "effective", "a history entry")
    effective = _date(when, entry.line_of("effective"), "effective")
    changes = {name: _change(entry, name) for name in entry if name in _FIELDS}
    if not changes:
        raise _Problem(entry.line, "a history entry must change at least one field")
    return _Step(entry, effective, changes)


def _change(entry: _Map, name: str) -> _Change:
    line = entry.line_of(name)
    change = _mapping(entry[name], line, f"the change to {name}")
    _known_keys(change, _CHANGE_KEYS, f"the change to {name}")
    missing = sorted(_CHANGE_KEYS - change.keys())
    if missing:
        raise _Problem(line, f"the change to {name} needs 'from' and 'to' (missing {missing[0]!r})")
    return _Change(change["from"], change["to"], change.line_of("from"), change.line_of("to"))


def _first_state(commitment: _Map, steps: Sequence[_Step]) -> _Map:
    """The current fields, with each one the history changes set back to its earliest `from`."""
    state = _Map(commitment.line)
    for name in _FIELDS & commitment.keys():
        state[name] = commitment[name]
        state.lines[name] = commitment.line_of(name)
    for step in reversed(steps):
        for name, change in step.changes.items():
            state[name] = change.before
            state.lines[name] = change.before_line
    return state


def _apply(step: _Step, before: CommitmentFields) -> CommitmentFields:
    for name, change in step.changes.items():
        _check_from(name, change, before)
    merged = _Map(step.entry.line)
    merged.update(before.model_dump(exclude_computed_fields=True))
    for name, change in step.changes.items():
        merged[name] = change.after
        merged.lines[name] = change.after_line
    after = _validated(CommitmentFields, merged, merged)
    if after == before:
        raise _Problem(step.entry.line, "this history entry changes nothing")
    return after


def _check_from(name: str, change: _Change, before: CommitmentFields) -> None:
    stated = before.model_dump(exclude_computed_fields=True)
    try:
        claimed = getattr(CommitmentFields.model_validate({**stated, name: change.before}), name)
    except ValidationError:
        claimed = change.before
    if claimed != getattr(before, name):
        raise _Problem(
            change.before_line,
            f"{name} changes from {_shown(change.before)}, but at this point in the history "
            f"it is {_shown(getattr(before, name))}",
        )


def _check_effective(step: _Step, previous: date, today: date) -> None:
    line = step.entry.line_of("effective")
    if step.effective > today:
        raise _Problem(
            line, f"effective {step.effective} is after today ({today}): record it once it happens"
        )
    if step.effective < previous:
        raise _Problem(
            line,
            f"effective {step.effective} is before {previous}, when the version it changes "
            "took effect: list history oldest first, and give known_since if the commitment "
            "was known before its due date",
        )


def _check_current(last: CommitmentFields, current: CommitmentFields, commitment: _Map) -> None:
    for name in CommitmentFields.model_fields:
        if getattr(last, name) != getattr(current, name):
            raise _Problem(
                commitment.line_of(name),
                f"{name} is {_shown(getattr(current, name))}, but the history leaves it at "
                f"{_shown(getattr(last, name))}: the last change must arrive at the current value",
            )


# ---------------------------------------------------------------------------- commitments


def _first_effective(commitment: _Map, fields: CommitmentFields, today: date) -> date:
    """When the first version became known: known_since, else its due day, never after today."""
    if "known_since" not in commitment:
        return min(fields.due.first_day, today) if fields.due else today
    line = commitment.line_of("known_since")
    known = _date(commitment["known_since"], line, "known_since")
    if known > today:
        raise _Problem(line, f"known_since {known} is after today ({today})")
    return known


def _versions(commitment: _Map, today: date) -> tuple[StatedVersion, ...]:
    """The stated versions, oldest first, replayed from the current state and its history."""
    current = _validated(CommitmentFields, _fields_of(commitment), commitment)
    steps = _steps(commitment)
    state = _first_state(commitment, steps)
    first = _validated(CommitmentFields, state, state)
    versions = [StatedVersion(fields=first, effective=_first_effective(commitment, first, today))]
    for step in steps:
        _check_effective(step, versions[-1].effective, today)
        fields = _apply(step, versions[-1].fields)
        note = {"reason": step.entry.get("reason"), "source": step.entry.get("source")}
        data = {"fields": fields, "effective": step.effective, **note}
        versions.append(_validated(StatedVersion, data, step.entry))
    _check_current(versions[-1].fields, current, commitment)
    return tuple(versions)


def _fields_of(commitment: _Map) -> dict[str, Any]:
    return {name: value for name, value in commitment.items() if name in _FIELDS}


# ---------------------------------------------------------------------------- one file


@dataclass(frozen=True, slots=True)
class FeedFile:
    """One feed file, checked on its own; its includes are resolved by read_catalog."""

    path: Path
    feed: Feed
    commitments: dict[str, tuple[StatedVersion, ...]]
    lines: dict[str, int]
    """The line each commitment is defined at, and each include is listed at."""
    includes: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return (*self.commitments, *self.includes)


def read_feed_file(path: Path, today: date) -> FeedFile:
    """Read one feed file; FeedFileError names the line of the first thing wrong with it."""
    try:
        return _read(path, today)
    except _Problem as problem:
        raise FeedFileError(str(path), problem.line, problem.reason) from problem


def _read(path: Path, today: date) -> FeedFile:
    top = _mapping(_load(path), 1, "a feed file (feed:, commitments:, includes:)")
    _known_keys(top, _FILE_KEYS, "a feed file")
    feed = _feed(path, top)
    lines: dict[str, int] = {}
    commitments = _commitments(top, today, lines)
    includes = _includes(top, lines)
    return FeedFile(path, feed, commitments, lines, includes)


def _feed(path: Path, top: _Map) -> Feed:
    if not re.match(SLUG_PATTERN, path.stem):
        raise _Problem(
            None,
            f"the file name {path.stem!r} is the feed's slug: use lower-case letters, digits "
            "and hyphens, e.g. arms-control.yaml",
        )
    section = _mapping(_required(top, "feed", "a feed file"), top.line_of("feed"), "feed")
    _known_keys(section, _FEED_KEYS, "feed")
    data = {"slug": path.stem, "origin": f"feeds/{path.name}", **section}
    return _validated(Feed, data, section)


def _commitments(
    top: _Map, today: date, lines: dict[str, int]
) -> dict[str, tuple[StatedVersion, ...]]:
    if "commitments" not in top:
        return {}
    entries = _sequence(top["commitments"], top.line_of("commitments"), "commitments")
    found: dict[str, tuple[StatedVersion, ...]] = {}
    for entry, line in zip(entries, entries.lines, strict=True):
        commitment = _mapping(entry, line, "a commitment")
        _known_keys(commitment, _COMMITMENT_KEYS, "a commitment")
        commitment_id = _new_id(commitment, lines)
        found[commitment_id] = _versions(commitment, today)
    return found


def _new_id(commitment: _Map, lines: dict[str, int]) -> str:
    line = commitment.line_of("id")
    commitment_id = _slug(_required(commitment, "id", "a commitment"), line, "id")
    if commitment_id in lines:
        raise _Problem(line, f"id {commitment_id!r} is already used at line {lines[commitment_id]}")
    lines[commitment_id] = line
    return commitment_id


def _includes(top: _Map, lines: dict[str, int]) -> tuple[str, ...]:
    if "includes" not in top:
        return ()
    items = _sequence(top["includes"], top.line_of("includes"), "includes")
    for item, line in zip(items, items.lines, strict=True):
        _slug(item, line, "include")
        if item in lines:
            raise _Problem(line, f"{item!r} is already a member of this feed (line {lines[item]})")
        lines[item] = line
    return tuple(items)


# ---------------------------------------------------------------------------- the catalog


def read_catalog(paths: Sequence[Path], today: date) -> Catalog:
    """Read every feed file into one Catalog, or raise FeedFileError and return nothing."""
    files = [read_feed_file(path, today) for path in paths]
    _check_unique_feeds(files)
    homes = _homes(files)
    for feed_file in files:
        _check_includes(feed_file, homes)
    commitments = {cid: v for f in files for cid, v in f.commitments.items()}
    _check_supersedes(commitments, homes)
    return Catalog(
        feeds=tuple((f.feed, f.members) for f in files),
        commitments=_superseded_first(commitments, homes),
    )


_Home = tuple[FeedFile, int]


def _homes(files: Sequence[FeedFile]) -> dict[str, _Home]:
    """Where each commitment is defined; an id may be defined in one place only."""
    homes: dict[str, _Home] = {}
    for feed_file in files:
        for commitment_id in feed_file.commitments:
            line = feed_file.lines[commitment_id]
            if commitment_id in homes:
                other, other_line = homes[commitment_id]
                reason = f"id {commitment_id!r} is already defined in {other.path}:{other_line}"
                raise FeedFileError(str(feed_file.path), line, reason)
            homes[commitment_id] = (feed_file, line)
    return homes


def _check_unique_feeds(files: Sequence[FeedFile]) -> None:
    seen: dict[str, Path] = {}
    for feed_file in files:
        slug = feed_file.feed.slug
        if slug in seen:
            reason = f"feed {slug!r} is already read from {seen[slug]}"
            raise FeedFileError(str(feed_file.path), None, reason)
        seen[slug] = feed_file.path


def _check_includes(feed_file: FeedFile, homes: Mapping[str, _Home]) -> None:
    for commitment_id in feed_file.includes:
        if commitment_id not in homes:
            reason = f"includes {commitment_id!r}, which no feed file defines"
            raise FeedFileError(str(feed_file.path), feed_file.lines[commitment_id], reason)


def _targets(versions: Sequence[StatedVersion]) -> list[str]:
    return list(dict.fromkeys(v.fields.supersedes for v in versions if v.fields.supersedes))


def _check_supersedes(
    commitments: Mapping[str, Sequence[StatedVersion]], homes: Mapping[str, _Home]
) -> None:
    """A target must be defined, and stated as superseded, or every reload would undo the mark."""
    for commitment_id, versions in commitments.items():
        feed_file, line = homes[commitment_id]
        for target in _targets(versions):
            if target not in commitments:
                reason = f"supersedes {target!r}, which no feed file defines"
                raise FeedFileError(str(feed_file.path), line, reason)
            if commitments[target][-1].fields.status is not Status.SUPERSEDED:
                reason = f"supersedes {target!r}, so {target!r} must have status superseded"
                raise FeedFileError(str(feed_file.path), line, reason)


def _superseded_first(
    commitments: Mapping[str, tuple[StatedVersion, ...]], homes: Mapping[str, _Home]
) -> dict[str, tuple[StatedVersion, ...]]:
    """File order, except that a commitment comes after those it supersedes."""
    ordered: dict[str, tuple[StatedVersion, ...]] = {}
    for commitment_id in commitments:
        _place(commitment_id, commitments, ordered, (), homes)
    return ordered


def _place(
    commitment_id: str,
    commitments: Mapping[str, tuple[StatedVersion, ...]],
    ordered: dict[str, tuple[StatedVersion, ...]],
    chain: tuple[str, ...],
    homes: Mapping[str, _Home],
) -> None:
    if commitment_id in ordered:
        return
    if commitment_id in chain:
        feed_file, line = homes[commitment_id]
        loop = " -> ".join((*chain, commitment_id))
        raise FeedFileError(str(feed_file.path), line, f"supersedes goes round in a circle: {loop}")
    for target in _targets(commitments[commitment_id]):
        _place(target, commitments, ordered, (*chain, commitment_id), homes)
    ordered[commitment_id] = commitments[commitment_id]
