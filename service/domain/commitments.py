"""A commitment: what a person states about it, and what the store adds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from service.domain.base import (
    FROZEN,
    UNDATED_STATUSES,
    Kind,
    Line,
    Lines,
    Party,
    Slug,
    Status,
    Tag,
    Title,
    UtcDatetime,
    printable,
)
from service.domain.due_rules import DueRule, rule_in_due
from service.domain.dues import Due, check_zone
from service.domain.durations import Offset


def http_url(url: str) -> str:
    """`url` if it is an http(s) URL, else ValueError."""
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.IGNORECASE):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return printable(url)


class Source(BaseModel):
    """Where a commitment or a change to it is documented."""

    model_config = FROZEN

    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    title: Annotated[Line, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    published: date | None = None
    quote: Annotated[Lines, StringConstraints(max_length=5000)] | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        return None if url is None else http_url(url)

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.url is None and not self.title:
            raise ValueError("a source needs a url, a title, or both")
        return self


class CommitmentFields(BaseModel):
    """What a person states about a commitment; the server adds id, revision and times."""

    model_config = FROZEN

    title: Title
    description: Annotated[Lines, StringConstraints(max_length=20_000)] = ""
    kind: Kind
    due: Due | None = None
    due_rule: DueRule | None = Field(
        default=None,
        description="A due that follows another commitment (or send `due` as "
        '{"after": id, "offset": "P6M"}); the server resolves `due` from it and keeps it current',
    )
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
        description="Alert offsets (ISO 8601 durations) before the start of the due window, "
        "or before its end with 'before end' (the end's last moment, else the window's); "
        "null takes the default for the kind",
        examples=[["P30D", "P7D", "PT0S", "P30D before end"]],
    )
    supersedes: Slug | None = None

    @model_validator(mode="before")
    @classmethod
    def _relative_due(cls, data: Any) -> Any:
        return rule_in_due(data)

    @field_validator("parties", "tags", "alerts")
    @classmethod
    def _no_repeats(cls, items: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if items is None else tuple(dict.fromkeys(items))

    @model_validator(mode="after")
    def _dates_agree(self) -> Self:
        if self.due is None and self.due_rule is not None:
            return self  # resolved (and checked again) when it is written
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

    def stated(self) -> CommitmentFields:
        """The fields as a person states them: a due that follows a rule is the rule's to give."""
        stated = self.model_dump(include=_STATED_FIELDS, exclude_computed_fields=True)
        return CommitmentFields.model_validate(stated | {"due": None} if self.due_rule else stated)


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


class CommitmentPatch(BaseModel):
    """A partial change: only the fields sent are changed; null clears an optional field."""

    model_config = FROZEN

    title: Title | None = None
    description: Annotated[Lines, StringConstraints(max_length=20_000)] | None = None
    kind: Kind | None = None
    due: Due | None = None
    due_rule: DueRule | None = None
    end: Due | None = None
    status: Status | None = None
    parties: tuple[Party, ...] | None = Field(default=None, max_length=60)
    tags: tuple[Tag, ...] | None = Field(default=None, max_length=30)
    sources: tuple[Source, ...] | None = Field(default=None, max_length=50)
    alerts: tuple[Offset, ...] | None = Field(default=None, max_length=20)
    supersedes: Slug | None = None

    @model_validator(mode="before")
    @classmethod
    def _relative_due(cls, data: Any) -> Any:
        return rule_in_due(data)

    def apply(self, current: CommitmentFields) -> CommitmentFields:
        """The fields after this patch, validated as a whole."""
        required = {"title", "kind", "description", "status", "parties", "tags", "sources"}
        cleared = [n for n in self.model_fields_set & required if getattr(self, n) is None]
        if cleared:
            raise ValueError(f"{', '.join(sorted(cleared))} cannot be null")
        merged = current.model_dump(exclude_computed_fields=True)
        merged.update(self.model_dump(include=self.model_fields_set, exclude_computed_fields=True))
        if "due" in self.model_fields_set and "due_rule" not in self.model_fields_set:
            merged["due_rule"] = None  # a stated date replaces the rule
        return CommitmentFields.model_validate(merged)
