"""Creating many commitments in one transaction, fast, with what creating each would write.

New commitments that stand alone go in batches: their rows, revisions (consecutive seqs, in
the order given), alerts and change messages in a few statements per batch. One that
supersedes another or whose due follows another's is recorded by `changes.record` in its
place in the order, so each answer is what creating them one at a time would give. On
SQLite the batches' statements run on a second thread while the next batch is made
(`Tx.bulk`): a run of new commitments reads and takes what it needs (subscriptions, feeds,
seqs) before its first batch, so that nothing waits for the writer until the run ends.
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby

from service.alerts import CreatedPlans, Planner
from service.app import changes
from service.app.feeds import Progress
from service.domain import ChangeNote, Commitment, CommitmentCreate, CommitmentFields
from service.errors import DuplicateCommitment, InvalidInput
from service.store import Tx

CHUNK = 1000
"""New commitments per batch of statements: big enough to amortise, small enough to report."""


@dataclass(frozen=True, slots=True)
class _Item:
    index: int
    commitment_id: str
    fields: CommitmentFields

    @property
    def standalone(self) -> bool:
        """Whether the batched path writes it exactly as `changes.record` would."""
        return self.fields.supersedes is None and self.fields.due_rule is None


def create_many(
    tx: Tx,
    planner: Planner,
    items: Sequence[CommitmentCreate],
    note: ChangeNote,
    actor: str,
    progress: Progress = None,
    chunk: int = CHUNK,
) -> list[str]:
    """Create every item in `tx`, in order; the ids they were given, in the same order.

    Errors name the item by its index in `items` (from 0).
    """
    with _collector_paused():
        new = _identified(items, note)
        taken = tx.commitments.stored([item.commitment_id for item in new])
        if taken:
            raise DuplicateCommitment(*sorted(taken))
        with tx.bulk():
            made = _stored(tx, planner, new, note, actor, progress, chunk)
    if new:
        tx.versions.bump()
    return made


def _stored(
    tx: Tx,
    planner: Planner,
    new: Sequence[_Item],
    note: ChangeNote,
    actor: str,
    progress: Progress,
    chunk: int,
) -> list[str]:
    """Each run of new commitments that stand alone in batches, each other one by `record`.

    Batches end where a chunk of all the items does: progress is told there.
    """
    made: list[str] = []

    def stored(ids: Sequence[str]) -> None:
        made.extend(ids)
        whole_chunk = len(made) % chunk == 0
        if whole_chunk and len(made) == chunk < len(new):
            tx.replan_after_growth()
        if progress is not None and (whole_chunk or len(made) == len(new)):
            progress(len(made), len(new))

    for standalone, run in groupby(new, key=lambda item: item.standalone):
        if not standalone:
            for item in run:
                stored([_record(tx, planner, item, note, actor).id])
            continue
        alone, start = list(run), 0
        # Read and take all the run needs first, so that while SQLite stores a batch on its
        # writer's thread nothing here waits for it (`store.behind`).
        plans = planner.planning_created(tx, [item.commitment_id for item in alone])
        seqs = tx.versions.next_seqs(len(alone))
        while start < len(alone):
            end = start + chunk - len(made) % chunk
            stored(_insert(tx, plans, alone[start:end], seqs[start:end], note, actor))
            start = end
    return made


_pausing = threading.Lock()
_paused = 0
"""Imports running with the cyclic collector paused; the last to finish resumes it."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, if it was running.

    An import makes objects that live to its end (rows, revisions, changes), and each pass of
    the collector walks all of them again: a fifth of an import's time. They hold no
    reference cycles, so reference counting frees what the import drops, as it goes.
    """
    global _paused
    with _pausing:
        pausing = _paused > 0 or gc.isenabled()
        if pausing:
            _paused += 1
            gc.disable()
    try:
        yield
    finally:
        if pausing:
            with _pausing:
                _paused -= 1
                if _paused == 0:
                    gc.enable()


def _identified(items: Sequence[CommitmentCreate], note: ChangeNote) -> list[_Item]:
    """Each item's id and fields, as `create` makes them; an error for an id given twice."""
    new = []
    for index, data in enumerate(items):
        commitment_id, fields = changes.identified(changes.citing(data, note))
        new.append(_Item(index, commitment_id, fields))
    indexes: defaultdict[str, list[int]] = defaultdict(list)
    for item in new:
        indexes[item.commitment_id].append(item.index)
    repeated = [(cid, found) for cid, found in indexes.items() if len(found) > 1]
    if repeated:
        shown = "; ".join(f"{cid!r} (items {_listed(found)})" for cid, found in repeated[:10])
        raise InvalidInput(f"each new commitment needs its own id, and these repeat: {shown}")
    return new


def _insert(
    tx: Tx,
    plans: CreatedPlans,
    batch: Sequence[_Item],
    seqs: Sequence[int],
    note: ChangeNote,
    actor: str,
) -> list[str]:
    created = tx.commitments.insert_many(
        [(item.commitment_id, item.fields) for item in batch], note, actor, plans.add, seqs
    )
    plans.store(tx, created[0].revision.recorded_at)
    return [change.after.id for change in created]


def _record(tx: Tx, planner: Planner, item: _Item, note: ChangeNote, actor: str) -> Commitment:
    """One item by the path every single write takes; its error names the item."""
    try:
        return changes.record(tx, planner, item.commitment_id, None, item.fields, note, actor)
    except InvalidInput as exc:
        raise InvalidInput(f"item {item.index} ({item.commitment_id}): {exc}") from exc


def _listed(indexes: list[int]) -> str:
    return ", ".join(str(i) for i in indexes[:5]) + (", ..." if len(indexes) > 5 else "")
