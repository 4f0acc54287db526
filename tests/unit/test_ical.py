"""The feed renderer, checked by four independent parsers and a lint of DESIGN's feed rules."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import ics
import pytest
import vobject
from freezegun import freeze_time
from ical.calendar_stream import IcsCalendarStream
from icalendar.parser import unescape_backslash
from ics.utils import unescape_string

from service.domain import Commitment, Due, Kind
from service.feeds.render import FeedOptions, render_feed
from tests.support.calendar_parsers import PARSERS, read_all
from tests.support.ical_lint import lint
from tests.support.sample_commitments import UPDATED, commitment, sochi_report

OPTIONS = FeedOptions(
    name="Arms control",
    description="Treaties, summits and deadlines",
    refresh_interval=timedelta(hours=6),
    default_alerts={Kind.TREATY_EXPIRY: ("P30D", "P7D"), Kind.SUMMIT: ("P1D",)},
)
TRICKY = "Lavrov, Pompeo; “frank” talks in Сочи — a\\b, c;d and a title long enough to fold"
TRICKY_DESCRIPTION = "First line, with a comma;\nsecond line: C:\\temp\\x — «Ж» ☃\n\nThird."


def render(*commitments: Commitment, options: FeedOptions = OPTIONS) -> bytes:
    """The feed, once the lint passes it and all four parsers read the same events from it."""
    feed = render_feed(options, commitments)
    read_all(feed)
    return feed


def unfolded(feed: bytes) -> list[str]:
    return feed.decode().replace("\r\n ", "").split("\r\n")


def event_blocks(feed: bytes) -> dict[str, str]:
    """Each VEVENT's unfolded text, by UID."""
    text = feed.decode().replace("\r\n ", "")
    blocks = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, re.DOTALL)
    return {uid: block for block in blocks for uid in re.findall(r"\nUID:(.*?)\r", block)}


def props(feed: bytes, name: str) -> list[str]:
    return [line for line in unfolded(feed) if re.match(rf"{name}[;:]", line)]


# ---------------------------------------------------------------------------- the calendar


def test_sochi_report_renders_clean_for_every_parser() -> None:
    events = read_all(render(*sochi_report()))
    assert [event.uid.removesuffix("@treatycal") for event in events] == [
        "jcpoa-2015",
        "us-election-2016",
        "helsinki-summit-2018",
        "putin-kim-2019",
        "trump-putin-call-2019",
        "us-election-2020",
        "new-start-expiry-2021",
    ]


def test_calendar_properties_are_durations_and_escaped_text() -> None:
    options = FeedOptions(
        name="Arms control, Europe; NATO",
        description="Deadlines; summits, \\ more",
        refresh_interval=timedelta(hours=6),
        default_alerts={},
        url="https://treatycal.example/feeds/arms-control.ics",
    )
    lines = unfolded(render(commitment("x", "2026-02-05"), options=options))
    for line in (
        "VERSION:2.0",
        "PRODID:-//treatycal//treatycal//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:Arms control\\, Europe\\; NATO",
        "X-WR-CALNAME:Arms control\\, Europe\\; NATO",
        "DESCRIPTION:Deadlines\\; summits\\, \\\\ more",
        "X-WR-CALDESC:Deadlines\\; summits\\, \\\\ more",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
        "URL:https://treatycal.example/feeds/arms-control.ics",
        "SOURCE:https://treatycal.example/feeds/arms-control.ics",
    ):
        assert line in lines


def test_calendar_name_reads_back_exactly_in_every_parser() -> None:
    name = "Arms control, Europe; NATO “2026”"
    options = FeedOptions(name, "d", timedelta(hours=3), {})
    feed = render(commitment("x", "2026-02-05"), options=options)
    text = feed.decode()
    # icalendar 7.3.2 reads NAME as an unknown type, so unescape it as the TEXT it is.
    assert unescape_backslash(str(icalendar.Calendar.from_ical(feed)["NAME"])) == name
    calendar = vobject.readOne(text)
    assert [calendar.contents[key][0].value for key in ("name", "x-wr-calname")] == [name] * 2
    assert IcsCalendarStream.calendar_from_ics(text).name == [name]
    extra = {line.name: line.value for line in ics.Calendar(text).extra}
    assert unescape_string(extra["NAME"]) == unescape_string(extra["X-WR-CALNAME"]) == name


