"""`q` is answered through a text index on both databases, and the index follows every write."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from service.app import App
from service.domain import ChangeNote, CommitmentCreate, CommitmentFilter, CommitmentPatch
from service.store import Database, search
from service.store.commitments import _ordered
from service.store.commitments import filter_conditions as conditions


def _found(app: App, needle: str) -> list[str]:
    page = app.commitments.page(CommitmentFilter(text=needle), limit=50, offset=0)
    return [c.id for c in page.items]


def _track(app: App, cid: str, title: str, description: str = "") -> None:
    data = {"id": cid, "title": title, "description": description, "kind": "summit", "due": "2030"}
    app.commitments.create(CommitmentCreate.model_validate(data), ChangeNote(), "test")


def test_the_index_follows_titles_as_they_change(app: App):
    _track(app, "helsinki", "Trump-Putin summit in Helsinki", "At the Presidential Palace.")
    _track(app, "geneva", "Biden-Putin summit in Geneva", "Villa La Grange, 16 June 2021.")
    assert _found(app, "SUMMIT") == ["geneva", "helsinki"]
    assert _found(app, "la gran") == ["geneva"]
    assert _found(app, "palace.") == ["helsinki"]
    rename = CommitmentPatch.model_validate({"title": "Trump-Putin talks in Helsinki"})
    app.commitments.patch("helsinki", rename, ChangeNote(), "test")
    assert _found(app, "summit") == ["geneva"]
    assert _found(app, "TALKS") == ["helsinki"]
    assert _found(app, "IN") == ["geneva", "helsinki"]  # too short to index: read by a scan


def test_a_search_reads_the_index_not_every_row(app: App, database_url: str):
    _track(app, "geneva", "Biden-Putin summit in Geneva")
    database = Database.from_url(database_url)
    with database.read() as conn:
        query = _ordered(conditions(conn, CommitmentFilter(text="summit")))
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        if conn.dialect.name == "sqlite":
            plan = " ".join(
                str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            )
            assert "USING INTEGER PRIMARY KEY (rowid=?)" in plan, "the rows the index found"
        else:
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # as on a large table
            conn.execute(text("SET LOCAL enable_indexscan = off"))  # not the order's index
            plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
            assert "ix_commitments_title_trigrams" in plan
    database.dispose()


def test_a_common_needle_reads_in_list_order_and_counts_a_floor(
    app: App, monkeypatch: pytest.MonkeyPatch
):
    """Thresholds lowered, so that eight rows make a needle common and a count overflow."""
    for n in range(8):
        _track(app, f"round-{n}", f"Strategic stability talks, round {n}")
    _track(app, "other", "Summit in Geneva")
    whole = app.commitments.page(CommitmentFilter(text="stability"), limit=50, offset=0)
    assert (whole.total, whole.total_exact) == (8, True)
    monkeypatch.setattr(search, "SPARSE", 2)
    monkeypatch.setattr(search, "COUNTED", 5)
    for offset in (0, 3, 6):
        page = app.commitments.page(CommitmentFilter(text="STABILITY"), limit=3, offset=offset)
        assert [c.id for c in page.items] == [c.id for c in whole.items][offset : offset + 3]
        assert (page.total, page.total_exact) == (5, False), "at least five, maybe more"
    few = app.commitments.page(CommitmentFilter(text="geneva"), limit=3, offset=0)
    assert ([c.id for c in few.items], few.total, few.total_exact) == (["other"], 1, True)


def test_a_needles_trigrams_held_apart_are_not_a_match(app: App):
    """The index knows which rows hold a trigram, not where: the LIKE decides."""
    _track(app, "scattered", "Tree planting in the area", "Eat local.")
    _track(app, "together", "Treaty talks")
    assert _found(app, "treat") == ["together"]
    assert _found(app, "tree area") == []


def test_query_syntax_in_a_needle_is_read_as_text(app: App):
    _track(app, "quoted", 'The "New START" treaty', "Extended: NOT expired* (yet)")
    assert _found(app, '"new start"') == ["quoted"]
    assert _found(app, "NOT expired*") == ["quoted"]
    assert _found(app, "d* (y") == ["quoted"]
    assert _found(app, '"" AND OR') == []
