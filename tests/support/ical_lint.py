"""A lint of DESIGN.md's feed rules over the raw bytes a calendar client receives.

Parsers are forgiving, so a feed that parses can still break a strict client; this reads the
octets themselves. `lint(feed)` returns the problems found, an empty list for a clean feed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_OCTETS = 75
DURATION = re.compile(r"^[+-]?P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)$")
DATE_TIME = re.compile(r"^\d{8}T\d{6}Z?$")
DATE_TIME_PROPERTIES = frozenset(
    {"DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED", "CREATED", "RECURRENCE-ID", "DUE"}
    | {"RDATE", "EXDATE", "COMPLETED", "TRIGGER"}
)
SINGLE_TEXT = frozenset({"SUMMARY", "DESCRIPTION", "NAME", "X-WR-CALNAME", "X-WR-CALDESC"})
REQUIRED_CALENDAR = {"VERSION": "2.0", "CALSCALE": "GREGORIAN", "METHOD": "PUBLISH"}
NAMED_CALENDAR = ("PRODID", "NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC")
LOCAL_TIME_COMPONENTS = frozenset({"STANDARD", "DAYLIGHT"})
PARAM_VALUE = r'(?:"[^"]*"|[^";:,]*)'
CONTENT_LINE = re.compile(
    rf"^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+={PARAM_VALUE}(?:,{PARAM_VALUE})*)*):"
)


@dataclass(frozen=True)
class Line:
    """One unfolded content line."""

    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    lines: list[Line] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def first(self, name: str) -> Line | None:
        return next((line for line in self.lines if line.name == name), None)

    def walk(self) -> Iterator[Component]:
        yield self
        for child in self.children:
            yield from child.walk()


def lint(feed: bytes) -> list[str]:
    """Every rule broken by `feed`, in words."""
    problems = physical_problems(feed)
    try:
        calendar = parse(feed)
    except ValueError as exc:
        return [*problems, str(exc)]
    components = list(calendar.walk())
    problems += calendar_problems(calendar)
    problems += tzid_problems(components)
    problems += floating_problems(components)
    problems += event_problems([c for c in components if c.name == "VEVENT"])
    problems += alarm_problems([c for c in components if c.name == "VALARM"])
    problems += forbidden_problems(components)
    return problems


# ---------------------------------------------------------------------------- octets


def physical_problems(feed: bytes) -> list[str]:
    """CRLF endings and the 75-octet limit, which folding must keep."""
    problems = []
    if not feed.endswith(b"\r\n"):
        problems.append("the feed does not end with CRLF")
    lines = feed.split(b"\r\n")
    for number, line in enumerate(lines, start=1):
        if b"\r" in line or b"\n" in line:
            problems.append(f"line {number}: a bare CR or LF (lines must end with CRLF)")
        if len(line) > MAX_OCTETS:
            problems.append(f"line {number}: {len(line)} octets, over {MAX_OCTETS}")
    return problems


def parse(feed: bytes) -> Component:
    """The component tree; ValueError if BEGIN and END do not nest."""
    stack = [Component("")]
    for line in content_lines(feed):
        if line.name == "BEGIN":
            stack.append(Component(line.value.upper()))
        elif line.name == "END":
            done = stack.pop()
            if done.name != line.value.upper() or not stack:
                raise ValueError(f"END:{line.value} closes {done.name or 'nothing'}")
            stack[-1].children.append(done)
        else:
            stack[-1].lines.append(line)
    root = stack[0]
    if len(stack) != 1 or [c.name for c in root.children] != ["VCALENDAR"]:
        raise ValueError("the feed is not exactly one complete VCALENDAR")
    return root.children[0]


def content_lines(feed: bytes) -> Iterator[Line]:
    text = re.sub(r"\r?\n[ \t]", "", feed.decode("utf-8"))
    for raw in re.split(r"\r?\n", text):
        if raw:
            yield split_line(raw)


def split_line(raw: str) -> Line:
    """name;param=value;param="quoted":value, with ':' allowed inside quotes."""
    match = CONTENT_LINE.match(raw)
    if match is None:
        raise ValueError(f"not a content line: {raw[:40]!r}")
    params = {
        name.upper(): value.strip('"')
        for name, value in re.findall(r';([A-Za-z0-9-]+)=("[^"]*"|[^;]*)', match[2])
    }
    return Line(match[1].upper(), params, raw[match.end() :])


# ---------------------------------------------------------------------------- rules


def calendar_problems(calendar: Component) -> list[str]:
    """The VCALENDAR properties every treatycal feed carries."""
    problems = [
        f"VCALENDAR: {name} is not {wanted}"
        for name, wanted in REQUIRED_CALENDAR.items()
        if (line := calendar.first(name)) is None or line.value != wanted
    ]
    problems += [f"VCALENDAR: no {name}" for name in NAMED_CALENDAR if not calendar.first(name)]
    problems += text_problems(calendar)
    refresh = calendar.first("REFRESH-INTERVAL")
    if refresh is None or refresh.params.get("VALUE") != "DURATION":
        problems.append("VCALENDAR: no REFRESH-INTERVAL;VALUE=DURATION")
    ttl = calendar.first("X-PUBLISHED-TTL")
    for line in (refresh, ttl):
        if line is not None and not DURATION.match(line.value):
            problems.append(f"VCALENDAR: {line.name} {line.value!r} is not a duration")
    if ttl is None:
        problems.append("VCALENDAR: no X-PUBLISHED-TTL")
    return problems


def text_problems(component: Component) -> list[str]:
    """A single TEXT value with a bare ',' or ';' reads as a list or a broken value."""
    unescaped = re.compile(r"(?<!\\)(?:\\\\)*[,;]")
    return [
        f"{component.name}: {line.name} has an unescaped ',' or ';': {line.value[:40]!r}"
        for line in component.lines
        if line.name in SINGLE_TEXT and unescaped.search(line.value)
    ]


def tzid_problems(components: list[Component]) -> list[str]:
    defined = {
        line.value
        for c in components
        if c.name == "VTIMEZONE"
        for line in c.lines
        if line.name == "TZID"
    }
    used = {line.params["TZID"] for c in components for line in c.lines if "TZID" in line.params}
    return [f"TZID {tzid!r} is used but has no VTIMEZONE" for tzid in sorted(used - defined)]


def floating_problems(components: list[Component]) -> list[str]:
    """A DATE-TIME with neither Z nor TZID means a different instant in every zone."""
    return [
        f"{c.name}: {line.name}:{line.value} is a floating time"
        for c in components
        if c.name not in LOCAL_TIME_COMPONENTS
        for line in c.lines
        if line.name in DATE_TIME_PROPERTIES and "TZID" not in line.params
        for value in line.value.split(",")
        if DATE_TIME.match(value) and not value.endswith("Z")
    ]


def event_problems(events: list[Component]) -> list[str]:
    uids = Counter(line.value for event in events if (line := event.first("UID")))
    problems = [f"UID {uid!r} is used {n} times" for uid, n in sorted(uids.items()) if n > 1]
    for event in events:
        problems += [
            f"VEVENT: no {name}" for name in ("UID", "DTSTAMP", "DTSTART") if not event.first(name)
        ]
        problems += text_problems(event)
        problems += span_problems(event)
    return problems


def span_problems(event: Component) -> list[str]:
    """DTEND after DTSTART and of the same type: an all-day DTEND is the exclusive next day."""
    start, end = event.first("DTSTART"), event.first("DTEND")
    if start is None or end is None:
        return []
    uid = line.value if (line := event.first("UID")) else "?"
    if is_date(start) != is_date(end):
        return [f"VEVENT {uid}: DTSTART and DTEND mix a DATE and a DATE-TIME"]
    try:
        starts, ends = instant(start), instant(end)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        return [f"VEVENT {uid}: unreadable DTSTART or DTEND ({exc})"]
    if ends <= starts:
        return [f"VEVENT {uid}: DTEND {end.value} is not after DTSTART {start.value}"]
    return []


def is_date(line: Line) -> bool:
    return line.params.get("VALUE") == "DATE" or re.fullmatch(r"\d{8}", line.value) is not None


def instant(line: Line) -> datetime:
    """The UTC instant of a date or time; a date counts from midnight UTC, enough to order."""
    if is_date(line):
        day = date(int(line.value[:4]), int(line.value[4:6]), int(line.value[6:8]))
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    zone = ZoneInfo(line.params["TZID"]) if "TZID" in line.params else UTC
    wall = datetime.strptime(line.value.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=zone)
    return wall.astimezone(UTC)


def alarm_problems(alarms: list[Component]) -> list[str]:
    """A DISPLAY alarm without a DESCRIPTION is invalid, and some clients drop the event."""
    problems = [
        f"VALARM: no {name}"
        for alarm in alarms
        for name in ("ACTION", "TRIGGER", "DESCRIPTION")
        if not alarm.first(name)
    ]
    return problems + [problem for alarm in alarms for problem in text_problems(alarm)]


def forbidden_problems(components: list[Component]) -> list[str]:
    """A published feed invites no one: ORGANIZER or ATTENDEE make clients send mail."""
    return [
        f"{c.name}: {line.name} is not allowed in a published feed"
        for c in components
        for line in c.lines
        if line.name in {"ORGANIZER", "ATTENDEE"}
    ]
