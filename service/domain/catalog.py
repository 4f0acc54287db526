"""Feeds and their commitments as read from reviewed files, before storing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from service.domain.base import FROZEN, Kind, Lines, Party, Slug, Status, Tag, Title
from service.domain.commitments import CommitmentFields, Source
from service.domain.queries import CommitmentFilter

RESERVED_FEED_SLUGS = frozenset({"all", "private"})
"""Addresses under /feeds/ that a feed of its own may not take."""


class FeedSelection(BaseModel):
    """Which commitments a feed made through the API holds; an empty list means any."""

    model_config = FROZEN

    kinds: tuple[Kind, ...] = ()
    parties: tuple[Party, ...] = Field(default=(), max_length=60)
    tags: tuple[Tag, ...] = Field(default=(), max_length=30)
    statuses: tuple[Status, ...] = ()
    ids: tuple[Slug, ...] = Field(default=(), max_length=1000)

    @cached_property
    def as_filter(self) -> CommitmentFilter:
        """The one filter type every list, feed and subscription matches with."""
        return CommitmentFilter(**self.model_dump())


class Feed(BaseModel):
    """A published calendar: a named set of commitments.

    A feed loaded from a file lists its members; a feed made through the API has a
    `selection` instead, so that it follows the data. A `private` feed is served only at an
    address holding its token, never at /feeds/{slug}.ics.
    """

    model_config = FROZEN

    slug: Slug
    title: Title
    description: Annotated[Lines, StringConstraints(max_length=5000)] = ""
    origin: str = "api"
    selection: FeedSelection | None = None
    private: bool = False


class FeedCreate(BaseModel):
    """A feed made through the API: a name, a selection, and whether its address is secret."""

    model_config = FROZEN

    slug: Slug = Field(description="Its address: /feeds/{slug}.ics, unless it is private")
    title: Title
    description: Annotated[Lines, StringConstraints(max_length=5000)] = ""
    selection: FeedSelection = FeedSelection()
    private: bool = Field(
        default=False,
        description="Served only at /feeds/private/{token}.ics; the token is shown once",
    )

    @field_validator("slug")
    @classmethod
    def _not_reserved(cls, slug: str) -> str:
        if slug in RESERVED_FEED_SLUGS:
            raise ValueError(f"{slug!r} is a reserved feed address; choose another slug")
        return slug

    def as_feed(self) -> Feed:
        return Feed(**self.model_dump(), origin="api")


class StatedVersion(BaseModel):
    """One known state of a commitment and the change that produced it (for loading history)."""

    model_config = FROZEN

    fields: CommitmentFields
    effective: date
    reason: str | None = None
    source: Source | None = None


class Catalog(BaseModel):
    """Feeds and the commitments they hold, as read from reviewed files, before storing."""

    model_config = FROZEN

    feeds: tuple[tuple[Feed, tuple[Slug, ...]], ...]
    commitments: dict[Slug, tuple[StatedVersion, ...]]


def unapplied(
    current: CommitmentFields | None, versions: Sequence[StatedVersion]
) -> list[StatedVersion] | None:
    """The versions after the one `current` is; all of them when there is no `current`.

    None when `current` is none of them (it was changed by other means than the files).
    """
    if current is None:
        return list(versions)
    for index in range(len(versions) - 1, -1, -1):
        if versions[index].fields.stated() == current.stated():
            return list(versions[index + 1 :])
    return None
