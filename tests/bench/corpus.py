"""Realistic, varied commitments made from a fixed seed, so every run measures the same data."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count as count_up
from itertools import islice
from typing import Any

from service.domain import Commitment, CommitmentFields, Kind

SEED = 20190514
ZONES = ("Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/Vienna")
PARTIES = (
    *("US", "RU", "CN", "GB", "FR", "DE", "IR", "KP", "KR", "JP", "IN", "PK", "IL", "UA", "TR"),
    *("UN", "UNSC", "IAEA", "CTBTO", "OPCW", "NATO", "EU", "E3", "P5", "OSCE", "G7", "G20"),
)
TAGS = (
    *("new-start", "inf", "jcpoa", "open-skies", "ctbt", "npt", "cwc", "bwc", "tpnw"),
    *("sanctions", "missile-defence", "verification", "nuclear", "space", "cyber", "export"),
)
TREATIES = (
    *("New START", "the INF Treaty", "the JCPOA", "the Treaty on Open Skies", "the CTBT"),
    *("the NPT", "the Chemical Weapons Convention", "the Biological Weapons Convention"),
    *("the Vienna Document", "the Outer Space Treaty", "the Arms Trade Treaty"),
)
PLACES = ("Geneva", "Vienna", "New York", "Helsinki", "Moscow", "Washington", "Beijing", "Sochi")
EVENTS = {
    Kind.TREATY_SIGNED: "{t} signed in {p}",
    Kind.TREATY_IN_FORCE: "{t} enters into force",
    Kind.TREATY_WITHDRAWAL: "Withdrawal from {t} takes effect",
    Kind.TREATY_EXPIRY: "{t} expires",
    Kind.DEADLINE: "Deadline under {t} for a declaration",
    Kind.SUMMIT: "Leaders' summit in {p} on {t}",
    Kind.MEETING: "Working group on {t} meets in {p}",
    Kind.ELECTION: "Election that may decide the future of {t}",
    Kind.CONFERENCE: "Review conference of {t} in {p}",
    Kind.REPORT: "Compliance report on {t} due",
    Kind.OTHER: "Consultations on {t} in {p}",
}
SENTENCES = (
    "The parties agreed to meet again once the experts had finished their technical work.",
    "Officials said the date could still move if the delegations failed to agree an agenda.",
    "Under the treaty, either party may give notice of withdrawal six months in advance.",
    "The verification regime includes on-site inspections, data exchanges and notifications.",
    "A joint statement issued after the talks called the discussions frank and businesslike.",
    "Diplomats in {p} cautioned that nothing had been decided and that no text was agreed.",
    "The foreign ministry said it would respond to the proposal through diplomatic channels.",
    "Analysts expect the question of ballistic missile defence to dominate the next round.",
    "The secretariat will circulate the provisional agenda to states parties beforehand.",
    "Both delegations reaffirmed their commitment to strategic stability and predictability.",
    "Inspections were suspended during the pandemic and have not yet fully resumed.",
    "The report to Congress assesses adherence to arms control agreements and commitments.",
)
STATUSES = ("scheduled",) * 12 + ("occurred",) * 5 + ("tentative", "cancelled", "superseded")
PRECISIONS = ("day",) * 11 + ("time",) * 3 + ("month",) * 3 + ("quarter", "year", "year")
EPOCH = datetime(2015, 1, 1, tzinfo=UTC)


def stated(count: int, seed: int = SEED) -> list[tuple[str, dict[str, Any]]]:
    """(id, stated fields as JSON-like values) for `count` commitments."""
    return list(islice(stream(seed), count))


def stream(seed: int = SEED) -> Iterator[tuple[str, dict[str, Any]]]:
    """The same commitments as `stated`, without end, made as they are taken (for a million)."""
    rng = random.Random(seed)
    for index in count_up():
        yield _one(rng, index)


def fields(count: int, seed: int = SEED) -> list[tuple[str, CommitmentFields]]:
    """What a client would send for each commitment, validated."""
    return [(cid, CommitmentFields.model_validate(data)) for cid, data in stated(count, seed)]


def commitments(count: int, seed: int = SEED) -> list[Commitment]:
    """Stored commitments: revisions 1 to 5, created and updated at aware UTC times."""
    rng = random.Random(seed + 1)
    made = []
    for cid, data in stated(count, seed):
        created = EPOCH + timedelta(seconds=rng.randrange(9 * 365 * 86400))
        updated = created + timedelta(seconds=rng.randrange(400 * 86400))
        identity = {"id": cid, "revision": rng.randint(1, 5)}
        made.append(
            Commitment.model_validate(
                data | identity | {"created_at": created, "updated_at": updated}
            )
        )
    return made


def revised(commitment: Commitment, step: int) -> Commitment:
    """The next revision of a commitment: a new title and `step` more revisions."""
    return commitment.model_copy(
        update={
            "title": f"{commitment.title} (revised)",
            "revision": commitment.revision + step,
            "updated_at": commitment.updated_at + timedelta(days=step),
        }
    )


def _one(rng: random.Random, index: int) -> tuple[str, dict[str, Any]]:
    kind = rng.choice(list(Kind))
    treaty, place = rng.choice(TREATIES), rng.choice(PLACES)
    title = EVENTS[kind].format(t=treaty, p=place)
    title = title[0].upper() + title[1:]
    due, end = _due(rng, kind)
    data: dict[str, Any] = {
        "title": title,
        "description": _description(rng, treaty, place),
        "kind": kind.value,
        "due": due,
        "end": end,
        "status": rng.choice(STATUSES),
        "parties": rng.sample(PARTIES, rng.randint(1, 6)),
        "tags": rng.sample(TAGS, rng.randint(0, 4)),
        "sources": [_source(rng, index, n) for n in range(rng.randint(1, 2))],
    }
    return f"bench-{index:05d}-{kind.value.replace('_', '-')}", data


def _due(rng: random.Random, kind: Kind) -> tuple[dict[str, str], dict[str, str] | None]:
    day = date(1990, 1, 1) + timedelta(days=rng.randrange(46 * 365))
    precision = rng.choice(PRECISIONS)
    if precision == "time":
        value = f"{day.isoformat()}T{rng.randint(8, 19):02d}:{rng.choice((0, 15, 30)):02d}:00"
        return {"value": value, "tz": rng.choice(ZONES)}, None
    if precision == "month":
        return {"value": f"{day:%Y-%m}"}, None
    if precision == "quarter":
        return {"value": f"{day.year}-Q{(day.month - 1) // 3 + 1}"}, None
    if precision == "year":
        return {"value": str(day.year)}, None
    lasting = kind in (Kind.SUMMIT, Kind.CONFERENCE) and rng.random() < 0.4
    end = {"value": (day + timedelta(days=rng.randint(1, 20))).isoformat()} if lasting else None
    return {"value": day.isoformat()}, end


def _description(rng: random.Random, treaty: str, place: str) -> str:
    opening = f"This concerns {treaty}; the talks were held in {place}."
    chosen = rng.sample(SENTENCES, rng.randint(1, 8))
    return " ".join([opening, *(s.format(p=place) for s in chosen)])


def _source(rng: random.Random, index: int, n: int) -> dict[str, Any]:
    source: dict[str, Any] = {
        "url": f"https://news.example.org/{2000 + index % 26}/{index:05d}-{n}/arms-control-talks",
        "title": f"{rng.choice(PLACES)} talks: what was agreed and what was not",
    }
    if rng.random() < 0.5:
        source["published"] = (date(2000, 1, 1) + timedelta(days=rng.randrange(9000))).isoformat()
        source["quote"] = rng.choice(SENTENCES).format(p=rng.choice(PLACES))
    return source
