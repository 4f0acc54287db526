"""Tracked commitments in one transaction: reads, filtered lists, and writes with revisions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import nullcontext
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from service.clock import Clock
from service.domain import (
    ACTIVE_STATUSES,
    Change,
    ChangeNote,
    Commitment,
    CommitmentFields,
    CommitmentFilter,
    CommitmentPage,
    FeedSelection,
    FieldChange,
    Kind,
    Revision,
    Status,
    ascii_lower,
    assembled,
    by_due,
    change_event,
    created_changes,
    diff,
)
from service.errors import CommitmentNotFound, DuplicateCommitment, InvalidInput, RevisionConflict
from service.store import search
from service.store.behind import queued
from service.store.codec import (
    commitment_from_row,
    commitment_row,
    revision_from_row,
    snapshot_dues,
    stated_json,
)
from service.store.rows import insert_rows
from service.store.tables import (
    LISTED_ORDER,
    commitment_parties,
    commitment_tags,
    commitments,
    feed_members,
    feeds,
    revisions,
)
from service.store.text import LIKE_ESCAPE, json_mention, lowered
from service.store.versions import next_seqs
from service.store.windows import PageKey, touch_columns, touching_by_class, window_values

_c = commitments.c
_CHANGES = TypeAdapter(dict[str, FieldChange])
_FIRST_CHANGES = TypeAdapter(list[dict[str, FieldChange]])
"""A batch's first revisions' changes, validated in one call from their stored JSON."""


class Commitments:
    """The tracked set, bound to one transaction. A write appends a revision; it never plans."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self._successors: dict[tuple[date, datetime | None], dict[str, str]] = {}
        """`_replaced_by` answers in this transaction, forgotten on any write."""

    # ------------------------------------------------------------------ reads

    def find(self, commitment_id: str, *, lock: bool = False) -> Commitment | None:
        """One commitment or None; with `lock`, its row stays locked until the transaction ends."""
        query = select(commitments).where(_c.id == commitment_id)
        row = self._conn.execute(query.with_for_update() if lock else query).mappings().first()
        return commitment_from_row(row) if row else None

    def get(self, commitment_id: str, *, lock: bool = False) -> Commitment:
        found = self.find(commitment_id, lock=lock)
        if found is None:
            raise CommitmentNotFound(commitment_id)
        return found

    def exists(self, commitment_id: str) -> bool:
        return self._conn.scalar(select(_c.id).where(_c.id == commitment_id)) is not None

    def page(self, where: CommitmentFilter, limit: int, offset: int) -> CommitmentPage:
        """A page in list order, with the number matched: exact up to search.COUNTED, else a
        floor."""
        narrowing = search.narrowed(self._conn, where.text) if where.text else search.UNNARROWED
        counted = filter_conditions(self._conn, where, narrowing, counting=True)
        found = select(true()).select_from(commitments).where(*counted).limit(search.COUNTED + 1)
        total = self._conn.scalar(select(func.count()).select_from(found.subquery())) or 0
        read = filter_conditions(self._conn, where, narrowing)
        rows = self._conn.execute(_ordered(read).limit(limit).offset(offset)).mappings()
        return CommitmentPage(
            items=[commitment_from_row(row) for row in rows],
            total=min(total, search.COUNTED),
            total_exact=narrowing.complete and total <= search.COUNTED,
            limit=limit,
            offset=offset,
        )

    def count(self, where: CommitmentFilter) -> int:
        conditions = filter_conditions(self._conn, where)
        query = select(func.count()).select_from(commitments).where(*conditions)
        return self._conn.scalar(query) or 0

    def matching(self, where: CommitmentFilter) -> list[Commitment]:
        """Every commitment the filter matches, ordered by due (undated last), then id."""
        rows = self._conn.execute(_ordered(filter_conditions(self._conn, where))).mappings()
        return [commitment_from_row(row) for row in rows]

    def coming(
        self, where: CommitmentFilter, start: date, until: date, after: PageKey | None, limit: int
    ) -> list[Commitment]:
        """Up to `limit` active commitments the filter matches that touch start..until (from
        due to end), after the key `after`, by (due_start, id): one index range per span class.

        The caller still applies the whole rule (`domain.upcoming`: statuses as of the day).
        """
        filtered = filter_conditions(self._conn, where)  # once: a text or feed filter asks the db
        paged = after is not None
        page = (
            _coming_page(tuple(filtered), paged)
            if filtered
            else _statement(("coming", paged), lambda: _coming_page((), paged))
        )
        values = window_values(start, until, after) | {"page_limit": limit}
        rows = self._conn.execute(page, values).mappings()
        return sorted((commitment_from_row(row) for row in rows), key=by_due)

    def undated(self, where: CommitmentFilter, limit: int) -> list[Commitment]:
        """Up to `limit` tentative commitments the filter matches that have no due (yet), by id."""
        no_due = and_(_c.span_class == 0, _c.due_start.is_(None))
        query = (
            select(commitments)
            .where(
                *filter_conditions(self._conn, where), no_due, _c.status == Status.TENTATIVE.value
            )
            .order_by(_c.id)
            .limit(limit)
        )
        return [commitment_from_row(row) for row in self._conn.execute(query).mappings()]

    def many(self, commitment_ids: Iterable[str]) -> dict[str, Commitment]:
        """Commitments by id."""
        query = select(commitments).where(_c.id.in_(list(commitment_ids)))
        return {row["id"]: commitment_from_row(row) for row in self._conn.execute(query).mappings()}

    def locked_after(self, after_id: str, limit: int) -> list[Commitment]:
        """The next `limit` commitments by id after `after_id`, their rows locked till commit."""
        query = select(commitments).where(_c.id > after_id).order_by(_c.id).limit(limit)
        rows = self._conn.execute(query.with_for_update()).mappings()
        return [commitment_from_row(row) for row in rows]

    def with_statuses(self, statuses: Iterable[Status]) -> list[Commitment]:
        """Every commitment in one of these statuses."""
        query = select(commitments).where(_c.status.in_([s.value for s in statuses]))
        return [commitment_from_row(row) for row in self._conn.execute(query).mappings()]

    def dependents(self, anchor_id: str) -> list[str]:
        """The ids of the commitments whose due rule follows `anchor_id`, by the index."""
        query = select(_c.id).where(_c.due_after == anchor_id).order_by(_c.id)
        return list(self._conn.scalars(query))

    def last_effective(self, commitment_id: str) -> date | None:
        """When its latest recorded change took effect in the world."""
        query = select(func.max(revisions.c.effective)).where(
            revisions.c.commitment_id == commitment_id
        )
        last: date | None = self._conn.scalar(query)
        return last

    def history(self, commitment_id: str) -> list[Revision]:
        if not self.exists(commitment_id):
            raise CommitmentNotFound(commitment_id)
        rows = self._conn.execute(
            select(revisions)
            .where(revisions.c.commitment_id == commitment_id)
            .order_by(revisions.c.revision)
        ).mappings()
        return [revision_from_row(row) for row in rows]

    def recorded_since(
        self, seq: int, limit: int, where: CommitmentFilter
    ) -> list[tuple[int, Revision]]:
        """Revisions after `seq` in commit order, with their seq, of what `where` matches now."""
        query = _revisions_of(self._conn, where).where(revisions.c.seq > seq)
        rows = self._conn.execute(query.order_by(revisions.c.seq).limit(limit)).mappings()
        return [(row["seq"], revision_from_row(row)) for row in rows]

    def latest_revisions(self, where: CommitmentFilter, limit: int) -> list[Revision]:
        """The `limit` revisions of what `where` matches now that took effect last, newest first.

        By effective date, not by seq: a feed loaded in one go records its whole history at
        once, and what a reader wants first is what changed in the world most recently.
        """
        newest = (revisions.c.effective.desc(), revisions.c.seq.desc())
        query = _revisions_of(self._conn, where).order_by(*newest).limit(limit)
        return [revision_from_row(row) for row in self._conn.execute(query).mappings()]

    def as_of(self, day: date, recorded_by: datetime | None = None) -> list[Commitment]:
        """Every commitment as known on `day` (revisions effective later are ignored), by due;
        with `recorded_by`, only from what had been recorded by that moment."""
        query = _statement(("as_of", recorded_by is None), lambda: _known(recorded_by is None))
        rows = self._conn.execute(query, _day_values(day, recorded_by)).mappings()
        known = [_as_commitment(row) for row in rows]
        return sorted(self._with_successors(known, day, recorded_by), key=by_due)

    def as_of_page(
        self,
        day: date,
        recorded_by: datetime | None,
        period: tuple[date, date],
        after: PageKey | None,
        limit: int,
        kinds: Collection[Kind] = (),
        stating: Collection[str] = (),
        mentioning: Collection[str] = (),
    ) -> list[Commitment]:
        """Up to `limit` commitments as known on `day` whose due then touched the period, after
        the key `after`, by (due_start, id): the revision in force read by the due index. With
        `kinds`, only those that were then of one of them. With `stating` or `mentioning`,
        only those whose stated fields then held one of those values whole (a party, say) or
        one of these words anywhere (see `_mentioning`)."""
        mentions = _mention_values(stating, mentioning)
        shape = (recorded_by is None, after is not None, bool(kinds), len(mentions))
        query = _statement(("as_of_page", *shape), lambda: _as_of_page(*shape))
        values = _day_values(day, recorded_by) | window_values(*period, after) | mentions
        values |= {"page_limit": limit, "kinds": [kind.value for kind in kinds]}
        rows = self._conn.execute(query, values).mappings()
        page = [_as_commitment(row) for row in rows]
        return sorted(self._with_successors(page, day, recorded_by), key=by_due)

    def undated_as_of(
        self,
        day: date,
        recorded_by: datetime | None,
        limit: int,
        kinds: Collection[Kind] = (),
        stating: Collection[str] = (),
        mentioning: Collection[str] = (),
    ) -> list[Commitment]:
        """Up to `limit` commitments that had no due on `day`, by id, through the due index;
        with `kinds`, `stating` and `mentioning`, narrowed as `as_of_page` narrows."""
        mentions = _mention_values(stating, mentioning)
        shape = (recorded_by is None, bool(kinds), len(mentions))
        query = _statement(("undated_as_of", *shape), lambda: _undated_as_of(*shape))
        values = _day_values(day, recorded_by) | {"page_limit": limit} | mentions
        values |= {"kinds": [kind.value for kind in kinds]}
        known = [_as_commitment(row) for row in self._conn.execute(query, values).mappings()]
        return self._with_successors(known, day, recorded_by)

    def _with_successors(
        self, known: list[Commitment], day: date, recorded_by: datetime | None
    ) -> list[Commitment]:
        replaced_by = self._replaced_by(day, recorded_by)
        return [
            c
            if c.superseded_by == (by := replaced_by.get(c.id))
            else c.model_copy(update={"superseded_by": by})
            for c in known
        ]

    def _replaced_by(self, day: date, recorded_by: datetime | None) -> dict[str, str]:
        """Successors known on `day`, by the id of what each then superseded.

        Successors are found by the index of what they supersede now (few commitments do),
        then read as they stood on `day`; once per transaction for each day, since a page
        and its undated tail both ask.
        """
        known = self._successors.get((day, recorded_by))
        if known is not None:
            return known
        everything = recorded_by is None
        query = _statement(("successors", everything), lambda: _successors(everything))
        replaced_by: dict[str, str] = {}
        for row in self._conn.execute(query, _day_values(day, recorded_by)).mappings():
            target = row["snapshot"].get("supersedes")
            if target:
                replaced_by[target] = row["commitment_id"]
        self._successors[(day, recorded_by)] = replaced_by
        return replaced_by

    # ------------------------------------------------------------------ writes

    def write(
        self,
        commitment_id: str,
        before: Commitment | None,
        fields: CommitmentFields,
        note: ChangeNote,
        actor: str,
    ) -> Change | None:
        """Store `fields` as the next revision of the commitment (the first when no `before`).

        Returns the change, or None when the fields are what `before` already holds.
        """
        changes = diff(before.fields() if before else None, fields)
        if before is not None and not changes:
            return None
        self._successors.clear()
        now = self._clock()
        effective = _effective_date(self._conn, commitment_id, note, before, now)
        change = _change(commitment_id, before, fields, changes, now, effective, note, actor)
        _store_row(self._conn, before, change.after)
        _insert_revision(self._conn, change.revision)
        return change

    def insert_many(
        self,
        new: Sequence[tuple[str, CommitmentFields]],
        note: ChangeNote,
        actor: str,
        each: Callable[[Change], None] | None = None,
        seqs: Sequence[int] | None = None,
    ) -> list[Change]:
        """Store new commitments as `write` would one by one, in a few statements for them all.

        Their revisions take consecutive seqs in the order given: `seqs`, when the caller took
        them for more than this batch (`DataVersions.next_seqs`), else the next ones.
        DuplicateCommitment names every id already stored or given twice; the transaction
        must then be rolled back. The stored ids are asked only when the primary key refuses
        a row: asking first cost PostgreSQL a scan per batch while the planner still took the
        filling table for empty.

        `each` is called with every change, in order, before this returns. On PostgreSQL
        the changes are made, and `each` called, while COPY streams their rows: the server
        indexes a row (its text's trigrams are most of an import's server time) while
        Python makes the next, and a 30,000 import ran 12-19% faster. SQLite takes its
        rows whole, so there each step runs over the batch in turn. `each` must not use the
        connection: on PostgreSQL it runs while the COPY holds it.
        """
        if not new:
            return []
        self._successors.clear()
        conn = self._conn
        ids = [commitment_id for commitment_id, _ in new]
        repeated = sorted(cid for cid, count in Counter(ids).items() if count > 1)
        if repeated:
            raise DuplicateCommitment(*repeated)
        now = self._clock()
        effective = _effective_date(conn, new[0][0], note, None, now)
        stated = [stated_json(fields) for _, fields in new]
        firsts = _FIRST_CHANGES.validate_python([created_changes(json) for json in stated])
        streamed = conn.dialect.name == "postgresql"
        made: list[Change] = []

        def changes() -> Iterator[Change]:
            for (cid, fields), first in zip(new, firsts, strict=True):
                change = _change(cid, None, fields, first, now, effective, note, actor)
                made.append(change)
                if streamed and each is not None:
                    each(change)
                yield change

        rows = (commitment_row(change.after) for change in changes())
        try:
            # The savepoint lets the transaction go on after a refused row. In a write-behind
            # block the refusal is raised later, when the block ends, and the transaction
            # with it; a savepoint there would only wait for the rows queued before.
            with conn.begin_nested() if queued(conn) is None else nullcontext():
                insert_rows(conn, commitments, rows if streamed else list(rows))
                if not streamed and each is not None:
                    for change in made:
                        each(change)
        except IntegrityError as exc:
            taken = self.stored(ids)
            if not taken:
                raise
            raise DuplicateCommitment(*sorted(taken)) from exc
        insert_rows(conn, commitment_parties, [r for c in made for r in _party_rows(c.after)])
        insert_rows(conn, commitment_tags, [r for c in made for r in _tag_rows(c.after)])
        if seqs is None:
            seqs = next_seqs(conn, len(made))
        revision_rows = [
            _revision_row(change.revision, seq, json)
            for change, seq, json in zip(made, seqs, stated, strict=True)
        ]
        insert_rows(conn, revisions, revision_rows)
        return made

    def stored(self, commitment_ids: Sequence[str]) -> set[str]:
        """Those of these ids that are taken, asked a thousand at a time."""
        found: set[str] = set()
        for start in range(0, len(commitment_ids), 1000):
            some = commitment_ids[start : start + 1000]
            found.update(self._conn.scalars(select(_c.id).where(_c.id.in_(some))))
        return found

    def mark_superseded_by(self, target_id: str, by_id: str) -> None:
        self._successors.clear()
        self._conn.execute(
            update(commitments).where(_c.id == target_id).values(superseded_by=by_id)
        )