def test_refresh_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="refresh_interval"):
        FeedOptions("n", "d", timedelta(0), {})


# ---------------------------------------------------------------------------- due dates


@pytest.mark.parametrize(
    ("value", "start", "end", "unknown"),
    [
        ("2021", "20210101", "20220101", "2021 (month and day not yet known)"),
        ("2025-Q3", "20250701", "20251001", "day not yet known"),
        ("2019-04", "20190401", "20190501", "April 2019 (day not yet known)"),
        ("2024-02", "20240201", "20240301", "February 2024 (day not yet known)"),
        ("2026-02-05", "20260205", "20260206", None),
    ],
)
def test_a_due_shows_its_whole_window_and_no_false_day(
    value: str, start: str, end: str, unknown: str | None
) -> None:
    feed = render(commitment("new-start", value, title="New START expires"))
    assert props(feed, "DTSTART") == [f"DTSTART;VALUE=DATE:{start}"]
    assert props(feed, "DTEND") == [f"DTEND;VALUE=DATE:{end}"]
    [event] = read_all(feed)
    assert event.start == date(int(start[:4]), int(start[4:6]), int(start[6:]))
    if unknown is None:
        assert event.summary == "New START expires"
    else:
        assert event.summary.startswith("New START expires — ")
        assert unknown in event.summary


def test_a_multi_day_event_ends_the_day_after_its_last_day() -> None:
    summit = commitment("summit", "2018-07-16", end={"value": "2018-07-17"}, kind="summit")
    feed = render(summit)
    assert props(feed, "DTSTART") == ["DTSTART;VALUE=DATE:20180716"]
    assert props(feed, "DTEND") == ["DTEND;VALUE=DATE:20180718"]


def test_timed_dues_carry_one_vtimezone_per_zone_across_dst() -> None:
    feed = render(
        commitment("winter", "2026-01-15T10:00", "Europe/Berlin", alerts=("P90D",)),
        commitment("dst-day", "2026-03-29T10:00", "Europe/Berlin", alerts=()),
        commitment(
            "talks",
            "2019-05-14T16:30",
            "Europe/Moscow",
            end={"value": "2019-05-14T19:00", "tz": "Europe/Moscow"},
        ),
        commitment("utc", "2026-02-05T00:00", "UTC"),
    )
    starts = {event.uid: event.start for event in read_all(feed)}
    assert starts == {
        "winter@treatycal": datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
        "dst-day@treatycal": datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
        "talks@treatycal": datetime(2019, 5, 14, 13, 30, tzinfo=UTC),
        "utc@treatycal": datetime(2026, 2, 5, 0, 0, tzinfo=UTC),
    }
    assert props(feed, "TZID") == ["TZID:Europe/Berlin", "TZID:Europe/Moscow"]
    assert "DTSTART;TZID=Europe/Berlin:20260329T100000" in props(feed, "DTSTART")
    assert "DTEND;TZID=Europe/Moscow:20190514T190000" in props(feed, "DTEND")
    assert "DTSTART:20260205T000000Z" in props(feed, "DTSTART")


def test_a_time_that_happens_twice_is_written_in_utc_as_its_first_occurrence() -> None:
    """01:30 happens twice in New York on 7 November 2027: the first (EDT) is meant, and only
    UTC says so to every client (tests/unit/test_ical_in_thunderbird.py shows one that
    reads the TZID'd time as the second). Its reminders are then exact times back: a year
    before is 01:30 EST, 364 days and 23 hours earlier."""
    feed = render(
        commitment("fall-back", "2027-11-07T01:30", "America/New_York", alerts=("P1Y", "P7D")),
        commitment("day-after", "2027-11-08T01:30", "America/New_York", alerts=()),
    )
    assert props(feed, "DTSTART")[-2:] == [
        "DTSTART:20271107T053000Z",
        "DTSTART;TZID=America/New_York:20271108T013000",
    ]
    assert triggers(feed) == ["-P364DT23H", "-P7D"]


