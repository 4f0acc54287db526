"""Upcoming and as-of read through the due index, and answer exactly as replaying history does.

The reference is the plain rule: every commitment as its revisions left it on the day, then
`domain.upcoming` over all of them. The indexed reads must list the same commitments, in the
same order, for short dues, year-long ones and windows that last a decade.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import select

from service.app import App
from service.app.upcoming import MAX_PAGE, Meeting
from service.domain import (
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFilter,
    CommitmentPatch,
    Kind,
    Status,
)
from service.domain.queries import upcoming
from service.errors import InvalidInput
from service.store import Database
from service.store.tables import revisions
from service.store.windows import LONG
from tests.bench import corpus
from tests.integration.test_migrations import _config
from tests.support.known import known_on
from tests.support.shipped import shipped_app

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
DAYS = ("1995-06-01", "2011-02-05", "2019-05-14", "2021-02-04", "2025-10-20", "2026-06-01")
WITHIN = ("P7D", "P90D", "P1Y", "P10Y")


@pytest.fixture
def filled(database_url: str) -> Iterator[App]:
    """The shipped feeds, 400 generated commitments, moved dues and a decade-long window."""
    with shipped_app(database_url, NOW) as app:
        _add_generated(app)
        yield app


def _add_generated(app: App) -> None:
    for cid, fields in corpus.fields(400):
        data = CommitmentCreate(id=cid, **fields.model_dump(exclude_computed_fields=True))
        app.commitments.create(data, ChangeNote(effective=date(2015, 1, 1)), "test")
    for index, (cid, _) in enumerate(corpus.fields(400)[::7]):
        moved = CommitmentPatch.model_validate(
            {"due": f"20{10 + index % 17:02d}-0{1 + index % 9}", "end": None}
        )
        app.commitments.patch(cid, moved, ChangeNote(effective=date(2020, 3, 1)), "test")
    decade = {"id": "decade", "title": "A decade-long moratorium", "kind": "deadline"}
    decade |= {"due": "2012-01-01", "end": "2022-12-31"}
    app.commitments.create(
        CommitmentCreate.model_validate(decade), ChangeNote(effective=date(2011, 6, 1)), "test"
    )


def _replayed(app: App, day: date, within: str) -> list[str]:
    """The reference answer: all of history replayed for the day, then the rule applied."""
    until = app.agenda.upcoming(CommitmentFilter(), within, day).until
    everything = known_on(app, day, CommitmentFilter())
    return [commitment.id for commitment, _ in upcoming(everything, day, until)]


def _every_page(app: App, within: str, day: date | None, limit: int) -> list[str]:
    """The ids of every page, following `next` to the end."""
    listed: list[str] = []
    cursor = None
    while True:
        page = app.agenda.upcoming(CommitmentFilter(), within, day, limit=limit, cursor=cursor)
        assert len(page.items) <= limit
        listed += [item.id for item in page.items]
        if page.next is None:
            return listed
        assert len(page.items) == limit, "only a full page says more follow"
        cursor = page.next


def test_an_indexed_as_of_read_lists_what_replaying_history_lists(filled: App):
    for day in DAYS:
        on = date.fromisoformat(day)
        for within in WITHIN:
            listed = _every_page(filled, within, on, MAX_PAGE)
            assert listed == _replayed(filled, on, within), (day, within)
    under_way = filled.agenda.upcoming(CommitmentFilter(), "P7D", date(2019, 5, 14))
    assert "decade" in {item.id for item in under_way.items}


def test_the_current_read_lists_what_the_rule_lists_over_everything(filled: App):
    today = NOW.date()
    everything = filled.commitments.page(CommitmentFilter(), limit=500, offset=0).items
    for within in WITHIN:
        answer = filled.agenda.upcoming(CommitmentFilter(), within, None, limit=MAX_PAGE)
        expected = [c.id for c, _ in upcoming(everything, today, answer.until)]
        assert [item.id for item in answer.items] == expected, within


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_pages_joined_list_what_one_page_lists(filled: App, limit: int):
    """Page boundaries fall among in-progress windows, year-long dues and same-day ones."""
    for day in (None, date(2019, 5, 14), date(2025, 10, 20)):
        for within in ("P90D", "P1Y", "P10Y"):
            whole = filled.agenda.upcoming(CommitmentFilter(), within, day, limit=MAX_PAGE)
            assert whole.next is None
            paged = _every_page(filled, within, day, limit)
            assert paged == [item.id for item in whole.items], (day, within, limit)
        assert len(paged) > limit, "a decade must need more than one page"


def test_what_an_article_is_matched_against_is_what_meets_its_windows_then(filled: App):
    """An article's proposals are compared with the commitments of their kinds whose windows
    meet theirs, as known on its date, cancelled ones too; read by the index, not all at once."""
    gatherings = frozenset({Kind.SUMMIT, Kind.MEETING})
    asked = [
        Meeting((date(2019, 5, 14), date(2019, 5, 14)), gatherings),
        Meeting((date(2021, 1, 1), date(2021, 12, 31)), frozenset(Kind) - gatherings),
        Meeting((date(2016, 7, 1), date(2016, 9, 30)), frozenset({Kind.DEADLINE, Kind.ELECTION})),
        Meeting(None, gatherings),
    ]
    statuses = set()
    for day in (date(2019, 5, 14), date(2025, 10, 20), NOW.date()):
        everything = known_on(filled, day, CommitmentFilter())
        expected = [c for c in everything if any(_meets(c, *one[:2]) for one in asked)]
        found = filled.agenda.meeting(day, asked)
        assert [c.id for c in found] == [c.id for c in expected], day
        assert found == expected, "each as it stood on the day"
        assert len(expected) < len(everything) / 2, "the windows must leave most out"
        assert any(c.due is None for c in expected), "undated meetings were asked for"
        assert filled.agenda.meeting(day, [Meeting(None, frozenset({Kind.SUMMIT}))]) == []
        statuses |= {c.status for c in expected}
    assert Status.CANCELLED in statuses, "those that were called off must be matched too"
    few = filled.agenda.meeting(date(2019, 5, 14), asked[1:2], most=3)
    assert len(few) == 3


def test_a_meeting_narrowed_to_words_keeps_every_one_naming_them_and_cuts_after(filled: App):
    """Narrowed to parties and words, the read keeps each commitment of the windows that states
    one of the parties or has one of the words in its title, whatever its case (others that
    hold one elsewhere may pass too: matching decides); `most` counts only those kept."""
    parties, words = frozenset({"KP"}), frozenset({"vienna"})
    every_kind = frozenset(Kind)
    whole = [Meeting((date(1990, 1, 1), date(2035, 12, 31)), every_kind), Meeting(None, every_kind)]
    narrowed = [asking._replace(stating=parties, mentioning=words) for asking in whole]
    for day in (date(2019, 5, 14), NOW.date()):
        every = filled.agenda.meeting(day, whole, most=10_000)
        naming = {c.id for c in every if _names(c, parties, words)}
        found = filled.agenda.meeting(day, narrowed, most=10_000)
        assert naming <= {c.id for c in found} <= {c.id for c in every}, day
        assert found == [c for c in every if c.id in {f.id for f in found}], "as they stood"
        assert len(naming) > 20 and len(found) < len(every) / 2, (len(naming), len(found))
    few = filled.agenda.meeting(NOW.date(), narrowed[:1], most=3)
    assert few == filled.agenda.meeting(NOW.date(), narrowed[:1], most=10_000)[:3]
    assert filled.agenda.meeting(NOW.date(), narrowed[:1], most=3) != every[:3]


def test_words_are_found_as_written_whatever_they_hold(filled: App):
    """LIKE's own characters in a word are matched as themselves, quotes as JSON writes them;
    a value stated whole is not found inside a longer one."""
    marked = {"kind": "deadline", "due": "2027-03-01"}
    for cid, title in (("cut", 'A 50% cut by the "Quint"'), ("near", "A 50 percent cut")):
        data = CommitmentCreate.model_validate({"id": cid, "title": title} | marked)
        filled.commitments.create(data, ChangeNote(effective=date(2026, 1, 1)), "test")
    window = (date(2027, 3, 1), date(2027, 3, 1))
    deadlines = frozenset({Kind.DEADLINE})
    for words in ({"50%"}, {'"quint"'}, {"50% cut", "seventy"}):
        asking = Meeting(window, deadlines, mentioning=words)
        assert [c.id for c in filled.agenda.meeting(NOW.date(), [asking])] == ["cut"], words
    whole = Meeting(window, deadlines, stating={'a 50% CUT by the "quint"'})
    assert [c.id for c in filled.agenda.meeting(NOW.date(), [whole])] == ["cut"]
    absent = Meeting(window, deadlines, stating={"cut", "50"}, mentioning={"0_ c", "5_%", "/"})
    assert filled.agenda.meeting(NOW.date(), [absent]) == []


def _names(commitment: Commitment, parties: frozenset[str], words: frozenset[str]) -> bool:
    title_words = set(re.findall("[a-z0-9]+", commitment.title.lower()))
    return bool(parties & set(commitment.parties) or words & title_words)


def _meets(
    commitment: Commitment, window: tuple[date, date] | None, kinds: Collection[Kind]
) -> bool:
    """The plain rule: of one of the kinds, and undated when no window is asked, else with a
    due that (with its end) shares a day with the window."""
    due = commitment.due
    if commitment.kind not in kinds or (window is None) != (due is None):
        return False
    if window is None or due is None:
        return True
    ends = commitment.end.last_day if commitment.end else due.last_day
    return due.first_day <= window[1] and ends >= window[0]


def test_a_cursor_this_service_did_not_give_is_refused(filled: App):
    for cursor in ("nonsense", "WyJ4Il0"):
        with pytest.raises(InvalidInput, match="cursor"):
            filled.agenda.upcoming(CommitmentFilter(), "P90D", None, cursor=cursor)
    with pytest.raises(InvalidInput, match="limit"):
        filled.agenda.upcoming(CommitmentFilter(), "P90D", None, limit=MAX_PAGE + 1)


@pytest.mark.parametrize(
    ("as_of", "known_at", "within"),
    [
        (date.min, None, "P1D"),  # read as of a past day, by revisions
        (None, date.min, "P90D"),  # read as recorded by a past day
        (date.max, None, "PT0S"),  # read from the current state
        (date(9999, 12, 1), None, "P30D"),
    ],
)
def test_a_period_at_the_calendars_edge_is_read_to_its_end(
    database_url: str, as_of: date | None, known_at: date | None, within: str
):
    """The index bounds of a period reach a day or a year beyond it; at the first or last
    day of the calendar they stop there instead of overflowing (a 500 before)."""
    with shipped_app(database_url, NOW) as app:
        found = app.agenda.upcoming(CommitmentFilter(), within, as_of, known_at=known_at)
        assert found.items == []
        assert found.as_of == (as_of or known_at)


def test_the_upgrade_fills_the_window_columns_of_existing_revisions(filled: App, database_url: str):
    """Downgrade drops the columns; upgrading again must compute what the writes stored."""
    columns = (
        revisions.c.id,
        revisions.c.due_first_day,
        revisions.c.due_start,
        revisions.c.touch_last_day,
        revisions.c.span_class,
        revisions.c.in_force_until,
    )
    database = Database.from_url(database_url)
    with database.read() as conn:
        written = conn.execute(select(*columns).order_by(revisions.c.id)).all()
    with database.engine.begin() as conn:
        command.downgrade(_config(conn), "0009")
    database.migrate()
    with database.read() as conn:
        filled_in = conn.execute(select(*columns).order_by(revisions.c.id)).all()
    database.dispose()
    assert filled_in == written
    assert any(row.in_force_until is not None for row in written)
    assert {row.span_class for row in written} == set(range(LONG + 1))
