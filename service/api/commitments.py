"""/api/v1/commitments: the tracked set, its changes and their history."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import ValidationError

from service.api.deps import Anyone, AppDep, Writer
from service.api.filters import ListFilter, readable
from service.api.models import (
    BulkCreated,
    BulkCreateRequest,
    CancelRequest,
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
from service.errors import BadRequest, InvalidInput

router = APIRouter(prefix="/api/v1/commitments", tags=["commitments"], responses=PROBLEM_RESPONSES)

IfMatch = Annotated[
    str | None,
    Header(description='Only change it if it is still at this revision: the ETag, e.g. "r3"'),
]


def _etag(commitment: Commitment) -> str:
    return f'"r{commitment.revision}"'


def _expected_revision(if_match: str | None) -> int | None:
    """The revision an If-Match names; 0 for an entity tag that names none (it cannot match).

    RFC 9110: a well-formed tag that does not match is 412, a header that is no tag is 400.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/")
    if not _ENTITY_TAG.fullmatch(tag):
        shown = if_match if len(if_match) <= 40 else if_match[:40] + "…"
        raise BadRequest(f'If-Match must be an ETag from this API, such as "r3", not {shown!r}')
    ours = _REVISION_TAG.fullmatch(tag)
    return int(ours.group(1)) if ours else 0


_ENTITY_TAG = re.compile(r'"[\x21\x23-\x7e]*"')
_REVISION_TAG = re.compile(r'"r([1-9][0-9]{0,11})"')


@router.get("", summary="List commitments")
def list_commitments(
    app: AppDep,
    caller: Anyone,
    where: ListFilter,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CommitmentPage:
    """Commitments matching every given filter, by due date (undated last)."""
    return app.commitments.page(where, limit, offset, with_private=caller is not None)


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


BULK_PATH = f"{router.prefix}/bulk"


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    summary="Track many new commitments at once",
    responses={
        code: PROBLEM_RESPONSES[code] | {"description": description}
        for code, description in (
            (409, "An id is taken already; nothing was created"),
            (413, "The body is over TREATYCAL_MAX_BULK_BODY_BYTES (16 MiB unless set)"),
            (422, "An item is invalid, named as in body.items.3.due; nothing was created"),
        )
    },
)
def create_commitments(app: AppDep, caller: Writer, body: BulkCreateRequest) -> BulkCreated:
    """Creates every item as `POST /api/v1/commitments` would, in one transaction: all of them
    or, if any is refused, none. Each gets its revision, alerts and change messages; an item
    may supersede, or follow the due of, one created earlier in the same request. Up to
    10,000 items in a body of up to 16 MiB (`TREATYCAL_MAX_BULK_BODY_BYTES`).
    """
    ids = app.commitments.create_many(body.items, body.change or ChangeNote(), caller.actor)
    return BulkCreated(count=len(ids), ids=ids)


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
    body: CancelRequest | None = None,
    reason: Annotated[
        str | None, Query(max_length=2000, description="Why; or send a `change` body")
    ] = None,
    if_match: IfMatch = None,
) -> Commitment:
    """Marks it cancelled. It stays, so subscribed calendars are told to drop the event.

    The body may carry `change` (reason, effective date, source) as other writes do; a
    `?reason=` alone is taken too.
    """
    note = body.change if body is not None and body.change is not None else ChangeNote()
    if reason is not None and note.reason is None:
        try:
            note = ChangeNote(reason=reason, effective=note.effective, source=note.source)
        except ValidationError as exc:
            raise InvalidInput(f"reason: {readable(exc)}") from exc
    cancelled = app.commitments.cancel(
        commitment_id, note, caller.actor, _expected_revision(if_match)
    )
    response.headers["ETag"] = _etag(cancelled)
    return cancelled


@router.get("/{commitment_id}/follow-ups", summary="What a treaty clause says follows it")
def commitment_follow_ups(app: AppDep, commitment_id: Slug) -> list[CommitmentCreate]:
    """For a notice (tagged with a treaty and `withdrawal-notice`, or `jcpoa-snapback` and
    `notice`): the commitment its treaty's clause sets off, such as a withdrawal taking effect
    six months later, with its due as a rule after the notice and that rule's date now.
    POST one to track it; it then moves with the notice. An empty list for any other.
    """
    return app.commitments.follow_ups(commitment_id)


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
