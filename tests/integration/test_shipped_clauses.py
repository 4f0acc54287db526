"""The shipped feeds date what follows a notice by the treaty's clause, not by hand.

Each withdrawal that takes effect a period after a notice states its due relative to that notice,
so the pair cannot drift apart; and the window of Russia's voluntary limits warns before it ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import icalendar
import pytest

from service.app import App
from service.domain import AlertStatus, Commitment, CommitmentFilter
from tests.support.known import known_on
from tests.support.shipped import shipped_app

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
WINDOW = "new-start-russia-voluntary-limits-window"


@pytest.fixture
def shipped(database_url: str) -> Iterator[App]:
    with shipped_app(database_url, NOW) as opened:
        yield opened


def _everything(app: App) -> list[Commitment]:
    return known_on(app, NOW.date(), CommitmentFilter())


def test_every_notice_has_its_follow_up_dated_by_the_clause(shipped: App):
    everything = _everything(shipped)
    notices = [c for c in everything if "withdrawal-notice" in c.tags]
    assert {n.id for n in notices} == {
        "inf-us-withdrawal-notice",
        "open-skies-us-withdrawal-notice",
        "open-skies-russia-withdrawal-notice",
    }
    for notice in notices:
        followers = [c for c in everything if c.due_rule and c.due_rule.after == notice.id]
        [proposed] = shipped.commitments.follow_ups(notice.id)
        [follower] = followers
        assert follower.due_rule == proposed.due_rule
        assert follower.due == proposed.due, follower.id


@pytest.mark.parametrize(
    ("follower", "due"),
    [
        ("inf-terminated", "2019-08-02"),
        ("open-skies-us-withdrawal", "2020-11-22"),
        ("open-skies-russia-withdrawal", "2021-12-18"),
    ],
)
def test_the_shipped_withdrawals_resolve_to_the_reference_dates(
    shipped: App, follower: str, due: str
):
    commitment = shipped.commitments.get(follower)
    assert commitment.due is not None and commitment.due.value == due
    assert commitment.due_rule is not None and commitment.due_rule.offset == "P6M"


def test_the_voluntary_limits_window_warns_before_its_end(shipped: App):
    alerts = shipped.commitments.alerts(WINDOW)
    planned = {a.offset: a for a in alerts if a.status is AlertStatus.PENDING}
    assert set(planned) == {
        "P90D before end",
        "P30D before end",
        "P7D before end",
        "PT0S before end",
    }
    assert {a.due_key for a in planned.values()} == {"2027-02-05"}
    # The window holds 5 February 2027 whole: its end, like DTEND, is the next midnight.
    assert planned["PT0S before end"].fire_at == datetime(2027, 2, 6, tzinfo=UTC)
    assert planned["P90D before end"].fire_at.date() == date(2026, 11, 8)
    assert planned["P30D before end"].fire_at.date() == date(2027, 1, 7)

    calendar = icalendar.Calendar.from_ical(shipped.feeds.export("arms-control"))
    [event] = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(WINDOW)]
    triggers = [alarm["TRIGGER"] for alarm in event.walk("VALARM")]
    assert {t.params.get("RELATED") for t in triggers} == {"END"}
    assert len(triggers) == 4
