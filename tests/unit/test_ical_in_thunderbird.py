"""What a Thunderbird subscriber sees: the feed read by ical.js, Mozilla's own parser.

The four Python parsers of test_ical.py look a TZID up by its name; ical.js reads the
VTIMEZONE the feed carries, as calendar clients do. So it checks what they cannot: that each
event starts, and each reminder goes off, at the instant the service means and its webhooks
fire at (`alert_time`), across changes of clocks and in zones an hour is not the step of.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.domain import AlertOffset, Commitment, Edge, Kind
from service.domain.webhooks import alert_time, edge_local
from service.feeds.render import FeedOptions, render_feed
from tests.support import icaljs
from tests.support.sample_commitments import commitment

pytestmark = pytest.mark.skipif(icaljs.missing() is not None, reason=icaljs.missing() or "")

OPTIONS = FeedOptions(
    name="Deadlines",
    description="Timed deadlines",
    refresh_interval=timedelta(hours=6),
    default_alerts={Kind.OTHER: ("P1D",)},
)
NEW_YORK = "America/New_York"
ALL_DAY_ZONE = ZoneInfo("UTC")


def timed(slug: str, due: str, tz: str, *alerts: str, **fields: object) -> Commitment:
    return commitment(slug, due, tz, alerts=alerts, **fields)


def shown_as_meant(*commitments: Commitment) -> None:
    """ical.js's start, end and reminders of each event are the service's own instants."""
    shown = {event.uid: event for event in icaljs.read(render_feed(OPTIONS, commitments))}
    assert sorted(shown) == sorted(item.uid for item in commitments)
    for item in commitments:
        assert item.due is not None
        offsets = [AlertOffset.parse(offset) for offset in item.alerts or ()]
        meant = (
            item.due.start_instant(),
            edge_local(item.due, item.end, Edge.END, ALL_DAY_ZONE).astimezone(UTC),
            tuple(alert_time(item.due, item.end, offset, ALL_DAY_ZONE) for offset in offsets),
        )
        event = shown[item.uid]
        assert (event.start, event.end, event.alarms) == meant, item.id


def test_timed_dues_and_reminders_land_where_the_service_means_them() -> None:
    shown_as_meant(
        timed("moscow", "2026-02-05T10:00", "Europe/Moscow", "P30D", "PT0S"),
        timed("utc", "2027-01-01T00:00", "UTC", "P1D"),
        timed("kathmandu", "2027-06-01T09:00", "Asia/Kathmandu", "P1D", "PT90M"),
        # Reminders a week and a year back cross a change of clocks: 10:00 stays 10:00.
        timed("berlin-after-spring", "2027-03-30T10:00", "Europe/Berlin", "P7D", "P1Y", "PT0S"),
        timed("sydney-summer", "2027-01-15T18:00", "Australia/Sydney", "P3Y", "P6M", "P1D"),
        timed("santiago", "2026-09-07T12:00", "America/Santiago", "P2Y", "P30D"),
        timed(
            "talks",
            "2019-05-14T16:30",
            "Europe/Moscow",
            "P1D",
            "PT1H before end",
            end={"value": "2019-05-14T19:00", "tz": "Europe/Moscow"},
        ),
    )


def test_a_time_the_clocks_go_back_over_is_its_first_occurrence_everywhere() -> None:
    """01:30 on the night New York falls back happens twice. RFC 5545 and the alert engine
    take the first (EDT); ical.js reads a TZID'd value as the second (EST), an hour late."""
    shown_as_meant(
        timed("new-york-fall-back", "2027-11-07T01:30", NEW_YORK, "P1Y", "P30D", "PT1H", "PT0S"),
        timed("lord-howe-fall-back", "2027-04-04T01:45", "Australia/Lord_Howe", "P7D", "PT0S"),
        # A day before 01:30 on 8 November is 01:30 on the 7th, the first one.
        timed("reminded-in-the-repeated-hour", "2027-11-08T01:30", NEW_YORK, "P1D", "P2D"),
        # A day before 02:30 on 15 March is a time the clocks skip: the engine's reading.
        timed("reminded-in-the-skipped-hour", "2027-03-15T02:30", NEW_YORK, "P1D"),
        timed(
            "ends-in-the-repeated-hour",
            "2027-11-06T09:00",
            "Europe/Berlin",
            "P1D before end",
            "PT0S",
            end={"value": "2027-11-07T01:15", "tz": NEW_YORK},
        ),
    )
