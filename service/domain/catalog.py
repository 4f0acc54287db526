"""Feeds and their commitments as read from reviewed files, before storing."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from service.domain.base import FROZEN, Slug, Title
from service.domain.commitments import CommitmentFields, Source


class Feed(BaseModel):
    """A published calendar: a named set of commitments."""

    model_config = FROZEN

    slug: Slug
    title: Title
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    origin: str = "api"


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
