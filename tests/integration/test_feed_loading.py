"""Loading the feed files into a database: once, again, changed, and broken."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.app import App
from service.domain import CommitmentFilter, Status
from service.errors import FeedFileError
from tests.support.known import known_on
from tests.unit.test_feedfiles import SHIPPED, copy_shipped, edit, shipped_catalog


def snapshot(app: App) -> tuple[object, ...]:
    everything = app.commitments.page(CommitmentFilter(), 500, 0).items
    histories = [app.commitments.history(c.id) for c in everything]
    with app.context.store.read() as tx:
        return tx.versions.current(), tx.feeds.summaries(), everything, histories


def _version(app: App) -> object:
    with app.context.store.read() as tx:
        return tx.versions.current()


def test_loading_twice_writes_nothing_the_second_time(app: App) -> None:
    catalog = shipped_catalog()
    first = app.feeds.load(SHIPPED)
    assert first.commitments_created == 51
    assert first.revisions_written == sum(len(v) for v in catalog.commitments.values())
    version = _version(app)
    second = app.feeds.load(SHIPPED)
    assert (second.revisions_written, second.commitments_unchanged) == (0, 51)
    assert not second.changed_anything
    assert _version(app) == version


def test_changing_one_date_writes_one_revision(app: App, tmp_path: Path) -> None:
    app.feeds.load(SHIPPED)
    before = app.commitments.get("us-election-2016")
    paths = copy_shipped(tmp_path)
    edit(tmp_path / "elections.yaml", 'due: "2016-11-08"', 'due: "2016-11-09"')
    report = app.feeds.load(paths)
    assert report.revisions_written == 1
    stored = app.commitments.get("us-election-2016")
    assert stored.due is not None and stored.due.value == "2016-11-09"
    assert stored.revision == before.revision + 1


def test_history_is_queryable_as_of_a_day(app: App) -> None:
    app.feeds.load(SHIPPED)
    only = CommitmentFilter(ids=("new-start-expiry",))
    [then] = known_on(app, date(2019, 5, 14), only)
    assert then.due is not None and then.due.value == "2021-02-05"
    assert then.status is Status.SCHEDULED
    now = app.commitments.get("new-start-expiry")
    assert now.due is not None and now.due.value == "2026-02-05"
    history = app.commitments.history("new-start-expiry")
    moved = next(r for r in history[1:] if "due" in r.changes).describe()
    assert moved.startswith("due moved from 2021-02-05 to 2026-02-05; sources: added https://")
    assert " on 2021-02-03 " in moved
    extension = "https://sputniknews.com/world/202102031081969204"
    assert not any(extension in (s.url or "") for s in then.sources)  # cited from 2021 on


def test_undecided_meeting_as_of_the_article(app: App) -> None:
    app.feeds.load(SHIPPED)
    only = CommitmentFilter(ids=("trump-putin-next-meeting-2019",))
    [then] = known_on(app, date(2019, 5, 14), only)
    assert (then.due, then.status) == (None, Status.TENTATIVE)


def test_malformed_file_leaves_the_database_as_it_was(app: App, tmp_path: Path) -> None:
    app.feeds.load(SHIPPED)
    before = snapshot(app)
    paths = copy_shipped(tmp_path)
    edit(tmp_path / "elections.yaml", 'due: "2016-11-08"', 'due: "2016-11-09"')
    edit(tmp_path / "summits.yaml", 'kind: summit\n    due: "2018-07-16"', "kind: sumit")
    with pytest.raises(FeedFileError, match=r"summits\.yaml:\d+: kind: Input should be"):
        app.feeds.load(paths)
    assert snapshot(app) == before
