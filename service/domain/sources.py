"""News articles read for commitments, as posted and as stored with what was found."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from service.domain.base import FROZEN, Line, Lines, UtcDatetime
from service.domain.commitments import http_url
from service.domain.proposals import Mention, ProposalRecord

MAX_ARTICLE_CHARS = 1 << 20


class ArticleIn(BaseModel):
    """An article to read: its text, where it was published and when."""

    model_config = FROZEN

    text: Annotated[Lines, StringConstraints(min_length=1, max_length=MAX_ARTICLE_CHARS)] = Field(
        description="The article's plain text (at most 1 MiB)"
    )
    published: date = Field(description="Relative dates ('last month') resolve against this")
    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    title: Annotated[Line, StringConstraints(strip_whitespace=True, max_length=500)] | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        return None if url is None else http_url(url)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty: send the article's text")
        return text


class SourceRecord(BaseModel):
    """A stored article with the mentions found in it and the proposals made from it."""

    model_config = FROZEN

    id: int
    url: str | None
    title: str | None
    published: date
    created_at: UtcDatetime
    created_by: str
    mentions: list[Mention]
    proposals: list[ProposalRecord]


class ArticleRecord(SourceRecord):
    """A stored article with its text, to show where in it each mention was found."""

    text: str


class SourceSummary(BaseModel):
    """An article read, as a list shows it: what it is and where its proposals stand."""

    model_config = FROZEN

    id: int
    url: str | None
    title: str | None
    published: date
    created_at: UtcDatetime
    pending: int = 0
    accepted: int = 0
    rejected: int = 0
