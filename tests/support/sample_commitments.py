"""Commitments built directly with fixed times, so rendered output can be compared byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.domain import Commitment

CREATED = datetime(2019, 5, 14, 9, 30, tzinfo=UTC)
UPDATED = datetime(2021, 2, 3, 12, 0, tzinfo=UTC)
SOCHI = {
    "url": "https://example.org/2019/05/14/pompeo-lavrov-sochi",
    "title": "Pompeo and Lavrov meet in Sochi",
}


def commitment(
    slug: str,
    due: str | None,
    tz: str | None = None,
    **fields: Any,
) -> Commitment:
    """A stored commitment at revision 1 unless told otherwise; `due` is a TIMEX3-style value."""
    data: dict[str, Any] = {
        "id": slug,
        "title": slug.replace("-", " ").capitalize(),
        "kind": "other",
        "due": None if due is None else {"value": due, "tz": tz},
        "revision": 1,
        "created_at": CREATED,
        "updated_at": UPDATED,
    }
    return Commitment.model_validate(data | fields)


def sochi_report() -> list[Commitment]:
    """What the report of 14 May 2019 (Pompeo and Lavrov in Sochi) mentions, held faithfully."""
    return [
        commitment(
            "new-start-expiry-2021",
            "2021",
            title="New START expires",
            kind="treaty_expiry",
            parties=("US", "RU"),
            tags=("new-start",),
            sources=(SOCHI,),
        ),
        commitment(
            "new-start-extension-talks",
            None,
            title="Talks on extending New START",
            kind="meeting",
            status="tentative",
            parties=("US", "RU"),
        ),
        commitment(
            "jcpoa-2015", "2015-07-14", title="Iran nuclear deal agreed", kind="treaty_signed"
        ),
        commitment(
            "us-election-2016", "2016-11-08", title="US presidential election", kind="election"
        ),
        commitment(
            "us-election-2020", "2020-11-03", title="US presidential election", kind="election"
        ),
        commitment(
            "helsinki-summit-2018",
            "2018-07-16",
            title="Trump-Putin summit in Helsinki",
            kind="summit",
            status="occurred",
            parties=("US", "RU"),
        ),
        commitment("putin-kim-2019", "2019-04", title="Putin meets Kim Jong-un", kind="summit"),
        commitment(
            "trump-putin-call-2019",
            "2019-05-03T10:00",
            tz="Europe/Moscow",
            title="Trump-Putin phone call",
            kind="meeting",
            status="occurred",
        ),
        commitment(
            "next-trump-putin-meeting",
            None,
            title="Next Trump-Putin meeting",
            kind="summit",
            status="tentative",
            description="Nothing had been decided.",
        ),
    ]
