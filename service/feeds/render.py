"""Commitments as an RFC 5545 feed that calendar clients can subscribe to.

The `icalendar` package writes every component, so escaping, folding and value formats are
its job; this module decides what each commitment claims. Nothing here reads the clock and
events are ordered by start, then id: the same commitments always render to the same bytes,
which is what lets a feed carry a strong ETag and clients see an unchanged event as unchanged.

Three choices worth knowing:

- SEQUENCE is `revision - 1`: RFC 5545 starts SEQUENCE at 0 when an event is created, and
  every revision (including a cancellation) bumps it by one.
- RFC 5545 durations have no years or months, so an alert offset such as P1Y becomes the
  exact number of days (and seconds) back from the event's own start on its wall clock:
  P1Y before 2026-02-05 is -P365D, before 2025-02-05 it is -P366D. This is the same count
  the alert engine makes (`CalendarDuration.before`). An offset before the end of the window
  ('P30D before end') is counted back from DTEND and written `TRIGGER;RELATED=END:-P30D`.
- Clients read times by the VTIMEZONEs a feed carries, not by the TZID's name, and not all
  alike: each is written so that ical.js (Thunderbird's parser) reads the instant RFC 5545
  means (`_one_onset_per_rdate`, `_written`); tests/unit/test_ical_in_thunderbird.py checks.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeGuard

import icalendar
from icalendar import Alarm, Calendar, Event, Timezone, vDuration, vText, vUri

from service.domain import (
    AlertOffset,
    CalendarDuration,
    Commitment,
    Due,
    Edge,
    Kind,
    Source,
    Status,
)

__all__ = [
    "FEED_END",
    "PRODID",
    "FeedOptions",
    "RenderedEvent",
    "ZoneSpans",
    "add_zone_spans",
    "event_render_key",
    "feed_prefix",
    "render_event",
    "render_feed",
]

PRODID = "-//treatycal//treatycal//EN"
FEED_END = b"END:VCALENDAR\r\n"
RENDER_FORMAT = 2
"""Bump when this module writes different bytes for the same commitment: stored copies of
events rendered by an older format are then left aside and rendered again."""

_DAY = timedelta(days=1)
_CACHE_SIZE = 32_768
_PROGRESS_EVERY = 250
_CALLED_OFF = frozenset({Status.CANCELLED, Status.SUPERSEDED})
_STATUS = {
    Status.SCHEDULED: "CONFIRMED",
    Status.OCCURRED: "CONFIRMED",
    Status.TENTATIVE: "TENTATIVE",
    Status.CANCELLED: "CANCELLED",
    Status.SUPERSEDED: "CANCELLED",
}
_STATUS_NOTE = {
    Status.TENTATIVE: "Tentative: nothing has been decided yet.",
    Status.OCCURRED: "This has happened.",
    Status.CANCELLED: "Cancelled.",
}


@dataclass(frozen=True)
class FeedOptions:
    """What a feed says about itself, and the alert offsets for commitments that set none."""

    name: str
    description: str
    refresh_interval: timedelta
    default_alerts: Mapping[Kind, tuple[str, ...]]
    url: str | None = None

    def __post_init__(self) -> None:
        if self.refresh_interval <= timedelta(0):
            raise ValueError(f"refresh_interval must be positive, not {self.refresh_interval}")


@dataclass(frozen=True, slots=True)
class RenderedEvent:
    """One VEVENT's bytes, its zones and the days it and its alarms touch."""

    ical: bytes
    tzids: frozenset[str]
    first: date
    last: date


ZoneSpans = dict[str, tuple[date, date]]
"""The days each TZID's events touch, first and last: what its VTIMEZONE must cover."""


def event_render_key(default_alerts: Mapping[Kind, tuple[str, ...]]) -> str:
    """What an event's bytes depend on besides its commitment's revision and `superseded_by`.

    The default alert offsets (for commitments that set none), this module's format and the
    icalendar release: a stored VEVENT is good for a feed only under the same key.
    """
    defaults = sorted((kind.value, list(offsets)) for kind, offsets in default_alerts.items())
    text = json.dumps([RENDER_FORMAT, icalendar.__version__, defaults])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def render_event(
    commitment: Commitment, default_alerts: Mapping[Kind, tuple[str, ...]]
) -> RenderedEvent | None:
    """The commitment's VEVENT as it appears in every feed; None when it has no due."""
    if commitment.due is None:
        return None
    alerts = commitment.effective_alerts(dict(default_alerts))
    return _render(commitment, commitment.due, alerts)[1]


