"""One filter, two forms: what `CommitmentFilter.matches` says in Python, the store says in SQL.

Hypothesis draws commitments, feeds and filters; each example is written in a transaction
that is rolled back, so the database is empty again for the next one. Run on every backend.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.domain import (
    ChangeNote,
    CommitmentFields,
    CommitmentFilter,
    Feed,
    FeedSelection,
    Kind,
    Status,
)
from service.feeds import memberships
from service.store import Store

PARTIES = ("US", "RU", "CN", "FR", "UN")
TAGS = ("new-start", "summit", "iran")
FEEDS = ("listed", "picked", "nosuch")
# ASCII letters in both cases, letters whose case differs outside ASCII, and LIKE's wildcards.
ALPHABET = "abcXYZ ÄäßİıΣσ%_/\\"
T = TypeVar("T")


class _RolledBack(Exception):
    """Raised at the end of each example so that nothing it wrote is kept."""


def _subset(items: tuple[str, ...] | list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(list(items)), max_size=3, unique=True).map(tuple)


def _seldom(strategy: st.SearchStrategy[T], empty: T) -> st.SearchStrategy[T]:
    """`strategy` one time in four, else `empty`: a filter of every field matches nothing."""
    return st.integers(0, 3).flatmap(lambda n: strategy if n == 0 else st.just(empty))


@st.composite
def _commitment(draw: st.DrawFn) -> CommitmentFields:
    status = draw(st.sampled_from(list(Status)))
    day = draw(st.dates(date(2018, 1, 1), date(2022, 12, 31)))
    form = draw(st.sampled_from(["year", "month", "day", "none"]))
    if form == "none" and status in (Status.SCHEDULED, Status.OCCURRED):
        form = "day"
    due = {"year": f"{day.year}", "month": f"{day:%Y-%m}", "day": day.isoformat()}.get(form)
    title = draw(st.text(ALPHABET, min_size=1, max_size=12).filter(str.strip))
    return CommitmentFields.model_validate(
        {
            "title": title,
            "description": draw(st.text(ALPHABET, max_size=12)),
            "kind": draw(st.sampled_from(list(Kind))),
            "status": status,
            "due": due,
            "parties": draw(_subset(PARTIES)),
            "tags": draw(_subset(TAGS)),
        }
    )


@st.composite
def _needle(draw: st.DrawFn, texts: list[str]) -> str | None:
    """Nothing, any text, or a piece of a stored text with its case changed somehow."""
    kind = draw(st.sampled_from(["none", "any", "piece", "piece"]))
    if kind == "none":
        return None
    if kind == "any":
        return draw(st.text(ALPHABET, max_size=4))
    text = draw(st.sampled_from(texts))
    start = draw(st.integers(0, len(text)))
    piece = text[start : draw(st.integers(start, len(text)))]
    return draw(st.sampled_from([piece, piece.upper(), piece.lower(), piece.swapcase()]))


@st.composite
def _filter(draw: st.DrawFn, ids: list[str], texts: list[str]) -> CommitmentFilter:
    start = draw(_seldom(st.dates(date(2017, 1, 1), date(2023, 12, 31)), None))
    end = draw(_seldom(st.dates(start or date(2017, 1, 1), date(2023, 12, 31)), None))
    return CommitmentFilter(
        kinds=draw(_seldom(_subset([k.value for k in Kind]), ())),
        parties=draw(_seldom(_subset(PARTIES), ())),
        tags=draw(_seldom(_subset(TAGS), ())),
        statuses=draw(_seldom(_subset([s.value for s in Status]), ())),
        ids=draw(_seldom(_subset([*ids, "not-tracked"]), ())),
        feeds=draw(_seldom(_subset(FEEDS), ())),
        start=start,
        end=end,
        text=draw(_needle(texts)),
    )


@st.composite
def _case(
    draw: st.DrawFn,
) -> tuple[list[CommitmentFields], list[str], FeedSelection, CommitmentFilter]:
    commitments = draw(st.lists(_commitment(), min_size=1, max_size=8))
    ids = [f"c{i}" for i in range(len(commitments))]
    listed = draw(st.lists(st.sampled_from(ids), unique=True))
    selection = FeedSelection(
        kinds=draw(_subset([k.value for k in Kind])),
        parties=draw(_subset(PARTIES)),
        statuses=draw(_subset([s.value for s in Status])),
    )
    texts = [text for c in commitments for text in (c.title, c.description)]
    return commitments, listed, selection, draw(_filter(ids, texts))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_case())
def test_python_and_sql_select_the_same_commitments(store: Store, case) -> None:
    commitments, listed, selection, where = case
    try:
        with store.transaction() as tx:
            for number, fields in enumerate(commitments):
                tx.commitments.write(f"c{number}", None, fields, ChangeNote(), "property test")
            tx.feeds.sync(Feed(slug="listed", title="Listed", origin="feeds/listed.yaml"), listed)
            tx.feeds.create(Feed(slug="picked", title="Picked", selection=selection))
            stored = tx.commitments.matching(CommitmentFilter())
            member = memberships(tx, [c.id for c in stored])
            in_python = {c.id for c in stored if where.matches(c, member.of(c))}
            in_sql = {c.id for c in tx.commitments.matching(where)}
            assert in_sql == in_python, where
            raise _RolledBack
    except _RolledBack:
        pass
