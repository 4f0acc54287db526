"""The structural rules of RFC 4287 an Atom feed must keep, checked without a schema library."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

NS = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time, as RFC 4287 3.3 requires (an upper-case T and Z are allowed by both).
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def atom_problems(document: bytes) -> list[str]:
    """Every breach of RFC 4287's element rules in `document`; empty when it keeps them all."""
    root = ET.fromstring(document)
    if root.tag != f"{NS}feed":
        return [f"the root is {root.tag}, not atom:feed (4.1.1)"]
    problems = _container(root, "feed", ("id", "title", "updated"))
    problems += _at_most_one(root, "feed", ("subtitle", "rights", "generator", "icon", "logo"))
    if not any(_link(link) == "self" for link in root.findall(f"{NS}link")):
        problems.append("feed: no link rel=self (4.1.1 says it SHOULD have one)")
    entries = root.findall(f"{NS}entry")
    feed_has_author = root.find(f"{NS}author") is not None
    for number, entry in enumerate(entries, 1):
        where = f"entry {number}"
        problems += _container(entry, where, ("id", "title", "updated"))
        problems += _at_most_one(entry, where, ("summary", "content", "published", "rights"))
        if not feed_has_author and entry.find(f"{NS}author") is None:
            problems.append(f"{where}: no author, and the feed has none (4.1.1, 4.1.2)")
        if entry.find(f"{NS}content") is None and not _has_alternate(entry):
            problems.append(f"{where}: no content and no link rel=alternate (4.1.2)")
    ids = Counter(_text(entry, "id") for entry in entries)
    problems += [f"entry id {i!r} is used {n} times (4.1.1)" for i, n in ids.items() if n > 1]
    return problems


def _container(element: ET.Element, where: str, required: tuple[str, ...]) -> list[str]:
    """Exactly one of each required child; ids are IRIs, dates RFC 3339; authors have names."""
    problems = [
        f"{where}: {len(element.findall(NS + name))} atom:{name}, not exactly one"
        for name in required
        if len(element.findall(NS + name)) != 1
    ]
    identifier = _text(element, "id")
    if identifier is not None and not _IRI.match(identifier):
        problems.append(f"{where}: id {identifier!r} is not an absolute IRI (4.2.6)")
    for name in ("updated", "published"):
        moment = _text(element, name)
        if moment is not None and not _DATE_TIME.match(moment):
            problems.append(f"{where}: {name} {moment!r} is not an RFC 3339 date-time (3.3)")
    for author in element.findall(f"{NS}author"):
        if not (_text(author, "name") or "").strip():
            problems.append(f"{where}: an author without a name (3.2.1)")
    problems += _links(element, where)
    return problems


def _links(element: ET.Element, where: str) -> list[str]:
    """Every link has an href; no two rel=alternate links share a type and hreflang (4.1.1)."""
    links = element.findall(f"{NS}link")
    problems = [f"{where}: a link without href (4.2.7.1)" for link in links if not link.get("href")]
    alternates = Counter(
        (link.get("type"), link.get("hreflang")) for link in links if _link(link) == "alternate"
    )
    problems += [f"{where}: alternates share type {t}" for (t, _), n in alternates.items() if n > 1]
    return problems


def _at_most_one(element: ET.Element, where: str, names: tuple[str, ...]) -> list[str]:
    return [
        f"{where}: more than one atom:{name}"
        for name in names
        if len(element.findall(NS + name)) > 1
    ]


def _has_alternate(element: ET.Element) -> bool:
    return any(_link(link) == "alternate" for link in element.findall(f"{NS}link"))


def _link(link: ET.Element) -> str:
    """A link's relation: no rel means alternate (4.2.7.2)."""
    return link.get("rel", "alternate")


def _text(element: ET.Element, name: str) -> str | None:
    found = element.find(NS + name)
    return None if found is None else (found.text or "")
