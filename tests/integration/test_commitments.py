"""Commitments through the use cases and the store, written once, run on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from service.alerts import Planner
from service.app import App
from service.domain import (
    Change,
    ChangeEvent,
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFilter,
    CommitmentPatch,
    Due,
    Scope,
    Source,
    Status,
    diff,
)
from service.errors import (
    CommitmentNotFound,
    DuplicateCommitment,
    InvalidInput,
    RevisionConflict,
)
from service.store import DataVersion, Tx
from service.store.tables import api_keys, revisions

NOW = "2026-11-27T12:00:00Z"
EXTENSION = Source(url="https://example.org/new-start-extension", title="Extension in force")


def _new_start(**overrides: object) -> CommitmentCreate:
    data = {
        "id": "new-start-expiry",
        "title": "New START expires",
        "kind": "treaty_expiry",
        "due": "2021-02-05",
        "parties": ["US", "RU"],
        "tags": ["new-start"],
    }
    return CommitmentCreate.model_validate(data | overrides)


def _track_new_start(app: App) -> None:
    """The worked example: known since 2011, extended on 2021-02-03, expired 2026-02-05."""
    app.commitments.create(
        _new_start(), ChangeNote(effective=date(2011, 2, 5), reason="in force"), "test"
    )
    app.commitments.patch(
        "new-start-expiry",
        CommitmentPatch.model_validate({"due": "2026-02-05"}),
        ChangeNote(
            effective=date(2021, 2, 3), reason="extension by exchange of notes", source=EXTENSION
        ),
        "test",
    )


def _as_of(app: App, day: date, where: CommitmentFilter) -> list[Commitment]:
    """As known on `day`, always rebuilt from the revisions (even for today)."""
    with app.context.store.read() as tx:
        return [c for c in tx.commitments.as_of(day) if where.matches(c)]


def _matching(app: App, where: CommitmentFilter) -> list[Commitment]:
    with app.context.store.read() as tx:
        return tx.commitments.matching(where)


def _version(app: App) -> DataVersion:
    with app.context.store.read() as tx:
        return tx.versions.current()


def _verify(app: App, token: str) -> object:
    with app.context.store.read() as tx:
        return tx.keys.verify(token)


@freeze_time(NOW)
def test_a_commitment_round_trips_with_aware_utc_times(app: App):
    created = app.commitments.create(_new_start(), ChangeNote(), "test")
    found = app.commitments.get("new-start-expiry")
    assert found == created
    assert found.created_at == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert found.created_at.tzinfo is not None and found.updated_at.utcoffset() == timedelta(0)
    assert found.due == Due(value="2021-02-05")
    assert found.revision == 1


@freeze_time(NOW)
def test_an_id_is_made_from_the_title_when_none_is_given(app: App):
    created = app.commitments.create(_new_start(id=None), ChangeNote(), "test")
    assert created.id == "new-start-expires-2021"


@freeze_time(NOW)
def test_a_duplicate_id_is_refused(app: App):
    app.commitments.create(_new_start(), ChangeNote(), "test")
    with pytest.raises(DuplicateCommitment, match="new-start-expiry"):
        app.commitments.create(_new_start(title="Other"), ChangeNote(), "test")


@freeze_time(NOW)
def test_every_change_appends_a_revision_with_its_reason_and_source(app: App):
    _track_new_start(app)
    history = app.commitments.history("new-start-expiry")
    assert [r.revision for r in history] == [1, 2]
    assert history[1].describe() == (
        "due moved from 2021-02-05 to 2026-02-05; sources: added "
        "https://example.org/new-start-extension on 2021-02-03 (extension by exchange of notes)"
    )
    assert history[1].source == EXTENSION
    assert history[1].recorded_at == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert history[0].snapshot.due == Due(value="2021-02-05")
    assert app.commitments.get("new-start-expiry").revision == 2


@freeze_time(NOW)
def test_a_first_revision_keeps_its_changes_in_its_snapshot_and_reads_them_back(app: App):
    """Stored as JSON null, a first revision's changes read back as every stated field from
    nothing, as `diff` made them; a later revision stores what it changed."""
    _track_new_start(app)
    history = app.commitments.history("new-start-expiry")
    with app.context.store.db.read() as conn:
        stored = conn.execute(
            select(revisions.c.revision, revisions.c.changes).order_by(revisions.c.revision)
        ).all()
    assert [(n, changes is None) for n, changes in stored] == [(1, True), (2, False)]
    assert stored[1].changes.keys() == {"due", "sources"}
    assert history[0].changes == diff(None, history[0].snapshot)
    assert history[0].changes["due"].after == {"value": "2021-02-05", "tz": None}
    assert {change.before for change in history[0].changes.values()} == {None}


@freeze_time(NOW)
def test_a_change_that_changes_nothing_writes_nothing(app: App):
    _track_new_start(app)
    version = _version(app)
    same = app.commitments.patch(
        "new-start-expiry",
        CommitmentPatch.model_validate({"title": "New START expires"}),
        ChangeNote(),
        "t",
    )
    assert same.revision == 2
    assert _version(app) == version
    assert len(app.commitments.history("new-start-expiry")) == 2


@freeze_time(NOW)
def test_as_of_answers_from_what_was_known_that_day(app: App):
    _track_new_start(app)
    everything = CommitmentFilter()
    (then,) = _as_of(app, date(2019, 5, 14), everything)
    assert then.due == Due(value="2021-02-05")
    assert then.revision == 1
    (after,) = _as_of(app, date(2021, 2, 3), everything)
    assert after.due == Due(value="2026-02-05")
    assert _as_of(app, date(2011, 2, 4), everything) == []
    assert _as_of(app, date(2019, 5, 14), CommitmentFilter(parties=("CN",))) == []


@freeze_time(NOW)
def test_history_is_append_only_in_effective_time(app: App):
    _track_new_start(app)
    with pytest.raises(InvalidInput, match="before the last recorded change"):
        app.commitments.patch(
            "new-start-expiry",
            CommitmentPatch.model_validate({"title": "Renamed"}),
            ChangeNote(effective=date(2020, 1, 1)),
            "t",
        )
    with pytest.raises(InvalidInput, match="is in the future"):
        app.commitments.patch(
            "new-start-expiry",
            CommitmentPatch.model_validate({"title": "Renamed"}),
            ChangeNote(effective=date(2027, 1, 1)),
            "t",
        )
    assert app.commitments.get("new-start-expiry").title == "New START expires"


@freeze_time(NOW)
def test_a_stale_expected_revision_is_refused(app: App):
    _track_new_start(app)
    with pytest.raises(RevisionConflict, match="is at revision 2, not 1"):
        app.commitments.cancel("new-start-expiry", ChangeNote(), "t", expected_revision=1)
    assert app.commitments.get("new-start-expiry").status is Status.SCHEDULED


@freeze_time(NOW)
def test_cancelling_keeps_the_commitment_and_is_idempotent(app: App):
    _track_new_start(app)
    cancelled = app.commitments.cancel("new-start-expiry", ChangeNote(reason="test"), "t")
    assert (cancelled.status, cancelled.revision) == (Status.CANCELLED, 3)
    again = app.commitments.cancel("new-start-expiry", ChangeNote(), "t")
    assert again.revision == 3
    with pytest.raises(CommitmentNotFound):
        app.commitments.cancel("no-such-thing", ChangeNote(), "t")


@freeze_time(NOW)
def test_superseding_marks_the_old_commitment_in_the_same_write(app: App):
    app.commitments.create(
        _new_start(id="old-expiry", title="Old", due="2021-02-05"), ChangeNote(), "t"
    )
    app.commitments.create(
        _new_start(id="new-expiry", due="2026-02-05", supersedes="old-expiry"), ChangeNote(), "t"
    )
    old = app.commitments.get("old-expiry")
    assert (old.status, old.superseded_by, old.revision) == (Status.SUPERSEDED, "new-expiry", 2)
    (then,) = _as_of(app, date(2026, 11, 27), CommitmentFilter(ids=("old-expiry",)))
    assert then.superseded_by == "new-expiry"
    with pytest.raises(InvalidInput, match="not a tracked commitment"):
        app.commitments.create(_new_start(id="x", supersedes="missing"), ChangeNote(), "t")
    with pytest.raises(CommitmentNotFound):
        app.commitments.get("x")


@freeze_time(NOW)
def test_filters_paging_and_order(app: App):
    rows = [
        ("helsinki-2018", "summit", "2018-07-16", ["US", "RU"], "Trump-Putin summit, Helsinki"),
        ("new-start-2021", "treaty_expiry", "2021", ["US", "RU"], "New START expires"),
        ("osaka-2019", "summit", "2019-06-28", ["JP"], "G20 Osaka"),
        ("next-meeting", "meeting", None, ["US", "RU"], "Possible next meeting"),
    ]
    for cid, kind, due, parties, title in rows:
        status = "tentative" if due is None else "scheduled"
        data = {"id": cid, "kind": kind, "due": due, "parties": parties, "title": title}
        app.commitments.create(
            CommitmentCreate.model_validate(data | {"status": status}), ChangeNote(), "t"
        )

    def ids(**kwargs: object) -> list[str]:
        return [c.id for c in _matching(app, CommitmentFilter.model_validate(kwargs))]

    assert ids() == ["helsinki-2018", "osaka-2019", "new-start-2021", "next-meeting"]
    assert ids(kinds=["summit"]) == ["helsinki-2018", "osaka-2019"]
    assert ids(parties=["JP", "RU"]) == [
        "helsinki-2018",
        "osaka-2019",
        "new-start-2021",
        "next-meeting",
    ]
    assert ids(parties=["JP"]) == ["osaka-2019"]
    assert ids(start="2019-01-01", end="2021-06-30") == ["osaka-2019", "new-start-2021"]
    assert ids(text="HELSINKI") == ["helsinki-2018"]
    assert ids(text="100%_") == []
    assert ids(statuses=["tentative"]) == ["next-meeting"]
    page = app.commitments.page(CommitmentFilter(), limit=2, offset=1)
    assert [c.id for c in page.items] == ["osaka-2019", "new-start-2021"]
    assert page.total == 4


@dataclass(frozen=True, slots=True)
class _Recording(Planner):
    """The real planner, noting each change it is asked to plan, and how much history exists."""

    seen: list[tuple[ChangeEvent, int]] = field(default_factory=list)

    def plan(self, tx: Tx, change: Change) -> None:
        self.seen.append((change.event, len(tx.commitments.history(change.after.id))))
        Planner.plan(self, tx, change)


class _Failing(Planner):
    def plan(self, tx: Tx, change: Change) -> None:
        raise RuntimeError("planner failed")


@freeze_time(NOW)
def test_planning_runs_inside_the_write_and_a_failure_undoes_it(app: App):
    recording = _Recording(app.context.planner.rules)
    app.context.planner = recording
    _track_new_start(app)
    app.commitments.cancel("new-start-expiry", ChangeNote(), "t")
    assert recording.seen == [
        (ChangeEvent.CREATED, 1),
        (ChangeEvent.UPDATED, 2),
        (ChangeEvent.CANCELLED, 3),
    ]

    app.context.planner = _Failing(recording.rules)
    with pytest.raises(RuntimeError):
        app.commitments.create(_new_start(id="vetoed"), ChangeNote(), "t")
    with pytest.raises(CommitmentNotFound):
        app.commitments.get("vetoed")


def test_concurrent_writers_lose_no_update(app: App):
    app.commitments.create(_new_start(), ChangeNote(), "test")
    errors: list[BaseException] = []

    def rename(n: int) -> None:
        try:
            for i in range(5):
                patch = CommitmentPatch.model_validate({"description": f"writer {n} step {i}"})
                app.commitments.patch("new-start-expiry", patch, ChangeNote(), f"writer-{n}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=rename, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    history = app.commitments.history("new-start-expiry")
    assert [r.revision for r in history] == list(range(1, 22))
    assert app.commitments.get("new-start-expiry").revision == 21


@freeze_time(NOW)
def test_the_data_version_moves_with_every_write(app: App):
    start = _version(app).version
    _track_new_start(app)
    assert _version(app).version == start + 2
    assert _version(app).changed_at == datetime(2026, 11, 27, 12, tzinfo=UTC)


@freeze_time(NOW)
def test_api_keys_are_stored_hashed_and_can_be_revoked(app: App):
    key, token = app.keys.create("newsroom", Scope.WRITE)
    assert token.startswith(f"tcal_{key.id}_")
    assert _verify(app, token) == key
    assert _verify(app, token + "x") is None
    with app.context.store.db.read() as conn:
        stored = list(conn.execute(select(api_keys)).mappings())
    assert token not in str(stored)
    revoked = app.keys.revoke(key.id)
    assert revoked.revoked_at is not None
    assert _verify(app, token) is None
