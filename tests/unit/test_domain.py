"""The pure rules: due dates and their windows, validation messages, durations, revisions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, PrivateAttr, ValidationError

from service.domain import (
    CalendarDuration,
    Commitment,
    CommitmentCreate,
    CommitmentFields,
    CommitmentFilter,
    CommitmentPatch,
    Due,
    Kind,
    Precision,
    Status,
    assembled,
    days_before,
    diff,
    slug_for,
    status_as_of,
    upcoming,
)


@pytest.mark.parametrize(
    ("value", "precision", "earliest", "latest"),
    [
        ("2021", Precision.YEAR, date(2021, 1, 1), date(2021, 12, 31)),
        ("2025-Q3", Precision.QUARTER, date(2025, 7, 1), date(2025, 9, 30)),
        ("2024-02", Precision.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        ("2019-W20", Precision.WEEK, date(2019, 5, 13), date(2019, 5, 19)),
        ("2026-02-05", Precision.DAY, date(2026, 2, 5), date(2026, 2, 5)),
    ],
)
def test_the_form_of_a_value_gives_its_precision_and_window(value, precision, earliest, latest):
    due = Due(value=value)
    assert (due.precision, due.earliest, due.latest) == (precision, earliest, latest)


def test_a_timed_due_keeps_its_zone_and_starts_alerts_from_that_moment():
    due = Due(value="2026-02-05T10:00", tz="Europe/Moscow")
    assert due.value == "2026-02-05T10:00:00"
    assert due.precision is Precision.TIME
    assert due.start_instant() == datetime(2026, 2, 5, 7, 0, tzinfo=UTC)


def test_a_local_time_the_clocks_pass_twice_is_its_first_occurrence():
    # 1 November 2026, New York: 01:30 comes once in EDT (05:30 UTC), then again in EST
    due = Due(value="2026-11-01T01:30", tz="America/New_York")
    assert due.start_instant() == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_alerts_count_back_from_the_earliest_moment_of_a_vague_window():
    assert Due(value="2021").start_instant() == datetime(2021, 1, 1, tzinfo=UTC)
    assert Due(value="2025-Q3").end_instant() == datetime(2025, 10, 1, tzinfo=UTC)


def test_a_served_due_round_trips_but_derived_fields_must_agree():
    served = Due(value="2019-04").model_dump(mode="json")
    assert served == {
        "value": "2019-04",
        "tz": None,
        "precision": "month",
        "earliest": "2019-04-01",
        "latest": "2019-04-30",
    }
    assert Due.model_validate(served) == Due(value="2019-04")
    with pytest.raises(ValidationError, match="precision 'day' does not match"):
        Due.model_validate({"value": "2019-04", "precision": "day"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "2021-02-30"}, "'2021-02-30' is not a real date"),
        ({"value": "2021-13"}, "'2021-13' is not a real date"),
        ({"value": "2021-W54"}, "'2021-W54' is not a real ISO week"),
        ({"value": "2026-02-05T10:00", "tz": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"value": "2026-02-05T10:00"}, "needs a time zone"),
        ({"value": "2026-03-29T02:30", "tz": "Europe/Berlin"}, "does not exist in Europe/Berlin"),
        ({"value": "2021", "tz": "UTC"}, "tz is only allowed with a date and time"),
        ({"value": "next week"}, "is not a due date"),
    ],
)
def test_bad_dues_are_refused_with_a_message_that_names_the_problem(data, message):
    with pytest.raises(ValidationError, match=message):
        Due.model_validate(data)


def _create(**overrides):
    data = {"title": "New START expires", "kind": "treaty_expiry", "due": "2026-02-05"}
    return CommitmentCreate.model_validate(data | overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "   "}, "title"),
        ({"kind": "treaty_renewal"}, "Input should be 'treaty_signed'"),
        ({"due": "2026-02-05", "end": "2026-02-04"}, "the end .2026-02-04. is before the due date"),
        ({"due": None}, "a scheduled commitment needs a due date"),
        ({"parties": ["USA"]}, "unknown party 'USA'"),
        ({"tags": ["Not a tag!"]}, "tags"),
        ({"alerts": ["30 days"]}, "not an ISO 8601 duration"),
        ({"sources": [{"url": "javascript:alert(1)"}]}, "not an http"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_commitments_are_refused(overrides, message):
    with pytest.raises(ValidationError, match=message):
        _create(**overrides)


def test_input_is_normalised():
    created = _create(parties=["us", "RU", "US"], tags=["New-START"], alerts=["P1W", "P7D", "PT0S"])
    assert created.parties == ("US", "RU")
    assert created.tags == ("new-start",)
    assert created.alerts == ("P7D", "PT0S")


def test_tentative_commitments_may_have_no_date():
    assert _create(due=None, status="tentative").due is None


def test_a_multi_day_event_may_end_inside_a_coarser_window():
    created = _create(due="2026-04-27", end="2026-05")
    assert created.end is not None and created.end.latest == date(2026, 5, 31)


def test_durations_parse_normalise_and_count_on_the_wall_clock():
    assert str(CalendarDuration.parse("P1Y2M3W4DT5H6M7S")) == "P1Y2M25DT5H6M7S"
    assert str(CalendarDuration.parse("pt0s")) == "PT0S"
    berlin = ZoneInfo("Europe/Berlin")
    after_dst = datetime(2026, 4, 1, 9, 0, tzinfo=berlin)
    warned = CalendarDuration.parse("P7D").before(after_dst)
    assert (warned.hour, warned.utcoffset()) == (
        9,
        datetime(2026, 3, 25, 9, tzinfo=berlin).utcoffset(),
    )
    assert CalendarDuration.parse("P1M").before(datetime(2026, 3, 31, tzinfo=UTC)).day == 28
    with pytest.raises(ValueError, match="not an ISO 8601 duration"):
        CalendarDuration.parse("P")
    with pytest.raises(ValueError, match="longer than 20 years"):
        CalendarDuration.parse("P100Y")
    with pytest.raises(ValueError, match="longer than 20 years"):
        CalendarDuration.parse("P20Y1M")
    assert CalendarDuration.parse("P20Y").months == 240  # not "longer than 20 years"


def test_a_diff_lists_only_what_changed():
    before = CommitmentFields(
        title="New START expires", kind=Kind.TREATY_EXPIRY, due=Due(value="2021-02-05")
    )
    after = before.model_copy(update={"due": Due(value="2026-02-05")})
    changes = diff(before, after)
    assert list(changes) == ["due"]
    assert changes["due"].model_dump() == {
        "from": {"value": "2021-02-05", "tz": None},
        "to": {"value": "2026-02-05", "tz": None},
    }


def test_a_patch_changes_only_the_fields_sent_and_revalidates_the_whole():
    current = CommitmentFields(title="Summit", kind=Kind.SUMMIT, due=Due(value="2019-06"))
    patched = CommitmentPatch.model_validate({"due": "2019-06-28"}).apply(current)
    assert patched.due == Due(value="2019-06-28") and patched.title == "Summit"
    with pytest.raises(ValueError, match="title cannot be null"):
        CommitmentPatch.model_validate({"title": None}).apply(current)
    with pytest.raises(ValidationError, match="needs a due date"):
        CommitmentPatch.model_validate({"due": None}).apply(current)


def test_slugs_come_from_the_title_and_year():
    assert slug_for("Trump–Putin summit, Helsinki", Due(value="2018-07-16")) == (  # noqa: RUF001
        "trump-putin-summit-helsinki-2018"
    )
    assert slug_for("G20 Osaka 2019", Due(value="2019-06-28")) == "g20-osaka-2019"


def _commitment(cid: str, due: str | None, status: Status = Status.SCHEDULED) -> Commitment:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Commitment(
        id=cid,
        title=cid,
        kind=Kind.SUMMIT,
        due=Due(value=due) if due else None,
        status=status,
        revision=1,
        created_at=moment,
        updated_at=moment,
    )


def test_upcoming_keeps_the_window_sorts_by_due_and_reads_status_as_of_that_day():
    items = [
        _commitment("later", "2019-06-28", Status.OCCURRED),
        _commitment("year", "2019"),
        _commitment("gone", "2019-06-01", Status.CANCELLED),
        _commitment("past", "2019-05-01"),
        _commitment("far", "2020-11-03"),
    ]
    found = upcoming(items, date(2019, 5, 14), date(2019, 8, 12))
    assert [(c.id, left, c.status) for c, left in found] == [
        ("year", -133, Status.SCHEDULED),
        ("later", 45, Status.SCHEDULED),
    ]


def test_status_as_of_treats_a_later_occurrence_as_scheduled():
    due = Due(value="2021-02-05")
    assert status_as_of(Status.OCCURRED, due, date(2019, 5, 14)) is Status.SCHEDULED
    assert status_as_of(Status.OCCURRED, due, date(2021, 2, 5)) is Status.OCCURRED
    assert status_as_of(Status.CANCELLED, due, date(2019, 5, 14)) is Status.CANCELLED


def test_a_filter_matches_in_memory_as_the_store_does_in_sql():
    item = _commitment("helsinki-2018", "2018-07-16").model_copy(
        update={"parties": ("US", "RU"), "tags": ("summit",)}
    )
    assert CommitmentFilter(parties=("RU",), start=date(2018, 7, 16)).matches(item)
    assert not CommitmentFilter(parties=("CN",)).matches(item)
    assert not CommitmentFilter(end=date(2018, 7, 15)).matches(item)
    assert CommitmentFilter(text="HELSINKI").matches(item)
    with pytest.raises(ValidationError, match="before 'from'"):
        CommitmentFilter(start=date(2020, 1, 1), end=date(2019, 1, 1))


def test_days_before_counts_whole_days_on_the_deadlines_own_clock():
    berlin = ZoneInfo("Europe/Berlin")
    deadline = datetime(2027, 4, 1, 9, 0, tzinfo=berlin)
    assert days_before(deadline, datetime(2027, 4, 1, 8, 59, tzinfo=berlin)) == 0
    assert days_before(deadline, datetime(2027, 3, 31, 9, 0, tzinfo=berlin)) == 1
    assert days_before(deadline, datetime(2027, 3, 31, 9, 1, tzinfo=berlin)) == 0
    # 30 days back at 09:00 Berlin is before the change of clocks: still 30 whole days.
    assert days_before(deadline, datetime(2027, 3, 2, 8, 0, tzinfo=UTC)) == 30
    assert days_before(deadline, datetime(2027, 4, 2, tzinfo=UTC)) == 0


def test_an_assembled_model_is_the_one_model_construct_makes_of_complete_values():
    stated = CommitmentFields.model_validate(
        {"title": "New START expires", "kind": "treaty_expiry", "due": "2026-02-05"}
    )
    now = datetime(2019, 5, 14, 9, tzinfo=UTC)
    extra = {"id": "new-start", "superseded_by": None, "revision": 1}
    values = stated.__dict__ | extra | {"created_at": now, "updated_at": now}

    made = assembled(Commitment, dict(values))

    constructed = Commitment.model_construct(**values)
    assert made == constructed
    assert made.model_fields_set == constructed.model_fields_set == set(Commitment.model_fields)
    assert made.model_dump(mode="json") == Commitment.model_validate(values).model_dump(mode="json")
    assert hash(made) == hash(constructed)
    with pytest.raises(ValidationError, match="frozen"):
        made.title = "changed"


def test_a_model_with_private_state_is_not_assembled():
    class Counted(BaseModel):
        name: str
        _seen: int = PrivateAttr(default=0)

    with pytest.raises(TypeError, match="Counted needs model_construct"):
        assembled(Counted, {"name": "x"})


def test_a_model_is_not_assembled_from_fewer_values_than_it_has_fields():
    stated = CommitmentFields.model_validate(
        {"title": "New START expires", "kind": "other", "due": "2026"}
    )

    with pytest.raises(TypeError, match="Commitment has 17 fields, given 13"):
        assembled(Commitment, stated.__dict__ | {"id": "new-start"})
