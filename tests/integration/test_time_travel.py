"""What was known, when: the shipped feeds read as of past days, one question a row.

Each row is a day, a commitment and what an analyst reading the calendar that day should have
seen, taken from the verified reference data (and the announcement sources cited in feeds/).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from service.app import App
from service.domain import Commitment, CommitmentFilter
from tests.support.known import known_on
from tests.support.shipped import shipped_app

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Seen:
    """What the calendar said of one commitment on a day; status None: not known yet."""

    status: str | None
    due: str | None = None
    kind_within: str | None = None  # also listed by upcoming(kind, within) that day
    never: tuple[str, ...] = ()  # text its title, description and sources must not hold yet
    title: str | None = None


ROWS = [
    pytest.param(
        "2019-05-14",
        "new-start-expiry",
        Seen("scheduled", "2021-02-05", never=("2026",)),
        id="on 14 May 2019 New START expires on 5 February 2021 and nothing mentions 2026",
    ),
    pytest.param(
        "2011-02-05",
        "new-start-expiry",
        Seen("scheduled", "2021-02-05", never=("2019", "2026")),
        id="on entry into force in 2011 New START's expiry is known, with text of that day only",
    ),
    pytest.param(
        "2021-02-02",
        "new-start-expiry",
        Seen("scheduled", "2021-02-05", never=("2026",)),
        id="on 2 February 2021 New START still expires on 5 February 2021",
    ),
    pytest.param(
        "2021-02-04",
        "new-start-expiry",
        Seen("scheduled", "2026-02-05"),
        id="on 4 February 2021 New START is extended to 5 February 2026",
    ),
    pytest.param(
        "2026-02-05",
        "new-start-expiry",
        Seen("occurred", "2026-02-05"),
        id="on 5 February 2026 New START has expired",
    ),
    pytest.param(
        "2021-06-10",
        "biden-putin-geneva-2021",
        Seen("scheduled", "2021-06-16", kind_within="P1Y", never=("Villa La Grange",)),
        id="on 10 June 2021 the Geneva summit of 16 June is scheduled and coming up",
    ),
    pytest.param(
        "2021-05-24",
        "biden-putin-geneva-2021",
        Seen(None),
        id="on 24 May 2021 the Geneva summit is not yet announced",
    ),
    pytest.param(
        "2021-06-16",
        "biden-putin-geneva-2021",
        Seen("occurred", "2021-06-16"),
        id="on 16 June 2021 the Geneva summit has taken place",
    ),
    pytest.param(
        "2018-07-01",
        "helsinki-summit-2018",
        Seen("scheduled", "2018-07-16", kind_within="P1M", never=("2019", "seed article")),
        id="on 1 July 2018 the Helsinki summit of 16 July is scheduled",
    ),
    pytest.param(
        "2018-06-27",
        "helsinki-summit-2018",
        Seen(None),
        id="on 27 June 2018 the Helsinki summit is not yet announced",
    ),
    pytest.param(
        "2025-08-10",
        "trump-putin-alaska-2025",
        Seen("scheduled", "2025-08-15", kind_within="P1M", title="Trump-Putin summit in Alaska"),
        id="on 10 August 2025 the Alaska summit of 15 August is scheduled, place still open",
    ),
    pytest.param(
        "2025-08-07",
        "trump-putin-alaska-2025",
        Seen(None),
        id="on 7 August 2025 the Alaska summit is not yet announced",
    ),
    pytest.param(
        "2025-10-20",
        "trump-putin-budapest-2025",
        Seen("tentative", "2025-10", kind_within="P1M", never=("cancel",)),
        id="on 20 October 2025 the Budapest summit is tentative, with only a month",
    ),
    pytest.param(
        "2025-10-22",
        "trump-putin-budapest-2025",
        Seen("cancelled", "2025-10"),
        id="on 22 October 2025 Trump has cancelled the Budapest summit",
    ),
    pytest.param(
        "2025-10-15",
        "trump-putin-budapest-2025",
        Seen(None),
        id="on 15 October 2025 no Budapest summit is planned",
    ),
    pytest.param(
        "2019-05-14",
        "inf-terminated",
        Seen("scheduled", "2019-08-02", never=("ends today",)),
        id="on 14 May 2019 the INF Treaty is due to end on 2 August 2019",
    ),
    pytest.param(
        "2019-02-01",
        "inf-terminated",
        Seen(None),
        id="on 1 February 2019 the end of the INF Treaty is not yet notified",
    ),
    pytest.param(
        "2019-08-03",
        "inf-terminated",
        Seen("occurred", "2019-08-02"),
        id="on 3 August 2019 the INF Treaty has ended",
    ),
    pytest.param(
        "2019-05-14",
        "us-election-2020",
        Seen("scheduled", "2020-11-03"),
        id="on 14 May 2019 the 2020 US election is scheduled for 3 November 2020",
    ),
    pytest.param(
        "2024-11-05",
        "us-election-2024",
        Seen("occurred", "2024-11-05", never=("Harris",)),
        id="on election day 2024 the election has occurred but no winner is written",
    ),
    pytest.param(
        "2025-01-01",
        "us-midterms-2026",
        Seen("scheduled", "2026-11-03", never=("Florida",)),
        id="on 1 January 2025 the 2026 midterms are scheduled, before the Senate vacancies",
    ),
    pytest.param(
        "2019-05-13",
        "pompeo-lavrov-sochi-2019",
        Seen("scheduled", "2019-05-14"),
        id="on 13 May 2019 the Sochi talks announced on 10 May are scheduled",
    ),
    pytest.param(
        "2018-05-01",
        "g20-osaka-2019",
        Seen("scheduled", "2019-06-28"),
        id="on 1 May 2018 the Osaka G20 summit is scheduled",
    ),
    pytest.param(
        "2015-08-01",
        "jcpoa-adoption-day",
        Seen("scheduled", "2015-10-18"),
        id="on 1 August 2015 JCPOA Adoption Day is scheduled, ninety days after Resolution 2231",
    ),
    pytest.param(
        "2025-09-20",
        "iran-un-sanctions-reimposed",
        Seen("scheduled", "2025-09-27"),
        id="on 20 September 2025 the UN sanctions on Iran are due back on 27 September",
    ),
    pytest.param(
        "2020-06-01",
        "open-skies-us-withdrawal",
        Seen("scheduled", "2020-11-22"),
        id="on 1 June 2020 the US withdrawal from Open Skies is due on 22 November 2020",
    ),
    pytest.param(
        "2020-05-21",
        "open-skies-us-withdrawal-notice",
        Seen("scheduled", "2020-05-22"),
        id="on 21 May 2020 the US notice on Open Skies is announced for the next day",
    ),
    pytest.param(
        "2019-02-02",
        "inf-terminated",
        Seen("scheduled", "2019-08-02"),
        id="on 2 February 2019 the INF Treaty ends six months after the US notice",
    ),
    pytest.param(
        "2021-06-17",
        "open-skies-russia-withdrawal",
        Seen(None),
        id="on 17 June 2021 Russia has not yet given notice on Open Skies",
    ),
    pytest.param(
        "2021-06-18",
        "open-skies-russia-withdrawal",
        Seen("scheduled", "2021-12-18"),
        id="on 18 June 2021 Russia's withdrawal from Open Skies is due on 18 December",
    ),
]


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    """The shipped feeds loaded into a fresh database, by a clock fixed on 2 December 2026."""
    with shipped_app(database_url, NOW) as opened:
        yield opened


def _text_of(commitment: Commitment) -> str:
    parts = [commitment.title, commitment.description]
    for source in commitment.sources:
        parts += [source.url or "", source.title or "", source.quote or ""]
        parts.append(source.published.isoformat() if source.published else "")
    return "\n".join(parts)


@pytest.mark.parametrize(("day", "commitment_id", "seen"), ROWS)
def test_the_calendar_shows_only_what_was_known_that_day(
    app: App, day: str, commitment_id: str, seen: Seen
):
    on = date.fromisoformat(day)
    known = known_on(app, on, CommitmentFilter(ids=(commitment_id,)))
    if seen.status is None:
        assert known == []
        return
    [commitment] = known
    assert commitment.status.value == seen.status
    assert commitment.due is not None and commitment.due.value == seen.due
    if seen.title is not None:
        assert commitment.title == seen.title
    text = _text_of(commitment)
    for word in seen.never:
        assert word.lower() not in text.lower(), f"{word!r} was not known on {day}"
    if seen.kind_within is not None:
        where = CommitmentFilter(kinds=(commitment.kind,))
        listed = {i.id: i for i in app.agenda.upcoming(where, seen.kind_within, on).items}
        assert commitment_id in listed
        assert listed[commitment_id].status.value == seen.status
