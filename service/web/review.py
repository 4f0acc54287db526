"""/review: read an article, then accept or reject what it proposes, one proposal at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from service.domain import (
    AcceptProposal,
    ArticleIn,
    Decision,
    Kind,
    Proposal,
    ProposalRecord,
    RejectProposal,
)
from service.errors import (
    DuplicateCommitment,
    InvalidInput,
    ProposalAlreadyDecided,
    ProposalIsDuplicate,
)
from service.web.deps import PAGE, CheckedForm, Editor, PageApp
from service.web.marks import highlight, mention_words
from service.web.render import page

router = APIRouter(dependencies=PAGE, include_in_schema=False)

LISTED = 50
"""Articles listed per page of /review, newest first."""

RecordId = Annotated[int, Path(ge=1, le=2**62)]

REFUSED: tuple[tuple[type[Exception], int], ...] = (
    (ValidationError, 422),
    (InvalidInput, 422),
    (ProposalIsDuplicate, 409),
    (ProposalAlreadyDecided, 409),
    (DuplicateCommitment, 409),
)
"""Errors that are the form's fault, shown beside it, with the status the page is sent with."""
REFUSABLE = tuple(kind for kind, _ in REFUSED)

ARTICLE_FIELDS = ("text", "published", "url", "title")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a decision on a proposal was not taken, and what the form held."""

    proposal_id: int
    message: str
    entered: Mapping[str, str]


@router.get("/review", summary="What the news proposes")
def desk(
    request: Request,
    app: PageApp,
    session: Editor,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    return _desk(request, app, offset=offset)


@router.post("/review")
def read_article(request: Request, app: PageApp, session: Editor, form: CheckedForm) -> Response:
    """Read the pasted or uploaded article, then show what it proposes."""
    entered = {name: _text(form, name) for name in ARTICLE_FIELDS}
    try:
        article = _article(form, entered)
        record, _new = app.reading.read(article, session.caller.actor)
    except (ValueError, InvalidInput) as exc:
        return _desk(request, app, error=_message(exc), entered=entered, status=422)
    finally:
        _close_files(form)
    return RedirectResponse(f"/review/sources/{record.id}", status_code=303)


@router.get("/review/sources/{source_id}", summary="An article and what it proposes")
def source_page(
    request: Request,
    app: PageApp,
    session: Editor,
    source_id: RecordId,
    decided: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    return _source(request, app, source_id, decided=decided)


@router.post("/review/proposals/{proposal_id}/accept")
def accept(
    request: Request, app: PageApp, session: Editor, form: CheckedForm, proposal_id: RecordId
) -> Response:
    """Track the proposal, with the form's edits, as a new commitment or a revision."""
    entered = {name: _text(form, name) for name in ("title", "kind", "parties", "due", "reason")}
    try:
        proposal = app.reading.proposal(proposal_id).body
        choice = AcceptProposal.model_validate(_choice(proposal, entered, form))
        record = app.reading.accept(proposal_id, choice, session.caller.actor)
    except REFUSABLE as exc:
        return _refused(request, app, Refusal(proposal_id, _message(exc), entered), exc)
    return _decided(app, record)


@router.post("/review/proposals/{proposal_id}/reject")
def reject(
    request: Request, app: PageApp, session: Editor, form: CheckedForm, proposal_id: RecordId
) -> Response:
    entered = {"why": _text(form, "reason")}
    try:
        choice = RejectProposal.model_validate({"reason": entered["why"] or None})
        record = app.reading.reject(proposal_id, choice.reason, session.caller.actor)
    except REFUSABLE as exc:
        return _refused(request, app, Refusal(proposal_id, _message(exc), entered), exc)
    return _decided(app, record)


