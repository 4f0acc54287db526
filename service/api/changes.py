"""/api/v1/changes: every recorded change, in commit order, from a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import Anyone, AppDep
from service.api.filters import ListFeedFilter
from service.api.models import ChangeEntry, ChangesPage
from service.api.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["changes"], responses=PROBLEM_RESPONSES)

Cursor = Annotated[
    str,
    Query(
        pattern=r"^[0-9]{1,18}$",
        description="Where to follow on from: `next` of the last poll; 0 for the beginning",
        examples=["0"],
    ),
]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many changes")]


@router.get("/changes", summary="Follow every change, in the order it was recorded")
def list_changes(
    app: AppDep, caller: Anyone, where: ListFeedFilter, since: Cursor = "0", limit: Limit = 100
) -> ChangesPage:
    """Revisions recorded after the cursor `since`, oldest first, and the cursor to poll with next.

    Poll with `since` set to the `next` of the last answer (or an item's `cursor`): you get
    every change exactly once, never missing or repeating one, however many writers there
    are. Each revision takes its place in the sequence while it holds the lock that orders
    writers, so a change with a later place is always committed after one with an earlier
    place, and an answer never skips one still being written. With `more`, poll again at
    once. A cursor this service did not give is refused (422).

    The filters (`kind`, `party`, `tag`, `status`, `feed`) keep the changes of the
    commitments they match as they stand now; a private feed needs a key.
    """
    page = app.changelog.changes_since(int(since), limit, where, with_private=caller is not None)
    items = [
        ChangeEntry(
            **item.revision.model_dump(), summary=item.revision.describe(), cursor=str(item.seq)
        )
        for item in page.items
    ]
    return ChangesPage(items=items, next=str(page.next), more=page.more)
