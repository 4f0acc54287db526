"""Reading the news: an article's dated mentions, the commitments it proposes, the decisions."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from service.app import changes
from service.app.context import Context
from service.app.upcoming import Agenda
from service.domain import (
    AcceptProposal,
    ArticleIn,
    ChangeNote,
    Commitment,
    CommitmentFilter,
    Decision,
    Extraction,
    ProposalRecord,
    SourceRecord,
)
from service.errors import DuplicateCommitment, ProposalIsDuplicate
from service.extract import extract

log = logging.getLogger(__name__)


def preview(article: ArticleIn, known: Sequence[Commitment] = ()) -> Extraction:
    """The dated mentions and proposals in an article, stored nowhere; no database needed."""
    return extract(
        article.text, article.published, url=article.url, title=article.title, known=known
    )


class Reading:
    def __init__(self, ctx: Context, agenda: Agenda) -> None:
        self._ctx = ctx
        self._agenda = agenda

    def read(self, article: ArticleIn, actor: str) -> tuple[SourceRecord, bool]:
        """The article's record and whether it is new: the same article is read only once.

        Relative dates resolve against `published`; a proposal that repeats a commitment as
        it was known on that day names it in `matches`. With TREATYCAL_AUTO_ACCEPT_CONFIDENCE
        set, the proposals that rule allows are accepted at once.
        """
        with self._ctx.read() as tx:
            found = tx.sources.find(article)
        if found is not None:
            return found, False
        extraction = self.preview(article)
        with self._ctx.transaction() as tx:
            found = tx.sources.find(article)
            if found is not None:
                return found, False
            record = tx.sources.record(article, extraction, actor)
        if self._apply_rule(record.proposals):
            record = self.source(record.id)  # read the rule's decisions back
        return record, True

    def preview(self, article: ArticleIn) -> Extraction:
        """What reading the article finds, matched against what was known on its date."""
        return preview(article, self._agenda.known_on(article.published, CommitmentFilter()))

    def source(self, source_id: int) -> SourceRecord:
        with self._ctx.read() as tx:
            return tx.sources.get(source_id)

    def proposals(self, decision: Decision | None, limit: int, offset: int) -> list[ProposalRecord]:
        """Proposals, newest first."""
        with self._ctx.read() as tx:
            return tx.sources.proposals(decision, limit, offset)

    def accept(self, proposal_id: int, choice: AcceptProposal, actor: str) -> ProposalRecord:
        """Track the proposal as a commitment citing the article, effective on its date."""
        with self._ctx.read() as tx:
            proposal = tx.sources.proposal(proposal_id).body
        if proposal.matches and not choice.force:
            raise ProposalIsDuplicate(proposal_id, proposal.matches)
        data = proposal.to_commitment()
        data = data.model_copy(update={"id": choice.id} if choice.id else {})
        published = proposal.source.published
        note = ChangeNote(
            reason=choice.reason or f"accepted from proposal {proposal_id}",
            effective=min(published, self._ctx.clock().date()) if published else None,
            source=data.sources[0] if data.sources else None,
        )
        with self._ctx.transaction() as tx:
            created = changes.create(tx, self._ctx.planner, data, note, actor)
            return tx.sources.decide(
                proposal_id, Decision.ACCEPTED, actor, choice.reason, created.id
            )

    def reject(self, proposal_id: int, reason: str | None, actor: str) -> ProposalRecord:
        with self._ctx.transaction() as tx:
            return tx.sources.decide(proposal_id, Decision.REJECTED, actor, reason)

    def _apply_rule(self, proposals: list[ProposalRecord]) -> bool:
        """Accept what the stated rule allows: dated, confident, and repeating nothing tracked.

        Returns whether a rule is set (and so may have decided something).
        """
        threshold = self._ctx.settings.auto_accept_confidence
        if threshold is None:
            return False
        actor = f"rule: confidence >= {threshold}"
        for record in proposals:
            proposal = record.body
            if proposal.confidence < threshold or proposal.due is None or proposal.matches:
                continue
            try:
                self.accept(record.id, AcceptProposal(reason=actor), actor)
            except DuplicateCommitment:
                log.info("proposal %d left for a person: its id is taken", record.id)
        return True