def test_a_reminder_in_an_hour_that_happens_twice_is_written_as_its_instant() -> None:
    """Counted back from 01:30 on 8 November, a day lands on the repeated 01:30 of the 7th;
    as an instant in UTC, every client goes off at the first, as the webhooks do."""
    feed = render(commitment("x", "2027-11-08T01:30", "America/New_York", alerts=("P1D", "P2D")))
    assert props(feed, "TRIGGER") == ["TRIGGER;VALUE=DATE-TIME:20271107T053000Z", "TRIGGER:-P2D"]


def test_a_vtimezone_lists_every_onset_of_an_observance_as_an_rdate_of_its_own() -> None:
    """ical.js (Thunderbird) reads only the first value of an RDATE, and only the RDATEs when
    there are some: each onset has an RDATE of its own, the DTSTART's too."""
    feed = render(commitment("x", "2027-03-30T10:00", "Europe/Berlin", alerts=("P3Y",)))
    assert "DTSTART:20240331T030000" in props(feed, "DTSTART")
    in_march = [line for line in props(feed, "RDATE") if line[10:12] == "03"]  # RDATE:YYYYMM
    assert in_march == [
        "RDATE:20240331T030000",
        "RDATE:20250330T030000",
        "RDATE:20260329T030000",
        "RDATE:20270328T030000",
    ]


def test_a_vtimezone_covers_the_earliest_alarm() -> None:
    feed = render(commitment("x", "2026-03-29T10:00", "Europe/Berlin", alerts=("P2Y",)))
    assert "TRIGGER:-P730D" in props(feed, "TRIGGER")
    vtimezone = feed.decode().split("BEGIN:VTIMEZONE")[1]
    assert "2024-01-01 to 2027-01-01" in vtimezone.replace("\r\n ", "")


def test_a_timed_due_with_a_day_end_closes_at_midnight_in_its_own_zone() -> None:
    feed = render(commitment("x", "2019-06-10T09:00", "Europe/Moscow", end={"value": "2019-06-12"}))
    assert props(feed, "DTEND") == ["DTEND;TZID=Europe/Moscow:20190613T000000"]


def test_undated_tentative_commitments_stay_out_of_the_feed() -> None:
    feed = render(commitment("maybe", None, status="tentative"), commitment("sure", "2026-02-05"))
    assert [event.uid for event in read_all(feed)] == ["sure@treatycal"]


def test_a_naive_updated_at_is_refused_before_it_reaches_a_feed() -> None:
    with pytest.raises(ValueError, match="timezone info"):
        commitment("x", "2026-02-05", updated_at=datetime(2021, 2, 3, 12))


# ---------------------------------------------------------------------------- text


@pytest.mark.parametrize("parser", PARSERS)
def test_text_round_trips_exactly(parser: str) -> None:
    feed = render(commitment("tricky", "2026-02-05", title=TRICKY, description=TRICKY_DESCRIPTION))
    assert any(line.startswith(b" ") for line in feed.split(b"\r\n")), "nothing was folded"
    [event] = PARSERS[parser](feed)
    assert event.summary == TRICKY
    assert event.description.startswith(TRICKY_DESCRIPTION + "\n\n")


@pytest.mark.parametrize(
    "parser",
    [
        *(name for name in PARSERS if name != "ics"),
        pytest.param(
            "ics",
            marks=pytest.mark.xfail(
                strict=True, reason="ics-py 0.7 unescapes '\\\\n' as a backslash and a newline"
            ),
        ),
    ],
)
def test_a_backslash_before_n_stays_two_characters(parser: str) -> None:
    title = "Lavrov, Pompeo; “frank” talks\\n…"
    # render_feed, not render: ics-py is expected to disagree with the other parsers here.
    feed = render_feed(OPTIONS, [commitment("slash-n", "2026-02-05", title=title)])
    assert lint(feed) == []
    assert "SUMMARY:Lavrov\\, Pompeo\\; “frank” talks\\\\n…" in unfolded(feed)
    [event] = PARSERS[parser](feed)
    assert event.summary == title


def test_event_says_what_it_is_and_where_it_comes_from() -> None:
    [new_start] = [c for c in sochi_report() if c.id == "new-start-expiry-2021"]
    block = event_blocks(render(new_start))["new-start-expiry-2021@treatycal"]
    assert "CATEGORIES:Treaty expiry,new-start" in block
    assert "URL:https://example.org/2019/05/14/pompeo-lavrov-sochi" in block
    assert "STATUS:CONFIRMED" in block
    assert "TRANSP:TRANSPARENT" in block
    assert "CLASS:PUBLIC" in block
    assert "X-TREATYCAL-PRECISION:year" in block
    assert "Parties: US\\, RU" in block
    assert "Pompeo and Lavrov meet in Sochi: https://example.org/2019/05/14/pompeo" in block


