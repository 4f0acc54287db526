"""Request and response bodies that exist only at the HTTP edge."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from service.app import PublishedFeed
from service.app.subscriptions import SecretRotated
from service.domain import (
    ChangeNote,
    CommitmentCreate,
    CommitmentFields,
    CommitmentPatch,
    Decision,
    FeedSelection,
    Mention,
    Proposal,
    ProposalRecord,
    Revision,
    SourceRecord,
    Subscription,
)

_CHANGE = Field(
    default=None, description="Why: the reason, when it happened in the world, and the source"
)


class CommitmentCreateRequest(CommitmentCreate):
    change: ChangeNote | None = _CHANGE


BULK_MAX_ITEMS = 10_000


class BulkCreateRequest(BaseModel):
    """Many new commitments, created in one transaction: every one of them, or none."""

    model_config = ConfigDict(extra="forbid")

    items: list[CommitmentCreate] = Field(
        min_length=1,
        max_length=BULK_MAX_ITEMS,
        description=f"Up to {BULK_MAX_ITEMS:,} new commitments, each as POST /api/v1/commitments "
        "takes one (without `change`)",
    )
    change: ChangeNote | None = Field(
        default=None, description="Why, for every item: the reason, when, and the source"
    )


class BulkCreated(BaseModel):
    count: int = Field(description="How many commitments were created")
    ids: list[str] = Field(description="Their ids, in the order of the items sent")


class CommitmentReplaceRequest(CommitmentFields):
    change: ChangeNote | None = _CHANGE


class CommitmentPatchRequest(CommitmentPatch):
    change: ChangeNote | None = _CHANGE


class CancelRequest(BaseModel):
    """What a cancellation may say about itself."""

    model_config = ConfigDict(extra="forbid")

    change: ChangeNote | None = _CHANGE


class HistoryEntry(Revision):
    summary: str = Field(examples=["due moved from 2021-02-05 to 2026-02-05 on 2021-02-03"])


class ChangeEntry(HistoryEntry):
    cursor: str = Field(description="Poll with since= this to follow on from this change")


class ChangesPage(BaseModel):
    items: list[ChangeEntry] = Field(description="In the order they were recorded")
    next: str = Field(description="The cursor for the next poll: since= this")
    more: bool = Field(description="Whether more changes wait already: poll again at once")


class FeedEntry(BaseModel):
    slug: str
    title: str
    description: str
    count: int | None = Field(
        description="Commitments in the feed, the undated ones too (a calendar shows only the "
        "dated ones; the API lists the rest)"
    )
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

    @classmethod
    def of(cls, published: PublishedFeed) -> FeedEntry:
        feed = published.feed
        return cls(
            slug=feed.slug,
            title=feed.title,
            description=feed.description,
            count=published.count,
            url=published.url,
            webcal_url=published.webcal_url,
            origin=feed.origin,
            selection=feed.selection,
            private=feed.private,
        )


class SubscriptionCreated(Subscription):
    secret: str = Field(
        description="The signing secret, shown this once: keep it to verify webhook-signature",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class SubscriptionSecret(Subscription):
    """A subscription with the secret a rotation just made."""

    secret: str = Field(
        description="The new signing secret, shown this once: keep it to verify webhook-signature",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )
    previous_secret_until: datetime = Field(
        description="Until then each delivery carries two signatures, one with the new secret "
        "and one with the secret it replaced; after, only the new one"
    )

    @classmethod
    def of(cls, rotated: SecretRotated) -> SubscriptionSecret:
        return cls(
            **rotated.subscription.model_dump(),
            secret=rotated.secret,
            previous_secret_until=rotated.previous_secret_until,
        )


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
        body = record.body.model_dump()
        return cls(**body, **record.model_dump(exclude={"body", "position"}))


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
        return cls(
            **record.model_dump(exclude={"mentions", "proposals"}),
            mentions=record.mentions,
            proposals=proposals,
        )
