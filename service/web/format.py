"""How the pages say dates, countdowns and kinds: honest about what is not known."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.domain import (
    AlertOffset,
    CalendarDuration,
    Counting,
    Due,
    DueRule,
    Edge,
    Kind,
    Precision,
    Status,
    UpcomingItem,
)

_ORDINAL_QUARTERS = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def day_text(day: date | datetime) -> str:
    """'5 February 2026'."""
    return f"{day.day} {day:%B %Y}"


def utc_text(moment: datetime | None) -> str:
    """'2 December 2026, 14:05 UTC', or a dash when there is no such moment."""
    if moment is None:
        return "—"
    moment = moment.astimezone(UTC)
    return f"{day_text(moment)}, {moment:%H:%M} UTC"


def due_text(due: Due | None) -> str:
    """The due as far as it is known: 'February 2027 — day not yet known'."""
    if due is None:
        return "no date yet"
    first = due.first_day
    match due.precision:
        case Precision.YEAR:
            return f"{first.year} — month and day not yet known"
        case Precision.QUARTER:
            quarter = (first.month - 1) // 3 + 1
            return f"{_ORDINAL_QUARTERS[quarter]} quarter of {first.year} — day not yet known"
        case Precision.MONTH:
            return f"{first:%B %Y} — day not yet known"
        case Precision.WEEK:
            return f"week of {day_text(first)} — day not yet known"
        case Precision.TIME:
            moment = due.moment
            assert moment is not None
            return f"{day_text(moment)}, {moment:%H:%M} {due.tz}"
        case _:
            return day_text(first)


def span_text(due: Due | None, end: Due | None) -> str:
    """The due, or the window from due to end."""
    if end is None:
        return due_text(due)
    return f"{due_text(due)} to {due_text(end)}"


def in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days > 0:
        return f"in {days} days"
    return f"{-days} days ago"


def countdown(item: UpcomingItem) -> str:
    """'in 65 days'; 'ends in 65 days' for a window under way; no false precision."""
    if item.days_left < 0 and item.days_to_end is not None:
        return "ends " + in_days(item.days_to_end)
    if item.due is not None and item.due.precision.is_vague:
        if item.days_left > 0:
            return f"in {item.days_left} days or more"
        return "any day now: its window is open"
    return in_days(item.days_left)


def month_heading(item: UpcomingItem) -> str:
    """The month a listed item is grouped under: that of its first day, unless it began."""
    assert item.due is not None
    return "Under way" if item.days_left < 0 else f"{item.due.first_day:%B %Y}"


def kind_label(kind: Kind | str) -> str:
    return str(kind).replace("_", " ").capitalize()


def status_label(status: Status | str) -> str:
    return str(status).capitalize()


def sentence(text: str) -> str:
    """The text with its first letter in capitals, the rest as written."""
    return text[:1].upper() + text[1:]


def offset_text(offset: str) -> str:
    """'P30D' as '30 days before', 'PT0S' as 'when due', 'P30D before end' as '30 days before
    the end'."""
    try:
        parsed = AlertOffset.parse(offset)
    except ValueError:
        return offset
    if parsed.edge is Edge.END:
        zero = parsed.duration == CalendarDuration()
        return "when it ends" if zero else f"{_offset_words(parsed.duration)} the end"
    return "when due" if parsed.duration == CalendarDuration() else _offset_words(parsed.duration)


def rule_text(rule: DueRule) -> str:
    """'6 months after the date of', '30 days after the occurrence of': the anchor follows."""
    words = _offset_words(CalendarDuration.parse(rule.offset)).removesuffix(" before")
    counted = "the date of" if rule.counting is Counting.DUE else "the occurrence of"
    return f"{words or '0 days'} after {counted}"


def _offset_words(duration: CalendarDuration) -> str:
    years, months = divmod(duration.months, 12)
    hours, rest = divmod(duration.seconds, 3600)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in (
            (years, "year"),
            (months, "month"),
            (duration.days, "day"),
            (hours, "hour"),
            (rest // 60, "minute"),
        )
        if n
    ]
    return " ".join(parts) + " before"
