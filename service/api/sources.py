"""/api/v1/sources and /api/v1/proposals: reading the news for commitments to track."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from service.api.deps import AppDep, Reader, Writer
from service.api.models import ProposalRead, SourceRead
from service.api.problems import PROBLEM_RESPONSES
from service.domain import AcceptProposal, ArticleIn, Decision, RejectProposal

router = APIRouter(prefix="/api/v1", tags=["sources"], responses=PROBLEM_RESPONSES)

ProposalId = Annotated[int, Path(ge=1, le=2**62)]


@router.post(
    "/sources",
    status_code=status.HTTP_201_CREATED,
    summary="Read an article",
    responses={200: {"model": SourceRead, "description": "The same article, read before"}},
)
def post_source(app: AppDep, caller: Writer, article: ArticleIn, response: Response) -> SourceRead:
    """Stores the article, finds its dated mentions and proposes commitments to track.

    Relative dates resolve against `published`. A proposal that repeats a commitment as it
    was known on that day names it in `matches`. Proposals wait for a person to accept or
    reject them, unless TREATYCAL_AUTO_ACCEPT_CONFIDENCE sets a rule. The same article posted
    again returns the stored record (200) instead of a second one, without reading it again.

    An article is read in a worker process, within TREATYCAL_EXTRACT_TIME_LIMIT: past it the
    answer is 422, and the article should be split or sent shorter. What one article yields
    is bounded: at most TREATYCAL_EXTRACT_MAX_MENTIONS mentions and
    TREATYCAL_EXTRACT_MAX_PROPOSALS proposals (the first, in text order), each quoting at
    most TREATYCAL_EXTRACT_MAX_QUOTE_CHARS characters of its sentence.
    """
    record, new = app.reading.read(article, caller.actor)
    if not new:
        response.status_code = status.HTTP_200_OK
    return SourceRead.of(record)


@router.get("/sources/{source_id}", summary="An article's mentions and proposals")
def get_source(app: AppDep, caller: Reader, source_id: ProposalId) -> SourceRead:
    return SourceRead.of(app.reading.source(source_id))


@router.get("/proposals", summary="Proposals, newest first")
def list_proposals(
    app: AppDep,
    caller: Reader,
    decision: Decision | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ProposalRead]:
    return [ProposalRead.of(p) for p in app.reading.proposals(decision, limit, offset)]


@router.post("/proposals/{proposal_id}/accept", summary="Track a proposed commitment")
def accept_proposal(
    app: AppDep,
    caller: Writer,
    proposal_id: ProposalId,
    body: AcceptProposal | None = None,
) -> ProposalRead:
    """Creates the commitment, citing the article and its sentence, effective on its date.

    `title`, `kind`, `parties` and `due` edit the proposal first (a new `due` replaces its
    whole window). A proposal that `matches` a tracked commitment is refused (409) unless
    `force` tracks it as a new one anyway, or `revise` records it as the next revision of the
    matched commitment instead: its due, end and status become what the proposal states (its
    due stays when the proposal has none), the proposal's parties join its own (or replace
    them, when edited), its title and kind change only when edited, and the article is cited,
    with the reason "from proposal N" unless one is given. `revise` on a proposal that
    matches nothing, or on a commitment changed after the article's date, is 422. Either way
    the decision's `commitment_id` names the commitment.
    """
    choice = body or AcceptProposal()
    return ProposalRead.of(app.reading.accept(proposal_id, choice, caller.actor))


@router.post("/proposals/{proposal_id}/reject", summary="Decline a proposed commitment")
def reject_proposal(
    app: AppDep,
    caller: Writer,
    proposal_id: ProposalId,
    body: RejectProposal | None = None,
) -> ProposalRead:
    reason = body.reason if body else None
    return ProposalRead.of(app.reading.reject(proposal_id, reason, caller.actor))
