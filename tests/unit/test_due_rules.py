"""Relative dues and the treaty clauses table: pure, no database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.domain import (
    CLAUSES,
    Commitment,
    CommitmentFields,
    Due,
    DueRule,
    follow_ups,
    resolve,
)


@pytest.mark.parametrize(
    ("anchor", "offset", "expected"),
    [
        ("2020-05-22", "P6M", "2020-11-22"),
        ("2019-08-31", "P6M", "2020-02-29"),
        ("2018-08-31", "P6M", "2019-02-28"),
        ("2019-02", "P6M", "2019-08"),
        ("2019-02", "P30D", "2019-03"),
        ("2021-Q1", "P3M", "2021-Q2"),
        ("2021", "P1Y", "2022"),
        ("2021", "P6M", "2021"),
        ("2030-03", "P30D", "2030"),
    ],
)
def test_a_rule_adds_calendar_time_and_keeps_no_more_precision_than_the_anchor(
    anchor: str, offset: str, expected: str
):
    resolved = resolve(DueRule(after="a", offset=offset), Due(value=anchor))
    assert resolved is not None and resolved.value == expected


def test_a_rule_keeps_a_time_of_day_and_its_zone_and_an_undated_anchor_gives_none():
    rule = DueRule(after="a", offset="P3M")
    moment = resolve(rule, Due(value="2026-02-05T10:00", tz="Europe/Moscow"))
    assert moment == Due(value="2026-05-05T10:00:00", tz="Europe/Moscow")
    assert resolve(rule, None) is None


def test_a_rule_refuses_time_parts_and_a_relative_due_maps_onto_the_rule():
    with pytest.raises(ValidationError, match="time part"):
        DueRule(after="a", offset="PT12H")
    fields = CommitmentFields.model_validate(
        {"title": "t", "kind": "other", "due": {"after": "a", "offset": "p1w", "from": "occurred"}}
    )
    assert fields.due is None and fields.due_rule is not None
    assert fields.due_rule.model_dump(mode="json") == {
        "after": "a",
        "offset": "P7D",
        "from": "occurred",
    }
    with pytest.raises(ValidationError, match="not both"):
        CommitmentFields.model_validate(
            {"title": "t", "kind": "other", "due": {"after": "a", "offset": "P1M"}, "due_rule": {}}
        )


def test_the_clauses_cover_the_reference_treaties_with_their_articles_and_sources():
    periods = {clause.treaty: (clause.period, clause.article) for clause in CLAUSES}
    assert periods["inf"] == ("P6M", "Article XV(2)")
    assert periods["open-skies"][0] == periods["ctbt"][0] == "P6M"
    assert periods["npt"] == ("P3M", "Article X(1)")
    assert periods["new-start"] == ("P3M", "Article XIV(3)")
    assert periods["jcpoa-snapback"][0] == "P30D"
    assert all(clause.source.startswith("https://") for clause in CLAUSES)


def _notice(tags: list[str], due: str | None = "2020-05-22") -> Commitment:
    return Commitment.model_validate(
        {
            "id": "open-skies-us-notice",
            "title": "The United States gives notice of withdrawal from the Open Skies Treaty",
            "kind": "treaty_withdrawal",
            "due": due,
            "status": "occurred" if due else "tentative",
            "parties": ["US"],
            "tags": tags,
            "revision": 1,
            "created_at": "2020-05-22T12:00:00Z",
            "updated_at": "2020-05-22T12:00:00Z",
        }
    )


def test_a_notice_proposes_what_takes_effect_and_anything_else_proposes_nothing():
    (proposed,) = follow_ups(_notice(["open-skies", "withdrawal-notice"]))
    assert proposed.id == "open-skies-us-notice-takes-effect"
    assert proposed.due == Due(value="2020-11-22")
    assert proposed.due_rule == DueRule(after="open-skies-us-notice", offset="P6M")
    assert proposed.parties == ("US",) and proposed.sources[0].title is not None
    assert follow_ups(_notice(["open-skies"])) == []
    (undated,) = follow_ups(_notice(["npt", "withdrawal-notice"], due=None))
    assert undated.due is None and undated.status == "tentative"