# ---------------------------------------------------------------------------- identity


def test_same_data_renders_the_same_bytes_whatever_the_clock_or_order() -> None:
    commitments = [
        *sochi_report(),
        commitment("same-b", "2026-02-05"),
        commitment("same-a", "2026-02-05"),
    ]
    with freeze_time("2019-05-14 09:00:00"):
        first = render(*commitments)
    random.Random(7).shuffle(commitments)
    with freeze_time("2031-01-01 00:00:00"):
        again = render(*commitments)
    assert first == again
    assert [event.uid for event in read_all(again)][-2:] == ["same-a@treatycal", "same-b@treatycal"]


def test_a_new_revision_bumps_sequence_and_last_modified_but_keeps_the_uid() -> None:
    first = commitment("new-start", "2021-02-05", title="New START expires", kind="treaty_expiry")
    later = UPDATED + timedelta(days=2)
    second = first.model_copy(
        update={"due": Due(value="2026-02-05"), "revision": 2, "updated_at": later}
    )
    before, after = (event_blocks(render(c))["new-start@treatycal"] for c in (first, second))
    assert "SEQUENCE:0" in before
    assert "SEQUENCE:1" in after
    assert "LAST-MODIFIED:20210203T120000Z" in before
    assert "LAST-MODIFIED:20210205T120000Z" in after
    assert "DTSTAMP:20210205T120000Z" in after
    assert [e.uid for e in read_all(render(second))] == ["new-start@treatycal"]


def test_one_change_changes_only_its_own_event() -> None:
    commitments = sochi_report()
    before = event_blocks(render(*commitments))
    changed = commitments[0].model_copy(update={"title": "New START ends", "revision": 2})
    after = event_blocks(render(changed, *commitments[1:]))
    assert {uid for uid in before if before[uid] != after[uid]} == {changed.uid}


def test_a_cancelled_commitment_stays_as_cancelled_with_a_bumped_sequence() -> None:
    cancelled = commitment("summit", "2026-06-01", kind="summit", status="cancelled", revision=3)
    feed = render(cancelled)
    [event] = read_all(feed)
    block = event_blocks(feed)["summit@treatycal"]
    assert "STATUS:CANCELLED" in block
    assert "SEQUENCE:2" in block
    assert "BEGIN:VALARM" not in block
    assert event.summary == "Cancelled: Summit"


def test_a_superseded_commitment_says_by_what() -> None:
    old = commitment("old", "2021-02-05", status="superseded", superseded_by="new", revision=2)
    new = commitment("new", "2026-02-05", supersedes="old")
    blocks = event_blocks(render(old, new))
    assert "STATUS:CANCELLED" in blocks["old@treatycal"]
    assert "SUMMARY:Superseded: Old" in blocks["old@treatycal"]
    assert "Superseded by new." in blocks["old@treatycal"]
    assert "Supersedes old." in blocks["new@treatycal"]


# ---------------------------------------------------------------------------- alarms


def triggers(feed: bytes) -> list[str]:
    return [line.removeprefix("TRIGGER:") for line in props(feed, "TRIGGER")]


def test_one_display_alarm_per_offset_with_a_description() -> None:
    feed = render(
        commitment("x", "2026-02-05", title="New START expires", alerts=("P30D", "P7D", "PT0S"))
    )
    assert triggers(feed) == ["-P30D", "-P7D", "P0D"]
    assert props(feed, "ACTION") == ["ACTION:DISPLAY"] * 3
    descriptions = [line for line in props(feed, "DESCRIPTION") if "expires:" in line]
    assert descriptions == [
        "DESCRIPTION:New START expires: in 30 days",
        "DESCRIPTION:New START expires: in 7 days",
        "DESCRIPTION:New START expires: today",
    ]
    calendar = IcsCalendarStream.calendar_from_ics(feed.decode())
    assert [alarm.trigger for alarm in calendar.events[0].alarm] == [
        timedelta(days=-30),
        timedelta(days=-7),
        timedelta(0),
    ]


