"""The Atom renderer: titles that say what moved, escaping, stable ids, and RFC 4287's rules."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from service.domain import (
    CommitmentFields,
    CommitmentFilter,
    Due,
    Feed,
    FieldChange,
    Kind,
    Revision,
)
from service.feeds.atom import AtomOptions, atom_options, entry_title, render_atom
from tests.support.atom_check import NS, atom_problems

OPTIONS = AtomOptions("arms-control", "Arms control", "Treaties", "https://cal.example.org")
RECORDED = datetime(2021, 2, 3, 9, 30, tzinfo=UTC)


def _revision(title: str = "New START expires", number: int = 2) -> Revision:
    due = {"value": "2026-02-05", "precision": "day"}
    return Revision(
        commitment_id="new-start-expiry",
        revision=number,
        recorded_at=RECORDED,
        effective=date(2021, 2, 3),
        actor="feed files",
        reason="extended by five years",
        changes={"due": FieldChange(before={"value": "2021-02-05"}, after=due)},
        snapshot=CommitmentFields(title=title, kind="treaty_expiry", due=Due(value="2026-02-05")),
    )


def test_a_moved_due_is_said_in_words():
    title = entry_title(_revision())
    assert title == "New START expires: due moved from 5 February 2021 to 5 February 2026"


def test_a_first_revision_says_when_it_is_due():
    assert entry_title(_revision(number=1)).endswith("first recorded, due 5 February 2026")


def test_markup_in_a_title_is_escaped_and_reads_back_unchanged():
    body = render_atom(OPTIONS, [_revision('Talks <"A&B">')])
    assert b"&lt;" in body and b"&amp;B" in body
    (title,) = ET.fromstring(body).findall(f"{NS}entry/{NS}title")
    assert title.text is not None and title.text.startswith('Talks <"A&B">: due moved')


def test_a_feed_keeps_rfc_4287_and_its_ids_are_stable():
    body = render_atom(OPTIONS, [_revision()])
    assert atom_problems(body) == []
    root = ET.fromstring(body)
    entry_id = root.findtext(f"{NS}entry/{NS}id")
    assert entry_id == "tag:cal.example.org,2026:commitments/new-start-expiry/revisions/2"
    assert root.findtext(f"{NS}updated") == "2021-02-03T09:30:00Z"
    assert render_atom(OPTIONS, [_revision()]) == body


def test_an_empty_feed_is_still_valid():
    assert atom_problems(render_atom(OPTIONS, [])) == []


def test_the_checker_finds_what_is_missing():
    bare = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed>'
    problems = atom_problems(bare)
    assert any("atom:id" in p for p in problems) and any("rel=self" in p for p in problems)
    assert any("no author" in p for p in problems)


def test_a_filtered_feed_names_its_filters_in_its_addresses_and_id():
    where = CommitmentFilter(kinds=(Kind.ELECTION, Kind.SUMMIT), parties=("US",))
    narrowed = atom_options("https://cal.example.org", Feed(slug="all", title="All"), where)
    assert narrowed.query == "?kind=election&kind=summit&party=US"
    assert (
        narrowed.self_url
        == "https://cal.example.org/feeds/all.atom?kind=election&kind=summit&party=US"
    )
    assert narrowed.calendar_url.endswith("/feeds/all.ics?kind=election&kind=summit&party=US")
    assert (
        b"<id>tag:cal.example.org,2026:feeds/all?kind=election&amp;kind=summit&amp;party=US</id>"
        in render_atom(narrowed, [])
    )
    plain = atom_options(
        "https://cal.example.org", Feed(slug="all", title="All"), CommitmentFilter()
    )
    assert plain.self_url == "https://cal.example.org/feeds/all.atom"
