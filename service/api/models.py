"""Request and response bodies that exist only at the HTTP edge."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from service.domain import (
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    CommitmentPatch,
    Revision,
    Subscription,
)

_CHANGE = Field(
    default=None, description="Why: the reason, when it happened in the world, and the source"
)


class CommitmentCreateRequest(CommitmentCreate):
    change: ChangeNote | None = _CHANGE


class CommitmentReplaceRequest(CommitmentFields):
    change: ChangeNote | None = _CHANGE


class CommitmentPatchRequest(CommitmentPatch):
    change: ChangeNote | None = _CHANGE


class HistoryEntry(Revision):
    summary: str = Field(examples=["due moved from 2021-02-05 to 2026-02-05 on 2021-02-03"])


class UpcomingItem(Commitment):
    days_left: int = Field(description="Days from as_of to the first day of the due window")


class Upcoming(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of: date
    within: str
    until: date
    items: list[UpcomingItem] = Field(description="Dated commitments in the window, by due")
    undated: list[Commitment] = Field(description="Tentative commitments with no date yet")


class FeedEntry(BaseModel):
    slug: str
    title: str
    description: str
    count: int | None = Field(description="Commitments in the feed; null for the filtered 'all'")
    url: str = Field(description="The feed over http(s), as this server is reached")
    webcal_url: str = Field(description="The same feed as webcal://, which opens a calendar app")


class SubscriptionCreated(Subscription):
    secret: str = Field(
        description="The signing secret, shown this once: keep it to verify webhook-signature",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )
