"""Which stored dues touch a period, a page at a time, answered by an index rather than a scan.

A due (with its end, if it has one) covers first_day..touch_last_day. "Touches start..until" is
two ranges on two columns, which no single index serves. But a due whose span is at most S
days and that touches the period must begin at most S days before it; so dues are kept in
span classes (a day, a month, a quarter, a year, longer), and each class is read by one range
on its own index (span_class, due_start, id), in the order of a page. Rows read and not
listed are only those of the class that began in its S days before the period and ended
before it: a day's dues waste nothing, a month's dues at most a month of their kind. The few
dues longer than a year are read by their own class.

The pages are ordered by (due_start, id), the order `domain.upcoming` lists, so a page is the
merge of one bounded read per class, and the next page starts after the last key shown.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, or_

from service.domain import Due
from service.errors import InvalidInput

SPAN_CLASSES = (0, 31, 92, 366)
"""The longest span (last day touched minus first day, in days) of each short class."""

LONG = len(SPAN_CLASSES)
"""The class of spans longer than a year, read by their last day rather than their first."""

ZONE_SLACK = timedelta(days=1)
"""A due's first day is on its own wall clock and due_start in UTC: at most a day apart."""

CALENDAR_START = datetime.min.replace(tzinfo=UTC)
CALENDAR_END = datetime.max.replace(tzinfo=UTC)


def span_class(first_day: date, last_day: date) -> int:
    """The first class whose longest span holds this one's (LONG past them all)."""
    return bisect_left(SPAN_CLASSES, (last_day - first_day).days)


def touch_columns(due: Due | None, end: Due | None) -> dict[str, Any]:
    """The stored bounds of a due and its end: `touch_last_day` and its `span_class`."""
    if due is None:
        return {"touch_last_day": None, "span_class": 0}
    last = end.last_day if end is not None else due.last_day
    return {"touch_last_day": last, "span_class": span_class(due.first_day, last)}


@dataclass(frozen=True, slots=True)
class PageKey:
    """Where a page ended: the last listed due's start and id; the next page begins after."""

    due_start: datetime
    id: str

    def token(self) -> str:
        raw = json.dumps([self.due_start.isoformat(), self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> PageKey:
        """The key a `token` names; InvalidInput for one this service did not make."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            start, ident = json.loads(raw)
            moment = datetime.fromisoformat(start)
            if moment.tzinfo is None or not isinstance(ident, str):
                raise ValueError(token)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise InvalidInput(f"cursor: {token!r} is not a cursor this service gave") from exc
        return cls(moment.astimezone(UTC), ident)


def touching_by_class(columns: Any, id_column: Any, *, paged: bool) -> list[ColumnElement[bool]]:
    """One condition per span class on a table with due_start, due_first_day, touch_last_day
    and span_class: together, the rows that touch the period after the page key (when
    `paged`), with the values `window_values` binds.

    Each is one index range on (span_class, due_start, id); read each ordered and limited. The
    values are bound, not built in, so a page's statement is made once and reused.
    """
    beyond: BindParameter[datetime] = bindparam("window_beyond")
    exact = and_(
        columns.due_first_day <= bindparam("window_until"),
        columns.touch_last_day >= bindparam("window_start"),
    )
    later = [_after(columns.due_start, id_column)] if paged else []
    conditions = [
        and_(
            columns.span_class == k,
            columns.due_start >= bindparam(f"window_earliest_{k}"),
            columns.due_start < beyond,
            exact,
            *later,
        )
        for k in range(len(SPAN_CLASSES))
    ]
    conditions.append(and_(columns.span_class == LONG, columns.due_start < beyond, exact, *later))
    return conditions


def window_values(start: date, until: date, after: PageKey | None) -> dict[str, Any]:
    """The values `touching_by_class` binds: the period start..until, and the page key."""
    values: dict[str, Any] = {
        "window_start": start,
        "window_until": until,
        "window_beyond": _moved(until, timedelta(days=1) + ZONE_SLACK),
    }
    for k, longest in enumerate(SPAN_CLASSES):
        values[f"window_earliest_{k}"] = _moved(start, -timedelta(days=longest) - ZONE_SLACK)
    if after is not None:
        values |= {"window_after_start": after.due_start, "window_after_id": after.id}
    return values


def _after(due_start: Any, id_column: Any) -> ColumnElement[bool]:
    at: BindParameter[datetime] = bindparam("window_after_start")
    return or_(due_start > at, and_(due_start == at, id_column > bindparam("window_after_id")))


def _moved(day: date, by: timedelta) -> datetime:
    """Midnight (UTC) of `day`, moved by `by` but no further than the calendar goes: a period
    at its first or last day reads all there is before or after it."""
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    try:
        return midnight + by
    except OverflowError:
        return CALENDAR_START if by < timedelta(0) else CALENDAR_END
