"""Shared vocabulary: kinds, statuses, precisions and the constrained string types."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
)

from service.domain.parties import normalise_party


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

_CONTROLS = {
    True: re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"),
    False: re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]"),
}


def printable(text: str, *, lines: bool = False) -> str:
    """`text` if it holds no control character (tab, CR and LF allowed with `lines`).

    A calendar carries text to every subscriber: RFC 5545 TEXT has no room for NUL, ESC or
    DEL, PostgreSQL refuses NUL, and a lone surrogate cannot be encoded at all.
    """
    found = _CONTROLS[lines].search(text)
    if found is not None:
        code = f"U+{ord(found.group()):04X}"
        raise ValueError(f"contains the control character {code}; remove it")
    return text


def _one_line(text: str) -> str:
    return printable(text)


def _lines(text: str) -> str:
    return printable(text, lines=True)


Line = Annotated[str, AfterValidator(_one_line)]
"""Text on one line, with no control characters."""
Lines = Annotated[str, AfterValidator(_lines)]
"""Text that may run over several lines (tabs and line breaks), with no other controls."""


def _lowered(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Tag = Annotated[str, BeforeValidator(_lowered), StringConstraints(pattern=TAG_PATTERN)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_one_line),
]
Party = Annotated[str, AfterValidator(normalise_party)]

FROZEN = ConfigDict(frozen=True, extra="forbid")

Model = TypeVar("Model", bound=BaseModel)


def assembled(model: type[Model], values: dict[str, Any]) -> Model:
    """A `model` holding `values`, which must be valid, one for each of its fields, and not
    used elsewhere: they are not validated.

    What `model_construct` makes of such values, without its walk over every field's aliases
    and defaults: a bulk import assembles three models a commitment from parts already
    validated, and that walk was a tenth of its Python. Only for models with no private
    attributes, extra fields or post-init hook, which `model_construct` would have to serve.
    A field left out would have no default to fall back on, so a count that differs from the
    model's is refused (a field added to a model, say, that a caller does not give yet).
    """
    if (
        model.__pydantic_post_init__ is not None
        or model.__private_attributes__
        or model.model_config.get("extra") == "allow"
    ):
        raise TypeError(f"{model.__name__} needs model_construct")
    if len(values) != len(model.__pydantic_fields__):
        raise TypeError(
            f"{model.__name__} has {len(model.__pydantic_fields__)} fields, given {len(values)}"
        )
    made = model.__new__(model)
    object.__setattr__(made, "__dict__", values)
    object.__setattr__(made, "__pydantic_fields_set__", set(values))
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made


def _in_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""An aware datetime, held in UTC: naive times are refused at the edge."""
