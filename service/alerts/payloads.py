"""Webhook bodies: the exact JSON text that is stored, signed and sent."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from service.domain import (
    Alert,
    AlertOffset,
    CalendarDuration,
    Commitment,
    Due,
    EventType,
    Revision,
    days_before,
)


def dumps(document: dict[str, Any]) -> str:
    """Compact JSON; the text is stored once so every retry signs and sends the same bytes."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def event_for(alert: Alert) -> EventType:
    """Offset zero, before either edge, is that edge reached; any other is it approaching."""
    zero = AlertOffset.parse(alert.offset).duration == CalendarDuration()
    return EventType.DEADLINE_REACHED if zero else EventType.DEADLINE_APPROACHING


def alert_payload(
    commitment: Commitment, due: Due, alert: Alert, edge: datetime, now: datetime, late: bool
) -> str:
    """deadline.approaching / deadline.reached, with the whole days and the seconds left.

    `edge` is the moment the alert counts back from (the window's start or its end) on its
    own wall clock. An alert sent on time counts days from the moment it was planned for (the
    P30D alert says 30 even if it leaves a few milliseconds late); a late one counts from now.
    """
    late_seconds = max(0.0, (now - alert.fire_at).total_seconds())
    counted_from = now if late else alert.fire_at
    return dumps(
        {
            "type": event_for(alert).value,
            "timestamp": _iso(alert.fire_at),
            "data": {
                "commitment": commitment.model_dump(mode="json"),
                "offset": alert.offset,
                "edge": alert.edge.value,
                "due": due.model_dump(mode="json"),
                "days_left": days_before(edge, counted_from),
                "seconds_left": round(max(0.0, (edge - now).total_seconds()), 3),
                "late": late,
                "late_by_seconds": round(late_seconds, 3) if late else 0,
            },
        }
    )


def change_payload(event: EventType, commitment: Commitment, revision: Revision) -> str:
    """commitment.created / updated / cancelled, with what changed and why."""
    return dumps(
        {
            "type": event.value,
            "timestamp": _iso(revision.recorded_at),
            "data": {
                "commitment": commitment.model_dump(mode="json"),
                "revision": revision.revision,
                "effective": revision.effective.isoformat(),
                "reason": revision.reason,
                "changes": {k: v.model_dump(mode="json") for k, v in revision.changes.items()},
            },
        }
    )


def ping_payload(subscription_id: str, now: datetime) -> str:
    return dumps(
        {
            "type": EventType.PING.value,
            "timestamp": _iso(now),
            "data": {"subscription_id": subscription_id, "message": "a test event from treatycal"},
        }
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
