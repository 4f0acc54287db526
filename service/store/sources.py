"""Articles read for commitments, their proposals, and the decisions taken on them."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, RowMapping, func, select, update

from service.clock import Clock
from service.domain import (
    ArticleIn,
    ArticleRecord,
    Decision,
    Extraction,
    ProposalRecord,
    SourceRecord,
    SourceSummary,
)
from service.errors import ProposalAlreadyDecided, ProposalNotFound, SourceNotFound
from service.store.tables import proposals, sources

_p = proposals.c
_s = sources.c


class Sources:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def find(self, article: ArticleIn) -> SourceRecord | None:
        """The record of this article if it was read before: same text, date and url."""
        known = self._conn.scalar(
            select(_s.id).where(
                _s.text_sha256 == _digest(article),
                _s.published == article.published,
                _s.url.is_(None) if article.url is None else _s.url == article.url,
            )
        )
        return None if known is None else self.get(known)

    def record(self, article: ArticleIn, found: Extraction, actor: str) -> SourceRecord:
        """Store an article with what was found in it, its proposals pending a decision."""
        source_id = self._conn.execute(
            sources.insert()
            .values(
                url=article.url,
                title=article.title,
                published=article.published,
                text=article.text,
                text_sha256=_digest(article),
                mentions=[m.model_dump(mode="json") for m in found.mentions],
                created_at=self._clock(),
                created_by=actor,
            )
            .returning(_s.id)
        ).scalar_one()
        if found.proposals:
            self._conn.execute(
                proposals.insert(),
                [
                    {
                        "source_id": source_id,
                        "position": position,
                        "body": proposal.model_dump(mode="json"),
                        "decision": Decision.PENDING.value,
                    }
                    for position, proposal in enumerate(found.proposals)
                ],
            )
        return self.get(source_id)

    def get(self, source_id: int) -> SourceRecord:
        row = self._conn.execute(select(sources).where(_s.id == source_id)).mappings().first()
        if row is None:
            raise SourceNotFound(source_id)
        found = self._conn.execute(
            select(proposals).where(_p.source_id == source_id).order_by(_p.position)
        ).mappings()
        return SourceRecord(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            published=row["published"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            mentions=row["mentions"],
            proposals=[_proposal(p) for p in found],
        )

    def article(self, source_id: int) -> ArticleRecord:
        """The record with the article's text, which the record alone leaves out."""
        record = self.get(source_id)
        text = self._conn.execute(select(_s.text).where(_s.id == source_id)).scalar_one()
        return ArticleRecord(**record.model_dump(), text=text)

    def summaries(self, limit: int, offset: int) -> list[SourceSummary]:
        """Articles read, newest first, each with its proposals counted by decision."""
        rows = self._conn.execute(
            select(_s.id, _s.url, _s.title, _s.published, _s.created_at)
            .order_by(_s.created_at.desc(), _s.id.desc())
            .limit(limit)
            .offset(offset)
        ).mappings()
        listed = [dict(row) for row in rows]
        counts = self._conn.execute(
            select(_p.source_id, _p.decision, func.count())
            .where(_p.source_id.in_([row["id"] for row in listed]))
            .group_by(_p.source_id, _p.decision)
        )
        tally: dict[int, dict[str, int]] = {}
        for source_id, decision, count in counts:
            tally.setdefault(source_id, {})[decision] = count
        return [SourceSummary(**row, **tally.get(row["id"], {})) for row in listed]

    def proposal(self, proposal_id: int, *, lock: bool = False) -> ProposalRecord:
        query = select(proposals).where(_p.id == proposal_id)
        row = self._conn.execute(query.with_for_update() if lock else query).mappings().first()
        if row is None:
            raise ProposalNotFound(proposal_id)
        return _proposal(row)

    def proposals(self, decision: Decision | None, limit: int, offset: int) -> list[ProposalRecord]:
        query = select(proposals).order_by(_p.id.desc()).limit(limit).offset(offset)
        if decision is not None:
            query = query.where(_p.decision == decision.value)
        return [_proposal(row) for row in self._conn.execute(query).mappings()]

    def count(self, decision: Decision) -> int:
        query = select(func.count()).select_from(proposals).where(_p.decision == decision.value)
        return self._conn.execute(query).scalar_one()

    def decide(
        self,
        proposal_id: int,
        decision: Decision,
        actor: str,
        reason: str | None,
        commitment_id: str | None = None,
    ) -> ProposalRecord:
        """Record a decision on a pending proposal, once; a second decision is refused."""
        current = self.proposal(proposal_id, lock=True)
        if current.decision is not Decision.PENDING:
            raise ProposalAlreadyDecided(proposal_id, current.decision.value)
        self._conn.execute(
            update(proposals)
            .where(_p.id == proposal_id)
            .values(
                decision=decision.value,
                decided_at=self._clock(),
                decided_by=actor,
                reason=reason,
                commitment_id=commitment_id,
            )
        )
        return self.proposal(proposal_id)


def _digest(article: ArticleIn) -> str:
    return hashlib.sha256(article.text.encode()).hexdigest()


def _proposal(row: RowMapping) -> ProposalRecord:
    return ProposalRecord(
        id=row["id"],
        source_id=row["source_id"],
        position=row["position"],
        body=row["body"],
        decision=Decision(row["decision"]),
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
        reason=row["reason"],
        commitment_id=row["commitment_id"],
    )
