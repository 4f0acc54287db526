"""The commitments treatycal tracks, and the pure rules about their dates and revisions.

Everything here is a value: pydantic models that refuse bad input with a message a person can
act on, and functions that take the time as an argument. Nothing here reads the clock, the
database or the network.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
    field_validator,
    model_validator,
)

from service.parties import normalise_party


class Kind(StrEnum):
    TREATY_SIGNED = "treaty_signed"
    TREATY_IN_FORCE = "treaty_in_force"
    TREATY_WITHDRAWAL = "treaty_withdrawal"
    TREATY_EXPIRY = "treaty_expiry"
    DEADLINE = "deadline"
    SUMMIT = "summit"
    MEETING = "meeting"
    ELECTION = "election"
    CONFERENCE = "conference"
    REPORT = "report"
    OTHER = "other"


class Status(StrEnum):
    SCHEDULED = "scheduled"
    TENTATIVE = "tentative"
    OCCURRED = "occurred"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"


class Precision(StrEnum):
    """How much of a due date is known, coarsest first."""

    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"
    TIME = "time"

    @property
    def is_vague(self) -> bool:
        """Coarser than a day: a feed must say the day is unknown."""
        return self in {Precision.YEAR, Precision.QUARTER, Precision.MONTH, Precision.WEEK}


UNDATED_STATUSES = frozenset({Status.TENTATIVE, Status.CANCELLED, Status.SUPERSEDED})
"""A commitment may lack a due date only while nothing is decided, or once it is off."""

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"
TAG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


def _lowered(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Tag = Annotated[str, BeforeValidator(_lowered), StringConstraints(pattern=TAG_PATTERN)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Party = Annotated[str, AfterValidator(normalise_party)]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _in_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""An aware datetime, held in UTC: naive times are refused at the edge."""


# ---------------------------------------------------------------------------- durations

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_MAX_OFFSET_DAYS = 366 * 20