def _change(
    commitment_id: str,
    before: Commitment | None,
    fields: CommitmentFields,
    changes: dict[str, FieldChange],
    now: datetime,
    effective: date,
    note: ChangeNote,
    actor: str,
) -> Change:
    """The commitment `fields` make of `before` (or new), and the revision that records it."""
    # Not validated again: the fields are, the id is a stored or a validated one, now is UTC.
    after = assembled(
        Commitment,
        fields.__dict__
        | {
            "id": commitment_id,
            "superseded_by": before.superseded_by if before else None,
            "revision": before.revision + 1 if before else 1,
            "created_at": before.created_at if before else now,
            "updated_at": now,
        },
    )
    revision = assembled(
        Revision,
        {
            "commitment_id": commitment_id,
            "revision": after.revision,
            "recorded_at": now,
            "effective": effective,
            "actor": actor,
            "reason": note.reason,
            "source": note.source,
            "changes": changes,
            "snapshot": fields,
        },
    )
    return Change(event=change_event(before, after), before=before, after=after, revision=revision)


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
        conn.execute(insert(commitment_parties), _party_rows(after))
    if after.tags:
        conn.execute(insert(commitment_tags), _tag_rows(after))


def _party_rows(commitment: Commitment) -> list[dict[str, str]]:
    return [{"commitment_id": commitment.id, "party": p} for p in commitment.parties]


