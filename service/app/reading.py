"""Reading the news: an article's dated mentions, the commitments it proposes, the decisions."""

from __future__ import annotations

import logging
import multiprocessing
import queue
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, timedelta
from typing import TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from service.app import changes
from service.app.context import Context
from service.app.upcoming import Agenda, Meeting
from service.domain import (
    AcceptProposal,
    ArticleIn,
    ArticleRecord,
    ChangeNote,
    Decision,
    Extraction,
    Proposal,
    ProposalRecord,
    SourceRecord,
    SourceSummary,
)
from service.errors import ArticleTooSlow, DuplicateCommitment, InvalidInput, ProposalIsDuplicate
from service.extract import Limits, clues, extract, kin, matched
from service.settings import Settings

log = logging.getLogger(__name__)

_START_LIMIT = 120.0  # seconds a new worker may take to start and import the tagger
_LIMITS = Limits()


def limits_of(settings: Settings) -> Limits:
    """The most one article yields, as the settings say."""
    return Limits(
        max_quote_chars=settings.extract_max_quote_chars,
        max_mentions=settings.extract_max_mentions,
        max_proposals=settings.extract_max_proposals,
    )


def preview(article: ArticleIn, limits: Limits = _LIMITS) -> Extraction:
    """The dated mentions and proposals in an article, stored nowhere; no database needed.
    Runs in this process, without a time limit: for a person's own terminal."""
    return extract(
        article.text, article.published, url=article.url, title=article.title, limits=limits
    )


class Workers:
    """Extraction in worker processes, each article with a time limit.

    The tagger is Python and regular expressions, which hold the GIL: on a thread of the
    server's process, a long article would hold up every other request. In a worker it holds
    up only that worker; past the time limit the worker is killed and replaced (a process pool
    cannot cancel a task once it runs) and the caller gets ArticleTooSlow. Each worker is a
    pool of one process, so that killing it ends no other caller's extraction. A caller waits
    for a free worker; its time limit counts from when its own extraction is handed over.
    """

    def __init__(self, count: int, time_limit: timedelta) -> None:
        self._seconds = time_limit.total_seconds()
        self._all = [_Worker() for _ in range(count)]
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        for worker in self._all:
            self._idle.put(worker)

    def extract(self, article: ArticleIn, limits: Limits) -> Extraction:
        """What reading the article finds, within the time limit (else ArticleTooSlow)."""
        worker = self._idle.get()
        try:
            return worker.extract(article, limits, self._seconds)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker process; one asked for later starts again."""
        for worker in self._all:
            worker.stop()


class _Worker:
    """One worker process, started when first needed and replaced after it is killed."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def extract(self, article: ArticleIn, limits: Limits, seconds: float) -> Extraction:
        pool = self._started()
        future = pool.submit(
            extract,
            article.text,
            article.published,
            url=article.url,
            title=article.title,
            limits=limits,
        )
        try:
            return future.result(timeout=seconds)
        except TimeoutError:
            self.stop()
            log.warning(
                "reading an article of %d characters took over %g s; its worker was replaced",
                len(article.text),
                seconds,
                extra={"action": "extract_timeout"},
            )
            raise ArticleTooSlow(len(article.text), seconds) from None
        except BrokenProcessPool:
            self.stop()  # the process died (killed from outside, or out of memory)
            raise

    def _started(self) -> ProcessPoolExecutor:
        """The worker's pool, started (spawned: forking a process that has threads is unsafe)
        and warmed up, so that the time limit counts reading, not starting."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            try:
                self._pool.submit(extract, "", date(2000, 1, 1)).result(timeout=_START_LIMIT)
            except BaseException:
                self.stop()
                raise
        return self._pool

    def stop(self) -> None:
        """Kill the process, whatever it is doing, and forget the pool."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in pool._processes.values():  # no public way to end a running task
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)  # reaps it, and frees the pool's queues