@dataclass(frozen=True, slots=True)
class CalendarDuration:
    """An ISO 8601 duration whose years and months are calendar units, not fixed lengths."""

    months: int = 0
    days: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> CalendarDuration:
        match = _DURATION.match(text.strip().upper())
        if match is None:
            raise ValueError(
                f"{text!r} is not an ISO 8601 duration such as 'P30D', 'P1W', 'P1Y' or 'PT12H'"
            )
        part = {name: int(value or 0) for name, value in match.groupdict().items()}
        duration = cls(
            months=part["years"] * 12 + part["months"],
            days=part["weeks"] * 7 + part["days"],
            seconds=part["hours"] * 3600 + part["minutes"] * 60 + part["seconds"],
        )
        if duration.months * 31 + duration.days + duration.seconds // 86400 > _MAX_OFFSET_DAYS:
            raise ValueError(f"{text!r} is longer than 20 years")
        return duration

    def __str__(self) -> str:
        years, months = divmod(self.months, 12)
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        date_part = "".join(
            f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (self.days, "D")) if n
        )
        time_part = "".join(
            f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n
        )
        if not date_part and not time_part:
            return "PT0S"
        return f"P{date_part}" + (f"T{time_part}" if time_part else "")

    @property
    def is_zero(self) -> bool:
        return not (self.months or self.days or self.seconds)

    def before(self, moment: datetime) -> datetime:
        """The moment this long before `moment`, counted on `moment`'s own wall clock."""
        wall = moment.replace(tzinfo=None)
        wall = _add_months(wall, -self.months) - timedelta(days=self.days, seconds=self.seconds)
        return wall.replace(tzinfo=moment.tzinfo)

    def after_day(self, day: date) -> date:
        """The day this long after `day`; time parts count only as whole days."""
        try:
            moved = _add_months(datetime.combine(day, time(0), tzinfo=UTC), self.months)
            return moved.date() + timedelta(days=self.days + self.seconds // 86400)
        except (OverflowError, ValueError) as exc:
            raise ValueError(f"{self} after {day} is beyond the calendar") from exc

    def approx_days(self) -> float:
        """Its length in days, months counted as 30.44 days; for ordering and display."""
        return self.months * 30.44 + self.days + self.seconds / 86400


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month0 = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def _normalise_offset(text: str) -> str:
    return str(CalendarDuration.parse(text))


Offset = Annotated[str, AfterValidator(_normalise_offset)]
"""An alert offset before the due moment, as an ISO 8601 duration, normalised (P1W -> P7D)."""


# ---------------------------------------------------------------------------- due dates

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$")


def check_zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or ValueError."""
    if name not in _zone_names():
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata damaged
        raise ValueError(f"time zone {name!r} cannot be loaded") from exc


_ZONE_NAMES: frozenset[str] = frozenset()


def _zone_names() -> frozenset[str]:
    global _ZONE_NAMES
    if not _ZONE_NAMES:
        _ZONE_NAMES = frozenset(available_timezones() | {"UTC"})
    return _ZONE_NAMES


@dataclass(frozen=True, slots=True)
class _Parsed:
    precision: Precision
    first: date
    last: date
    moment: datetime | None = None


def _parse_due(value: str, tz: str | None) -> _Parsed:
    text = value.strip()
    if tz is not None and not _TIME.match(text):
        raise ValueError("tz is only allowed with a date and time value such as 2026-02-05T10:00")
    if m := _YEAR.match(text):
        year = int(m[1])
        return _Parsed(Precision.YEAR, date(year, 1, 1), date(year, 12, 31))
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        first = date(year, 3 * quarter - 2, 1)
        return _Parsed(Precision.QUARTER, first, _month_end(year, 3 * quarter))
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        first = _valid_date(year, month, 1, text)
        return _Parsed(Precision.MONTH, first, _month_end(year, month))
    if m := _WEEK.match(text):
        try:
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real ISO week ({exc})") from exc
        return _Parsed(Precision.WEEK, monday, monday + timedelta(days=6))
    if m := _DAY.match(text):
        day = _valid_date(int(m[1]), int(m[2]), int(m[3]), text)
        return _Parsed(Precision.DAY, day, day)
    if m := _TIME.match(text):
        if tz is None:
            raise ValueError(f"{text!r} has a time of day, so it needs a time zone in 'tz'")
        day = _valid_date(int(m[1]), int(m[2]), int(m[3]), text)
        moment = _local_moment(day, int(m[4]), int(m[5]), int(m[6] or 0), tz, text)
        return _Parsed(Precision.TIME, day, day, moment)
    raise ValueError(
        f"{text!r} is not a due date: use 2021, 2025-Q3, 2019-04, 2019-W20, 2026-02-05 "
        "or 2026-02-05T10:00:00 with a tz"
    )


def _valid_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from exc


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _local_moment(day: date, hour: int, minute: int, second: int, tz: str, text: str) -> datetime:
    zone = check_zone(tz)
    try:
        wall = datetime.combine(day, time(hour, minute, second))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real time of day ({exc})") from exc
    moment = wall.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise ValueError(f"{text!r} does not exist in {tz} (the clocks skip it)")
    return moment


class Due(BaseModel):
    """When a commitment falls due, to the precision that is known.

    `value` is a TIMEX3-style value whose form gives the precision: 2021 (year), 2025-Q3,
    2019-04, 2026-02-05, or 2026-02-05T10:00:00 with an IANA `tz`. `earliest` and `latest`
    bound the window the value allows.
    """

    model_config = _FROZEN

    value: str = Field(examples=["2026-02-05", "2021", "2025-Q3", "2019-04"])
    tz: str | None = Field(default=None, examples=["Europe/Moscow"])

    @model_validator(mode="before")
    @classmethod
    def _accept_plain_and_derived(cls, data: Any) -> Any:
        """Accept a bare value, and round-trip a served due whose derived fields agree."""
        if isinstance(data, str | int | date):
            return {"value": str(data)}
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("value"), int | date):
            data["value"] = str(data["value"])
        served = {
            name: data.pop(name) for name in ("precision", "earliest", "latest") if name in data
        }
        if served and isinstance(data.get("value"), str):
            parsed = Due.model_validate(data)
            for name, given in served.items():
                if str(given) != str(getattr(parsed, name)):
                    raise ValueError(
                        f"{name} {given!r} does not match value {parsed.value!r} "
                        f"(it gives {getattr(parsed, name)}); send only value and tz"
                    )
        return data

    @field_validator("value")
    @classmethod
    def _normalise(cls, value: str) -> str:
        value = value.strip()
        return f"{value}:00" if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value) else value

    @model_validator(mode="after")
    def _parse(self) -> Self:
        _parse_due(self.value, self.tz)
        return self

    @cached_property
    def _window(self) -> _Parsed:
        # Computed once per instance; Due is frozen, so it cannot go stale.
        return _parse_due(self.value, self.tz)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> Precision:
        return self._window.precision

    @computed_field  # type: ignore[prop-decorator]
    @property
    def earliest(self) -> date | datetime:
        """The first day of the window, or the moment itself for a time."""
        return self._window.moment or self._window.first

    @computed_field  # type: ignore[prop-decorator]
    @property
    def latest(self) -> date | datetime:
        """The last day of the window (inclusive), or the moment itself for a time."""
        return self._window.moment or self._window.last

    @property
    def first_day(self) -> date:
        return self._window.first

    @property
    def last_day(self) -> date:
        return self._window.last

    @property
    def moment(self) -> datetime | None:
        """The zoned moment, for a due with a time of day."""
        return self._window.moment

    def start_instant(self, default_zone: ZoneInfo | None = None) -> datetime:
        """The earliest moment of the window, in UTC: where alerts count back from."""
        return self.start_local(default_zone).astimezone(UTC)

    def start_local(self, default_zone: ZoneInfo | None = None) -> datetime:
        """The earliest moment of the window on the due's own wall clock."""
        if self._window.moment is not None:
            return self._window.moment
        return datetime.combine(self._window.first, time(0), tzinfo=default_zone or UTC)

    def end_instant(self, default_zone: ZoneInfo | None = None) -> datetime:
        """The moment the window closes (exclusive), in UTC."""
        if self._window.moment is not None:
            return self._window.moment.astimezone(UTC)
        after = self._window.last + timedelta(days=1)
        return datetime.combine(after, time(0), tzinfo=default_zone or UTC).astimezone(UTC)

    def describe(self) -> str:
        """The due in words that claim no more than is known: '2021 (day not known)'."""
        window = self._window
        if window.precision is Precision.YEAR:
            return f"{window.first.year} (month and day not yet known)"
        if window.precision is Precision.QUARTER:
            return f"{self.value} ({window.first:%B} to {window.last:%B %Y}; day not yet known)"
        if window.precision is Precision.MONTH:
            return f"{window.first:%B %Y} (day not yet known)"
        if window.precision is Precision.WEEK:
            return f"week of {window.first.day} {window.first:%B %Y} (day not yet known)"
        if window.moment is not None:
            return f"{window.moment.day} {window.moment:%B %Y, %H:%M} {self.tz}"
        return f"{window.first:%d %B %Y}".lstrip("0")


def due_from(value: str | date | datetime | Due, tz: str | None = None) -> Due:
    """A Due from a TIMEX3-style value, a date, or an aware datetime."""
    if isinstance(value, Due):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a due datetime must carry its time zone")
        zone = getattr(value.tzinfo, "key", None) or "UTC"
        return Due(value=value.replace(tzinfo=None).isoformat(timespec="seconds"), tz=zone)
    return Due(value=str(value), tz=tz)


# ---------------------------------------------------------------------------- commitments


class Source(BaseModel):
    """Where a commitment or a change to it is documented."""

    model_config = _FROZEN

    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    published: date | None = None
    quote: Annotated[str, StringConstraints(max_length=5000)] | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.IGNORECASE):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.url is None and not self.title:
            raise ValueError("a source needs a url, a title, or both")
        return self


