"""/api/v1/commitments: the tracked set, its changes and their history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from service.api.deps import AppDep, Writer
from service.api.filters import ListFilter
from service.api.models import (
    CommitmentCreateRequest,
    CommitmentPatchRequest,
    CommitmentReplaceRequest,
    HistoryEntry,
)
from service.api.problems import PROBLEM_RESPONSES
from service.domain import (
    Alert,
    ChangeNote,
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    CommitmentPage,
    CommitmentPatch,
    Slug,
)
from service.errors import InvalidInput

router = APIRouter(prefix="/api/v1/commitments", tags=["commitments"], responses=PROBLEM_RESPONSES)

IfMatch = Annotated[
    str | None,
    Header(description='Only change it if it is still at this revision: the ETag, e.g. "r3"'),
]


def _etag(commitment: Commitment) -> str:
    return f'"r{commitment.revision}"'


def _expected_revision(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not (text.startswith("r") and text[1:].isdigit()):
        raise InvalidInput(
            f'If-Match must be an ETag from this API, such as "r3", not {if_match!r}'
        )
    return int(text[1:])


@router.get("", summary="List commitments")
def list_commitments(
    app: AppDep,
    where: ListFilter,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CommitmentPage:
    """Commitments matching every given filter, by due date (undated last)."""
    return app.commitments.page(where, limit, offset)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Track a new commitment")
def create_commitment(
    app: AppDep, caller: Writer, body: CommitmentCreateRequest, response: Response
) -> Commitment:
    data = CommitmentCreate.model_validate(
        body.model_dump(exclude={"change"}, exclude_computed_fields=True)
    )
    created = app.commitments.create(data, body.change or ChangeNote(), caller.actor)
    response.headers["Location"] = f"/api/v1/commitments/{created.id}"
    response.headers["ETag"] = _etag(created)
    return created


@router.get("/{commitment_id}", summary="One commitment")
def get_commitment(app: AppDep, commitment_id: Slug, response: Response) -> Commitment:
    found = app.commitments.get(commitment_id)
    response.headers["ETag"] = _etag(found)
    return found


@router.put("/{commitment_id}", summary="Replace a commitment's stated fields")
def replace_commitment(
    app: AppDep,
    caller: Writer,
    commitment_id: Slug,
    body: CommitmentReplaceRequest,
    response: Response,
    if_match: IfMatch = None,
) -> Commitment:
    fields = body.model_dump(exclude={"change"}, exclude_computed_fields=True)
    replaced = app.commitments.replace(
        commitment_id,
        CommitmentFields.model_validate(fields),
        body.change or ChangeNote(),
        caller.actor,
        _expected_revision(if_match),
    )
    response.headers["ETag"] = _etag(replaced)
    return replaced


@router.patch("/{commitment_id}", summary="Change some fields of a commitment")
def patch_commitment(
    app: AppDep,
    caller: Writer,
    commitment_id: Slug,
    body: CommitmentPatchRequest,
    response: Response,
    if_match: IfMatch = None,
) -> Commitment:
    """Only the fields sent change; each change is a new revision with its reason."""
    sent = body.model_fields_set - {"change"}
    change = CommitmentPatch.model_validate(
        body.model_dump(include=sent, exclude_computed_fields=True)
    )
    patched = app.commitments.patch(
        commitment_id,
        change,
        body.change or ChangeNote(),
        caller.actor,
        _expected_revision(if_match),
    )
    response.headers["ETag"] = _etag(patched)
    return patched


@router.delete("/{commitment_id}", summary="Cancel a commitment")
def cancel_commitment(
    app: AppDep,
    caller: Writer,
    commitment_id: Slug,
    response: Response,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
    if_match: IfMatch = None,
) -> Commitment:
    """Marks it cancelled. It stays, so subscribed calendars are told to drop the event."""
    cancelled = app.commitments.cancel(
        commitment_id, ChangeNote(reason=reason), caller.actor, _expected_revision(if_match)
    )
    response.headers["ETag"] = _etag(cancelled)
    return cancelled


@router.get("/{commitment_id}/history", summary="Every revision, oldest first")
def commitment_history(app: AppDep, commitment_id: Slug) -> list[HistoryEntry]:
    return [
        HistoryEntry(**revision.model_dump(), summary=revision.describe())
        for revision in app.commitments.history(commitment_id)
    ]


@router.get("/{commitment_id}/alerts", summary="Its planned and settled alerts")
def commitment_alerts(app: AppDep, commitment_id: Slug) -> list[Alert]:
    """Every alert planned for it: pending, fired, or settled otherwise with the reason why."""
    return app.commitments.alerts(commitment_id)
