"""Webhook bodies: the JSON text that is stored, and how an alert's is told as it is sent."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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

_ALERT_PREFIX = '{"type":"deadline.'


def dumps(document: dict[str, Any]) -> str:
    """Compact JSON. The text is stored once: a retry sends the same message under the same
    `webhook-id`, told as of its own attempt (`as_sent`)."""
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
    own wall clock; it travels in the body (`edge_at`, and `edge_zone` when it is a named
    zone) so each attempt can say how late it is sent (`as_sent`).
    """
    return dumps(
        {
            "type": event_for(alert).value,
            "timestamp": _iso(alert.fire_at),
            "data": {
                "commitment": commitment.model_dump(mode="json"),
                "offset": alert.offset,
                "edge": alert.edge.value,
                "edge_at": edge.isoformat(),
                "edge_zone": edge.tzinfo.key if isinstance(edge.tzinfo, ZoneInfo) else None,
                "due": due.model_dump(mode="json"),
                **_timing(edge, alert.fire_at, now, late),
            },
        }
    )


def as_sent(payload: str, sent_at: datetime, late_after: timedelta) -> tuple[str, float | None]:
    """A stored body as it leaves at `sent_at`, and, for an alert, seconds past its fire time.

    An alert's body is stored when it fires, but whether it is late and what is left are told
    as of each attempt: a message that waited out a crash or a retry says how late it really
    arrives. A body without what that takes (stored before `edge_at` was recorded) goes out
    as it was stored.
    """
    if not payload.startswith(_ALERT_PREFIX):
        return payload, None
    try:
        document = json.loads(payload)
        data = document["data"]
        fired = datetime.fromisoformat(document["timestamp"])
        late_by = (sent_at - fired).total_seconds()
        edge = datetime.fromisoformat(data["edge_at"])
    except (KeyError, TypeError, ValueError):
        return payload, None
    if data.get("edge_zone"):
        edge = edge.astimezone(ZoneInfo(data["edge_zone"]))
    data.update(_timing(edge, fired, sent_at, late_by > late_after.total_seconds()))
    return dumps(document), late_by


def _timing(edge: datetime, fire_at: datetime, now: datetime, late: bool) -> dict[str, Any]:
    """What is left and how late, at `now`. An alert on time counts days from the moment it
    was planned for (the P30D alert says 30 even if it leaves a few milliseconds late); a late
    one counts from now."""
    counted_from = now if late else fire_at
    late_seconds = max(0.0, (now - fire_at).total_seconds())
    return {
        "days_left": days_before(edge, counted_from),
        "seconds_left": round(max(0.0, (edge - now).total_seconds()), 3),
        "late": late,
        "late_by_seconds": round(late_seconds, 3) if late else 0,
    }


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
