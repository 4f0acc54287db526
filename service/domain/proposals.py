"""What reading an article yields: dated mentions, proposed commitments, and the decisions.

Mention values follow TimeML TIMEX3, resolved against the publication date (examples for an
article published on Tuesday 2019-05-14):

====================  ============================================  ==========================
form                  example                                       precision and window
====================  ============================================  ==========================
year                  "in 2021" -> 2021                             year, Jan 1..Dec 31
half year             "the first half of 2026" -> 2026-H1           year, Jan 1..Jun 30
quarter               "the third quarter of 2025" -> 2025-Q3        quarter
season                "through the winter" -> 2019-WI               quarter, Dec 1..end Feb
                      (SP, SU, FA, WI)
month                 "last month" -> 2019-04                       month
ISO week              "this week" -> 2019-W20                       week, Monday..Sunday
day                   "Tuesday" -> 2019-05-14                       day
part of a unit        "mid-October" -> 2019-10, mod MID             month, days 11..20
                      "by the end of September" -> 2019-09, END     month, days 21..30
                      "early 2027" -> 2027, mod START               year, Jan..Apr
narrowed unit         "earlier this week" -> 2019-W20               week, Monday..May 13
range                 "July 11-12" -> 2019-07-11/2019-07-12         day, both days
                      "from 2011 to 2021" -> 2011/2021              year
vague window          "a few days earlier" ->                       day, 2..7 days before
                      2019-05-07/2019-05-12, mod APPROX
duration              "a 30-day process" -> P30D                    day, anchor..anchor+30
                      "within the next two weeks" -> P2W,           week, publication..+14
                      mod EQUAL_OR_LESS
                      "within days" -> PXD, mod EQUAL_OR_LESS       day, publication..+7
====================  ============================================  ==========================

`mod` is the TIMEX3 modifier: START, MID and END narrow a unit to its first, middle or last
third; APPROX marks a window whose ends the text does not state; EQUAL_OR_LESS marks "within".
A range without a mod is an event that spans it; one with APPROX is a window that holds a
single event. A duration is laid from its anchor: a day named in the same sentence
("triggered on August 28 a 30-day process") or, failing that, the publication date; "six
months after" a dated event is a day ("after formal notice, delivered on Friday"), after an
undated one a duration ("after that notice"). `earliest` and `latest` may be narrower than
the value's own window; they never claim a day the text does not give. `tense` says where the
window lies relative to publication: past (it ended before), future (it starts after) or
present (it holds the publication day).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from service.domain.base import (
    FROZEN,
    Kind,
    Lines,
    Party,
    Precision,
    Slug,
    Status,
    Title,
    UtcDatetime,
)
from service.domain.commitments import CommitmentCreate, CommitmentFields, Source
from service.domain.dues import Due

_QUOTE_LIMIT = 5000


class Tense(StrEnum):
    """Where a mention's window lies relative to the publication date."""

    PAST = "past"
    PRESENT = "present"
    FUTURE = "future"


class TimexType(StrEnum):
    """TIMEX3 type: a calendar date (or range of dates), a time of day, a length of time, or a
    set of repeated times ("every week")."""

    DATE = "date"
    TIME = "time"
    DURATION = "duration"
    SET = "set"


class Mod(StrEnum):
    """TIMEX3 modifiers used here."""

    START = "START"
    MID = "MID"
    END = "END"
    APPROX = "APPROX"
    EQUAL_OR_LESS = "EQUAL_OR_LESS"


class Mention(BaseModel):
    """A dated expression in the text, with its span and its resolved window."""

    model_config = FROZEN

    text: str
    start: int = Field(ge=0, description="offset of the first character in the article text")
    end: int = Field(ge=0, description="offset just past the last character")
    value: str = Field(examples=["2019-05-14", "2019-04", "2021", "2019-W20", "P30D"])
    type: TimexType = TimexType.DATE
    precision: Precision
    mod: Mod | None = None
    earliest: date
    latest: date
    tense: Tense
    sentence: str