def add_zone_spans(spans: ZoneSpans, events: Iterable[RenderedEvent]) -> None:
    """Widen `spans` to cover these events."""
    for event in events:
        for tzid in event.tzids:
            first, last = spans.get(tzid, (event.first, event.last))
            spans[tzid] = (min(first, event.first), max(last, event.last))


def feed_prefix(options: FeedOptions, spans: ZoneSpans) -> bytes:
    """Everything before the first VEVENT: the calendar's properties and its VTIMEZONEs."""
    return b"".join([_head(options), *_timezones(spans)])


def render_feed(
    options: FeedOptions,
    commitments: Sequence[Commitment],
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The feed as iCalendar bytes; undated commitments are left out (they live in the API).

    `progress`, if given, hears (events rendered, events in all) every few hundred events.
    """
    defaults = dict(options.default_alerts)
    events = []
    for done, commitment in enumerate(commitments, 1):
        if commitment.due is not None:
            alerts = commitment.effective_alerts(defaults)
            events.append(_rendered(commitment, commitment.due, alerts))
        if progress is not None and (done % _PROGRESS_EVERY == 0 or done == len(commitments)):
            progress(done, len(commitments))
    events.sort(key=lambda ordered: ordered[0])
    spans: ZoneSpans = {}
    add_zone_spans(spans, (event for _, event in events))
    return b"".join([feed_prefix(options, spans), *(event.ical for _, event in events), FEED_END])


def _head(options: FeedOptions) -> bytes:
    """The VCALENDAR properties; vText and vDuration avoid icalendar's unescaped defaults."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for name in ("name", "x-wr-calname"):
        calendar.add(name, vText(options.name))
    for name in ("description", "x-wr-caldesc"):
        calendar.add(name, vText(options.description))
    interval = vDuration(options.refresh_interval)
    calendar.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(options.refresh_interval))
    if options.url:
        calendar.add("url", vUri(options.url))
        calendar.add("source", vUri(options.url))
    head: bytes = calendar.to_ical()
    return head.removesuffix(FEED_END)


# ---------------------------------------------------------------------------- time zones


def _timezones(spans: ZoneSpans) -> list[bytes]:
    """One VTIMEZONE per TZID used, covering every year its events and alarms touch."""
    return [
        _timezone(tzid, first.year, last.year + 1) for tzid, (first, last) in sorted(spans.items())
    ]


@functools.lru_cache(maxsize=256)
def _timezone(tzid: str, first_year: int, end_year: int) -> bytes:
    """Whole years, so that one more event rarely means a new VTIMEZONE to compute."""
    first, end = date(first_year, 1, 1), date(end_year, 1, 1)
    timezone = Timezone.from_tzid(tzid, first_date=first, last_date=end)
    for observance in timezone.subcomponents:
        _one_onset_per_rdate(observance)
    vtimezone: bytes = timezone.to_ical()
    return vtimezone


def _one_onset_per_rdate(observance: icalendar.cal.Component) -> None:
    """An observance's onsets as one RDATE each, its DTSTART among them.

    icalendar lists the onsets after the DTSTART as the values of one RDATE. RFC 5545 reads
    that as meant, but ical.js (Thunderbird) reads only an RDATE's first value, and only
    the RDATEs when there are some, so every summer but one was read as winter time.
    """
    listed = observance.pop("RDATE", None)
    if listed is None:
        return
    onsets = [observance.decoded("DTSTART")]
    for rdate in listed if isinstance(listed, list) else [listed]:
        onsets.extend(value.dt for value in rdate.dts)
    for onset in onsets:
        observance.add("rdate", onset)


# ---------------------------------------------------------------------------- events


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _rendered(
    commitment: Commitment, due: Due, alerts: tuple[str, ...]
) -> tuple[tuple[datetime, str], RenderedEvent]:
    """`_render`, cached on the whole commitment so a whole render redoes only what changed."""
    return _render(commitment, due, alerts)


