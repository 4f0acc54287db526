"""/api/v1/sources and /api/v1/proposals: reading the news for commitments to track."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from service.api.deps import Reader, Services, ServicesDep, Writer
from service.api.models import AcceptProposal, ProposalRead, RejectProposal, SourceRead
from service.api.problems import PROBLEM_RESPONSES
from service.domain import ArticleIn, ChangeNote, CommitmentFilter, Decision, ProposalRecord
from service.errors import DuplicateCommitment, ProposalIsDuplicate
from service.extract import Proposal, extract

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["sources"], responses=PROBLEM_RESPONSES)

ProposalId = Annotated[int, Path(ge=1, le=2**62)]


@router.post(
    "/sources",
    status_code=status.HTTP_201_CREATED,
    summary="Read an article",
    responses={200: {"model": SourceRead, "description": "The same article, read before"}},
)
def post_source(
    services: ServicesDep, caller: Writer, article: ArticleIn, response: Response
) -> SourceRead:
    """Stores the article, finds its dated mentions and proposes commitments to track.

    Relative dates resolve against `published`. A proposal that repeats a commitment as it
    was known on that day names it in `matches`. Proposals wait for a person to accept or
    reject them, unless TREATYCAL_AUTO_ACCEPT_CONFIDENCE sets a rule. The same article posted
    again returns the stored record (200) instead of a second one.
    """
    known = services.store.commitments.known_on(article.published, CommitmentFilter())
    found = extract(
        article.text, article.published, url=article.url, title=article.title, known=known
    )
    record, new = services.store.sources.record(
        article,
        [m.model_dump(mode="json") for m in found.mentions],
        [p.model_dump(mode="json") for p in found.proposals],
        caller.actor,
    )
    if not new:
        response.status_code = status.HTTP_200_OK
    elif _apply_rule(services, record.proposals):
        record = services.store.sources.get(record.id)  # read the rule's decisions back
    return SourceRead.of(record)


@router.get("/sources/{source_id}", summary="An article's mentions and proposals")
def get_source(services: ServicesDep, caller: Reader, source_id: ProposalId) -> SourceRead:
    return SourceRead.of(services.store.sources.get(source_id))


@router.get("/proposals", summary="Proposals, newest first")
def list_proposals(
    services: ServicesDep,
    caller: Reader,
    decision: Decision | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ProposalRead]:
    return [ProposalRead.of(p) for p in services.store.sources.proposals(decision, limit, offset)]


@router.post("/proposals/{proposal_id}/accept", summary="Track a proposed commitment")
def accept_proposal(
    services: ServicesDep,
    caller: Writer,
    proposal_id: ProposalId,
    body: AcceptProposal | None = None,
) -> ProposalRead:
    """Creates the commitment, citing the article and its sentence, effective on its date."""
    choice = body or AcceptProposal()
    return ProposalRead.of(_accept(services, proposal_id, choice, caller.actor))


@router.post("/proposals/{proposal_id}/reject", summary="Decline a proposed commitment")
def reject_proposal(
    services: ServicesDep,
    caller: Writer,
    proposal_id: ProposalId,
    body: RejectProposal | None = None,
) -> ProposalRead:
    reason = body.reason if body else None
    with services.store.db.write() as conn:
        decided = services.store.sources.decide(
            conn, proposal_id, Decision.REJECTED, caller.actor, reason
        )
    return ProposalRead.of(decided)


def _accept(
    services: Services, proposal_id: int, choice: AcceptProposal, actor: str
) -> ProposalRecord:
    store = services.store
    record = store.sources.proposal(proposal_id)
    proposal = Proposal.model_validate(record.body)
    if proposal.matches and not choice.force:
        raise ProposalIsDuplicate(proposal_id, proposal.matches)
    data = proposal.to_commitment()
    data = data.model_copy(update={"id": choice.id} if choice.id else {})
    published = proposal.source.published
    note = ChangeNote(
        reason=choice.reason or f"accepted from proposal {proposal_id}",
        effective=min(published, services.clock().date()) if published else None,
        source=data.sources[0] if data.sources else None,
    )
    with store.db.write() as conn:
        created = store.commitments.create_in(conn, data, note, actor)
        return store.sources.decide(
            conn, proposal_id, Decision.ACCEPTED, actor, choice.reason, created.id
        )


def _apply_rule(services: Services, proposals: list[ProposalRecord]) -> bool:
    """Accept what the stated rule allows: dated, confident, and repeating nothing tracked.

    Returns whether a rule is set (and so may have decided something).
    """
    threshold = services.settings.auto_accept_confidence
    if threshold is None:
        return False
    actor = f"rule: confidence >= {threshold}"
    for record in proposals:
        proposal = Proposal.model_validate(record.body)
        if proposal.confidence < threshold or proposal.due is None or proposal.matches:
            continue
        try:
            _accept(services, record.id, AcceptProposal(reason=actor), actor)
        except DuplicateCommitment:
            log.info("proposal %d left for a person: its id is taken", record.id)
    return True
