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
from service.domain.dues import Due, check_zone
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
from service.domain.sources import (
    MAX_ARTICLE_CHARS,
    ArticleIn,
    Decision,
    ProposalRecord,
    SourceRecord,
)
from service.domain.webhooks import (
    PLANNED_STATUSES,
    RETRY_DELAYS,
    SUBSCRIBABLE,
    Alert,
    AlertStatus,
    Attempt,
    Delivery,
    DeliveryStatus,
    EventType,
    PlannedAlert,
    RetryRule,
    Subscription,
    SubscriptionCreate,
    SubscriptionFilter,
    SubscriptionStatus,
    alert_time,
    days_before,
    due_key,
    plan_alerts,
)

__all__ = [
    "ACTIVE_STATUSES",
    "MAX_ARTICLE_CHARS",
    "PLANNED_STATUSES",
    "RETRY_DELAYS",
    "SLUG_PATTERN",
    "SUBSCRIBABLE",
    "TAG_PATTERN",
    "UNDATED_STATUSES",
    "Alert",
    "AlertStatus",
    "ApiKey",
    "ArticleIn",
    "Attempt",
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
    "Decision",
    "Delivery",
    "DeliveryStatus",
    "Due",
    "EventType",
    "Feed",
    "FieldChange",
    "Kind",
    "Offset",
    "Party",
    "PlannedAlert",
    "Precision",
    "ProposalRecord",
    "RetryRule",
    "Revision",
    "Scope",
    "Slug",
    "Source",
    "SourceRecord",
    "StatedVersion",
    "Status",
    "Subscription",
    "SubscriptionCreate",
    "SubscriptionFilter",
    "SubscriptionStatus",
    "Tag",
    "Title",
    "UtcDatetime",
    "alert_time",
    "check_zone",
    "days_before",
    "days_left",
    "diff",
    "due_key",
    "in_window",
    "plan_alerts",
    "slug_for",
    "status_as_of",
    "undated",
    "upcoming",
]