def _tag_rows(commitment: Commitment) -> list[dict[str, str]]:
    return [{"commitment_id": commitment.id, "tag": t} for t in commitment.tags]


def _insert_revision(conn: Connection, revision: Revision) -> None:
    """Store `revision`, and close the one before it: in force until this one's effective day."""
    if revision.revision > 1:
        conn.execute(
            update(revisions)
            .where(
                revisions.c.commitment_id == revision.commitment_id,
                revisions.c.revision == revision.revision - 1,
            )
            .values(in_force_until=revision.effective)
        )
    conn.execute(insert(revisions).values(_revision_row(revision, next_seqs(conn)[0])))


def _revision_row(
    revision: Revision, seq: int, snapshot_json: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A revision as stored, with the due bounds its snapshot gives for reads by date.

    A first revision's changes are every stated field of its snapshot, from nothing: they are
    stored as null and read back from the snapshot (`codec.revision_from_row`), which keeps
    a revision row a third of its size. `snapshot_json` is the snapshot as JSON, when the
    caller has it already.
    """
    changes_json = (
        None if revision.revision == 1 else _CHANGES.dump_python(revision.changes, mode="json")
    )
    snapshot = revision.snapshot
    return {
        "due_first_day": snapshot.due.first_day if snapshot.due else None,
        "due_start": snapshot.due.start_instant() if snapshot.due else None,
        **touch_columns(snapshot.due, snapshot.end),
        "seq": seq,
        "commitment_id": revision.commitment_id,
        "revision": revision.revision,
        "kind": snapshot.kind.value,
        "recorded_at": revision.recorded_at,
        "effective": revision.effective,
        "actor": revision.actor,
        "reason": revision.reason,
        "source": revision.source.model_dump(mode="json", exclude_none=True)
        if revision.source
        else None,
        "changes": changes_json,
        "snapshot": stated_json(snapshot) if snapshot_json is None else snapshot_json,
        "in_force_until": None,
    }


def filter_conditions(
    conn: Connection,
    where: CommitmentFilter,
    narrowing: search.Narrowed | None = None,
    *,
    counting: bool = False,
) -> list[ColumnElement[bool]]:
    """The filter in SQL; a text search is narrowed to what the index found (`narrowing`,
    asked here if not given): the rows to read a page from or, `counting`, to count."""
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
    if where.feeds:
        conditions.append(or_(*(_in_feed(conn, slug) for slug in where.feeds)))
    if where.start:
        conditions.append(_c.due_last_day >= where.start)
    if where.end:
        conditions.append(_c.due_first_day <= where.end)
    if where.text:
        narrowing = narrowing or search.narrowed(conn, where.text)
        text_rows = narrowing.counted if counting else narrowing.read
        if text_rows is not None:
            conditions.append(text_rows)
        needle = ascii_lower(where.text)
        conditions.append(
            or_(
                lowered(_c.title).contains(needle, autoescape=True),
                lowered(_c.description).contains(needle, autoescape=True),
            )
        )
    return conditions


def _revisions_of(conn: Connection, where: CommitmentFilter) -> Select[Any]:
    """Revisions of the commitments `where` matches in their current state."""
    conditions = filter_conditions(conn, where)
    if not conditions:
        return select(revisions)
    return select(revisions).where(revisions.c.commitment_id.in_(select(_c.id).where(*conditions)))


def _ordered(conditions: list[ColumnElement[bool]]) -> Select[Any]:
    return select(commitments).where(*conditions).order_by(*LISTED_ORDER)


def _in_feed(conn: Connection, slug: str) -> ColumnElement[bool]:
    """Membership of the feed `slug` in SQL: the rule `service.feeds.membership` states."""
    selection = _feed_selection(conn, slug)
    if selection is None:
        fm = feed_members.c
        return _c.id.in_(select(fm.commitment_id).where(fm.feed_slug == slug))
    return and_(true(), *filter_conditions(conn, selection.as_filter))


def _feed_selection(conn: Connection, slug: str) -> FeedSelection | None:
    """What a feed made through the API selects; None for a feed that lists its members."""
    stored = conn.scalar(select(feeds.c.selection).where(feeds.c.slug == slug))
    return None if stored is None else FeedSelection.model_validate(stored)


_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}
"""The page reads, each made once for its shape: making one cost more than running it. Their
values (the day, the period, the page key, the limit) are bound when they run."""


def _statement(shape: tuple[Any, ...], make: Callable[[], Select[Any]]) -> Select[Any]:
    made = _STATEMENTS.get(shape)
    if made is None:
        made = _STATEMENTS[shape] = make()
    return made


def _coming_page(filtered: tuple[ColumnElement[bool], ...], paged: bool) -> Select[Any]:
    """Active commitments touching the bound period, a page of `page_limit`."""
    active = _c.status.in_([s.value for s in ACTIVE_STATUSES])
    branches = [
        select(_c.due_start, _c.id, _c.id).where(*filtered, active, touches)
        for touches in touching_by_class(_c, _c.id, paged=paged)
    ]
    return select(commitments).where(_c.id.in_(_first_touching(branches)))


def _as_of_page(everything: bool, paged: bool, of_kinds: bool, mentions: int) -> Select[Any]:
    """The revisions in force on the bound day that touch the bound period, a page; if
    `of_kinds`, of the bound kinds; with `mentions`, holding one of the bound words."""
    rc = revisions.c
    known = [rc.effective <= bindparam("day"), _in_force(everything), *_of_kinds(of_kinds)]
    known += _mentioning(mentions)
    branches = [
        select(rc.due_start, rc.commitment_id, rc.id).where(*known, touches)
        for touches in touching_by_class(rc, rc.commitment_id, paged=paged)
    ]
    return _known(everything).where(rc.id.in_(_first_touching(branches)))


def _undated_as_of(everything: bool, of_kinds: bool, mentions: int) -> Select[Any]:
    rc = revisions.c
    no_due = and_(rc.span_class == 0, rc.due_start.is_(None))
    query = _known(everything).where(no_due, *_of_kinds(of_kinds), *_mentioning(mentions))
    query = query.order_by(rc.commitment_id)
    return query.limit(bindparam("page_limit"))


def _of_kinds(asked: bool) -> list[ColumnElement[bool]]:
    """If `asked`, that the revision's snapshot is of one of the bound kinds: a filter on the
    last column of the touching index, not a range, so the index alone tells."""
    return [revisions.c.kind.in_(bindparam("kinds", expanding=True))] if asked else []


def _mentioning(count: int) -> list[ColumnElement[bool]]:
    """If `count`, that the revision snapshot's text holds one of the `count` bound patterns
    (`_mention_values`), ASCII letters folded: every snapshot that states one of the values as
    a party, say, or has one of the words in its title, and some others. It narrows a read;
    the caller decides on what is read."""
    if not count:
        return []
    text = lowered(cast(revisions.c.snapshot, Text))
    held = (text.like(bindparam(f"mention_{i}"), escape=LIKE_ESCAPE) for i in range(count))
    return [or_(*held)]


def _mention_values(stated: Collection[str], words: Collection[str]) -> dict[str, str]:
    """The bound patterns of `_mentioning`, for values stated whole and words held anywhere; as
    many as the next power of two (the last repeated), so that a few shapes of statement serve
    any number of them."""
    wanted = {json_mention(value, whole=True) for value in stated}
    wanted |= {json_mention(word, whole=False) for word in words}
    if not wanted:
        return {}
    patterns = sorted(wanted)
    count = 1 << (len(patterns) - 1).bit_length()
    patterns += patterns[-1:] * (count - len(patterns))
    return {f"mention_{i}": pattern for i, pattern in enumerate(patterns)}


def _successors(everything: bool) -> Select[Any]:
    """Revisions in force on the bound day of the commitments that supersede another now."""
    succeeding = _c.supersedes > ""  # not IS NOT NULL, which SQLite reads by a scan
    return select(revisions.c.commitment_id, revisions.c.snapshot).where(
        revisions.c.commitment_id.in_(select(_c.id).where(succeeding)),
        revisions.c.effective <= bindparam("day"),
        _in_force(everything),
    )


def _known(everything: bool) -> Select[Any]:
    """The revisions in force on the bound day, with their commitment's creation time."""
    return (
        select(revisions, _c.created_at)
        .join(commitments, _c.id == revisions.c.commitment_id)
        .where(revisions.c.effective <= bindparam("day"), _in_force(everything))
    )


def _in_force(everything: bool) -> ColumnElement[bool]:
    """The revision in force on the bound day: the last effective by then; unless
    `everything`, of those recorded by the bound moment."""
    day: BindParameter[date] = bindparam("day")
    if everything:
        until = revisions.c.in_force_until
        return or_(until.is_(None), until > day)
    recorded_by: BindParameter[datetime] = bindparam("recorded_by")
    later = aliased(revisions)
    superseded = (
        select(later.c.id)
        .where(
            later.c.commitment_id == revisions.c.commitment_id,
            later.c.revision > revisions.c.revision,
            later.c.effective <= day,
            later.c.recorded_at <= recorded_by,
        )
        .exists()
    )
    return and_(revisions.c.recorded_at <= recorded_by, ~superseded)


def _day_values(day: date, recorded_by: datetime | None) -> dict[str, Any]:
    return {"day": day} if recorded_by is None else {"day": day, "recorded_by": recorded_by}


def _first_touching(branches: list[Select[Any]]) -> Select[Any]:
    """The first `page_limit` rows of the span classes' reads merged in page order, in one
    statement. Each branch selects (due_start, id, the key to pick) and is read as one
    ordered, limited range of its class's index (see `windows`)."""
    limit: BindParameter[int] = bindparam("page_limit")
    ranges = [
        branch.order_by(*branch.selected_columns[:2]).limit(limit).subquery() for branch in branches
    ]
    merged = union_all(*(select(r) for r in ranges)).subquery()
    due_start, tiebreak, pick = merged.c
    return select(pick).order_by(due_start, tiebreak).limit(limit)


def _as_commitment(row: Any) -> Commitment:
    return Commitment(
        **snapshot_dues(row["snapshot"]),
        id=row["commitment_id"],
        revision=row["revision"],
        created_at=row["created_at"],
        updated_at=row["recorded_at"],
    )