def test_kind_defaults_apply_when_a_commitment_sets_no_alerts() -> None:
    assert triggers(render(commitment("x", "2026-02-05", kind="treaty_expiry"))) == [
        "-P30D",
        "-P7D",
    ]
    assert triggers(render(commitment("y", "2026-02-05", kind="election"))) == []


@pytest.mark.parametrize(
    ("due", "offset", "trigger"),
    [
        ("2026-02-05", "P1Y", "-P365D"),
        ("2025-02-05", "P1Y", "-P366D"),
        ("2026-03-31", "P1M", "-P31D"),
        ("2026-03-29T10:00", "PT90M", "-PT1H30M"),
        ("2026-03-29T10:00", "P1DT2H", "-P1DT2H"),
    ],
)
def test_year_and_month_offsets_become_exact_days(due: str, offset: str, trigger: str) -> None:
    tz = "Europe/Berlin" if "T" in due else None
    feed = render(commitment("x", due, tz, alerts=(offset,)))
    assert triggers(feed) == [trigger]


def test_alarm_of_a_vague_due_says_at_the_earliest() -> None:
    feed = render(commitment("x", "2021", title="New START expires", alerts=("P1Y",)))
    assert "DESCRIPTION:New START expires: in 1 year at the earliest" in unfolded(feed)


# ---------------------------------------------------------------------------- the lint


def clean_feed() -> bytes:
    return render(
        commitment("a", "2026-02-05", alerts=("P7D",), description="long " * 30),
        commitment("b", "2026-03-29T10:00", "Europe/Berlin"),
    )


BREAKAGES = [
    pytest.param(rb"\r\n", rb"\n", "bare CR or LF", id="LF endings"),
    pytest.param(rb"\r\n ", rb"", "octets, over 75", id="unfolded long line"),
    pytest.param(rb";VALUE=DURATION", rb"", "REFRESH-INTERVAL", id="no VALUE=DURATION"),
    pytest.param(rb"TTL:PT6H", rb"TTL:6:00:00", "not a duration", id="timedelta TTL"),
    pytest.param(rb"X-WR-CALNAME:.*?\r\n", rb"", "no X-WR-CALNAME", id="no X-WR-CALNAME"),
    pytest.param(rb"NAME:Arms control", rb"NAME:Arms, control", "unescaped", id="unescaped NAME"),
    pytest.param(
        rb"TZID:Europe/Berlin\r", rb"TZID:Europe/Paris\r", "no VTIMEZONE", id="no VTIMEZONE"
    ),
    pytest.param(rb"DTSTART;TZID=Europe/Berlin:", rb"DTSTART:", "floating", id="floating time"),
    pytest.param(
        rb"DTEND;VALUE=DATE:20260206", rb"DTEND;VALUE=DATE:20260205", "not after", id="end"
    ),
    pytest.param(rb"DTEND;VALUE=DATE:20260206", rb"DTEND:20260206T000000Z", "mix", id="date mix"),
    pytest.param(rb"UID:b@", rb"UID:a@", "used 2 times", id="duplicate UID"),
    pytest.param(
        rb"UID:a@", rb"ORGANIZER:mailto:x@example.org\r\nUID:a@", "ORGANIZER", id="organizer"
    ),
    pytest.param(
        rb"UID:a@", rb"ATTENDEE:mailto:x@example.org\r\nUID:a@", "ATTENDEE", id="attendee"
    ),
    pytest.param(rb"DESCRIPTION:A: in 7 days\r\n", rb"", "VALARM: no DESCRIPTION", id="alarm"),
    pytest.param(rb"END:VEVENT\r\n", rb"", "closes", id="unbalanced END"),
]


def test_the_lint_passes_a_clean_feed() -> None:
    assert lint(clean_feed()) == []


@pytest.mark.parametrize(("pattern", "replacement", "expected"), BREAKAGES)
def test_the_lint_catches(pattern: bytes, replacement: bytes, expected: str) -> None:
    broken = re.sub(pattern, replacement, clean_feed())
    assert broken != clean_feed(), "the breakage did not apply"
    problems = lint(broken)
    assert any(expected in problem for problem in problems), problems