def _desk(
    request: Request,
    app: PageApp,
    *,
    offset: int = 0,
    error: str | None = None,
    entered: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The form to read an article, and the articles read so far."""
    return page(
        request,
        "review.html",
        status_code=status,
        title="Review the news",
        error=error,
        entered=entered or dict.fromkeys(ARTICLE_FIELDS, ""),
        sources=app.reading.sources(LISTED, offset),
        waiting=app.reading.waiting(),
        offset=offset,
        listed=LISTED,
    )


def _source(
    request: Request,
    app: PageApp,
    source_id: int,
    *,
    decided: int | None = None,
    refusal: Refusal | None = None,
    status: int = 200,
) -> Response:
    """The article with its dated mentions marked, and its proposals beside it."""
    article = app.reading.article(source_id)
    proposals = article.proposals
    return page(
        request,
        "review_source.html",
        status_code=status,
        title=article.title or "An article",
        article=article,
        marked=highlight(article.text, article.mentions),
        said=[mention_words(m) for m in article.mentions],
        notice=next((p for p in proposals if p.id == decided and not _pending(p)), None),
        refusal=refusal,
        forms={p.id: _prefilled(p.body, refusal, p.id) for p in proposals},
        kinds=list(Kind),
        waiting=sum(_pending(p) for p in proposals),
    )


def _pending(record: ProposalRecord) -> bool:
    return record.decision is Decision.PENDING


def _refused(request: Request, app: PageApp, refusal: Refusal, exc: Exception) -> Response:
    """The source page again, with the reason beside the proposal's form."""
    status = next(code for kind, code in REFUSED if isinstance(exc, kind))
    source_id = app.reading.proposal(refusal.proposal_id).source_id
    return _source(request, app, source_id, refusal=refusal, status=status)


def _decided(app: PageApp, record: ProposalRecord) -> Response:
    """Back to the article, at the next proposal that waits (the one decided if none does)."""
    waiting = [p for p in app.reading.source(record.source_id).proposals if _pending(p)]
    later = [p for p in waiting if p.position > record.position]
    at = (later or waiting or [record])[0].id
    target = f"/review/sources/{record.source_id}?decided={record.id}#proposal-{at}"
    return RedirectResponse(target, status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _article(form: FormData, entered: Mapping[str, str]) -> ArticleIn:
    """The article the form sends: its pasted text or its uploaded file (ValueError if not)."""
    if not entered["published"]:
        raise ValueError(
            "say when the article was published: dates such as “last month” are read from it"
        )
    fields: dict[str, Any] = {name: entered[name] or None for name in ("published", "url", "title")}
    text = _pasted_or_uploaded(form).replace("\r\n", "\n")
    return ArticleIn.model_validate(fields | {"text": text})


def _pasted_or_uploaded(form: FormData) -> str:
    """The text pasted, or that of the file uploaded, never both."""
    pasted = form.get("text")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return pasted if isinstance(pasted, str) else ""
    if isinstance(pasted, str) and pasted.strip():
        raise ValueError("paste the article or upload a file, not both")
    return _decoded(upload)


def _close_files(form: FormData) -> None:
    """Let go of the form's uploads: the dependency that parsed the form leaves them open."""
    for value in form.values():
        if isinstance(value, UploadFile):
            value.file.close()


def _decoded(upload: UploadFile) -> str:
    """The uploaded file as text; it must be UTF-8 (a byte order mark is dropped)."""
    try:
        return upload.file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            f"{upload.filename} is not UTF-8 plain text: save it as UTF-8 text (.txt) and "
            "upload it again, or paste its text"
        ) from None


def _choice(proposal: Proposal, entered: Mapping[str, str], form: FormData) -> dict[str, Any]:
    """The accept form as an AcceptProposal's fields: only what was changed counts as an edit."""
    stated = _prefilled(proposal, None, 0)
    choice: dict[str, Any] = {
        name: entered[name] for name in ("title", "kind") if entered[name] != stated[name]
    }
    if entered["parties"] != stated["parties"]:
        choice["parties"] = [p for p in entered["parties"].replace(",", " ").split() if p]
    if entered["due"] != stated["due"]:
        value, _, zone = entered["due"].partition(" ")
        choice["due"] = {"value": value, "tz": zone.strip() or None} if value else None
    return choice | {
        "reason": entered["reason"] or None,
        "revise": form.get("revise") == "1",
        "force": form.get("force") == "1",
    }


def _prefilled(proposal: Proposal, refusal: Refusal | None, proposal_id: int) -> dict[str, str]:
    """What the forms show: what was sent, if it was refused, else what the proposal says."""
    due = proposal.due
    stated = {
        "title": proposal.title,
        "kind": proposal.kind.value,
        "parties": ", ".join(proposal.parties),
        "due": "" if due is None else f"{due.value} {due.tz}" if due.tz else due.value,
        "reason": "",
        "why": "",
    }
    if refusal is not None and refusal.proposal_id == proposal_id:
        return stated | dict(refusal.entered)
    return stated


def _message(exc: Exception) -> str:
    """What went wrong, as a person reads it; a model's errors one field at a time."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    return "; ".join(_field_error(error["loc"], error["msg"]) for error in exc.errors())


def _field_error(where: Sequence[int | str], message: str) -> str:
    field = ".".join(str(part) for part in where if part != "value")
    said = message.removeprefix("Value error, ")
    return f"{field}: {said}" if field else said
