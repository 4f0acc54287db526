"""Tracked commitments: reads, filtered lists, and writes that each append a revision."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from service.clock import Clock
from service.domain import (
    ChangeEvent,
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    CommitmentFilter,
    CommitmentPage,
    CommitmentPatch,
    FeedSelection,
    Revision,
    StatedVersion,
    Status,
    diff,
    slug_for,
)
from service.errors import (
    CommitmentNotFound,
    DuplicateCommitment,
    InvalidInput,
    RevisionConflict,
)
from service.store.codec import commitment_from_row, commitment_row, revision_from_row, stated_json
from service.store.engine import Database, after_commit
from service.store.tables import (
    commitment_parties,
    commitment_tags,
    commitments,
    data_version,
    feed_members,
    feeds,
    revisions,
)

_c = commitments.c


@dataclass(frozen=True, slots=True)
class Change:
    """A commitment write, handed to listeners inside the transaction that makes it."""

    event: ChangeEvent
    before: Commitment | None
    after: Commitment
    revision: Revision


ChangeListener = Callable[[Connection, Change], None]


class Commitments:
    """The tracked set. Every write is one transaction: row, revision, version, listeners."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        listeners: Sequence[ChangeListener] = (),
        on_version_moved: list[Callable[[], None]] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.listeners = list(listeners)
        self.on_version_moved = on_version_moved if on_version_moved is not None else []

    # ------------------------------------------------------------------ reads

    def get(self, commitment_id: str) -> Commitment:
        with self.db.read() as conn:
            found = _get(conn, commitment_id)
        if found is None:
            raise CommitmentNotFound(commitment_id)
        return found

    def page(self, where: CommitmentFilter, limit: int, offset: int) -> CommitmentPage:
        with self.db.read() as conn:
            conditions = _conditions(conn, where)
            total = conn.scalar(select(func.count()).select_from(commitments).where(*conditions))
            rows = conn.execute(_ordered(conditions).limit(limit).offset(offset)).mappings()
            items = [commitment_from_row(row) for row in rows]
        return CommitmentPage(items=items, total=total or 0, limit=limit, offset=offset)

    def matching(self, where: CommitmentFilter) -> list[Commitment]:
        """Every commitment the filter matches, ordered by due (undated last), then id."""
        with self.db.read() as conn:
            rows = conn.execute(_ordered(_conditions(conn, where))).mappings()
            return [commitment_from_row(row) for row in rows]

    def history(self, commitment_id: str) -> list[Revision]:
        with self.db.read() as conn:
            if _get(conn, commitment_id) is None:
                raise CommitmentNotFound(commitment_id)
            rows = conn.execute(
                select(revisions)
                .where(revisions.c.commitment_id == commitment_id)
                .order_by(revisions.c.revision)
            ).mappings()
            return [revision_from_row(row) for row in rows]

    def as_of(self, day: date, where: CommitmentFilter) -> list[Commitment]:
        """The commitments as they were known on `day`: revisions effective later are ignored."""
        latest = (
            select(revisions.c.commitment_id, func.max(revisions.c.revision).label("revision"))
            .where(revisions.c.effective <= day)
            .group_by(revisions.c.commitment_id)
            .subquery()
        )
        query = (
            select(revisions, _c.created_at)
            .join(
                latest,
                and_(
                    revisions.c.commitment_id == latest.c.commitment_id,
                    revisions.c.revision == latest.c.revision,
                ),
            )
            .join(commitments, _c.id == revisions.c.commitment_id)
        )
        with self.db.read() as conn:
            in_feed = _feed_test(conn, where.feed) if where.feed else None
            rows = list(conn.execute(query).mappings())
        known = [_as_commitment(row) for row in rows]
        replaced_by = {c.supersedes: c.id for c in known if c.supersedes}
        result = [
            c.model_copy(update={"superseded_by": replaced_by.get(c.id)})
            for c in known
            if where.matches(c) and (in_feed is None or in_feed(c))
        ]
        return sorted(result, key=_sort_key)

    @staticmethod
    def many_in(conn: Connection, commitment_ids: Iterable[str]) -> dict[str, Commitment]:
        """Commitments by id, inside a caller's transaction."""
        rows = conn.execute(select(commitments).where(_c.id.in_(list(commitment_ids)))).mappings()
        return {row["id"]: commitment_from_row(row) for row in rows}

    @staticmethod
    def with_statuses(conn: Connection, statuses: Iterable[Status]) -> list[Commitment]:
        """Every commitment in one of these statuses, inside a caller's transaction."""
        query = select(commitments).where(_c.status.in_([s.value for s in statuses]))
        return [commitment_from_row(row) for row in conn.execute(query).mappings()]

    @staticmethod
    def exists(conn: Connection, commitment_id: str) -> bool:
        return conn.scalar(select(_c.id).where(_c.id == commitment_id)) is not None

    def known_on(self, day: date, where: CommitmentFilter) -> list[Commitment]:
        """As known on `day`: the current state from today on, else rebuilt from revisions."""
        if day >= self.clock().date():
            return self.matching(where)
        return self.as_of(day, where)

    # ------------------------------------------------------------------ writes

    def create(self, data: CommitmentCreate, note: ChangeNote, actor: str) -> Commitment:
        with self.db.write() as conn:
            return self.create_in(conn, data, note, actor)

    def create_in(
        self, conn: Connection, data: CommitmentCreate, note: ChangeNote, actor: str
    ) -> Commitment:
        """Create inside a caller's transaction, so it commits with whatever else they write."""
        commitment_id = data.id or slug_for(data.title, data.due)
        if _get(conn, commitment_id) is not None:
            raise DuplicateCommitment(commitment_id)
        return self._write(conn, commitment_id, None, _stated(data), note, actor)

    def replace(
        self,
        commitment_id: str,
        fields: CommitmentFields,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        with self.db.write() as conn:
            before = _existing(conn, commitment_id, expected_revision)
            return self._write(conn, commitment_id, before, fields, note, actor)

    def patch(
        self,
        commitment_id: str,
        change: CommitmentPatch,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        with self.db.write() as conn:
            before = _existing(conn, commitment_id, expected_revision)
            try:
                fields = change.apply(before.fields())
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc
            return self._write(conn, commitment_id, before, fields, note, actor)

    def cancel(
        self,
        commitment_id: str,
        note: ChangeNote,
        actor: str,
        expected_revision: int | None = None,
    ) -> Commitment:
        """Mark it cancelled; it stays, so feeds can tell calendars to drop the event."""
        with self.db.write() as conn:
            before = _existing(conn, commitment_id, expected_revision)
            fields = before.with_status(Status.CANCELLED)
            return self._write(conn, commitment_id, before, fields, note, actor)

    def apply_versions(
        self, conn: Connection, commitment_id: str, versions: Sequence[StatedVersion], actor: str
    ) -> int:
        """Bring one commitment to the last of `versions`, recording the steps not yet stored.

        Returns the number of revisions written: 0 when the store already holds the last state.
        """
        before = _get(conn, commitment_id, lock=True)
        if before is not None and before.fields() == versions[-1].fields:
            return 0
        pending = _unapplied(before, versions)
        if pending is None:  # the stored state is none of these: step straight to the last
            today = self.clock().date()
            pending = [
                versions[-1].model_copy(
                    update={"effective": today, "reason": f"brought in line with {actor}"}
                )
            ]
        written = 0
        for version in pending:
            note = ChangeNote(
                reason=version.reason, effective=version.effective, source=version.source
            )
            after = self._write(conn, commitment_id, before, version.fields, note, actor)
            written += after is not before
            before = after
        return written

    def _write(
        self,
        conn: Connection,
        commitment_id: str,
        before: Commitment | None,
        fields: CommitmentFields,
        note: ChangeNote,
        actor: str,
    ) -> Commitment:
        changes = diff(before.fields() if before else None, fields)
        if before is not None and not changes:
            return before
        now = self.clock()
        effective = _effective_date(conn, commitment_id, note, before, now)
        after = Commitment(
            **fields.model_dump(exclude_computed_fields=True),
            id=commitment_id,
            superseded_by=before.superseded_by if before else None,
            revision=before.revision + 1 if before else 1,
            created_at=before.created_at if before else now,
            updated_at=now,
        )
        _store_row(conn, before, after)
        revision = Revision(
            commitment_id=commitment_id,
            revision=after.revision,
            recorded_at=now,
            effective=effective,
            actor=actor,
            reason=note.reason,
            source=note.source,
            changes=changes,
            snapshot=fields,
        )
        _insert_revision(conn, revision)
        bump_version(conn, now, self.on_version_moved)
        if fields.supersedes and fields.supersedes != (before.supersedes if before else None):
            self._mark_superseded(conn, fields.supersedes, commitment_id, note, actor)
        change = Change(event=_event(before, after), before=before, after=after, revision=revision)
        for listener in self.listeners:
            listener(conn, change)
        return after

    def _mark_superseded(
        self, conn: Connection, target_id: str, by_id: str, note: ChangeNote, actor: str
    ) -> None:
        if target_id == by_id:
            raise InvalidInput("a commitment cannot supersede itself")
        target = _get(conn, target_id, lock=True)
        if target is None:
            raise InvalidInput(f"supersedes names {target_id!r}, which is not a tracked commitment")
        fields = target.with_status(Status.SUPERSEDED)
        reason = note.reason or f"superseded by {by_id}"
        self._write(
            conn, target_id, target, fields, note.model_copy(update={"reason": reason}), actor
        )
        conn.execute(update(commitments).where(_c.id == target_id).values(superseded_by=by_id))


# ---------------------------------------------------------------------- helpers


def bump_version(
    conn: Connection, now: datetime, on_moved: Sequence[Callable[[], None]] = ()
) -> None:
    """Move the data version on, so cached feeds know to render again.

    `on_moved` callbacks run once the transaction commits: this process learns of its own
    writes at once, other processes when they next read the version.
    """
    conn.execute(
        update(data_version)
        .where(data_version.c.id == 1)
        .values(version=data_version.c.version + 1, changed_at=now)
    )
    for callback in on_moved:
        after_commit(conn, callback)


def _stated(data: CommitmentCreate) -> CommitmentFields:
    return CommitmentFields.model_validate(
        data.model_dump(exclude={"id"}, exclude_computed_fields=True)
    )


def _get(conn: Connection, commitment_id: str, *, lock: bool = False) -> Commitment | None:
    """One commitment; with `lock`, its row stays locked until the transaction ends."""
    query = select(commitments).where(_c.id == commitment_id)
    row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    return commitment_from_row(row) if row else None


def _existing(conn: Connection, commitment_id: str, expected_revision: int | None) -> Commitment:
    found = _get(conn, commitment_id, lock=True)
    if found is None:
        raise CommitmentNotFound(commitment_id)
    if expected_revision is not None and expected_revision != found.revision:
        raise RevisionConflict(commitment_id, expected_revision, found.revision)
    return found


def _effective_date(
    conn: Connection,
    commitment_id: str,
    note: ChangeNote,
    before: Commitment | None,
    now: datetime,
) -> date:
    today = now.date()
    effective = note.effective or today
    if effective > today:
        raise InvalidInput(f"the effective date {effective} is in the future; record it then")
    if before is not None:
        last = conn.scalar(
            select(func.max(revisions.c.effective)).where(
                revisions.c.commitment_id == commitment_id
            )
        )
        if last is not None and effective < last:
            raise InvalidInput(
                f"the effective date {effective} is before the last recorded change ({last}); "
                "history is append-only, so record later changes with later dates"
            )
    return effective


def _store_row(conn: Connection, before: Commitment | None, after: Commitment) -> None:
    row = commitment_row(after)
    if before is None:
        try:
            conn.execute(insert(commitments).values(row))
        except IntegrityError as exc:
            raise DuplicateCommitment(after.id) from exc
    else:
        done = conn.execute(
            update(commitments)
            .where(_c.id == after.id, _c.revision == before.revision)
            .values({k: v for k, v in row.items() if k not in {"id", "created_at"}})
        )
        if done.rowcount != 1:
            raise RevisionConflict(after.id, before.revision, before.revision + 1)
        conn.execute(
            delete(commitment_parties).where(commitment_parties.c.commitment_id == after.id)
        )
        conn.execute(delete(commitment_tags).where(commitment_tags.c.commitment_id == after.id))
    if after.parties:
        conn.execute(
            insert(commitment_parties),
            [{"commitment_id": after.id, "party": p} for p in after.parties],
        )
    if after.tags:
        conn.execute(
            insert(commitment_tags), [{"commitment_id": after.id, "tag": t} for t in after.tags]
        )


def _insert_revision(conn: Connection, revision: Revision) -> None:
    conn.execute(
        insert(revisions).values(
            commitment_id=revision.commitment_id,
            revision=revision.revision,
            recorded_at=revision.recorded_at,
            effective=revision.effective,
            actor=revision.actor,
            reason=revision.reason,
            source=revision.source.model_dump(mode="json", exclude_none=True)
            if revision.source
            else None,
            changes={k: v.model_dump(mode="json") for k, v in revision.changes.items()},
            snapshot=stated_json(revision.snapshot),
        )
    )


def _event(before: Commitment | None, after: Commitment) -> ChangeEvent:
    if before is None:
        return ChangeEvent.CREATED
    if after.status is Status.CANCELLED and before.status is not Status.CANCELLED:
        return ChangeEvent.CANCELLED
    return ChangeEvent.UPDATED


def _unapplied(
    before: Commitment | None, versions: Sequence[StatedVersion]
) -> list[StatedVersion] | None:
    """The versions after the one the store holds; None when it holds none of them."""
    if before is None:
        return list(versions)
    current = before.fields()
    for index in range(len(versions) - 1, -1, -1):
        if versions[index].fields == current:
            return list(versions[index + 1 :])
    return None


def _conditions(conn: Connection, where: CommitmentFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.kinds:
        conditions.append(_c.kind.in_([k.value for k in where.kinds]))
    if where.statuses:
        conditions.append(_c.status.in_([s.value for s in where.statuses]))
    if where.ids:
        conditions.append(_c.id.in_(where.ids))
    if where.parties:
        cp = commitment_parties.c
        conditions.append(_c.id.in_(select(cp.commitment_id).where(cp.party.in_(where.parties))))
    if where.tags:
        ct = commitment_tags.c
        conditions.append(_c.id.in_(select(ct.commitment_id).where(ct.tag.in_(where.tags))))
    if where.feed:
        selection = _feed_selection(conn, where.feed)
        if selection is not None:
            conditions.extend(_conditions(conn, selection.as_filter()))
        else:
            fm = feed_members.c
            conditions.append(_c.id.in_(select(fm.commitment_id).where(fm.feed_slug == where.feed)))
    if where.start:
        conditions.append(_c.due_last_day >= where.start)
    if where.end:
        conditions.append(_c.due_first_day <= where.end)
    if where.text:
        needle = where.text.lower()
        conditions.append(
            or_(
                func.lower(_c.title).contains(needle, autoescape=True),
                func.lower(_c.description).contains(needle, autoescape=True),
            )
        )
    return conditions


def _ordered(conditions: list[ColumnElement[bool]]) -> Select[Any]:
    return (
        select(commitments).where(*conditions).order_by(_c.due_start.is_(None), _c.due_start, _c.id)
    )


def _feed_selection(conn: Connection, slug: str) -> FeedSelection | None:
    """What a feed made through the API selects; None for a feed that lists its members."""
    stored = conn.scalar(select(feeds.c.selection).where(feeds.c.slug == slug))
    return None if stored is None else FeedSelection.model_validate(stored)


def _feed_test(conn: Connection, slug: str) -> Callable[[Commitment], bool]:
    """Whether a commitment (as known on some day) is in the feed `slug`."""
    selection = _feed_selection(conn, slug)
    if selection is not None:
        return selection.as_filter().matches
    fm = feed_members.c
    members = set(conn.scalars(select(fm.commitment_id).where(fm.feed_slug == slug)))
    return lambda commitment: commitment.id in members


def _as_commitment(row: Any) -> Commitment:
    return Commitment(
        **row["snapshot"],
        id=row["commitment_id"],
        revision=row["revision"],
        created_at=row["created_at"],
        updated_at=row["recorded_at"],
    )


def _sort_key(commitment: Commitment) -> tuple[bool, datetime | None, str]:
    due = commitment.due
    start = due.start_instant() if due else None
    return (start is None, start, commitment.id)
