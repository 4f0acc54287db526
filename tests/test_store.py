"""The store, written once and run on every backend (SQLite, then PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import Connection, func, select

from service.domain import (
    ChangeEvent,
    ChangeNote,
    CommitmentCreate,
    CommitmentFilter,
    CommitmentPatch,
    Due,
    Scope,
    Source,
    Status,
)
from service.errors import (
    CommitmentNotFound,
    DuplicateCommitment,
    InvalidInput,
    RevisionConflict,
)
from service.store import Change, Store
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


def _track_new_start(store: Store) -> None:
    """The worked example: known since 2011, extended on 2021-02-03, expired 2026-02-05."""
    store.commitments.create(
        _new_start(), ChangeNote(effective=date(2011, 2, 5), reason="in force"), "test"
    )
    store.commitments.patch(
        "new-start-expiry",
        CommitmentPatch.model_validate({"due": "2026-02-05"}),
        ChangeNote(
            effective=date(2021, 2, 3), reason="extension by exchange of notes", source=EXTENSION
        ),
        "test",
    )


@freeze_time(NOW)
def test_a_commitment_round_trips_with_aware_utc_times(store: Store):
    created = store.commitments.create(_new_start(), ChangeNote(), "test")
    found = store.commitments.get("new-start-expiry")
    assert found == created
    assert found.created_at == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert found.created_at.tzinfo is not None and found.updated_at.utcoffset() == timedelta(0)
    assert found.due == Due(value="2021-02-05")
    assert found.revision == 1


@freeze_time(NOW)
def test_an_id_is_made_from_the_title_when_none_is_given(store: Store):
    created = store.commitments.create(_new_start(id=None), ChangeNote(), "test")
    assert created.id == "new-start-expires-2021"


@freeze_time(NOW)
def test_a_duplicate_id_is_refused(store: Store):
    store.commitments.create(_new_start(), ChangeNote(), "test")
    with pytest.raises(DuplicateCommitment, match="new-start-expiry"):
        store.commitments.create(_new_start(title="Other"), ChangeNote(), "test")


@freeze_time(NOW)
def test_every_change_appends_a_revision_with_its_reason_and_source(store: Store):
    _track_new_start(store)
    history = store.commitments.history("new-start-expiry")
    assert [r.revision for r in history] == [1, 2]
    assert history[1].describe() == (
        "due moved from 2021-02-05 to 2026-02-05 on 2021-02-03 (extension by exchange of notes)"
    )
    assert history[1].source == EXTENSION
    assert history[1].recorded_at == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert history[0].snapshot.due == Due(value="2021-02-05")
    assert store.commitments.get("new-start-expiry").revision == 2


@freeze_time(NOW)
def test_a_change_that_changes_nothing_writes_nothing(store: Store):
    _track_new_start(store)
    version = store.feeds.version()
    same = store.commitments.patch(
        "new-start-expiry",
        CommitmentPatch.model_validate({"title": "New START expires"}),
        ChangeNote(),
        "t",
    )
    assert same.revision == 2
    assert store.feeds.version() == version
    assert len(store.commitments.history("new-start-expiry")) == 2


@freeze_time(NOW)
def test_as_of_answers_from_what_was_known_that_day(store: Store):
    _track_new_start(store)
    everything = CommitmentFilter()
    (then,) = store.commitments.as_of(date(2019, 5, 14), everything)
    assert then.due == Due(value="2021-02-05")
    assert then.revision == 1
    (after,) = store.commitments.as_of(date(2021, 2, 3), everything)
    assert after.due == Due(value="2026-02-05")
    assert store.commitments.as_of(date(2011, 2, 4), everything) == []
    assert store.commitments.as_of(date(2019, 5, 14), CommitmentFilter(parties=("CN",))) == []


@freeze_time(NOW)
def test_history_is_append_only_in_effective_time(store: Store):
    _track_new_start(store)
    with pytest.raises(InvalidInput, match="before the last recorded change"):
        store.commitments.patch(
            "new-start-expiry",
            CommitmentPatch.model_validate({"title": "Renamed"}),
            ChangeNote(effective=date(2020, 1, 1)),
            "t",
        )
    with pytest.raises(InvalidInput, match="is in the future"):
        store.commitments.patch(
            "new-start-expiry",
            CommitmentPatch.model_validate({"title": "Renamed"}),
            ChangeNote(effective=date(2027, 1, 1)),
            "t",
        )
    assert store.commitments.get("new-start-expiry").title == "New START expires"


@freeze_time(NOW)
def test_a_stale_expected_revision_is_refused(store: Store):
    _track_new_start(store)
    with pytest.raises(RevisionConflict, match="is at revision 2, not 1"):
        store.commitments.cancel("new-start-expiry", ChangeNote(), "t", expected_revision=1)
    assert store.commitments.get("new-start-expiry").status is Status.SCHEDULED


@freeze_time(NOW)
def test_cancelling_keeps_the_commitment_and_is_idempotent(store: Store):
    _track_new_start(store)
    cancelled = store.commitments.cancel("new-start-expiry", ChangeNote(reason="test"), "t")
    assert (cancelled.status, cancelled.revision) == (Status.CANCELLED, 3)
    again = store.commitments.cancel("new-start-expiry", ChangeNote(), "t")
    assert again.revision == 3
    with pytest.raises(CommitmentNotFound):
        store.commitments.cancel("no-such-thing", ChangeNote(), "t")


@freeze_time(NOW)
def test_superseding_marks_the_old_commitment_in_the_same_write(store: Store):
    store.commitments.create(
        _new_start(id="old-expiry", title="Old", due="2021-02-05"), ChangeNote(), "t"
    )
    store.commitments.create(
        _new_start(id="new-expiry", due="2026-02-05", supersedes="old-expiry"), ChangeNote(), "t"
    )
    old = store.commitments.get("old-expiry")
    assert (old.status, old.superseded_by, old.revision) == (Status.SUPERSEDED, "new-expiry", 2)
    (then,) = store.commitments.as_of(date(2026, 11, 27), CommitmentFilter(ids=("old-expiry",)))
    assert then.superseded_by == "new-expiry"
    with pytest.raises(InvalidInput, match="not a tracked commitment"):
        store.commitments.create(_new_start(id="x", supersedes="missing"), ChangeNote(), "t")
    with pytest.raises(CommitmentNotFound):
        store.commitments.get("x")


@freeze_time(NOW)
def test_filters_paging_and_order(store: Store):
    rows = [
        ("helsinki-2018", "summit", "2018-07-16", ["US", "RU"], "Trump-Putin summit, Helsinki"),
        ("new-start-2021", "treaty_expiry", "2021", ["US", "RU"], "New START expires"),
        ("osaka-2019", "summit", "2019-06-28", ["JP"], "G20 Osaka"),
        ("next-meeting", "meeting", None, ["US", "RU"], "Possible next meeting"),
    ]
    for cid, kind, due, parties, title in rows:
        status = "tentative" if due is None else "scheduled"
        data = {"id": cid, "kind": kind, "due": due, "parties": parties, "title": title}
        store.commitments.create(
            CommitmentCreate.model_validate(data | {"status": status}), ChangeNote(), "t"
        )

    def ids(**kwargs: object) -> list[str]:
        return [c.id for c in store.commitments.matching(CommitmentFilter.model_validate(kwargs))]

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
    page = store.commitments.page(CommitmentFilter(), limit=2, offset=1)
    assert [c.id for c in page.items] == ["osaka-2019", "new-start-2021"]
    assert page.total == 4


@freeze_time(NOW)
def test_listeners_run_inside_the_write_and_can_veto_it(store: Store):
    seen: list[tuple[ChangeEvent, int]] = []

    def record(conn: Connection, change: Change) -> None:
        count = conn.scalar(select(func.count()).select_from(revisions))
        seen.append((change.event, count or 0))

    store.commitments.listeners.append(record)
    _track_new_start(store)
    store.commitments.cancel("new-start-expiry", ChangeNote(), "t")
    assert seen == [(ChangeEvent.CREATED, 1), (ChangeEvent.UPDATED, 2), (ChangeEvent.CANCELLED, 3)]

    def refuse(conn: Connection, change: Change) -> None:
        raise RuntimeError("planner failed")

    store.commitments.listeners[:] = [refuse]
    with pytest.raises(RuntimeError):
        store.commitments.create(_new_start(id="vetoed"), ChangeNote(), "t")
    with pytest.raises(CommitmentNotFound):
        store.commitments.get("vetoed")


def test_concurrent_writers_lose_no_update(store: Store):
    store.commitments.create(_new_start(), ChangeNote(), "test")
    errors: list[BaseException] = []

    def rename(n: int) -> None:
        try:
            for i in range(5):
                patch = CommitmentPatch.model_validate({"description": f"writer {n} step {i}"})
                store.commitments.patch("new-start-expiry", patch, ChangeNote(), f"writer-{n}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=rename, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    history = store.commitments.history("new-start-expiry")
    assert [r.revision for r in history] == list(range(1, 22))
    assert store.commitments.get("new-start-expiry").revision == 21


@freeze_time(NOW)
def test_the_data_version_moves_with_every_write(store: Store):
    start = store.feeds.version().version
    _track_new_start(store)
    assert store.feeds.version().version == start + 2
    assert store.feeds.version().changed_at == datetime(2026, 11, 27, 12, tzinfo=UTC)


@freeze_time(NOW)
def test_api_keys_are_stored_hashed_and_can_be_revoked(store: Store):
    key, token = store.keys.create("newsroom", Scope.WRITE)
    assert token.startswith(f"tcal_{key.id}_")
    assert store.keys.verify(token) == key
    assert store.keys.verify(token + "x") is None
    with store.db.read() as conn:
        stored = list(conn.execute(select(api_keys)).mappings())
    assert token not in str(stored)
    revoked = store.keys.revoke(key.id)
    assert revoked.revoked_at is not None
    assert store.keys.verify(token) is None
