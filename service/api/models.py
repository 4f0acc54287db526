"""Request and response bodies that exist only at the HTTP edge."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.domain import (
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    CommitmentPatch,
    Decision,
    FeedSelection,
    ProposalRecord,
    Revision,
    Slug,
    SourceRecord,
    Subscription,
)
from service.extract import Mention, Proposal

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
    days_left: int = Field(
        description="Days from as_of to the first day of the due window; negative once it began"
    )
    days_to_end: int | None = Field(
        default=None, description="Days from as_of to the first day of the end, if it has one"
    )


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
    url: str | None = Field(
        description="The feed over http(s), as this server is reached; null for a private "
        "feed, whose address is shown only when its token is made"
    )
    webcal_url: str | None = Field(
        description="The same feed as webcal://, which opens a calendar app"
    )
    origin: str = Field(description="The file it is loaded from, or 'api'")
    selection: FeedSelection | None = Field(
        default=None, description="What a feed made through the API holds"
    )
    private: bool = False


class SubscriptionCreated(Subscription):
    secret: str = Field(
        description="The signing secret, shown this once: keep it to verify webhook-signature",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class AcceptProposal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug | None = Field(default=None, description="An id for the new commitment")
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None
    force: bool = Field(
        default=False, description="Track it even though it matches a tracked commitment"
    )


class RejectProposal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ProposalRead(Proposal):
    """A proposal with its id and the decision taken on it."""

    id: int
    source_id: int
    decision: Decision
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    commitment_id: str | None = Field(default=None, description="The commitment it became")

    @classmethod
    def of(cls, record: ProposalRecord) -> ProposalRead:
        return cls(**record.body, **record.model_dump(exclude={"body", "position"}))


class SourceRead(BaseModel):
    """An article read: its dated mentions and the commitments proposed from it."""

    id: int
    url: str | None
    title: str | None
    published: date
    created_at: datetime
    created_by: str
    mentions: list[Mention]
    proposals: list[ProposalRead]

    @classmethod
    def of(cls, record: SourceRecord) -> SourceRead:
        proposals = [ProposalRead.of(p) for p in record.proposals]
        return cls.model_validate(
            record.model_dump(exclude={"proposals"}) | {"proposals": proposals}
        )