class Proposal(BaseModel):
    """A commitment the text suggests tracking; a person (or a stated rule) accepts it."""

    model_config = FROZEN

    kind: Kind
    title: str = Field(min_length=1, max_length=300)
    parties: tuple[Party, ...] = ()
    due: Due | None = None
    end: Due | None = None
    status: Status
    quote: str
    source: Source
    mention: int | None = Field(default=None, description="index into the extraction's mentions")
    matches: str | None = Field(default=None, description="id of a known commitment it repeats")
    confidence: float = Field(ge=0.0, le=1.0)

    @property
    def cited(self) -> Source:
        """The article, quoting the sentence the proposal came from."""
        return self.source.model_copy(update={"quote": self.quote[:_QUOTE_LIMIT]})

    def to_commitment(self) -> CommitmentCreate:
        """The commitment to create when a person accepts this proposal."""
        return CommitmentCreate(
            title=self.title,
            kind=self.kind,
            due=self.due,
            end=self.end,
            status=self.status,
            parties=self.parties,
            sources=(self.cited,),
        )


class Extraction(BaseModel):
    """Everything one article yields."""

    model_config = FROZEN

    mentions: list[Mention]
    proposals: list[Proposal]
    truncated: bool = Field(
        default=False,
        description="Whether the article held more mentions or proposals than the limits "
        "allow; those listed are the first, in text order",
    )


class Decision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ProposalRecord(BaseModel):
    """A stored proposal: what extraction proposed, and what a person (or rule) decided."""

    model_config = FROZEN

    id: int
    source_id: int
    position: int
    body: Proposal
    decision: Decision
    decided_at: UtcDatetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    commitment_id: Slug | None = None


_EDITS = frozenset({"title", "kind", "parties", "due"})


class AcceptProposal(BaseModel):
    """How to track a proposal: edited first or as it stands, as a new commitment (optionally
    under an id of one's own) or as a revision of the one it matches, and why."""

    model_config = FROZEN

    id: Slug | None = Field(default=None, description="An id for the new commitment")
    reason: Annotated[Lines, StringConstraints(max_length=2000)] | None = None
    force: bool = Field(
        default=False, description="Track it even though it matches a tracked commitment"
    )
    title: Title | None = Field(default=None, description="Track it under this title instead")
    kind: Kind | None = Field(default=None, description="Track it as this kind instead")
    parties: tuple[Party, ...] | None = Field(
        default=None, max_length=60, description="Track it with these parties instead"
    )
    due: Due | None = Field(
        default=None,
        description="Track it as due then instead; this replaces the proposal's whole window "
        "(its end is dropped), and null leaves it undated",
    )
    revise: bool = Field(
        default=False,
        description="Record it as the next revision of the commitment it matches, instead of "
        "tracking a new one",
    )

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if self.revise and self.id is not None:
            raise ValueError("id names a new commitment; a revision keeps the id it revises")
        return self

    @property
    def edits(self) -> frozenset[str]:
        """The fields of the proposal this choice changes (a field sent as null is one)."""
        return _EDITS & self.model_fields_set

    def edited(self, proposal: Proposal) -> Proposal:
        """The proposal with these edits made, validated as a whole (ValidationError)."""
        changed: dict[str, Any] = {name: getattr(self, name) for name in self.edits}
        if "due" in changed:
            changed["end"] = None
        stated = proposal.model_dump(exclude_computed_fields=True)
        return Proposal.model_validate(stated | changed)

    def revision(self, proposal: Proposal, before: CommitmentFields) -> CommitmentFields:
        """The matched commitment's fields with what the edited proposal states: its window
        (when it has one), status and parties (added to the known ones unless edited), its
        title and kind where edited, and the article among the sources."""
        stated = self.edited(proposal)
        parties = stated.parties if "parties" in self.edits else (*before.parties, *stated.parties)
        changed: dict[str, Any] = {
            "status": stated.status,
            "parties": parties,
            "sources": _with_source(before.sources, stated.cited),
        }
        if stated.due is not None or "due" in self.edits:
            changed |= {"due": stated.due, "end": stated.end}
        changed |= {name: getattr(stated, name) for name in self.edits & {"title", "kind"}}
        known = before.model_dump(exclude_computed_fields=True)
        return CommitmentFields.model_validate(known | changed)


def _with_source(sources: tuple[Source, ...], source: Source) -> tuple[Source, ...]:
    """The sources with `source` added, unless one of them names the same article."""
    cited = any(
        known.url == source.url if source.url else known.title == source.title for known in sources
    )
    return sources if cited else (*sources, source)


class RejectProposal(BaseModel):
    model_config = FROZEN

    reason: Annotated[Lines, StringConstraints(max_length=2000)] | None = None