class CommitmentFields(BaseModel):
    """What a person states about a commitment; the server adds id, revision and times."""

    model_config = _FROZEN

    title: Title
    description: Annotated[str, StringConstraints(max_length=20_000)] = ""
    kind: Kind
    due: Due | None = None
    end: Due | None = Field(
        default=None, description="The last day or moment, for multi-day events"
    )
    status: Status = Status.SCHEDULED
    parties: tuple[Party, ...] = Field(default=(), max_length=60)
    tags: tuple[Tag, ...] = Field(default=(), max_length=30)
    sources: tuple[Source, ...] = Field(default=(), max_length=50)
    alerts: tuple[Offset, ...] | None = Field(
        default=None,
        max_length=20,
        description="Alert offsets before the due moment; null takes the default for the kind",
        examples=[["P30D", "P7D", "PT0S"]],
    )
    supersedes: Slug | None = None

    @field_validator("parties", "tags", "alerts")
    @classmethod
    def _no_repeats(cls, items: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if items is None else tuple(dict.fromkeys(items))

    @model_validator(mode="after")
    def _dates_agree(self) -> Self:
        if self.due is None:
            if self.status not in UNDATED_STATUSES:
                raise ValueError(
                    f"a {self.status.value} commitment needs a due date; "
                    "only tentative, cancelled or superseded ones may have none"
                )
            if self.end is not None:
                raise ValueError("an end needs a due date to start from")
        elif self.end is not None and _ends_before_start(self.due, self.end):
            raise ValueError(
                f"the end ({self.end.value}) is before the due date ({self.due.value})"
            )
        return self


def _ends_before_start(due: Due, end: Due) -> bool:
    """Whether `end` closes before `due` opens, reading a date-only end in the due's zone."""
    zone = check_zone(due.tz) if due.tz else None
    return end.end_instant(zone) <= due.start_instant(zone)


class CommitmentCreate(CommitmentFields):
    """A new commitment; without an id, one is made from the title and the due year."""

    id: Slug | None = Field(default=None, examples=["new-start-expiry"])


class Commitment(CommitmentFields):
    """A tracked commitment as stored: the stated fields plus identity and history."""

    id: Slug
    superseded_by: Slug | None = None
    revision: int = Field(ge=1)
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @property
    def uid(self) -> str:
        """The iCalendar UID: derived from the id, so it never changes with the title."""
        return f"{self.id}@treatycal"

    def fields(self) -> CommitmentFields:
        return CommitmentFields.model_validate(self.model_dump(include=_STATED_FIELDS))

    def with_status(self, status: Status) -> CommitmentFields:
        """The stated fields with a new status, validated as a whole."""
        stated = self.model_dump(include=_STATED_FIELDS, exclude_computed_fields=True)
        return CommitmentFields.model_validate(stated | {"status": status})

    def effective_alerts(self, defaults: Mapping[Kind, tuple[str, ...]]) -> tuple[str, ...]:
        return self.alerts if self.alerts is not None else defaults.get(self.kind, ())


_STATED_FIELDS = set(CommitmentFields.model_fields)


def slug_for(title: str, due: Due | None) -> str:
    """A readable id from a title, with the due year when there is one."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-") or "commitment"
    if due is not None and str(due.first_day.year) not in words:
        words = f"{words}-{due.first_day.year}"
    return words


# ---------------------------------------------------------------------------- revisions


class ChangeNote(BaseModel):
    """Why a change was made: the reason, when it happened in the world, and the source."""

    model_config = _FROZEN

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    effective: date | None = Field(
        default=None, description="When the change happened in the world; today if omitted"
    )
    source: Source | None = None


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    before: Any = Field(alias="from")
    after: Any = Field(alias="to")


class Revision(BaseModel):
    """One append-only entry in a commitment's history."""

    model_config = _FROZEN

    commitment_id: Slug
    revision: int = Field(ge=1)
    recorded_at: UtcDatetime
    effective: date
    actor: str
    reason: str | None = None
    source: Source | None = None
    changes: dict[str, FieldChange]
    snapshot: CommitmentFields

    def describe(self) -> str:
        """One line a person can read: 'due moved from 2021-02-05 to 2026-02-05 on 2021-02-03'."""
        if self.revision == 1:
            text = f"created on {self.effective.isoformat()}"
        else:
            moves = "; ".join(
                f"{name} moved from {_show(change.before)} to {_show(change.after)}"
                for name, change in self.changes.items()
            )
            text = f"{moves or 'no field changed'} on {self.effective.isoformat()}"
        return f"{text} ({self.reason})" if self.reason else text


def _show(value: Any, limit: int = 60) -> str:
    """A changed value, short enough for one line of history."""
    if isinstance(value, dict) and "value" in value:
        return str(value["value"]) + (f" {value['tz']}" if value.get("tz") else "")
    if isinstance(value, list | tuple):
        if any(isinstance(item, dict) for item in value):
            return f"{len(value)} item{'s' if len(value) != 1 else ''}"
        text = ", ".join(map(str, value)) or "none"
    else:
        text = "none" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def diff(before: CommitmentFields | None, after: CommitmentFields) -> dict[str, FieldChange]:
    """The stated fields that differ, as JSON values; every field when there is no `before`."""
    new = after.model_dump(mode="json", exclude_computed_fields=True)
    old = before.model_dump(mode="json", exclude_computed_fields=True) if before else {}
    return {
        name: FieldChange(before=old.get(name), after=value)
        for name, value in new.items()
        if before is None or old.get(name) != value
    }


# ---------------------------------------------------------------------------- time rules


def status_as_of(status: Status, due: Due | None, as_of: date) -> Status:
    """What the status was on `as_of`: an event that later occurred was still scheduled."""
    if status is Status.OCCURRED and due is not None and due.first_day > as_of:
        return Status.SCHEDULED
    return status


def days_left(due: Due, as_of: date) -> int:
    """Whole days from `as_of` to the first day of the due window (negative once it began)."""
    return (due.first_day - as_of).days


def in_window(due: Due, start: date, end: date) -> bool:
    """Whether the due window overlaps the days start..end, both inclusive."""
    return due.first_day <= end and due.last_day >= start


class CommitmentPatch(BaseModel):
    """A partial change: only the fields sent are changed; null clears an optional field."""

    model_config = _FROZEN

    title: Title | None = None
    description: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    kind: Kind | None = None
    due: Due | None = None
    end: Due | None = None
    status: Status | None = None
    parties: tuple[Party, ...] | None = Field(default=None, max_length=60)
    tags: tuple[Tag, ...] | None = Field(default=None, max_length=30)
    sources: tuple[Source, ...] | None = Field(default=None, max_length=50)
    alerts: tuple[Offset, ...] | None = Field(default=None, max_length=20)
    supersedes: Slug | None = None

    def apply(self, current: CommitmentFields) -> CommitmentFields:
        """The fields after this patch, validated as a whole."""
        required = {"title", "kind", "description", "status", "parties", "tags", "sources"}
        cleared = [n for n in self.model_fields_set & required if getattr(self, n) is None]
        if cleared:
            raise ValueError(f"{', '.join(sorted(cleared))} cannot be null")
        merged = current.model_dump(exclude_computed_fields=True)
        merged.update(self.model_dump(include=self.model_fields_set, exclude_computed_fields=True))
        return CommitmentFields.model_validate(merged)


# ---------------------------------------------------------------------------- queries


class CommitmentFilter(BaseModel):
    """Which commitments a list, a feed or a subscription covers; empty means all."""

    model_config = _FROZEN

    kinds: tuple[Kind, ...] = ()
    parties: tuple[Party, ...] = ()
    tags: tuple[Tag, ...] = ()
    statuses: tuple[Status, ...] = ()
    ids: tuple[Slug, ...] = ()
    feed: Slug | None = None
    start: date | None = Field(default=None, description="due window ends on or after this day")
    end: date | None = Field(default=None, description="due window starts on or before this day")
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self

    def matches(self, commitment: Commitment) -> bool:
        """The same test the store applies in SQL, for commitments already in memory."""
        due = commitment.due
        return (
            (not self.kinds or commitment.kind in self.kinds)
            and (not self.statuses or commitment.status in self.statuses)
            and (not self.parties or bool(set(self.parties) & set(commitment.parties)))
            and (not self.tags or bool(set(self.tags) & set(commitment.tags)))
            and (not self.ids or commitment.id in self.ids)
            and (self.start is None or (due is not None and due.last_day >= self.start))
            and (self.end is None or (due is not None and due.first_day <= self.end))
            and (self.text is None or _contains(commitment, self.text))
        )


def _contains(commitment: Commitment, text: str) -> bool:
    needle = text.casefold()
    return needle in commitment.title.casefold() or needle in commitment.description.casefold()


class Feed(BaseModel):
    """A published calendar: a named set of commitments."""

    model_config = _FROZEN

    slug: Slug
    title: Title
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    origin: str = "api"


class StatedVersion(BaseModel):
    """One known state of a commitment and the change that produced it (for loading history)."""

    model_config = _FROZEN

    fields: CommitmentFields
    effective: date
    reason: str | None = None
    source: Source | None = None


class ChangeEvent(StrEnum):
    CREATED = "commitment.created"
    UPDATED = "commitment.updated"
    CANCELLED = "commitment.cancelled"


class CommitmentPage(BaseModel):
    """One page of a list, with the total that matched."""

    items: list[Commitment]
    total: int
    limit: int
    offset: int


class Catalog(BaseModel):
    """Feeds and the commitments they hold, as read from reviewed files, before storing."""

    model_config = _FROZEN

    feeds: tuple[tuple[Feed, tuple[Slug, ...]], ...]
    commitments: dict[Slug, tuple[StatedVersion, ...]]


class Scope(StrEnum):
    """What an API key may do; each scope includes those before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def allows(self, needed: Scope) -> bool:
        order = list(Scope)
        return order.index(self) >= order.index(needed)


class ApiKey(BaseModel):
    """A stored API key; the secret itself is never kept, only its hash."""

    model_config = _FROZEN

    id: str
    name: str
    scope: Scope
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None = None


# ---------------------------------------------------------------------------- upcoming

ACTIVE_STATUSES = frozenset({Status.SCHEDULED, Status.TENTATIVE, Status.OCCURRED})


def upcoming(
    commitments: Iterable[Commitment], as_of: date, until: date
) -> list[tuple[Commitment, int]]:
    """What was due between `as_of` and `until` as seen on `as_of`, with days left, by due.

    Statuses are read as they stood on `as_of`; cancelled and superseded ones are left out.
    """
    found = []
    for commitment in commitments:
        due = commitment.due
        if due is None or not in_window(due, as_of, until):
            continue
        status = status_as_of(commitment.status, due, as_of)
        if status in ACTIVE_STATUSES:
            found.append((commitment.model_copy(update={"status": status}), days_left(due, as_of)))
    return sorted(found, key=lambda pair: (pair[0].due.start_instant(), pair[0].id))  # type: ignore[union-attr]


def undated(commitments: Iterable[Commitment]) -> list[Commitment]:
    """Tentative commitments with no date yet: coming, but nobody knows when."""
    return [c for c in commitments if c.due is None and c.status is Status.TENTATIVE]
