"""Planned alerts: one row per (commitment, offset, due value), settled exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)

from service.domain import Alert, AlertStatus, PlannedAlert
from service.store.rows import insert_rows
from service.store.tables import alert_plans, alerts
from service.store.upsert import insert_new

_a = alerts.c


@dataclass(frozen=True, slots=True)
class Settlement:
    """What became of an alert that fell due."""

    alert_id: int
    status: AlertStatus
    note: str | None = None
    late_seconds: float | None = None


class Alerts:
    """Planned alerts in one transaction; `planned` says whether this one planned any."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.planned = False

    def planned_with(self) -> str | None:
        """The fingerprint of the rules the plans were last all made with; None: never."""
        rules: str | None = self._conn.scalar(select(alert_plans.c.rules))
        return rules

    def all_planned_with(self, rules: str, now: datetime) -> None:
        """Record that every commitment's alerts now follow `rules`."""
        self._conn.execute(delete(alert_plans))
        self._conn.execute(insert(alert_plans).values(id=1, rules=rules, planned_at=now))

    def replan(
        self,
        commitment_id: str,
        planned: Sequence[PlannedAlert],
        now: datetime,
        reason: str,
    ) -> None:
        """Make the pending alerts of a commitment exactly `planned`.

        Alerts no longer wanted are cancelled with `reason`; ones already fired stay fired, so
        nothing is sent twice for the same due; a cancelled one wanted again comes back.
        """
        wanted = [(p.offset, p.due_key) for p in planned]
        mine = _a.commitment_id == commitment_id
        pending = and_(mine, _a.status == AlertStatus.PENDING.value)
        unwanted = (
            pending if not wanted else and_(pending, tuple_(_a.offset, _a.due_key).not_in(wanted))
        )
        conn = self._conn
        self.planned = True
        conn.execute(
            update(alerts)
            .where(unwanted)
            .values(status=AlertStatus.CANCELLED.value, note=reason, settled_at=now)
        )
        if not wanted:
            return
        conn.execute(
            update(alerts)
            .where(
                mine,
                _a.status == AlertStatus.CANCELLED.value,
                tuple_(_a.offset, _a.due_key).in_(wanted),
            )
            .values(status=AlertStatus.PENDING.value, note=None, settled_at=None)
        )
        _insert_planned(conn, planned, now)

    def plan_new(self, planned: Sequence[PlannedAlert], now: datetime) -> None:
        """`replan` for commitments that have no alerts yet (just created): one insert for all."""
        self.planned = True
        insert_rows(self._conn, alerts, _pending_rows(planned, now))

    def claim_due(self, now: datetime, limit: int) -> list[Alert]:
        """Pending alerts whose time has come, locked until commit; other replicas skip them."""
        query = (
            select(alerts)
            .where(_a.status == AlertStatus.PENDING.value, _a.fire_at <= now)
            .order_by(_a.fire_at, _a.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_alert(row) for row in self._conn.execute(query).mappings()]

    def settle(self, settlements: Sequence[Settlement], now: datetime) -> None:
        """Record what became of each alert, in one statement for the batch."""
        if not settlements:
            return
        statement = (
            update(alerts)
            .where(_a.id == bindparam("b_id"), _a.status == AlertStatus.PENDING.value)
            .values(
                status=bindparam("b_status"),
                note=bindparam("b_note"),
                late_seconds=bindparam("b_late"),
                settled_at=now,
            )
        )
        self._conn.execute(
            statement,
            [
                {
                    "b_id": s.alert_id,
                    "b_status": s.status.value,
                    "b_note": s.note,
                    "b_late": s.late_seconds,
                }
                for s in settlements
            ],
        )

    def next_fire_at(self) -> datetime | None:
        earliest: datetime | None = self._conn.scalar(
            select(func.min(_a.fire_at)).where(_a.status == AlertStatus.PENDING.value)
        )
        return earliest

    def of_commitment(self, commitment_id: str) -> list[Alert]:
        rows = self._conn.execute(
            select(alerts).where(_a.commitment_id == commitment_id).order_by(_a.fire_at, _a.id)
        ).mappings()
        return [_alert(row) for row in rows]

    def backlog(self, now: datetime) -> tuple[int, int]:
        """Pending alerts, and how many of them are already due (the (status, fire_at) index
        answers both)."""
        pending = _a.status == AlertStatus.PENDING.value
        query = select(func.count(), func.count().filter(_a.fire_at <= now)).where(pending)
        total, overdue = self._conn.execute(query).one()
        return int(total), int(overdue)

    def counts(self) -> dict[str, int]:
        """How many alerts are in each status."""
        rows = self._conn.execute(select(_a.status, func.count()).group_by(_a.status))
        return {str(status): int(count) for status, count in rows}


def _insert_planned(conn: Connection, planned: Sequence[PlannedAlert], now: datetime) -> None:
    """Pending rows for `planned`; those a commitment has already (same offset and due) stay."""
    insert_new(conn, alerts, _pending_rows(planned, now), ("commitment_id", "offset", "due_key"))


def _pending_rows(planned: Sequence[PlannedAlert], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "commitment_id": p.commitment_id,
            "offset": p.offset,
            "due_key": p.due_key,
            "fire_at": p.fire_at,
            "status": AlertStatus.PENDING.value,
            "created_at": now,
        }
        for p in planned
    ]


def _alert(row: RowMapping) -> Alert:
    return Alert(
        id=row["id"],
        commitment_id=row["commitment_id"],
        offset=row["offset"],
        due_key=row["due_key"],
        fire_at=row["fire_at"],
        status=AlertStatus(row["status"]),
        note=row["note"],
        late_seconds=row["late_seconds"],
        settled_at=row["settled_at"],
    )
