"""Which stored dues touch a period, answered by an index rather than a scan.

A due (with its end, if it has one) covers first_day..touch_last_day. "Touches start..until" is
two ranges on two columns, which no single index serves; but nearly every due is short (a day,
a month, a quarter, a year), and a short one that touches the period must begin at most
SHORT_SPAN days before it. So short ones are found by a two-sided range on the first day, and
the few long ones (a ten-year window) apart, both through one index on (long_span, first day).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from service.domain import Due

SHORT_SPAN = timedelta(days=366)
"""The longest span read by the first-day index alone: a leap year, first day to last."""


def touch_columns(due: Due | None, end: Due | None) -> dict[str, Any]:
    """The stored bounds of a due and its end: `touch_last_day`, and whether it is long."""
    if due is None:
        return {"touch_last_day": None, "long_span": False}
    last = end.last_day if end is not None else due.last_day
    return {"touch_last_day": last, "long_span": last - due.first_day > SHORT_SPAN}


def touching(columns: Any, start: date, until: date) -> ColumnElement[bool]:
    """Rows of a table with due_first_day, touch_last_day and long_span that touch start..until."""
    short = and_(
        columns.long_span.is_(false()),
        columns.due_first_day >= start - SHORT_SPAN,
        columns.due_first_day <= until,
        columns.touch_last_day >= start,
    )
    long = and_(
        columns.long_span.is_(true()),
        columns.touch_last_day >= start,
        columns.due_first_day <= until,
    )
    return or_(short, long)
