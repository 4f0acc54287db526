"""Four independent iCalendar parsers, read into one shape so they can be compared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import icalendar
import ics
import vobject
from ical.calendar_stream import IcsCalendarStream

from tests.support.ical_lint import lint


@dataclass(frozen=True)
class Seen:
    """An event as one parser read it; times in UTC so parsers can be compared."""

    uid: str
    start: date | datetime
    summary: str
    description: str


def utc(value: date | datetime) -> date | datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def read_icalendar(feed: bytes) -> list[Seen]:
    calendar = icalendar.Calendar.from_ical(feed)
    return [
        Seen(str(e["UID"]), utc(e.decoded("DTSTART")), str(e["SUMMARY"]), str(e["DESCRIPTION"]))
        for e in calendar.walk("VEVENT")
    ]


_VOBJECT_ZONES: dict[str, object] = getattr(vobject.icalendar, "__tzidMap")
"""vobject's zones by TZID, for the whole process: it keeps the first VTIMEZONE it reads for
a TZID and reads every later feed's times by it, even one that covers other years."""


def read_vobject(feed: bytes) -> list[Seen]:
    """The events as vobject reads the feed on its own, by the feed's own VTIMEZONEs."""
    for tzid in [tzid for tzid in _VOBJECT_ZONES if tzid != "UTC"]:
        del _VOBJECT_ZONES[tzid]
    calendar = vobject.readOne(feed.decode())
    return [
        Seen(e.uid.value, utc(e.dtstart.value), e.summary.value, e.description.value)
        for e in calendar.contents.get("vevent", [])
    ]


def read_ical(feed: bytes) -> list[Seen]:
    calendar = IcsCalendarStream.calendar_from_ics(feed.decode())
    return [
        Seen(str(e.uid), utc(e.start), e.summary or "", e.description or "")
        for e in calendar.events
    ]


def read_ics(feed: bytes) -> list[Seen]:
    calendar = ics.Calendar(feed.decode())
    return [
        Seen(
            e.uid,
            e.begin.date() if e.all_day else e.begin.datetime.astimezone(UTC),
            e.name,
            e.description,
        )
        for e in calendar.events
    ]


PARSERS: dict[str, Callable[[bytes], list[Seen]]] = {
    "icalendar": read_icalendar,
    "vobject": read_vobject,
    "ical": read_ical,
    "ics": read_ics,
}


def read_all(feed: bytes) -> list[Seen]:
    """The events, in feed order, once all four parsers agree on them and the lint is clean."""
    assert lint(feed) == []
    seen = {name: sorted(read(feed), key=lambda s: s.uid) for name, read in PARSERS.items()}
    for name, events in seen.items():
        assert events == seen["icalendar"], f"{name} disagrees with icalendar"
    return read_icalendar(feed)
