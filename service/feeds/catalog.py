"""The reviewed feed files (feeds/*.yaml), read into a Catalog the store can load.

Each file is read on its own (`read_feed_file`), then the set is checked as a whole: every
id defined once, every include defined somewhere, every supersedes target marked superseded.
Every error names the file and line to fix, and one bad file refuses the whole set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from service.domain import SLUG_PATTERN, Catalog, Feed, StatedVersion, Status
from service.errors import FeedFileError
from service.feeds.files import (
    Problem,
    YamlMap,
    known_keys,
    load_yaml,
    mapping,
    required,
    sequence,
    slug,
    validated,
)
from service.feeds.history import FIELDS, replay

__all__ = ["FeedFile", "read_catalog", "read_feed_file"]

_FILE_KEYS = frozenset({"feed", "commitments", "includes"})
_FEED_KEYS = frozenset({"title", "description"})
_COMMITMENT_KEYS = FIELDS | {"id", "known_since", "history"}


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
    except Problem as problem:
        raise FeedFileError(str(path), problem.line, problem.reason) from problem


def _read(path: Path, today: date) -> FeedFile:
    top = mapping(load_yaml(path), 1, "a feed file (feed:, commitments:, includes:)")
    known_keys(top, _FILE_KEYS, "a feed file")
    feed = _feed(path, top)
    lines: dict[str, int] = {}
    commitments = _commitments(top, today, lines)
    includes = _includes(top, lines)
    return FeedFile(path, feed, commitments, lines, includes)


def _feed(path: Path, top: YamlMap) -> Feed:
    if not re.match(SLUG_PATTERN, path.stem):
        raise Problem(
            None,
            f"the file name {path.stem!r} is the feed's slug: use lower-case letters, digits "
            "and hyphens, e.g. arms-control.yaml",
        )
    section = mapping(required(top, "feed", "a feed file"), top.line_of("feed"), "feed")
    known_keys(section, _FEED_KEYS, "feed")
    data = {"slug": path.stem, "origin": f"feeds/{path.name}", **section}
    return validated(Feed, data, section)


def _commitments(
    top: YamlMap, today: date, lines: dict[str, int]
) -> dict[str, tuple[StatedVersion, ...]]:
    if "commitments" not in top:
        return {}
    entries = sequence(top["commitments"], top.line_of("commitments"), "commitments")
    found: dict[str, tuple[StatedVersion, ...]] = {}
    for entry, line in zip(entries, entries.lines, strict=True):
        commitment = mapping(entry, line, "a commitment")
        known_keys(commitment, _COMMITMENT_KEYS, "a commitment")
        commitment_id = _new_id(commitment, lines)
        found[commitment_id] = replay(commitment, today)
    return found


def _new_id(commitment: YamlMap, lines: dict[str, int]) -> str:
    line = commitment.line_of("id")
    commitment_id = slug(required(commitment, "id", "a commitment"), line, "id")
    if commitment_id in lines:
        raise Problem(line, f"id {commitment_id!r} is already used at line {lines[commitment_id]}")
    lines[commitment_id] = line
    return commitment_id


def _includes(top: YamlMap, lines: dict[str, int]) -> tuple[str, ...]:
    if "includes" not in top:
        return ()
    items = sequence(top["includes"], top.line_of("includes"), "includes")
    for item, line in zip(items, items.lines, strict=True):
        slug(item, line, "include")
        if item in lines:
            raise Problem(line, f"{item!r} is already a member of this feed (line {lines[item]})")
        lines[item] = line
    return tuple(items)


# ---------------------------------------------------------------------------- the catalog


def read_catalog(paths: Sequence[Path], today: date) -> Catalog:
    """Read every feed file into one Catalog, or raise FeedFileError and return nothing."""
    files = [read_feed_file(path, today) for path in paths]
    _check_unique_feeds(files)
    homes = _homes(files)
    for feed_file in files:
        _check_includes(feed_file, homes, today)
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


def _check_includes(feed_file: FeedFile, homes: Mapping[str, _Home], today: date) -> None:
    for commitment_id in feed_file.includes:
        if commitment_id in homes:
            continue
        found = _defined_beside(feed_file.path, commitment_id, today)
        reason = (
            f"includes {commitment_id!r}, which {found} defines: load that file too"
            if found
            else f"includes {commitment_id!r}, which no feed file defines"
        )
        raise FeedFileError(str(feed_file.path), feed_file.lines[commitment_id], reason)


def _defined_beside(path: Path, commitment_id: str, today: date) -> Path | None:
    """The feed file in the same folder that defines `commitment_id`, to name in an error."""
    for other in sorted(path.parent.glob("*.yaml")):
        if other == path:
            continue
        try:
            if commitment_id in read_feed_file(other, today).commitments:
                return other
        except FeedFileError:
            continue
    return None


def _targets(versions: Sequence[StatedVersion]) -> list[str]:
    return list(dict.fromkeys(v.fields.supersedes for v in versions if v.fields.supersedes))


def _anchors(commitments: Mapping[str, Sequence[StatedVersion]], commitment_id: str) -> list[str]:
    """The commitments in these files that its due rules follow, to be stored before it."""
    rules = (v.fields.due_rule for v in commitments[commitment_id])
    return [a for a in dict.fromkeys(r.after for r in rules if r) if a in commitments]


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
    """File order, except that a commitment comes after those it supersedes or follows."""
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
    for target in (*_targets(commitments[commitment_id]), *_anchors(commitments, commitment_id)):
        _place(target, commitments, ordered, (*chain, commitment_id), homes)
    ordered[commitment_id] = commitments[commitment_id]
