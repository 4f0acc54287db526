"""Alert offsets that count back from the end of a window: their form, times, payloads, firing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from pydantic import ValidationError

from service.alerts.dispatcher import Lateness, decide
from service.alerts.payloads import alert_payload, event_for
from service.alerts.planner import PlanningRules
from service.domain import (
    Alert,
    AlertOffset,
    AlertStatus,
    Due,
    Edge,
    EventType,
    Kind,
    Subscription,
    SubscriptionCreate,
    alert_time,
    edge_local,
    plan_alerts,
)
from service.feeds.render import FeedOptions, render_feed
from service.settings import DEFAULT_ALERTS, Settings
from tests.support.calendar_parsers import read_all
from tests.support.sample_commitments import commitment

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("P30D", "P30D"),
        ("P30D before start", "P30D"),
        ("P30D before end", "P30D before end"),
        ("  p1w   Before   END ", "P7D before end"),
        ("PT0S before end", "PT0S before end"),
        ("P1Y2M before end", "P1Y2M before end"),
    ],
)
def test_an_offset_names_its_edge_in_one_canonical_form(given: str, canonical: str):
    assert str(AlertOffset.parse(given)) == canonical
    created = commitment("x", "2026-02-05", alerts=(given, canonical))
    assert created.alerts == (canonical,)
    assert SubscriptionCreate(url="https://h.example/", offsets=(given,)).offsets == (canonical,)
    settings = Settings(_env_file=None, default_alerts={Kind.DEADLINE: (given,)})
    assert settings.default_alerts[Kind.DEADLINE] == (canonical,)


def test_a_bare_duration_still_counts_from_the_start():
    assert AlertOffset.parse("P30D").edge is Edge.START
    assert AlertOffset.parse("P30D before end").edge is Edge.END


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("30 days before end", "nor one before the end such as 'P30D before end'"),
        ("P30D after end", "not an ISO 8601 duration"),
        ("P30D before the end", "not an ISO 8601 duration"),
        ("P30X before end", "not an ISO 8601 duration"),
        ("P21Y before end", "longer than 20 years"),
    ],
)
def test_a_bad_offset_is_refused_with_the_form_to_use(given: str, message: str):
    with pytest.raises(ValidationError, match=message):
        commitment("x", "2026-02-05", alerts=(given,))


def _end_alert(due: Due, end: Due | None, offset: str, zone: ZoneInfo = UTC_ZONE) -> datetime:
    return alert_time(due, end, AlertOffset.parse(offset), zone)


@pytest.mark.parametrize(
    ("due", "offset", "expected"),
    [
        ("2026-02-05", "P30D before end", datetime(2026, 1, 7, tzinfo=UTC)),
        ("2026-02-05", "PT0S before end", datetime(2026, 2, 6, tzinfo=UTC)),
        ("2026-02", "P7D before end", datetime(2026, 2, 22, tzinfo=UTC)),
        ("2026-02", "P1M before end", datetime(2026, 2, 1, tzinfo=UTC)),
        ("2025-Q3", "P1D before end", datetime(2025, 9, 30, tzinfo=UTC)),
        ("2021", "P30D before end", datetime(2021, 12, 2, tzinfo=UTC)),
        ("2021", "P30D", datetime(2020, 12, 2, tzinfo=UTC)),
    ],
)
def test_the_end_edge_is_the_moment_a_vague_window_closes(due: str, offset: str, expected):
    assert _end_alert(Due(value=due), None, offset) == expected


def test_a_commitment_with_an_end_counts_back_from_the_close_of_its_last_day():
    pledge, end = Due(value="2026-02-05"), Due(value="2027-02-05")
    assert _end_alert(pledge, end, "P30D before end", BERLIN) == datetime(
        2027, 1, 6, 23, tzinfo=UTC
    )
    assert _end_alert(pledge, end, "P30D", BERLIN) == datetime(2026, 1, 5, 23, tzinfo=UTC)
    month_end = Due(value="2027-02")
    assert _end_alert(pledge, month_end, "PT0S before end") == datetime(2027, 3, 1, tzinfo=UTC)


def test_a_timed_edge_keeps_its_own_zone():
    talks = Due(value="2026-06-01T10:00", tz="Europe/Moscow")
    assert _end_alert(talks, None, "P1D before end") == datetime(2026, 5, 31, 7, tzinfo=UTC)
    closes = Due(value="2026-06-03T18:00", tz="America/New_York")
    assert _end_alert(talks, closes, "PT2H before end") == datetime(2026, 6, 3, 20, tzinfo=UTC)
    by_day = Due(value="2026-06-03")  # a day end is read in the due's zone, as the feed does
    assert edge_local(talks, by_day, Edge.END, UTC_ZONE) == datetime(
        2026, 6, 4, tzinfo=ZoneInfo("Europe/Moscow")
    )


def test_the_end_edge_counts_on_the_wall_clock_across_a_change_of_clocks():
    opens = Due(value="2027-03-20T09:00", tz="Europe/Berlin")
    closes = Due(value="2027-04-01T09:00", tz="Europe/Berlin")
    assert _end_alert(opens, closes, "P7D before end") == datetime(2027, 3, 25, 8, tzinfo=UTC)
    assert _end_alert(opens, closes, "PT0S before end") == datetime(2027, 4, 1, 7, tzinfo=UTC)


def test_each_edge_is_keyed_by_its_own_value_so_moving_the_end_replans_only_its_alerts():
    def keys(end: str) -> dict[str, str]:
        pledge = commitment("pledge", "2026-02-05", end={"value": end})
        offsets = ("P30D", "P30D before end")
        return {p.offset: p.due_key for p in plan_alerts(pledge, offsets, UTC_ZONE)}

    assert keys("2027-02-05") == {"P30D": "2026-02-05", "P30D before end": "2027-02-05"}
    assert keys("2027-03-05") == {"P30D": "2026-02-05", "P30D before end": "2027-03-05"}
    timed = commitment("t", "2026-06-01T10:00", "Europe/Moscow", end={"value": "2026-06-03"})
    (planned,) = plan_alerts(timed, ("PT0S before end",), UTC_ZONE)
    assert planned.due_key == "2026-06-03@Europe/Moscow"


def _alert(offset: str, fire_at: datetime, due_key: str, alert_id: int = 1) -> Alert:
    return Alert(
        id=alert_id,
        commitment_id="pledge",
        offset=offset,
        due_key=due_key,
        fire_at=fire_at,
        status=AlertStatus.PENDING,
    )


def test_the_payload_names_its_edge_and_counts_days_to_it():
    pledge = commitment("pledge", "2026-02-05", end={"value": "2027-02-05"}, kind="deadline")
    assert pledge.due is not None
    fire_at = datetime(2027, 1, 7, tzinfo=UTC)
    alert = _alert("P30D before end", fire_at, "2027-02-05")
    edge = edge_local(pledge.due, pledge.end, Edge.END, UTC_ZONE)
    data = json.loads(alert_payload(pledge, pledge.due, alert, edge, fire_at, late=False))["data"]
    assert (data["offset"], data["edge"], data["days_left"]) == ("P30D before end", "end", 30)
    assert data["seconds_left"] == 30 * 86400
    assert data["due"]["value"] == "2026-02-05"
    assert event_for(alert) is EventType.DEADLINE_APPROACHING
    assert event_for(_alert("PT0S before end", fire_at, "2027-02-05")) is EventType.DEADLINE_REACHED


def test_an_end_alert_fires_after_the_start_has_long_passed_and_supersedes_only_its_edge():
    pledge = commitment("pledge", "2026-02-05", end={"value": "2027-02-05"})
    subscriber = _subscription()
    now = datetime(2027, 1, 30, tzinfo=UTC)
    due = [
        _alert("P30D", datetime(2026, 1, 6, tzinfo=UTC), "2026-02-05", 1),
        _alert("P30D before end", datetime(2027, 1, 7, tzinfo=UTC), "2027-02-05", 2),
        _alert("P7D before end", datetime(2027, 1, 30, tzinfo=UTC), "2027-02-05", 3),
        _alert("P1D before end", datetime(2027, 1, 30, tzinfo=UTC), "2027-01-05", 4),
    ]
    rules = PlanningRules(DEFAULT_ALERTS, UTC_ZONE)
    lateness = Lateness(late_after=timedelta(minutes=1), grace=timedelta(days=1))
    decided = decide(due, {"pledge": pledge}, {}, [subscriber], rules, lateness, now)
    settled = {s.alert_id: (s.status, s.note) for s in decided.settlements}
    assert settled[1][0] is AlertStatus.SKIPPED
    assert settled[2] == (
        AlertStatus.SUPERSEDED,
        "superseded by the P7D before end alert, sent instead",
    )
    assert settled[3][0] is AlertStatus.FIRED
    assert settled[4] == (AlertStatus.CANCELLED, "the end of the window has moved")
    (message,) = decided.messages
    assert json.loads(message.payload)["data"]["edge"] == "end"


def _subscription() -> Subscription:
    return Subscription(
        id="sub",
        url="https://hooks.example.org/in",
        offsets=("P7D before end", "P30D before end", "P30D"),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        created_by="test",
    )


def test_a_feed_alarm_before_the_end_is_related_to_dtend_and_every_parser_reads_it():
    options = FeedOptions("A", "B", timedelta(hours=6), default_alerts={})
    pledge = commitment(
        "pledge",
        "2026-02-05",
        end={"value": "2027-02-05"},
        title="Russia's pledge",
        alerts=("P30D", "P30D before end", "PT0S before end"),
    )
    talks = commitment("talks", "2026-06-01T10:00", "Europe/Moscow", alerts=("P1D before end",))
    feed = render_feed(options, [pledge, talks])
    read_all(feed)  # the lint, then four parsers agreeing on every event
    alarms = [
        (str(a["DESCRIPTION"]), a["TRIGGER"].params.get("RELATED"), a.decoded("TRIGGER"))
        for a in icalendar.Calendar.from_ical(feed).walk("VALARM")
    ]
    assert alarms == [
        ("Russia's pledge: in 30 days", None, timedelta(days=-30)),
        ("Russia's pledge: ends in 30 days", "END", timedelta(days=-30)),
        ("Russia's pledge: ends now", "END", timedelta(0)),
        ("Talks: ends in 1 day", None, timedelta(days=-1)),  # no DTEND: the end is the start
    ]
    assert b"TRIGGER;RELATED=END:-P30D\r\n" in feed
    (event, _talks) = vobject.readOne(feed.decode()).vevent_list
    assert [a.trigger.params.get("RELATED") for a in event.valarm_list] == [None, ["END"], ["END"]]


def test_the_default_alerts_setting_takes_end_offsets(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TREATYCAL_DEFAULT_ALERTS", '{"deadline": ["P30D", "p30d before END"]}')
    settings = Settings(_env_file=None)
    assert settings.default_alerts[Kind.DEADLINE] == ("P30D", "P30D before end")
