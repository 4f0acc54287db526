"""The Atom companion of a feed (RFC 4287): its recent changes, one entry per revision, pure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from service.domain import CommitmentFilter, Due, Feed, FieldChange, Revision
from service.feeds.publishing import filter_query

ATOM_NS = "http://www.w3.org/2005/Atom"
ENTRIES = 50
"""How many revisions an Atom feed lists: those that took effect last."""
TAG_DATE = "2026"
"""The date in every tag: URI (RFC 4151); fixed, so ids never change."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AtomOptions:
    """What a feed says about itself, and where the service lives."""

    slug: str
    title: str
    subtitle: str
    base_url: str
    query: str = ""
    """The filters that narrow it, as a query string ("?kind=election"), or nothing."""

    @property
    def self_url(self) -> str:
        return f"{self.base_url}/feeds/{self.slug}.atom{self.query}"

    @property
    def page_url(self) -> str:
        return f"{self.base_url}/feeds/{self.slug}"

    @property
    def calendar_url(self) -> str:
        return f"{self.base_url}/feeds/{self.slug}.ics{self.query}"


def atom_options(base_url: str, feed: Feed, where: CommitmentFilter | None = None) -> AtomOptions:
    """A feed's Atom options; narrowed by `where`'s kinds, parties, tags and statuses, its
    addresses and id carry them, so that a reader following rel="self" keeps the filter."""
    return AtomOptions(
        feed.slug, feed.title, feed.description, base_url, filter_query(where) if where else ""
    )


def render_atom(options: AtomOptions, revisions: Sequence[Revision]) -> bytes:
    """The feed document with `revisions` (newest first) as entries; the same input, same bytes."""
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _add(feed, "id", tag_uri(options.base_url, f"feeds/{options.slug}{options.query}"))
    _add(feed, "title", f"{options.title}: changes")
    if options.subtitle:
        _add(feed, "subtitle", options.subtitle)
    newest = max((r.recorded_at for r in revisions), default=_EPOCH)
    _add(feed, "updated", _instant(newest))
    author = ET.SubElement(feed, "author")
    _add(author, "name", "treatycal")
    _add(author, "uri", options.base_url + "/")
    _link(feed, "self", options.self_url, "application/atom+xml")
    _link(feed, "alternate", options.page_url, "text/html")
    _link(feed, "related", options.calendar_url, "text/calendar")
    _add(feed, "generator", "treatycal")
    for revision in revisions:
        _entry(feed, options.base_url, revision)
    ET.indent(feed)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def tag_uri(base_url: str, specific: str) -> str:
    """A tag: URI on the service's host: stable for as long as its address stands."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{specific}"


def entry_title(revision: Revision) -> str:
    """'New START expires: due moved from 5 February 2021 to 5 February 2026'."""
    return f"{revision.snapshot.title}: {_what(revision)}"


def _entry(feed: ET.Element, base_url: str, revision: Revision) -> None:
    entry = ET.SubElement(feed, "entry")
    specific = f"commitments/{revision.commitment_id}/revisions/{revision.revision}"
    _add(entry, "id", tag_uri(base_url, specific))
    _add(entry, "title", entry_title(revision))
    _add(entry, "updated", _instant(revision.recorded_at))
    author = ET.SubElement(entry, "author")
    _add(author, "name", revision.actor)
    _link(entry, "alternate", f"{base_url}/commitments/{revision.commitment_id}", "text/html")
    if revision.source is not None and revision.source.url:
        _link(entry, "related", str(revision.source.url), None)
    _add(entry, "summary", _summary(revision))


def _what(revision: Revision) -> str:
    if revision.revision == 1:
        due = revision.snapshot.due
        return "first recorded, " + (f"due {due.describe()}" if due else "no date yet")
    phrases = [_phrase(name, change) for name, change in revision.changes.items()]
    return "; ".join(phrases) or "no field changed"


def _phrase(name: str, change: FieldChange) -> str:
    before, after = change.before, change.after
    if name in ("due", "end"):
        return f"{name} moved from {_due(before)} to {_due(after)}"
    if name == "description":
        return "description edited"
    if name == "sources":
        return _sources(before or [], after or [])
    if isinstance(after, list) or isinstance(before, list):
        return f"{name} now {', '.join(map(str, after or [])) or 'none'}"
    return f"{name} changed from {_plain(before)} to {_plain(after)}"


def _due(value: Any) -> str:
    if value is None:
        return "no date"
    try:
        return Due.model_validate(value).describe()
    except ValueError:
        return str(value)


def _sources(before: list[Any], after: list[Any]) -> str:
    """'2 sources added' when the list only grew; a title has no room for addresses."""
    added = sum(item not in before for item in after)
    if added and all(item in after for item in before):
        return f"{added} source{'s' if added != 1 else ''} added"
    return "sources edited"


def _plain(value: Any) -> str:
    return "none" if value is None else str(value)


def _summary(revision: Revision) -> str:
    text = f"Took effect on {_day(revision.effective)}."
    if revision.reason:
        text += f" {revision.reason}"
    return text


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _instant(moment: datetime) -> str:
    """RFC 3339 in UTC, as Atom's date constructs ask."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """A child with text; characters XML 1.0 cannot carry are dropped, the rest escaped."""
    child = ET.SubElement(parent, tag)
    child.text = _NOT_XML.sub("", text)
    return child


def _link(parent: ET.Element, rel: str, href: str, media_type: str | None) -> None:
    link = ET.SubElement(parent, "link", rel=rel, href=href)
    if media_type:
        link.set("type", media_type)
