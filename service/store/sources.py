"""Articles read for commitments, their proposals, and the decisions taken on them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update

from service.clock import Clock
from service.domain import ArticleIn, Decision, ProposalRecord, SourceRecord
from service.errors import ProposalAlreadyDecided, ProposalNotFound, SourceNotFound
from service.store.engine import Database
from service.store.tables import proposals, sources

_p = proposals.c
_s = sources.c


class Sources:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def record(
        self,
        article: ArticleIn,
        mentions: Sequence[dict[str, Any]],
        proposed: Sequence[dict[str, Any]],
        actor: str,
    ) -> tuple[SourceRecord, bool]:
        """Store an article with what was found in it; the same article again is not stored twice.

        Returns the record and whether it is new.
        """
        digest = hashlib.sha256(article.text.encode()).hexdigest()
        with self.db.write() as conn:
            known = conn.scalar(
                select(_s.id).where(
                    _s.text_sha256 == digest,
                    _s.published == article.published,
                    _s.url.is_(None) if article.url is None else _s.url == article.url,
                )
            )
            if known is not None:
                return _source(conn, known), False
            source_id = conn.execute(
                sources.insert()
                .values(
                    url=article.url,
                    title=article.title,
                    published=article.published,
                    text=article.text,
                    text_sha256=digest,
                    mentions=list(mentions),
                    created_at=self.clock(),
                    created_by=actor,
                )
                .returning(_s.id)
            ).scalar_one()
            if proposed:
                conn.execute(
                    proposals.insert(),
                    [
                        {
                            "source_id": source_id,
                            "position": position,
                            "body": body,
                            "decision": Decision.PENDING.value,
                        }
                        for position, body in enumerate(proposed)
                    ],
                )
            return _source(conn, source_id), True

    def get(self, source_id: int) -> SourceRecord:
        with self.db.read() as conn:
            return _source(conn, source_id)

    def proposal(self, proposal_id: int) -> ProposalRecord:
        with self.db.read() as conn:
            return self.proposal_in(conn, proposal_id)

    @staticmethod
    def proposal_in(conn: Connection, proposal_id: int, *, lock: bool = False) -> ProposalRecord:
        query = select(proposals).where(_p.id == proposal_id)
        row = conn.execute(query.with_for_update() if lock else query).mappings().first()
        if row is None:
            raise ProposalNotFound(proposal_id)
        return _proposal(row)

    def proposals(self, decision: Decision | None, limit: int, offset: int) -> list[ProposalRecord]:
        query = select(proposals).order_by(_p.id.desc()).limit(limit).offset(offset)
        if decision is not None:
            query = query.where(_p.decision == decision.value)
        with self.db.read() as conn:
            return [_proposal(row) for row in conn.execute(query).mappings()]

    def decide(
        self,
        conn: Connection,
        proposal_id: int,
        decision: Decision,
        actor: str,
        reason: str | None,
        commitment_id: str | None = None,
    ) -> ProposalRecord:
        """Record a decision on a pending proposal, once; a second decision is refused."""
        current = self.proposal_in(conn, proposal_id, lock=True)
        if current.decision is not Decision.PENDING:
            raise ProposalAlreadyDecided(proposal_id, current.decision.value)
        conn.execute(
            update(proposals)
            .where(_p.id == proposal_id)
            .values(
                decision=decision.value,
                decided_at=self.clock(),
                decided_by=actor,
                reason=reason,
                commitment_id=commitment_id,
            )
        )
        return self.proposal_in(conn, proposal_id)


def _source(conn: Connection, source_id: int) -> SourceRecord:
    row = conn.execute(select(sources).where(_s.id == source_id)).mappings().first()
    if row is None:
        raise SourceNotFound(source_id)
    found = conn.execute(
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
