"""/commitments/{id}: one commitment, its sources, alerts and history, and a one-event file."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.domain import days_left
from service.web.deps import PAGE, PageApp, Visitor
from service.web.render import page
from service.web.timeline import timeline

router = APIRouter(dependencies=PAGE, include_in_schema=False)


@router.get("/commitments/{commitment_id}.ics", summary="One commitment as a calendar file")
def event_file(commitment_id: str, app: PageApp) -> Response:
    body = app.feeds.event(commitment_id)
    disposition = f'attachment; filename="{commitment_id}.ics"'
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": disposition},
    )


@router.get("/commitments/{commitment_id}", summary="One commitment")
def commitment_page(
    request: Request, commitment_id: str, app: PageApp, session: Visitor
) -> Response:
    commitment = app.commitments.get(commitment_id)
    today = app.today()
    return page(
        request,
        "commitment.html",
        title=commitment.title,
        c=commitment,
        left=days_left(commitment.due, today) if commitment.due else None,
        ended=days_left(commitment.end, today) if commitment.end else None,
        entries=timeline(app.commitments.history(commitment_id)),
        alerts=app.commitments.alerts(commitment_id),
        feeds=app.feeds.holding(commitment_id, with_private=session is not None),
        anchor=app.commitments.get(commitment.due_rule.after) if commitment.due_rule else None,
    )
