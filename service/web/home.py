"""/: what is coming up, grouped by month, filtered by what the URL says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from service.domain import CommitmentFilter, Kind, UpcomingItem
from service.web.deps import PAGE, PageApp, Visitor
from service.web.format import month_heading
from service.web.render import page

router = APIRouter(dependencies=PAGE, include_in_schema=False)

WINDOWS = {
    "30d": ("P30D", "30 days"),
    "90d": ("P90D", "90 days"),
    "1y": ("P1Y", "1 year"),
    "all": ("P20Y", "all (20 years)"),
}
DEFAULT_WINDOW = "1y"

Text = Annotated[str, Query(max_length=200)]


@dataclass(frozen=True, slots=True)
class Month:
    heading: str
    items: list[UpcomingItem]


@router.get("/", summary="What is coming up")
def coming_up(
    request: Request,
    app: PageApp,
    session: Visitor,
    kind: Text = "",
    party: Text = "",
    tag: Text = "",
    feed: Text = "",
    window: Text = DEFAULT_WINDOW,
    as_of: Text = "",
) -> Response:
    chosen = {
        "kind": kind,
        "party": party,
        "tag": tag,
        "feed": feed,
        "window": window,
        "as_of": as_of,
    }
    feeds = app.feeds.listing(with_private=session is not None)
    common: dict[str, Any] = {
        "chosen": chosen,
        "kinds": list(Kind),
        "windows": WINDOWS,
        "feeds": feeds,
    }
    try:
        where, within, day = _parse(kind, party, tag, feed, window, as_of)
    except ValueError as exc:
        return page(
            request,
            "home.html",
            status_code=422,
            title="Coming up",
            error=str(exc),
            agenda=None,
            months=[],
            **common,
        )
    agenda = app.agenda.upcoming(where, within, day, with_private=session is not None)
    months = [
        Month(heading, list(items)) for heading, items in groupby(agenda.items, key=month_heading)
    ]
    return page(
        request, "home.html", title="Coming up", error=None, agenda=agenda, months=months, **common
    )


def _parse(
    kind: str, party: str, tag: str, feed: str, window: str, as_of: str
) -> tuple[CommitmentFilter, str, date | None]:
    """The filter, window and day a query asks for; ValueError says what is wrong."""
    if window not in WINDOWS:
        raise ValueError(f"unknown window {window!r}; choose one of {', '.join(WINDOWS)}")
    try:
        day = date.fromisoformat(as_of) if as_of.strip() else None
    except ValueError:
        raise ValueError(
            f"“as it looked on” must be a date like 2019-05-14, not {as_of!r}"
        ) from None
    fields = {
        "kinds": [kind] if kind else [],
        "parties": [party.strip().upper()] if party.strip() else [],
        "tags": [tag.strip().lower()] if tag.strip() else [],
        "feeds": [feed] if feed else [],
    }
    try:
        where = CommitmentFilter.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = {"kinds": "kind", "parties": "party", "tags": "tag", "feeds": "feed"}.get(
            str(first["loc"][0]), str(first["loc"][0])
        )
        raise ValueError(f"{name}: {first['msg']}") from None
    return where, WINDOWS[window][0], day
