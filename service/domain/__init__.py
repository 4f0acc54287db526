"""The commitments treatycal tracks, and the pure rules about their dates and revisions.

Everything here is a value: pydantic models that refuse bad input with a message a person can
act on, and functions that take the time as an argument. Nothing here reads the clock, the
database or the network. Each concept has its module; this package re-exports them all.
"""

from __future__ import annotations

from service.domain.base import (
    SLUG_PATTERN,
    TAG_PATTERN,
    UNDATED_STATUSES,
    Kind,
    Party,
    Precision,
    Slug,
    Status,
    Tag,
    Title,
    UtcDatetime,
)
from service.domain.catalog import Catalog, Feed, StatedVersion
from service.domain.commitments import (
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    CommitmentPatch,
    Source,
    slug_for,
)
from service.domain.dues import Due, check_zone, due_from
from service.domain.durations import CalendarDuration, Offset
from service.domain.keys import ApiKey, Scope
from service.domain.queries import (
    ACTIVE_STATUSES,
    CommitmentFilter,
    CommitmentPage,
    days_left,
    in_window,
    status_as_of,
    undated,
    upcoming,
)
from service.domain.revisions import ChangeEvent, ChangeNote, FieldChange, Revision, diff

__all__ = [
    "ACTIVE_STATUSES",
    "SLUG_PATTERN",
    "TAG_PATTERN",
    "UNDATED_STATUSES",
    "ApiKey",
    "CalendarDuration",
    "Catalog",
    "ChangeEvent",
    "ChangeNote",
    "Commitment",
    "CommitmentCreate",
    "CommitmentFields",
    "CommitmentFilter",
    "CommitmentPage",
    "CommitmentPatch",
    "Due",
    "Feed",
    "FieldChange",
    "Kind",
    "Offset",
    "Party",
    "Precision",
    "Revision",
    "Scope",
    "Slug",
    "Source",
    "StatedVersion",
    "Status",
    "Tag",
    "Title",
    "UtcDatetime",
    "check_zone",
    "days_left",
    "diff",
    "due_from",
    "in_window",
    "slug_for",
    "status_as_of",
    "undated",
    "upcoming",
]