class Reading:
    def __init__(self, ctx: Context, agenda: Agenda) -> None:
        self._ctx = ctx
        self._agenda = agenda
        self._limits = limits_of(ctx.settings)
        self._workers = Workers(ctx.settings.extract_workers, ctx.settings.extract_time_limit)

    def read(self, article: ArticleIn, actor: str) -> tuple[SourceRecord, bool]:
        """The article's record and whether it is new: the same article is read only once.

        Relative dates resolve against `published`; a proposal that repeats a commitment as
        it was known on that day names it in `matches`. With TREATYCAL_AUTO_ACCEPT_CONFIDENCE
        set, the proposals that rule allows are accepted at once. The article is read in a
        worker process, within the time limit (ArticleTooSlow past it).
        """
        with self._ctx.read() as tx:
            found = tx.sources.find(article)
        if found is not None:
            return found, False
        extraction = self._matched(self._workers.extract(article, self._limits), article)
        with self._ctx.transaction() as tx:
            found = tx.sources.find(article)
            if found is not None:
                return found, False
            record = tx.sources.record(article, extraction, actor)
        if self._apply_rule(record.proposals):
            record = self.source(record.id)  # read the rule's decisions back
        return record, True

    def preview(self, article: ArticleIn) -> Extraction:
        """What reading the article finds, matched against what was known on its date; in this
        process, without a time limit (for the CLI)."""
        return self._matched(preview(article, self._limits), article)

    def _matched(self, extraction: Extraction, article: ArticleIn) -> Extraction:
        """Each proposal named with the commitment it repeats, as known on the article's date.

        Only the commitments whose windows could meet a proposal's, and that name one of its
        parties or share a telling word of its title, are read, by the due index: reading
        every one known then cost seconds and gigabytes at a million, and reading the
        earliest of a crowded window could miss the one it repeats.
        """
        proposals = extraction.proposals
        asked = [
            Meeting((p.due.first_day, p.due.last_day) if p.due else None, kin(p.kind), *told)
            for p in proposals
            if any(told := clues(p))
        ]
        if not asked:
            return extraction
        known = self._agenda.meeting(article.published, asked)
        return extraction.model_copy(update={"proposals": matched(proposals, known)})

    def close(self) -> None:
        """Stop the worker processes."""
        self._workers.close()

    def source(self, source_id: int) -> SourceRecord:
        with self._ctx.read() as tx:
            return tx.sources.get(source_id)

    def article(self, source_id: int) -> ArticleRecord:
        """The record with the article's text: to show each mention where it was found."""
        with self._ctx.read() as tx:
            return tx.sources.article(source_id)

    def sources(self, limit: int, offset: int) -> list[SourceSummary]:
        """Articles read, newest first, with how many of their proposals wait or were decided."""
        with self._ctx.read() as tx:
            return tx.sources.summaries(limit, offset)

    def proposal(self, proposal_id: int) -> ProposalRecord:
        with self._ctx.read() as tx:
            return tx.sources.proposal(proposal_id)

    def waiting(self) -> int:
        """How many proposals wait for a person to accept or reject them."""
        with self._ctx.read() as tx:
            return tx.sources.count(Decision.PENDING)

    def proposals(self, decision: Decision | None, limit: int, offset: int) -> list[ProposalRecord]:
        """Proposals, newest first."""
        with self._ctx.read() as tx:
            return tx.sources.proposals(decision, limit, offset)

    def accept(self, proposal_id: int, choice: AcceptProposal, actor: str) -> ProposalRecord:
        """Track the proposal, with the choice's edits, as a commitment citing the article or
        as a revision of the one it matches; effective on the article's date either way."""
        with self._ctx.read() as tx:
            proposal = tx.sources.proposal(proposal_id).body
        if choice.revise:
            return self._revise(proposal_id, proposal, choice, actor)
        if proposal.matches and not choice.force:
            raise ProposalIsDuplicate(proposal_id, proposal.matches)
        data = _valid(lambda: choice.edited(proposal).to_commitment())
        data = data.model_copy(update={"id": choice.id} if choice.id else {})
        note = self._note(proposal, choice.reason or f"accepted from proposal {proposal_id}")
        with self._ctx.transaction() as tx:
            created = changes.create(tx, self._ctx.planner, data, note, actor)
            return tx.sources.decide(
                proposal_id, Decision.ACCEPTED, actor, choice.reason, created.id
            )

    def _revise(
        self, proposal_id: int, proposal: Proposal, choice: AcceptProposal, actor: str
    ) -> ProposalRecord:
        """Write what the proposal states as the next revision of the commitment it matches."""
        target = proposal.matches
        if target is None:
            raise InvalidInput(
                f"proposal {proposal_id} repeats no tracked commitment, so there is nothing to "
                "revise; accept it as a new commitment instead"
            )
        note = self._note(proposal, choice.reason or f"from proposal {proposal_id}")
        with self._ctx.transaction() as tx:
            before = changes.current(tx, target, None)
            fields = _valid(lambda: choice.revision(proposal, before.fields()))
            changes.record(tx, self._ctx.planner, target, before, fields, note, actor)
            return tx.sources.decide(proposal_id, Decision.ACCEPTED, actor, choice.reason, target)

    def _note(self, proposal: Proposal, reason: str) -> ChangeNote:
        """Why: the reason, effective on the article's date (never after today), citing it."""
        published = proposal.source.published
        return ChangeNote(
            reason=reason,
            effective=min(published, self._ctx.clock().date()) if published else None,
            source=proposal.cited,
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


Made = TypeVar("Made")


def _valid(make: Callable[[], Made]) -> Made:
    """What `make` builds from a person's edits; InvalidInput, saying what is wrong, if not."""
    try:
        return make()
    except ValidationError as exc:
        said = (_said(error) for error in exc.errors())
        raise InvalidInput("; ".join(said)) from exc


def _said(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