def _render(
    commitment: Commitment, due: Due, alerts: tuple[str, ...]
) -> tuple[tuple[datetime, str], RenderedEvent]:
    """A VEVENT and its place in a feed.

    `render_event` does not go through the cache: its bytes are stored, and holding their
    commitments in memory too would only weigh on the heap.
    """
    event = _event(commitment, due)
    alarm_days = _add_alarms(event, commitment, due, alerts)
    first = min([due.first_day, *alarm_days]) - _DAY
    last = max(due.last_day, (commitment.end or due).last_day) + _DAY
    order = (due.start_instant(), commitment.id)
    return order, RenderedEvent(event.to_ical(), _tzids(event), first, last)


def _event(commitment: Commitment, due: Due) -> Event:
    event = Event()
    event.add("uid", commitment.uid)
    event.add("dtstamp", commitment.updated_at)  # held in UTC by the domain
    event.add("last-modified", commitment.updated_at)
    event.add("created", commitment.created_at)
    event.add("sequence", commitment.revision - 1)
    event.add("summary", vText(_summary(commitment, due)))
    start, end = _span(due, commitment.end)
    event.add("dtstart", _written(start))
    if end is not None:
        event.add("dtend", _written(end))
    _describe(event, commitment, due)
    return event


def _describe(event: Event, commitment: Commitment, due: Due) -> None:
    """The properties a reader sees besides the title and the dates."""
    event.add("description", vText(_description(commitment, due)))
    event.add("status", _STATUS[commitment.status])
    event.add("transp", "TRANSPARENT")
    event.add("class", "PUBLIC")
    event.add("categories", [_kind_words(commitment.kind), *commitment.tags])
    link = next((source.url for source in commitment.sources if source.url), None)
    if link:
        event.add("url", vUri(link))
    event.add("x-treatycal-precision", vText(due.precision.value))


def _span(due: Due, end: Due | None) -> tuple[date | datetime, date | datetime | None]:
    """DTSTART and DTEND claiming no more than is known: whole days unless a time is stated."""
    if due.moment is None:
        last = end.last_day if end is not None else due.last_day
        return due.first_day, max(last, due.first_day) + _DAY
    if end is None:
        return due.moment, None
    if end.moment is not None:
        return due.moment, end.moment
    closing = datetime.combine(end.last_day + _DAY, time(0), tzinfo=due.moment.tzinfo)
    return due.moment, closing if closing > due.moment else None


def _written(moment: date | datetime) -> date | datetime:
    """DTSTART or DTEND as written: on its zone's wall clock, but in UTC when that wall time
    happens twice there (the clocks go back over it). RFC 5545 and the alert engine take the
    first; ical.js (Thunderbird) reads such a TZID'd time as the second, an hour late."""
    return moment.astimezone(UTC) if _twice(moment) else moment


def _twice(moment: date | datetime) -> TypeGuard[datetime]:
    """Whether the wall time happens twice in its zone: read as its first occurrence, it is
    further from UTC than as its second (in a gap the clocks skip, it is nearer)."""
    if not isinstance(moment, datetime):
        return False
    first, second = moment.replace(fold=0).utcoffset(), moment.replace(fold=1).utcoffset()
    return first is not None and second is not None and first > second


def _tzids(event: Event) -> frozenset[str]:
    """The TZIDs icalendar actually wrote (UTC is written with Z and needs none)."""
    props = (event.get(name) for name in ("DTSTART", "DTEND"))
    return frozenset(prop.params["TZID"] for prop in props if prop and "TZID" in prop.params)


# ---------------------------------------------------------------------------- words


def _summary(commitment: Commitment, due: Due) -> str:
    """The title, saying what is unknown and whether it still stands."""
    title = commitment.title
    if due.precision.is_vague:
        title = f"{title} — {due.describe()}"
    if commitment.status in _CALLED_OFF:
        title = f"{commitment.status.value.capitalize()}: {title}"
    return title


def _kind_words(kind: Kind) -> str:
    return kind.value.replace("_", " ").capitalize()


def _description(commitment: Commitment, due: Due) -> str:
    until = f" until {commitment.end.describe()}" if commitment.end else ""
    parts = [
        commitment.description,
        f"When: {due.describe()}{until}",
        f"Parties: {', '.join(commitment.parties)}" if commitment.parties else "",
        _status_note(commitment),
        _sources(commitment.sources),
    ]
    return "\n\n".join(part for part in parts if part)


def _status_note(commitment: Commitment) -> str:
    notes = [_STATUS_NOTE.get(commitment.status, "")]
    if commitment.status is Status.SUPERSEDED:
        by = f" by {commitment.superseded_by}" if commitment.superseded_by else ""
        notes.append(f"Superseded{by}.")
    if commitment.supersedes:
        notes.append(f"Supersedes {commitment.supersedes}.")
    return " ".join(note for note in notes if note)


def _sources(sources: Sequence[Source]) -> str:
    lines = ["- " + ": ".join(filter(None, (source.title, source.url))) for source in sources]
    return "\n".join(["Sources:", *lines]) if lines else ""


# ---------------------------------------------------------------------------- alarms


def _add_alarms(
    event: Event, commitment: Commitment, due: Due, alerts: Sequence[str]
) -> list[date]:
    """One DISPLAY alarm per offset, and the days they go off; none once called off, so no one
    is warned of nothing."""
    if commitment.status in _CALLED_OFF:
        return []
    start, end = _span(due, commitment.end)
    days = []
    for offset in map(AlertOffset.parse, alerts):
        related, edge = _counted_from(offset, start, end)
        wall = _wall(edge)
        at = offset.duration.before(wall)
        event.add_component(_alarm(commitment.title, due, offset, _trigger(at, edge), related))
        days.append(at.date())
    return days


def _counted_from(
    offset: AlertOffset, start: date | datetime, end: date | datetime | None
) -> tuple[str, date | datetime]:
    """RFC 5545's RELATED and the DTSTART or DTEND a trigger counts from; without a DTEND
    (a moment with no end) the end of the window is its start."""
    if offset.edge is Edge.END and end is not None:
        return "END", end
    return "START", start


def _trigger(at: datetime, edge: date | datetime) -> timedelta | datetime:
    """A TRIGGER that goes off at `at` (on `edge`'s wall clock) in every client.

    Back from a DTSTART or DTEND with a TZID, nominal days on that clock, as RFC 5545 and
    the alert engine count them; back from one written in UTC, the exact time. A reminder
    whose own wall time happens twice is written as that instant in UTC: counted back
    from the edge, ical.js would land on the second.
    """
    if isinstance(edge, datetime):
        moment = at.replace(tzinfo=edge.tzinfo)
        if _twice(moment):
            return moment.astimezone(UTC)
        if _twice(edge):
            return moment.astimezone(UTC) - edge.astimezone(UTC)
    return at - _wall(edge)


def _wall(moment: date | datetime) -> datetime:
    """DTSTART or DTEND on its own wall clock, from which RFC 5545 counts nominal days back."""
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=None)
    return datetime.combine(moment, time(0))


def _alarm(
    title: str, due: Due, offset: AlertOffset, trigger: timedelta | datetime, related: str
) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    if isinstance(trigger, datetime):
        alarm.add("trigger", trigger, parameters={"VALUE": "DATE-TIME"})
    else:
        alarm.add("trigger", trigger, parameters={"RELATED": related} if related == "END" else {})
    alarm.add("description", vText(f"{title}: {_countdown(offset, due)}"))
    return alarm


def _countdown(offset: AlertOffset, due: Due) -> str:
    """'in 30 days'; 'at the earliest' when only the month, quarter or year is known; 'ends in
    30 days' before the end of the window."""
    words = _duration_words(offset.duration)
    if offset.edge is Edge.END:
        return f"ends in {words}" if words else "ends now"
    when = f"in {words}" if words else ("now" if due.moment else "today")
    return f"{when} at the earliest" if due.precision.is_vague else when


def _duration_words(duration: CalendarDuration) -> str:
    years, months = divmod(duration.months, 12)
    hours, rest = divmod(duration.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    units = zip(
        (years, months, duration.days, hours, minutes, seconds),
        ("year", "month", "day", "hour", "minute", "second"),
        strict=True,
    )
    return ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in units if n)
