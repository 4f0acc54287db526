"""Extraction: dated mentions resolved against the publication date, and proposed commitments.

The sentences here are written for these tests; the Sochi report itself is read from the
shared data folder when it is there (tests/support/gold.py says where it looks).
"""

from __future__ import annotations

from datetime import date

import pytest

from service.domain import (
    CommitmentCreate,
    Extraction,
    Kind,
    Mention,
    Mod,
    Precision,
    Proposal,
    Status,
    Tense,
    TimexType,
)
from service.extract import actors, events, extract
from service.extract.sentences import split
from tests.support.gold import load_sochi, sochi_report
from tests.support.sample_commitments import sochi_report as known_sochi_commitments

TUESDAY = date(2019, 5, 14)  # the Sochi report was published on Tuesday 14 May 2019


def mention(text: str, published: date = TUESDAY) -> Mention:
    """The one mention the text holds."""
    found = extract(text, published).mentions
    assert len(found) == 1, [m.text for m in found]
    return found[0]


def window(found: Mention) -> tuple[str, Precision, date, date]:
    return found.value, found.precision, found.earliest, found.latest


# ---------------------------------------------------------------------------- expressions


@pytest.mark.parametrize(
    ("text", "value", "earliest", "latest"),
    [
        ("The ministers spoke on Tuesday.", "2019-05-14", date(2019, 5, 14), date(2019, 5, 14)),
        ("They met last Tuesday.", "2019-05-07", date(2019, 5, 7), date(2019, 5, 7)),
        ("They will meet next Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        ("The envoys met Monday.", "2019-05-13", date(2019, 5, 13), date(2019, 5, 13)),
        ("The envoys will meet Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        ("The envoys met Friday.", "2019-05-10", date(2019, 5, 10), date(2019, 5, 10)),
        (
            "A vote is planned for this Thursday.",
            "2019-05-16",
            date(2019, 5, 16),
            date(2019, 5, 16),
        ),
        ("The talks ended yesterday.", "2019-05-13", date(2019, 5, 13), date(2019, 5, 13)),
        ("The talks resume tomorrow.", "2019-05-15", date(2019, 5, 15), date(2019, 5, 15)),
        # a plan told in the past tense is still ahead of publication
        (
            "Negotiators were planning to initial the text on Friday.",
            "2019-05-17",
            date(2019, 5, 17),
            date(2019, 5, 17),
        ),
        (
            "The foreign ministers were expected to meet in Geneva on Thursday.",
            "2019-05-16",
            date(2019, 5, 16),
            date(2019, 5, 16),
        ),
        # a present tense that names the day of something scheduled: the one to come
        ("The deadline is Thursday.", "2019-05-16", date(2019, 5, 16), date(2019, 5, 16)),
        ("The vote is on Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        ("Voters go to the polls on Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        # a plan told as it stood: the nearer day, behind or ahead
        (
            "The deal was supposed to be signed by March 18, but it was not.",
            "2019-03-18",
            date(2019, 3, 18),
            date(2019, 3, 18),
        ),
        (
            "The talks were meant to open on Thursday.",
            "2019-05-16",
            date(2019, 5, 16),
            date(2019, 5, 16),
        ),
        (
            "The talks were supposed to open on Sunday.",
            "2019-05-12",
            date(2019, 5, 12),
            date(2019, 5, 12),
        ),
        # moved later, in the past tense, to a day still ahead: any verb of putting off
        ("The vote was rescheduled to Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        ("The vote was put off to Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        ("The allies meet on Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        ("They did not meet on Friday.", "2019-05-10", date(2019, 5, 10), date(2019, 5, 10)),
        (
            "The Senate vote on Friday was close.",
            "2019-05-10",
            date(2019, 5, 10),
            date(2019, 5, 10),
        ),
        # put off until a day: the day is ahead, whatever the tense of the putting off
        (
            "The vote was postponed until Thursday.",
            "2019-05-16",
            date(2019, 5, 16),
            date(2019, 5, 16),
        ),
        ("The talks were put off till Friday.", "2019-05-17", date(2019, 5, 17), date(2019, 5, 17)),
        # a plan as it stood before ("had been due to"): its day is behind publication
        (
            "The ceasefire had been due to expire on Friday.",
            "2019-05-10",
            date(2019, 5, 10),
            date(2019, 5, 10),
        ),
        (
            "The offer had originally been scheduled to lapse on Thursday.",
            "2019-05-09",
            date(2019, 5, 9),
            date(2019, 5, 9),
        ),
        # "could not be reached": what someone failed to do, so it is behind publication
        (
            "The envoy could not be reached for comment on Sunday.",
            "2019-05-12",
            date(2019, 5, 12),
            date(2019, 5, 12),
        ),
    ],
)
def test_weekdays_and_day_words_resolve_against_publication(text, value, earliest, latest):
    assert window(mention(text)) == (value, Precision.DAY, earliest, latest)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("OSCE ministers meet in Vienna on Thursday and Friday.", ["2019-05-16", "2019-05-17"]),
        ("OSCE ministers met in Vienna on Thursday and Friday.", ["2019-05-09", "2019-05-10"]),
        ("Statements were made Friday and Thursday.", ["2019-05-10", "2019-05-09"]),
        ("Sanctions come back into force on Saturday.", ["2019-05-18"]),
        ("The law came into force on Saturday.", ["2019-05-11"]),
    ],
)
def test_a_weekday_listed_after_one_ahead_or_coming_into_force_is_ahead(text, values):
    assert [found.value for found in extract(text, TUESDAY).mentions] == values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # an irregular past form is a past verb too
        ("The ministry sold its remaining shares in August.", "2018-08"),
        ("The government withdrew from the accord in August.", "2018-08"),
        ("The inspectors oversaw the destruction of the launchers in August.", "2018-08"),
        # a marker that opens the sentence counts, capital and all
        ("Since August the border crossing stays shut.", "2018-08"),
        # a date that opens the sentence takes the main verb after its comma
        ("In August, the ministry announced the sale of its shares.", "2018-08"),
        # "an unspecified date" is no past event: the future verb before it decides
        ("The bonds will be repaid on an unspecified date in January.", "2020-01"),
        # a month that qualifies a noun is a date as well
        ("Police reopened the inquiry into the October shooting.", "2018-10"),
        ("Ministers will review the plan at their February meeting.", "2020-02"),
        ("The mediators drafted a September agreement that was never signed.", "2018-09"),
        ("Analysts revised December's export figures downward.", "2018-12"),
        ("The export figures for January were revised.", "2019-01"),
        # an obligation or an aim is ahead ("must ... by"); a guess about the past is behind
        ("Iran must respond to the proposal by March.", "2020-03"),
        ("Russia has to destroy the missiles by February.", "2020-02"),
        ("Kyiv hopes to join the alliance by February.", "2020-02"),
        ("The inspectors may have left the site in February.", "2019-02"),
        ("The envoy could have signed the protocol in February.", "2019-02"),
        # extended to a date: the date is ahead; extended to someone: the verb is past
        ("The deadline was extended to March 31.", "2020-03-31"),
        ("The sanctions were extended to Russian banks in March.", "2019-03"),
        # a past verb said of the date itself outweighs a month close to publication
        ("The moratorium lapsed in June after the talks collapsed.", "2018-06"),
        ("The accord was signed on July 2 in Riyadh.", "2018-07-02"),
        ("The ministers last met in Geneva in June.", "2018-06"),
        # ... and so does a future one: a month just past is not what "will" points to
        ("The talks will resume in April.", "2020-04"),
        ("Russia will hold a referendum on the amendments on April 22.", "2020-04-22"),
        # ... as does a present tense of what is scheduled to end or begin on the date
        ("The moratorium expires on April 30.", "2020-04-30"),
        ("The sanctions expire in November.", "2019-11"),
        ("The sanctions did not expire in November.", "2018-11"),
        # postponed to a month: ahead; a plan that had been made for one: behind
        ("The referendum was delayed until March.", "2020-03"),
        ("The ceasefire had been due to expire in February.", "2019-02"),
        # "since" a month or a day: begun by now, however near the next one, whatever the verb
        ("The talks have been stalled since June.", "2018-06"),
        ("The envoy will make his sixth visit since June 3.", "2018-06-03"),
        ("Exports have fallen since early June.", "2018-06"),
        # a hope told in the past is still ahead, unless it had been given up
        ("The envoy said Moscow hoped to settle the dispute by the end of February.", "2020-02"),
        ("The envoy said Moscow had hoped to settle the dispute by February.", "2019-02"),
        # a past form under "would otherwise have": what was to happen, still ahead
        ("The measures would otherwise have lapsed on January 31.", "2020-01-31"),
        # what a body was asked to do at a later sitting is ahead of the asking
        ("The council asked the panel to report back at its session in March.", "2020-03"),
    ],
)
def test_a_month_without_its_year_takes_the_year_its_verb_points_to(text: str, value: str):
    # published 14 May 2019: the nearest August is 2019's, the nearest January 2019's
    assert mention(text).value == value


def test_a_name_that_is_a_month_is_not_one_as_a_possessive_or_before_a_capital():
    assert extract("Theresa May's cabinet met the June Carter trust.", TUESDAY).mentions == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # "as planned", "the hastily planned visit": no plan still ahead
        ("The offensive began as planned on Saturday night.", "2019-05-11TNI"),
        (
            "On Friday, when the minister cut short his holiday for the hastily planned visit, "
            "the ministry lifted the warning.",
            "2019-05-10",
        ),
        # "next to" names a place: the past verb still decides
        ("Shots were fired next to the consulate on Friday.", "2019-05-10"),
        # an infinitive after the date is the past verb's, not the date's
        ("The two sides agreed at talks on Friday to hold another round.", "2019-05-10"),
        # "last" before a month and day moves the day, not just the month
        ("The envoy was recalled last Oct. 23 after the vote.", "2018-10-23"),
        # a day six weeks ahead is meant, not one ten months back, whatever the verb
        ("The court ordered the ship held until June 30 to hear the appeal.", "2019-06-30"),
        # a relative clause in the present: the drills "run until" a day still to come
        ("Seoul warned that the drills, which run until November 28, were a threat.", "2019-11-28"),
    ],
)
def test_a_day_without_its_year_is_read_as_news_writes_it(text: str, value: str):
    assert mention(text).value == value


def test_a_past_tense_that_reports_a_plan_leaves_its_weekdays_ahead():
    text = (
        "Observers planned a vigil at the border on Saturday and were planning to march "
        "to the consulate on Monday."
    )
    found = extract(text, TUESDAY).mentions
    assert [(m.text, m.value) for m in found] == [
        ("Saturday", "2019-05-18"),
        ("Monday", "2019-05-20"),
    ]


@pytest.mark.parametrize(
    ("text", "published", "value", "precision", "earliest", "latest"),
    [
        ("The summit will be held on July 16.", TUESDAY, "2019-07-16", Precision.DAY,
         date(2019, 7, 16), date(2019, 7, 16)),
        ("They met on July 16.", TUESDAY, "2018-07-16", Precision.DAY,
         date(2018, 7, 16), date(2018, 7, 16)),
        ("They will meet in Alaska on August 15, 2025.", TUESDAY, "2025-08-15", Precision.DAY,
         date(2025, 8, 15), date(2025, 8, 15)),
        ("NATO leaders met in Brussels on July 11-12.", date(2018, 7, 20),
         "2018-07-11/2018-07-12", Precision.DAY, date(2018, 7, 11), date(2018, 7, 12)),
        ("It opened on 28 April 2025.", TUESDAY, "2025-04-28", Precision.DAY,
         date(2025, 4, 28), date(2025, 4, 28)),
        ("The vote was on Sept. 19.", date(2025, 9, 26), "2025-09-19", Precision.DAY,
         date(2025, 9, 19), date(2025, 9, 19)),
        ("The deal was signed on Friday, July 14, 2015.", TUESDAY, "2015-07-14",
         Precision.DAY, date(2015, 7, 14), date(2015, 7, 14)),
    ],
)  # fmt: skip
def test_month_days_with_or_without_a_year(text, published, value, precision, earliest, latest):
    assert window(mention(text, published)) == (value, precision, earliest, latest)


@pytest.mark.parametrize(
    ("text", "value", "precision", "earliest", "latest", "mod"),
    [
        ("New START is set to expire in 2021.", "2021", Precision.YEAR,
         date(2021, 1, 1), date(2021, 12, 31), None),
        ("They discussed the 2015 nuclear deal.", "2015", Precision.YEAR,
         date(2015, 1, 1), date(2015, 12, 31), None),
        ("Putin met Kim last month.", "2019-04", Precision.MONTH,
         date(2019, 4, 1), date(2019, 4, 30), None),
        ("Talks are expected in mid-October.", "2019-10", Precision.MONTH,
         date(2019, 10, 11), date(2019, 10, 20), Mod.MID),
        ("The report is due by the end of September.", "2019-09", Precision.MONTH,
         date(2019, 9, 21), date(2019, 9, 30), Mod.END),
        ("A deal could be signed in early 2027.", "2027", Precision.YEAR,
         date(2027, 1, 1), date(2027, 4, 30), Mod.START),
        ("The plant reopened in late March.", "2019-03", Precision.MONTH,
         date(2019, 3, 21), date(2019, 3, 31), Mod.END),
        ("The envoy will visit in the last week of June.", "2019-06", Precision.MONTH,
         date(2019, 6, 21), date(2019, 6, 30), Mod.END),
        ("Talks resume in the first week of November.", "2019-11", Precision.MONTH,
         date(2019, 11, 1), date(2019, 11, 10), Mod.START),
        ("The plant will reopen in March.", "2020-03", Precision.MONTH,
         date(2020, 3, 1), date(2020, 3, 31), None),
        ("Attacks were reported this week.", "2019-W20", Precision.WEEK,
         date(2019, 5, 13), date(2019, 5, 19), None),
        ("The tankers were hit earlier this week.", "2019-W20", Precision.WEEK,
         date(2019, 5, 13), date(2019, 5, 13), None),
        ("Delegations arrive later this month.", "2019-05", Precision.MONTH,
         date(2019, 5, 15), date(2019, 5, 31), None),
        ("The agency reports in the third quarter of 2025.", "2025-Q3", Precision.QUARTER,
         date(2025, 7, 1), date(2025, 9, 30), None),
        ("Sales fell in Q1 2026.", "2026-Q1", Precision.QUARTER,
         date(2026, 1, 1), date(2026, 3, 31), None),
        ("Parliament meets in the first half of 2026.", "2026-H1", Precision.YEAR,
         date(2026, 1, 1), date(2026, 6, 30), None),
        ("Allies will keep supporting Ukraine through the winter.", "2019-WI",
         Precision.QUARTER, date(2019, 12, 1), date(2020, 2, 29), None),
        ("The treaty ran from 2011 to 2021.", "2011/2021", Precision.YEAR,
         date(2011, 1, 1), date(2021, 12, 31), None),
        ("Negotiators will meet the week of May 20.", "2019-W21", Precision.WEEK,
         date(2019, 5, 20), date(2019, 5, 26), None),
        ("A deal could come within days.", "PXD", Precision.DAY,
         date(2019, 5, 14), date(2019, 5, 21), Mod.EQUAL_OR_LESS),
    ],
)  # fmt: skip
def test_years_months_parts_weeks_and_quarters(text, value, precision, earliest, latest, mod):
    found = mention(text)
    assert window(found) == (value, precision, earliest, latest)
    assert found.mod is mod


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Envoys met five times between April and June.", ["2026-04", "2026-06"]),
        ("The drills will run from November to February.", ["2026-11", "2027-02"]),
        ("In 2015, they met in March and June.", ["2015", "2015-03", "2015-06"]),
        ("Talks stalled between April and June 2025.", ["2025-04", "2025-06"]),
        ("The truce held from November to February 2025.", ["2024-11", "2025-02"]),
        ("He met May and Johnson in June.", ["2026-06"]),  # May, a name, pairs with no month
    ],
)
def test_the_second_month_of_a_pair_is_a_date_in_the_year_after_the_first(text, values):
    found = extract(text, date(2026, 12, 7)).mentions
    assert [m.value for m in found] == values


@pytest.mark.parametrize(
    ("text", "value", "earliest", "latest"),
    [
        ("The deadline is 2026-02-05.", "2026-02-05", date(2026, 2, 5), date(2026, 2, 5)),
        ("The window is 2019-W20.", "2019-W20", date(2019, 5, 13), date(2019, 5, 19)),
        ("The review is in 2025-Q3.", "2025-Q3", date(2025, 7, 1), date(2025, 9, 30)),
    ],
)
def test_iso_dates_weeks_and_quarters(text, value, earliest, latest):
    found = mention(text)
    assert (found.value, found.earliest, found.latest) == (value, earliest, latest)


def test_a_weekday_range_and_a_date_that_names_the_past_under_a_future_verb():
    found = mention("NATO leaders will gather from Tuesday to Thursday.", date(2024, 7, 8))
    assert (found.text, found.value) == ("Tuesday to Thursday", "2024-07-09/2024-07-11")
    cancelled = mention("A debate planned for Oct. 15 was cancelled.", date(2020, 10, 22))
    assert cancelled.value == "2020-10-15"
    challenged = mention("He had challenged Putin to meet him on Thursday.", date(2025, 5, 16))
    assert challenged.value == "2025-05-15"


def test_fuzzy_expressions_carry_a_window_never_a_false_day():
    found = mention("Putin said he had spoken with Trump a few days earlier.")
    assert (found.value, found.mod) == ("2019-05-07/2019-05-12", Mod.APPROX)
    assert (found.earliest, found.latest) == (date(2019, 5, 7), date(2019, 5, 12))
    assert found.tense is Tense.PAST


@pytest.mark.parametrize(
    ("text", "published", "value", "kind", "earliest", "latest", "mod"),
    [
        ("Sanctions will return in 30 days.", date(2025, 8, 28), "2025-09-27",
         TimexType.DATE, date(2025, 9, 27), date(2025, 9, 27), None),
        ("The US will withdraw in six months.", date(2019, 2, 1), "2019-08",
         TimexType.DATE, date(2019, 8, 1), date(2019, 8, 31), None),
        ("The European powers began a 30-day process.", date(2025, 8, 28), "P30D",
         TimexType.DURATION, date(2025, 8, 28), date(2025, 9, 27), None),
        ("They may meet within the next two weeks.", date(2025, 10, 16), "P2W",
         TimexType.DURATION, date(2025, 10, 16), date(2025, 10, 30), Mod.EQUAL_OR_LESS),
        ("The ministers met two weeks ago.", TUESDAY, "2019-W18",
         TimexType.DATE, date(2019, 4, 29), date(2019, 5, 5), None),
    ],
)  # fmt: skip
def test_offsets_and_lengths(text, published, value, kind, earliest, latest, mod):
    found = mention(text, published)
    assert (found.value, found.type, found.earliest, found.latest) == (
        value,
        kind,
        earliest,
        latest,
    )
    assert found.mod is mod


def test_a_length_is_laid_from_the_day_named_in_its_sentence():
    text = (
        "Britain, France and Germany triggered on August 28 a 30-day process to restore sanctions."
    )
    started, length = extract(text, date(2025, 8, 29)).mentions
    assert (started.value, length.value) == ("2025-08-28", "P30D")
    assert (length.earliest, length.latest) == (date(2025, 8, 28), date(2025, 9, 27))


def test_a_shift_counts_from_the_date_before_it():
    text = "The Duma passed the bill on October 18, and the upper house approved it a week later."
    _, later = extract(text, date(2023, 11, 2)).mentions
    assert (later.text, later.value) == ("a week later", "2023-10-25")


def test_after_a_dated_event_is_a_day_and_after_an_undated_one_a_length():
    dated = "The withdrawal takes effect six months after notice, which will be sent on Friday."
    shifted = extract(dated, date(2020, 5, 21)).mentions[0]
    assert (shifted.text, shifted.value) == ("six months after", "2020-11-22")
    undated = "Its withdrawal will take effect six months after that notice."
    assert extract(undated, date(2021, 6, 7)).mentions[0].value == "P6M"


@pytest.mark.parametrize(
    "text",
    [
        "All 435 House seats are on the ballot.",
        "Contributions of $1,000 or more must be reported.",
        "The resolution failed on a 4-9 vote.",
        "Resolution 2231 endorsed the deal.",
        "Resolutions 1696, 1737, 1747 and 1929 were restored.",
        "The G20 summit opened.",
        "Russia may object to the plan.",
        "May I ask a question?",
        "The march through the capital was peaceful.",
        "Theresa May resigned as prime minister.",
        "Russia deployed 2000 troops to the border.",
        "About 1550 warheads are deployed.",
        "The Good Friday Agreement ended the Troubles.",
        "He read it in the Sunday Times.",
    ],
)
def test_numbers_names_and_verbs_that_are_not_dates(text):
    assert extract(text, TUESDAY).mentions == []


# ---------------------------------------------------------------------------- sentences


def test_sentences_survive_titles_initials_acronyms_and_quotes():
    text = (
        "Mr. Putin praised Robert S. Mueller III for his work. "
        "“It is clear,” Mr. Lavrov said. “We will talk.” He left. "
        "Talks with the U.S. ended.\nThe U.S. The end."
    )
    assert [s.text for s in split(text)] == [
        "Mr. Putin praised Robert S. Mueller III for his work.",
        "“It is clear,” Mr. Lavrov said.",
        "“We will talk.”",
        "He left.",
        "Talks with the U.S. ended.",
        "The U.S.",
        "The end.",
    ]


def test_each_mention_carries_its_sentence_and_exact_span():
    text = "Mr. Pompeo arrived on Tuesday. Talks are set for next week.\nA deal may follow in 2021."
    found = extract(text, TUESDAY).mentions
    assert [text[m.start : m.end] for m in found] == [m.text for m in found]
    assert [m.sentence for m in found] == [
        "Mr. Pompeo arrived on Tuesday.",
        "Talks are set for next week.",
        "A deal may follow in 2021.",
    ]


def test_tense_is_where_the_window_lies_relative_to_publication():
    text = "They met last month, meet this week and will meet next year."
    assert [m.tense for m in extract(text, TUESDAY).mentions] == [
        Tense.PAST,
        Tense.PRESENT,
        Tense.FUTURE,
    ]


# ---------------------------------------------------------------------------- proposals


def proposals(text: str, published: date = TUESDAY) -> list[Proposal]:
    return extract(text, published, url="https://example.org/report").proposals


def only(text: str, published: date = TUESDAY) -> Proposal:
    found = proposals(text, published)
    assert len(found) == 1, [(p.kind, p.title) for p in found]
    return found[0]


def summary(proposal: Proposal) -> tuple[Kind, str | None, Status, set[str]]:
    due = proposal.due.value if proposal.due else None
    return proposal.kind, due, proposal.status, set(proposal.parties)


def test_leaving_a_body_by_notice_is_a_withdrawal_from_it():
    who = "The United States will withdraw from the WHO on January 22, 2026."
    found = only(who, date(2025, 6, 10))
    assert summary(found) == (Kind.TREATY_WITHDRAWAL, "2026-01-22", Status.SCHEDULED, {"US"})
    assert found.title == "US withdrawal from WHO"
    left = only("Burkina Faso, Mali and Niger left ECOWAS in January.", date(2025, 6, 10))
    assert summary(left) == (Kind.TREATY_WITHDRAWAL, "2025-01", Status.OCCURRED, {"BF", "ML", "NE"})
    court = "Hungary's withdrawal from the International Criminal Court takes effect on June 2."
    titled = only(court, date(2026, 3, 1)).title
    assert titled == "Hungary withdrawal from International Criminal Court"
    # leaving a city, talks or a post is no withdrawal
    assert proposals("The delegation will leave Geneva on Friday.", date(2025, 6, 10)) == []
    assert proposals("She quit WHO's advisory board in March.", date(2025, 6, 10)) == []
    assert only("Who will leave the talks on Friday?", date(2025, 6, 10)).kind is Kind.MEETING


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Russia suspended its participation in New START on Tuesday.",
         "Russia suspension of New START"),
        ("Russia revoked its ratification of the CTBT on November 2.",
         "Russia de-ratification of CTBT"),
        ("The US withdrew from the INF Treaty on August 2.", "US withdrawal from INF Treaty"),
        # a treaty not named is called what the sentence calls it
        ("Thailand suspended the deal on November 1 after a blast.", "Thailand suspension of deal"),
        # one named with "on" after its noun
        ("Lithuania withdrew from the Convention on Cluster Munitions on March 7.",
         "Lithuania withdrawal from Convention on Cluster Munitions"),
    ],
)  # fmt: skip
def test_a_suspension_or_de_ratification_is_titled_as_such_not_as_a_withdrawal(text, title):
    found = only(text, date(2023, 11, 5))
    assert (found.kind, found.title) == (Kind.TREATY_WITHDRAWAL, title)


def test_a_treaty_expiry_in_a_year_is_scheduled_with_the_treaty_parties():
    found = only("Washington and Moscow doubt they can extend New START, which expires in 2021.")
    assert summary(found) == (Kind.TREATY_EXPIRY, "2021", Status.SCHEDULED, {"US", "RU"})
    assert found.due is not None and found.due.precision is Precision.YEAR
    assert found.title == "New START expires"


def test_a_summit_announced_for_a_named_day():
    text = "The White House said Trump and Putin will hold a summit in Alaska on August 15."
    found = only(text, date(2025, 8, 9))
    assert summary(found) == (Kind.SUMMIT, "2025-08-15", Status.SCHEDULED, {"US", "RU"})
    assert found.title == "Trump-Putin summit in Alaska"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("The Security Council will vote on the resolution on Friday.", "UN Security Council vote"),
        ("A council vote on the relief is expected on Friday.", "UN Security Council vote"),
        ("NATO allies will vote on the plan on Friday.", "NATO vote"),
        ("The UN General Assembly will vote on it on Friday.", "UN General Assembly vote"),
        # another council is not the Security Council
        ("The Federation Council will vote on the bill on Friday.", "Russia vote"),
        # no body named: no guess at one
        ("The vote on the sanctions was postponed until Thursday.", "Vote"),
    ],
)
def test_a_vote_is_titled_by_the_body_that_holds_it(text, title):
    found = only(text)
    assert (found.kind, found.status, found.title) == (Kind.MEETING, Status.SCHEDULED, title)


@pytest.mark.parametrize(
    ("text", "due", "end", "title"),
    [
        ("Russia's Zapad exercises with Belarus will run from September 12 to 16.",
         "2025-09-12", "2025-09-16", "Russia-Belarus Zapad exercises"),
        ("NATO's Steadfast Noon nuclear exercise begins on October 13.", "2025-10-13", None,
         "NATO Steadfast Noon exercises"),
        ("China held large-scale military drills on Monday.", "2025-09-08", None,
         "China exercises"),
        ("Iran said it would hold a war game next week.", "2025-W38", None, "Iran exercises"),
    ],
)  # fmt: skip
def test_military_exercises_are_dated_events(text, due, end, title):
    found = only(text, date(2025, 9, 10))
    dues = (found.due and found.due.value, found.end and found.end.value)
    assert (found.kind, *dues, found.title) == (Kind.OTHER, due, end, title)


@pytest.mark.parametrize(
    ("text", "due", "title"),
    [
        ("India and Pakistan agreed to a ceasefire on Saturday after four days of fighting.",
         "2025-05-10", "India-Pakistan ceasefire agreed"),
        ("Israel and Iran agreed a truce on May 2.", "2025-05-02", "Israel-Iran truce agreed"),
    ],
)  # fmt: skip
def test_a_ceasefire_agreed_on_a_day_is_a_dated_agreement(text, due, title):
    found = only(text, date(2025, 5, 12))
    assert (found.kind, summary(found)[1], found.title) == (Kind.TREATY_SIGNED, due, title)


@pytest.mark.parametrize(
    ("text", "kind", "due", "title"),
    [
        ("The High Seas Treaty will enter into force on January 17, 2026.",
         Kind.TREATY_IN_FORCE, "2026-01-17", "High Seas Treaty enters into force"),
        ("The WHO Pandemic Agreement, adopted by the World Health Assembly on May 20, will "
         "open for signature next year.", Kind.TREATY_SIGNED, "2025-05-20",
         "WHO Pandemic Agreement adopted"),
        ("The US and China reached a trade deal on Sunday.", Kind.TREATY_SIGNED, "2025-09-21",
         "US-China deal reached"),
    ],
)  # fmt: skip
def test_a_treaty_named_in_capitals_and_what_was_done_to_it(text, kind, due, title):
    found = only(text, date(2025, 9, 25))
    assert (found.kind, summary(found)[1], found.title) == (kind, due, title)


def test_a_treaty_reaching_its_ratifications_is_not_a_deal_reached():
    text = "The High Seas Treaty reached 60 ratifications on September 19."
    assert proposals(text, date(2025, 9, 25)) == []


def test_an_agreement_initialled_is_a_dated_step_short_of_signing():
    found = only(
        "Armenia and Azerbaijan initialled a peace agreement in Washington on August 8.",
        date(2025, 8, 12),
    )
    assert summary(found)[:3] == (Kind.OTHER, "2025-08-08", Status.OCCURRED)
    assert found.title == "Armenia-Azerbaijan agreement initialled"
    assert proposals("The initial agreement was reached in 2015.", date(2025, 8, 12))[0].kind == (
        Kind.TREATY_SIGNED
    )


def test_exercising_a_veto_or_caution_is_no_exercise():
    assert proposals("Russia exercised its veto on Friday.", date(2025, 9, 10)) == []
    assert proposals("The country will exercise caution on Monday.", date(2025, 9, 10)) == []


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # a host's guests are who the event is about
        ("Putin will host Xi in Moscow on Friday.", "Xi visit to Moscow"),
        ("Erdogan will host Putin and Zelensky in Istanbul on Friday.",
         "Putin-Zelensky meeting in Istanbul"),
        ("Trump hosted Netanyahu at the White House on Monday.",
         "Netanyahu visit to the White House"),
        ("Zelensky will meet Trump at the White House on Friday.",
         "Zelensky-Trump summit at the White House"),
        # a host with no guest named holds the event
        ("Qatar will host the talks on Friday.", "Qatar talks"),
    ],
)  # fmt: skip
def test_a_hosted_event_is_titled_by_the_guests(text, title):
    assert only(text, date(2025, 9, 10)).title == title


def test_a_meeting_of_a_body_is_titled_by_it():
    found = only("NATO defence ministers meet in Brussels on October 15.", date(2025, 9, 10))
    assert found.title == "NATO meeting in Brussels"


def test_an_obligation_by_a_month_is_a_deadline_still_ahead():
    found = only("Iran must respond to the European proposal by March, the ministry said.")
    assert summary(found) == (Kind.DEADLINE, "2020-03", Status.SCHEDULED, {"IR"})
    aim = only("EU leaders aim to finish the budget by the end of 2026.", date(2025, 12, 8))
    assert summary(aim) == (Kind.DEADLINE, "2026", Status.SCHEDULED, {"EU"})


def test_a_thirty_day_process_sets_a_deadline_thirty_days_after_it_starts():
    text = (
        "Britain, France and Germany triggered on August 28 a 30-day process to reimpose "
        "UN sanctions on Iran."
    )
    found = only(text, date(2025, 9, 2))
    assert summary(found) == (
        Kind.DEADLINE,
        "2025-09-27",
        Status.SCHEDULED,
        {"GB", "FR", "DE", "UN", "IR"},
    )


@pytest.mark.parametrize(
    ("text", "published", "due", "title"),
    [
        # the date after a verb of ending is where the length ends, not where it starts
        (
            "The 30-day deadline set by the mediators runs out on January 6.",
            date(2026, 12, 7),
            "2027-01-06",
            "30-day deadline ends",
        ),
        # a start and an end both said: the count where the end holds it, one event
        (
            "The 60-day ceasefire that began on November 27 expires in January.",
            date(2026, 12, 7),
            "2027-01-26",
            "60-day ceasefire ends",
        ),
        # ... and the end as said where the count misses it
        (
            "The 60-day ceasefire that began on November 27 expires on January 31.",
            date(2026, 12, 7),
            "2027-01-31",
            "60-day ceasefire ends",
        ),
        # a time given to act, with the day it ends set off by commas
        (
            "Tehran now has 30 days, until September 27, to comply.",
            date(2025, 8, 28),
            "2025-09-27",
            "Iran 30-day deadline",
        ),
        # a length, then the range it runs over: it ends on the range's last day
        (
            "The two sides observed a 60-day ceasefire between March 1 and April 29.",
            date(2025, 5, 7),
            "2025-04-29",
            "60-day ceasefire ends",
        ),
        # a word between the number and the noun says what sort of length it is
        (
            "The 30-day snapback process, started on August 28, ends on September 27.",
            date(2025, 9, 1),
            "2025-09-27",
            "30-day snapback process ends",
        ),
    ],
)
def test_a_length_whose_end_is_said_is_one_deadline_on_that_end(text, published, due, title):
    found = only(text, published)
    assert (found.kind, found.due and found.due.value, found.title) == (Kind.DEADLINE, due, title)


@pytest.mark.parametrize(
    "text",
    [
        "Snapback sanctions return at 8pm New York time on September 27 unless a deal is reached.",
        "Sanctions will return at 8pm on September 27 if no agreement is signed.",
    ],
)
def test_an_event_said_as_a_condition_takes_no_date_of_the_main_clause(text):
    found = only(text, date(2025, 9, 20))
    assert (found.kind, found.due and found.due.value) == (Kind.DEADLINE, "2025-09-27")


@pytest.mark.parametrize(
    ("text", "due", "parties"),
    [
        ("Iran has to reply before July 7.", "2019-07-07", {"IR"}),
        ("Russia must destroy the missiles no later than August 2.", "2019-08-02", {"RU"}),
        ("Russia must destroy the missiles not later than August 2.", "2019-08-02", {"RU"}),
    ],
)
def test_an_obligation_before_a_date_is_a_deadline(text, due, parties):
    assert summary(only(text)) == (Kind.DEADLINE, due, Status.SCHEDULED, parties)


@pytest.mark.parametrize(
    ("text", "due", "end"),
    [
        (
            "The IAEA General Conference opened in Vienna on Monday and runs until Friday.",
            "2025-09-15",
            "2025-09-19",
        ),
        (
            "The NPT review conference opens on April 27 and lasts until May 22.",
            "2026-04-27",
            "2026-05-22",
        ),
        # opened by a relative clause: the days are the conference's, not the talks'
        (
            "Talks begin after the Review Conference, which opens on April 27 and runs until "
            "May 22.",
            "2026-04-27",
            "2026-05-22",
        ),
    ],
)
def test_an_opening_and_what_it_runs_until_are_one_event(text, due, end):
    found = only(text, date(2025, 9, 16))
    assert (found.kind, found.status) == (Kind.CONFERENCE, Status.SCHEDULED)  # not over yet
    assert (found.due and found.due.value, found.end and found.end.value) == (due, end)


@pytest.mark.parametrize(
    ("text", "end", "status"),
    [
        # opens on a day and runs for a stated time: it ends when that time does
        (
            "The NPT Review Conference opens in New York on April 27 and runs for four weeks.",
            "2026-05-24",
            Status.SCHEDULED,
        ),
        ("The session opened on January 5 and will last two weeks.", "2026-01-18", Status.OCCURRED),
        # a length after a new clause is something else's
        (
            "The talks opened on Monday, and the ceasefire will last for 30 days.",
            None,
            Status.OCCURRED,
        ),
    ],
)
def test_an_event_that_runs_for_a_stated_time_ends_when_it_does(text, end, status):
    found = only(text, date(2026, 1, 20))
    assert (found.end and found.end.value, found.status) == (end, status)


def test_an_event_that_began_and_ends_after_publication_is_still_on():
    text = "The Conference on Disarmament's first session runs from January 19 to March 27."
    found = only(text, date(2026, 1, 20))
    assert (found.status, found.due and found.due.value) == (Status.SCHEDULED, "2026-01-19")
    closed = only("The session opened on January 5 and closed on Friday.", date(2026, 1, 16))
    assert (closed.status, closed.end and closed.end.value) == (Status.OCCURRED, "2026-01-16")


def test_days_listed_in_a_row_are_one_event_and_days_apart_are_not():
    found = only("The EU leaders will meet in Brussels on Thursday and Friday.", date(2025, 10, 22))
    assert (found.kind, found.due and found.due.value, found.end and found.end.value) == (
        Kind.SUMMIT,
        "2025-10-23",
        "2025-10-24",
    )
    listed = only("The summit will be held on 13, 14 and 15 October in Vienna.")
    assert (listed.due and listed.due.value, listed.end and listed.end.value) == (
        "2019-10-13",
        "2019-10-15",
    )
    named = "EU leaders meet in Brussels on Thursday and Friday for a summit on Ukraine."
    summit = only(named, date(2025, 10, 20))
    assert (summit.title, summit.end and summit.end.value) == (
        "EU summit in Brussels",
        "2025-10-24",
    )
    apart = proposals("Iran held elections in 2015 and 2016.", date(2025, 10, 22))
    assert [(p.due and p.due.value, p.end) for p in apart] == [("2015", None), ("2016", None)]


def test_months_given_as_a_range_are_one_event_and_months_listed_are_two():
    ranged = only("Envoys held five rounds of talks between April and June.", date(2026, 12, 7))
    assert (summary(ranged)[1], ranged.end and ranged.end.value) == ("2026-04", "2026-06")
    ahead = only("The conference will sit from November to February.", date(2026, 12, 7))
    assert (ahead.status, ahead.end and ahead.end.value) == (Status.SCHEDULED, "2027-02")
    listed = proposals("Envoys held talks in April and June.", date(2026, 12, 7))
    assert [(summary(p)[1], p.end) for p in listed] == [("2026-04", None), ("2026-06", None)]


def test_a_length_within_which_to_act_counts_from_what_follows_of():
    dated = only("Iran must respond within 30 days of June 1.", date(2025, 5, 20))
    assert summary(dated)[:3] == (Kind.DEADLINE, "2025-07-01", Status.SCHEDULED)
    # from an event with no date, it dates nothing; with no "of", from publication
    undated = "The parliament must convene within 30 days of the results being validated."
    assert proposals(undated, date(2025, 9, 29)) == []
    assert summary(only("Iran must respond within 30 days.", date(2025, 9, 29)))[1] == "2025-10-29"


def test_the_event_a_length_counts_from_is_not_dated_by_it():
    text = "Moscow said it would keep to the limits for a year after the treaty expires."
    assert proposals(text, date(2026, 1, 20)) == []
    # counted from an event with no date, a length dates nothing at all
    text = "The treaty enters into force 90 days after the 50th ratification."
    assert proposals(text, date(2025, 8, 10)) == []


@pytest.mark.parametrize(
    ("text", "due", "title"),
    [
        ("Witkoff is due in Moscow later this week.", "2019-W20", "Witkoff visit to Moscow"),
        ("The delegation arrived in Geneva on Sunday.", "2019-05-12", "Visit to Geneva"),
        ("Lavrov arrived in Pyongyang on Friday.", "2019-05-10", "Lavrov visit to Pyongyang"),
        # a schedule in the present simple is ahead: "arrives on Thursday"
        (
            "Iran's foreign minister arrives in Oslo on Thursday.",
            "2019-05-16",
            "Iran visit to Oslo",
        ),
    ],
)
def test_being_due_in_or_arriving_in_a_place_is_a_visit(text, due, title):
    found = only(text)
    assert (found.kind, found.due and found.due.value, found.title) == (Kind.MEETING, due, title)


@pytest.mark.parametrize(
    ("text", "due", "title"),
    [
        (
            "The sanctions were renewed for six months, until March 15.",
            "2026-03-15",
            "Sanctions expire",
        ),
        (
            "EU leaders agreed to extend the sanctions on Russia until January 31.",
            "2026-01-31",
            "EU-Russia sanctions expire",
        ),
        (
            "The Council extended the mission's mandate until December 31, 2026.",
            "2026-12-31",
            "Mandate expires",
        ),
        ("The ceasefire will hold until Sunday.", "2025-09-07", "Ceasefire expires"),
    ],
)
def test_a_measure_made_to_last_until_a_day_expires_that_day(text, due, title):
    found = only(text, date(2025, 9, 1))
    assert (*summary(found)[:3], found.title) == (Kind.DEADLINE, due, Status.SCHEDULED, title)


def test_a_report_within_a_length_is_due_when_it_runs_out():
    found = only("The envoy is to report to the Council within 90 days.", date(2025, 9, 1))
    assert summary(found)[:3] == (Kind.REPORT, "2025-11-30", Status.SCHEDULED)


def test_what_is_due_in_a_month_is_no_visit():
    found = only("The IAEA's next report on Iran is due in late November.", date(2025, 9, 1))
    assert (found.kind, found.title) == (Kind.REPORT, "IAEA report")


def test_a_party_observing_limits_until_a_day_is_its_own_deadline_not_the_treaty_expiry():
    text = (
        "Russia said it would continue to observe the treaty's central limits for one year, "
        "until February 5, 2027."
    )
    found = only(text, date(2026, 2, 6))
    assert summary(found)[:2] == (Kind.DEADLINE, "2027-02-05")
    kept = only("The treaty remains in force until February 2026.", date(2025, 6, 1))
    assert summary(kept)[:2] == (Kind.TREATY_EXPIRY, "2026-02")


def test_a_deadline_that_expires_is_a_deadline_even_for_a_deal():
    found = only("The deadline for a deal expires at midnight on August 12.", date(2025, 8, 10))
    assert summary(found)[:2] == (Kind.DEADLINE, "2025-08-12")


def test_a_pause_told_as_over_sets_no_deadline_and_leaves_the_event_its_day():
    found = only("Talks resumed on Monday after a three-week pause.", date(2026, 1, 20))
    assert summary(found)[:3] == (Kind.MEETING, "2026-01-19", Status.OCCURRED)
    assert proposals("Fighting resumed following a 60-day ceasefire.", date(2026, 1, 20)) == []


def test_a_deadline_within_a_stated_time_or_until_a_date():
    found = only("Iran must respond within 30 days.", date(2025, 8, 28))
    assert summary(found)[:3] == (Kind.DEADLINE, "2025-09-27", Status.SCHEDULED)
    given = only("Iran has until the end of the month to respond.", date(2024, 10, 2))
    assert summary(given)[:3] == (Kind.DEADLINE, "2024-10", Status.SCHEDULED)
    fifty = only("President Trump on Monday gave Russia 50 days to agree.", date(2025, 7, 14))
    assert summary(fifty)[:3] == (Kind.DEADLINE, "2025-09-02", Status.SCHEDULED)
    # hours given to act run out on the day they do; hours something took are no deadline
    hours = only("Iran has 48 hours to reply, the State Department said.", date(2025, 10, 1))
    assert (*summary(hours)[:3], hours.title) == (
        Kind.DEADLINE,
        "2025-10-03",
        Status.SCHEDULED,
        "Iran-US 48-hour deadline",
    )
    assert proposals("The flight took 16 hours to reach Tokyo.", date(2025, 10, 1)) == []
    # hours "within" which an ultimatum must be met are time to act; those of a standing rule
    # are said in passing
    ultimatum = "Trump gave Iran an ultimatum: it must accept the deal within 48 hours."
    assert summary(only(ultimatum, date(2025, 3, 11)))[:3] == (
        Kind.DEADLINE,
        "2025-03-13",
        Status.SCHEDULED,
    )
    rule = "Campaigns must report contributions within 48 hours."
    assert proposals(rule, date(2025, 3, 11)) == []


@pytest.mark.parametrize(
    ("text", "due", "status"),
    [
        # time given until a day: the day is ahead, whatever the tense of the giving
        ("The president gave Hamas until Sunday evening to accept.", "2019-05-19", "scheduled"),
        ("Washington has given Tehran until Friday to respond.", "2019-05-17", "scheduled"),
        ("The court gave the agency until June 3 to comply.", "2019-06-03", "scheduled"),
        # ... but time that had been given is told as background: it has run
        ("Trump had given Hamas until Sunday to accept the plan.", "2019-05-12", "occurred"),
        # a deadline set "of" a day: the day to come; one that passed: behind
        ("Trump set a deadline of Friday for Putin to agree.", "2019-05-17", "scheduled"),
        ("The deadline of Friday passed without a deal.", "2019-05-10", "occurred"),
        # a length named a deadline "of" a day ends on that day, not ten days after it
        ("Trump set a 10-day deadline of August 8 for Russia.", "2019-08-08", "scheduled"),
    ],
)
def test_time_given_until_a_day_is_a_deadline_on_that_day(text, due, status):
    found = only(text)
    assert (found.kind, found.due and found.due.value, found.status) == (
        Kind.DEADLINE,
        due,
        Status(status),
    )


@pytest.mark.parametrize(
    ("text", "due", "title"),
    [
        (
            "The ceasefire, which took effect on October 10, has held.",
            "2025-10-10",
            "Ceasefire takes effect",
        ),
        (
            "New US tariffs on Indian goods take effect on August 27.",
            "2026-08-27",
            "US-India tariffs take effect",
        ),
        (
            "The EU's ban on Russian LNG takes effect on January 1, 2027.",
            "2027-01-01",
            "EU-Russia ban takes effect",
        ),
        # what runs out is named as what takes effect is, not the thing it is "on"
        ("The truce is due to expire on Sunday.", "2026-01-25", "Truce expires"),
        ("The expiry of the truce on Sunday could end the calm.", "2026-01-25", "Truce expires"),
        ("The moratorium on tariffs runs out on July 9.", "2026-07-09", "Moratorium expires"),
        ("EU sanctions on Russia expire on July 31.", "2026-07-31", "EU-Russia sanctions expire"),
        ("The general license for Lukoil expires on November 21.", "2026-11-21", "License expires"),
        # "effective" a day is when it takes effect
        (
            "The tariffs on Indian goods are effective from 27 August.",
            "2026-08-27",
            "India tariffs take effect",
        ),
        (
            "The US imposed a tariff on Indian goods, effective August 27.",
            "2026-08-27",
            "US-India tariff takes effect",
        ),
    ],
)
def test_what_takes_effect_or_expires_names_the_title(text, due, title):
    found = only(text, date(2026, 1, 20))
    assert (found.due and found.due.value, found.title) == (due, title)


def test_a_deadline_given_as_an_amount_is_titled_by_who_is_under_it():
    found = only("The United States gave Russia 50 days to reach a deal.", date(2025, 7, 14))
    assert found.title == "US-Russia 50-day deadline"
    told = only("Russia has 10 days to agree, Mr. Trump said on Tuesday.", date(2025, 7, 30))
    assert told.title == "Russia-US 10-day deadline"


def test_past_meetings_occurred_and_a_meeting_of_two_leaders_is_a_summit():
    found = only("Mr. Putin met Kim Jong-un, the North's leader, last month.")
    assert summary(found) == (Kind.SUMMIT, "2019-04", Status.OCCURRED, {"RU", "KP"})


def test_an_undecided_meeting_is_tentative_and_has_no_due():
    text = (
        "The two sides could announce another meeting between Trump and Putin, "
        "but nothing had been decided."
    )
    found = only(text)
    assert summary(found) == (Kind.SUMMIT, None, Status.TENTATIVE, {"US", "RU"})
    assert found.mention is None and found.end is None


def test_hedged_dated_events_are_tentative_and_called_off_ones_cancelled():
    hedged = only(
        "Trump said he might meet Putin in Budapest within the next two weeks.", date(2025, 10, 16)
    )
    assert summary(hedged)[:3] == (Kind.SUMMIT, "2025-10", Status.TENTATIVE)
    off = only(
        "Trump said he had cancelled his planned summit with Putin in Budapest.", date(2025, 10, 22)
    )
    assert summary(off)[:3] == (Kind.SUMMIT, None, Status.CANCELLED)
    rejected = "Moscow rejected a proposal by Kyiv for a 30-day ceasefire from Monday."
    assert only(rejected, date(2025, 5, 9)).status is Status.CANCELLED
    declined = "Iran rejected calls for talks in Oman on Friday."
    assert only(declined, date(2025, 5, 7)).status is Status.CANCELLED


def test_a_hedge_does_not_reach_into_a_relative_clause_that_dates_another_event():
    text = "Arms talks could begin after the NPT Review Conference, which opens on April 27."
    assert summary(only(text, date(2026, 1, 10)))[1:3] == ("2026-04-27", Status.SCHEDULED)
    doubted = "The summit, which could be held on May 5, has no agenda yet."
    assert summary(only(doubted, date(2026, 1, 10)))[1:3] == ("2026-05-05", Status.TENTATIVE)
    # nor into a clause after the date that tells of something else
    told = "Britain will host talks on Thursday, as allies seek guarantees for a possible truce."
    assert summary(only(told, date(2026, 12, 7)))[1:3] == ("2026-12-10", Status.SCHEDULED)
    own = "Talks could be held on Thursday, as allies seek guarantees."
    assert summary(only(own, date(2026, 12, 7)))[1:3] == ("2026-12-10", Status.TENTATIVE)


@pytest.mark.parametrize(
    "text",
    [
        "Trump said the planned summit with Putin in Budapest was off, for now.",
        "The summit between Trump and Putin has been shelved.",
    ],
)
def test_an_event_whose_own_verb_says_it_is_off_is_cancelled(text):
    assert summary(only(text, date(2025, 10, 22))) == (
        Kind.SUMMIT,
        None,
        Status.CANCELLED,
        {"US", "RU"},
    )


@pytest.mark.parametrize(
    ("text", "due", "status"),
    [
        # put off with no word of when instead: it did not happen on its day
        (
            "A planned session in Cairo in late November was postponed by Russia.",
            "2022-11",
            "cancelled",
        ),
        ("The talks on Monday were postponed until further notice.", "2023-02-20", "cancelled"),
        (
            "The vote scheduled for March 1 was deferred until further notice.",
            "2023-03-01",
            "cancelled",
        ),
        ("A vote had been expected on Monday but was delayed.", "2023-02-20", "cancelled"),
        # late by some hours is not off
        ("The talks on Monday were delayed by two hours.", "2023-02-20", "occurred"),
        # put off to a day: that day is the event's
        ("The talks were postponed until Monday.", "2023-02-27", "scheduled"),
    ],
)
def test_an_event_put_off_with_no_new_day_did_not_happen_on_its_own(text, due, status):
    assert summary(only(text, date(2023, 2, 22)))[1:3] == (due, Status(status))


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("The summit, planned for May, was postponed to June 3.", "2026-06-03"),
        ("The summit, first planned for this year, has been pushed back to 2026.", "2026"),
        ("The vote, set for Thursday, was delayed until next week.", "2025-W43"),
        ("The summit on May 5 was postponed and will now be held on June 3.", "2026-06-03"),
    ],
)
def test_an_event_moved_to_a_day_is_due_that_day_not_the_one_first_planned(text, due):
    assert summary(only(text, date(2025, 10, 15)))[1:3] == (due, Status.SCHEDULED)


def test_a_day_first_set_for_an_event_moved_since_is_not_its_day():
    text = (
        "The election, originally due in September, was brought forward after the collapse "
        "of the coalition in November."
    )
    assert proposals(text, date(2024, 12, 18)) == []
    ahead = "Talks collapsed, raising the prospect of a new election in the spring."
    assert [m.value for m in extract(ahead, date(2024, 12, 18)).mentions] == ["2025-SP"]


def test_an_event_called_off_after_an_aside_is_cancelled():
    found = only("The summit, scheduled for August, was cancelled.", date(2025, 9, 10))
    assert summary(found)[1:3] == ("2025-08", Status.CANCELLED)
    held = only("The summit, which was held in August, was a success.", date(2025, 9, 10))
    assert summary(held)[1:3] == ("2025-08", Status.OCCURRED)


def test_off_to_a_start_is_not_off():
    found = only("The meeting was off to a good start on Monday.", date(2025, 10, 22))
    assert found.status is Status.OCCURRED


def test_named_days_and_terminations_of_the_iran_deal():
    adoption = only("The deal formally took effect on Adoption Day, October 18.", date(2016, 1, 17))
    assert summary(adoption)[:3] == (Kind.TREATY_IN_FORCE, "2015-10-18", Status.OCCURRED)
    text = "Under the agreement, the resolution that endorsed it is set to terminate in 2025."
    assert summary(only(text, date(2016, 1, 17)))[:3] == (
        Kind.TREATY_EXPIRY,
        "2025",
        Status.SCHEDULED,
    )


def test_elections_name_the_country_that_holds_them():
    text = "Russia denied meddling in the 2016 American election."
    assert summary(only(text)) == (Kind.ELECTION, "2016", Status.OCCURRED, {"US"})


@pytest.mark.parametrize(
    ("text", "due", "title"),
    [
        ("Americans go to the polls on November 5.", "2024-11-05", "US election"),
        ("Russians went to the polls in March.", "2024-03", "Russia election"),
        ("The runoff is scheduled for November 3.", "2024-11-03", "Runoff"),
        # a vote about an organisation is not the organisation's election
        (
            "Moldova holds a referendum on EU membership on October 20.",
            "2024-10-20",
            "Moldova referendum",
        ),
    ],
)
def test_polls_runoffs_and_referendums_are_elections_titled_by_what_they_are(text, due, title):
    found = only(text, date(2024, 10, 1))
    assert (found.kind, found.due and found.due.value, found.title) == (Kind.ELECTION, due, title)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("A snap election could be held in the spring, officials said.", Status.TENTATIVE),
        ("The coalition is discussing a possible early election in March.", Status.TENTATIVE),
        ("A runoff, if needed, would be held on December 21.", Status.TENTATIVE),
        ("A snap election would be held on May 30 if talks on a coalition fail.", Status.TENTATIVE),
        ("The president said the snap election would be held on May 30.", Status.SCHEDULED),
        # a doubt about the outcome leaves the vote itself on
        ("The opposition could win the election on Sunday.", Status.SCHEDULED),
        (
            "Voters go to the polls on Sunday in a vote that may reshape the region.",
            Status.SCHEDULED,
        ),
    ],
)
def test_an_election_is_tentative_only_where_holding_it_is_in_doubt(text, status):
    assert only(text, date(2025, 12, 2)).status is status


def test_a_dialogue_held_on_a_day_is_talks_and_an_offer_of_dialogue_is_not():
    held = "Japan and China held an economic dialogue in Beijing on Saturday."
    found = only(held, date(2026, 1, 5))
    assert (found.kind, found.title) == (Kind.MEETING, "Japan-China dialogue in Beijing")
    assert proposals("Iran said on Monday it was open to dialogue with Washington.") == []


def test_japanese_and_korean_ministers_are_their_countries_by_family_name():
    text = "Motegi met Cho Hyun in Seoul on Friday."
    found = only(text, date(2026, 1, 5))
    assert (found.title, set(found.parties)) == ("Motegi-Cho meeting in Seoul", {"JP", "KR"})


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("The General Assembly will elect five members of the Security Council on June 3.",
         "Security Council election"),
        ("Iran will elect a new president on June 28.", "Iran presidential election"),
        ("Parliament will elect a new speaker on Tuesday.", "Speaker election"),
    ],
)  # fmt: skip
def test_a_body_that_elects_on_a_day_holds_an_election_titled_by_whom_it_elects(text, title):
    found = only(text, date(2026, 1, 5))
    assert (found.kind, found.status, found.title) == (Kind.ELECTION, Status.SCHEDULED, title)


def test_a_cue_inside_a_longer_one_takes_no_date_of_its_own():
    text = (
        "Kim will attend a party plenary meeting at the end of the month, where he sets "
        "policy for the coming year."
    )
    assert [summary(p)[1] for p in proposals(text, date(2026, 12, 7))] == ["2026-12"]


def test_an_export_control_group_s_plenary_is_its_meeting():
    found = only("The Nuclear Suppliers Group holds its plenary in Vilnius on June 12.")
    assert (found.kind, found.title, found.parties) == (
        Kind.MEETING,
        "NSG plenary in Vilnius",
        ("NSG",),
    )
    assert only("The MTCR plenary session is set for October in Seoul.").title == (
        "MTCR plenary in Seoul"
    )
    assert proposals("Parliament gave the minister plenary powers on Tuesday.") == []


def test_the_date_a_body_was_founded_is_no_date_of_its_meetings():
    text = "The group, which meets every June, was founded in 1974 after a nuclear test."
    assert proposals(text) == []


def test_a_party_congress_is_a_conference_of_the_party_s_country_not_the_us_congress():
    text = "China's Communist Party will open its 21st Party Congress in October 2027."
    found = only(text, date(2025, 11, 24))
    assert (found.kind, found.title, found.parties) == (
        Kind.CONFERENCE,
        "China party congress",
        ("CN",),
    )
    assert only("Congress will vote on Friday.", date(2025, 11, 24)).parties == ("US",)


def test_a_title_names_countries_when_its_people_do_not_speak_for_every_one():
    text = "Bessent and Ukrainian officials met in Washington on Tuesday."
    assert only(text, date(2025, 11, 24)).title == "US-Ukraine meeting in Washington"
    both = "Rubio and Lavrov met in Riyadh on Tuesday."
    assert only(both, date(2025, 11, 24)).title == "Rubio-Lavrov meeting in Riyadh"


def test_talks_within_one_people_are_titled_so_and_resume_ahead():
    found = only("The inter-Korean talks resume in Panmunjom on Friday.", date(2025, 11, 24))
    assert (found.title, summary(found)[1:3]) == (
        "Inter-Korean talks in Panmunjom",
        ("2025-11-28", Status.SCHEDULED),
    )


def test_a_visit_to_a_place_is_titled_by_where_it_goes():
    text = "The minister recalled his first visit to Moscow in 1998."
    assert only(text, date(2025, 11, 24)).title == "Visit to Moscow"


def test_a_diary_entry_over_two_days_is_one_event():
    entry = "Thursday-Friday, Dec. 11-12: NATO foreign ministers meet in Brussels."
    found = only(entry, date(2025, 12, 7))
    assert (found.title, summary(found)[1], found.end and found.end.value) == (
        "NATO meeting in Brussels",
        "2025-12-11",
        "2025-12-12",
    )


def test_a_truce_agreed_with_its_day_between_and_its_brokers_no_party():
    text = "Pakistan and Afghanistan agreed on Sunday to a ceasefire after talks mediated by Qatar."
    found = only(text, date(2025, 10, 20))
    assert (found.kind, found.title, summary(found)[1], found.parties) == (
        Kind.TREATY_SIGNED,
        "Pakistan-Afghanistan ceasefire agreed",
        "2025-10-19",
        ("PK", "AF"),
    )


def test_a_date_in_an_aside_a_participle_opens_is_the_participle_s():
    text = "The truce, agreed on October 15, had expired on Friday evening."
    found = only(text, date(2025, 10, 20))
    assert (found.kind, summary(found)[1]) == (Kind.DEADLINE, "2025-10-17")
    whose = (
        "The sanctions committee on North Korea, whose panel of experts was disbanded in "
        "April 2024 after a Russian veto, meets behind closed doors on Wednesday."
    )
    assert [summary(p)[1] for p in proposals(whose, date(2026, 1, 12))] == ["2026-01-14"]


def test_a_mandate_is_the_force_s_named_in_the_sentence_before():
    text = (
        "The council will vote on Thursday on renewing the mandate of the UN peacekeeping "
        "force in Cyprus. The current mandate expires at the end of January."
    )
    expiry = [p for p in proposals(text, date(2026, 1, 12)) if p.kind is Kind.DEADLINE]
    assert [p.title for p in expiry] == ["UN mission in Cyprus mandate expires"]


def test_aides_meeting_for_their_leaders_hold_no_summit_and_a_summit_ahead_hedges_only_itself():
    text = (
        "Trump and Putin spoke on Thursday and agreed that their aides would meet next week, "
        "ahead of a possible summit in Budapest."
    )
    found = [
        p for p in proposals(text, date(2025, 10, 24)) if p.due and p.due.value != "2025-10-23"
    ]
    assert [(p.kind, p.title, p.status) for p in found] == [
        (Kind.MEETING, "US-Russia meeting", Status.SCHEDULED)
    ]


def test_a_call_held_is_a_phone_call():
    found = only("Rubio and Lavrov held a call on Monday.", date(2025, 10, 24))
    assert (found.title, summary(found)[1]) == ("Rubio-Lavrov phone call", "2025-10-20")


def test_the_forum_named_before_is_the_body_s_that_holds_it():
    text = (
        "Xi arrived for the Asia-Pacific Economic Cooperation forum on Thursday. "
        "Takaichi will meet Xi on Friday on the sidelines of the forum, which ends on Saturday."
    )
    found = [p for p in proposals(text, date(2025, 10, 30)) if summary(p)[1] == "2025-11-01"]
    assert [(p.kind, p.title, p.parties) for p in found] == [
        (Kind.CONFERENCE, "APEC conference", ("APEC",))
    ]


def test_a_meeting_that_comes_after_another_event_takes_none_of_its_names():
    text = (
        "The IAEA board meets on December 14, three months after Britain, France and Germany "
        "triggered the snapback."
    )
    assert only(text, date(2026, 12, 7)).parties == ("IAEA",)
    came = "The meeting on Friday comes three months after France and Germany broke off talks."
    assert only(came, date(2026, 12, 7)).parties == ()


def test_a_treaty_agreed_in_a_timeline_entry_is_concluded_that_day():
    entry = "July 14, 2015 - Iran and six world powers agree the nuclear deal in Vienna."
    found = only(entry, date(2025, 10, 20))
    assert (found.kind, summary(found)[1]) == (Kind.TREATY_SIGNED, "2015-07-14")
    assert proposals("The two sides agreed on a new date for talks.", date(2025, 10, 20)) == []


def test_new_start_signed_by_two_named_presidents_and_the_original_start_is_start_i():
    text = (
        "The treaty, signed by Presidents Barack Obama and Dmitri A. Medvedev in Prague in "
        "April 2010, was the last of its kind. Its predecessor, the original START, had "
        "expired in December 2009."
    )
    found = proposals(text.replace("The treaty", "New START"), date(2026, 12, 7))
    assert [(p.title, summary(p)[1]) for p in found] == [
        ("New START signed", "2010-04"),
        ("START I expires", "2009-12"),
    ]


def test_a_length_whose_start_is_not_set_has_no_due_and_another_quad_is_not_the_quad():
    text = "Both sides accept a three-month truce, but no date has been set for it to begin."
    found = only(text, date(2025, 11, 10))
    assert (found.kind, found.due, found.status) == (Kind.DEADLINE, None, Status.TENTATIVE)
    quad = "The Quad of the United States, Saudi Arabia and Egypt will meet next month."
    assert "QUAD" not in only(quad, date(2025, 11, 10)).parties


@pytest.mark.parametrize("place", ["Hawaii", "Mar-a-Lago", "Davos", "Busan", "Almaty"])
def test_more_summit_towns_say_where(place):
    text = f"US and Chinese officials will hold talks in {place} in April."
    found = only(text, date(2026, 1, 16))
    assert found.title == f"US-China talks in {place}"


def test_both_sides_are_the_sides_named_before_in_their_own_clause():
    text = (
        "Pashinyan and Aliyev met at the White House on August 8. Both sides are expected to "
        "sign the treaty next year, once Armenia holds a referendum in 2027."
    )
    found = proposals(text, date(2025, 9, 1))[1:]
    assert [(p.title, p.parties) for p in found] == [
        ("Armenia-Azerbaijan treaty signed", ("AM", "AZ")),
        ("Armenia referendum", ("AM",)),
    ]


def test_the_two_countries_are_the_first_two_named_before_not_every_one():
    text = (
        "Thailand and Cambodia signed a truce in the presence of President Trump. "
        "The two countries' defence ministers will meet on December 20."
    )
    found = [p for p in proposals(text, date(2025, 12, 8)) if p.kind is Kind.MEETING]
    assert [(p.title, set(p.parties)) for p in found] == [
        ("Thailand-Cambodia meeting", {"TH", "KH"})
    ]


def test_a_published_assessment_is_a_report_and_a_yearly_deadline_is_the_next_one():
    text = "The institute will publish its annual assessment on June 16, days before NATO meets."
    found = only(text, date(2025, 6, 10))
    assert (found.kind, summary(found)[1], found.parties) == (Kind.REPORT, "2025-06-16", ())
    yearly = "Congress requires the report by December 31 each year."
    assert summary(only(yearly, date(2025, 6, 10)))[1:3] == ("2025-12-31", Status.SCHEDULED)


def test_the_osce_by_its_full_name_its_ministerial_and_the_helsinki_final_act():
    text = (
        "Finland will host the Organization for Security and Co-operation in Europe's "
        "ministerial council in Helsinki on December 4-5, marking 50 years since the Helsinki "
        "Final Act was signed on August 1, 1975."
    )
    found = proposals(text, date(2025, 7, 23))
    assert [(p.title, summary(p)[1]) for p in found] == [
        ("OSCE ministerial in Helsinki", "2025-12-04"),
        ("Helsinki Final Act signed", "1975-08-01"),
    ]


def test_what_a_council_authorises_or_endorses_on_a_day_it_votes_on():
    text = "The force, which the UN Security Council authorised on November 17, deploys soon."
    found = only(text, date(2025, 12, 21))
    assert (found.title, summary(found)[1]) == ("UN Security Council vote", "2025-11-17")
    assert proposals("Trump endorsed the candidate on Friday.", date(2025, 12, 21)) == []


def test_a_vote_takes_no_voters_from_the_sentences_before():
    text = (
        "The committee will hear the nominee to NATO on Tuesday. "
        "The House passed the defense bill on Thursday by a vote of 231-196."
    )
    votes = [p for p in proposals(text, date(2025, 7, 14)) if "vote" in p.title.lower()]
    assert [(p.title, p.parties) for p in votes] == [("Vote", ())]


def test_a_date_that_qualifies_a_noun_of_its_own_is_that_noun_s():
    text = "The Senate will vote on the nomination before the August recess."
    assert proposals(text, date(2025, 7, 14)) == []
    own = only("Envoys will prepare the October summit.", date(2025, 7, 14))
    assert summary(own)[:2] == (Kind.SUMMIT, "2025-10")


def test_a_host_s_place_before_the_date_is_where_the_talks_after_it_are():
    text = "Merz will host Zelensky and European leaders in Berlin on Monday for talks."
    assert only(text, date(2025, 12, 14)).title == "Merz-Zelensky summit in Berlin"


def test_a_conference_that_opens_with_its_year_and_runs_for_weeks_and_a_prepcom_that_met():
    text = (
        "The Review Conference of the Nuclear Non-Proliferation Treaty will open in New York on "
        "April 27, 2026, and run for four weeks. A preparatory committee met in New York from "
        "April 28 to May 9 this year."
    )
    found = proposals(text, date(2025, 9, 1))
    assert [(p.title, summary(p)[1], p.end and p.end.value) for p in found] == [
        ("NPT Review Conference", "2026-04-27", "2026-05-24"),
        ("NPT Preparatory Committee", "2025-04-28", "2025-05-09"),
    ]


def test_a_meeting_between_two_sides_is_titled_by_them_not_its_host():
    text = "Erdogan will host talks between Russia and Ukraine in Istanbul on Friday."
    assert only(text, date(2025, 9, 10)).title == "Russia-Ukraine talks in Istanbul"
    ready = "Erdogan said Turkey was ready to host a meeting between Putin and Zelensky."
    assert only(ready, date(2025, 9, 10)).title == "Putin-Zelensky summit"


def test_a_session_held_to_elect_someone_is_that_election():
    text = "Lebanon's parliament is due to elect a president in a session on January 9."
    found = only(text, date(2024, 12, 20))
    assert (found.kind, found.title, summary(found)[1]) == (
        Kind.ELECTION,
        "Lebanon election",
        "2025-01-09",
    )
    plain = only("The Conference on Disarmament opens its session on January 19.", date(2025, 1, 5))
    assert plain.kind is Kind.CONFERENCE


def test_the_board_is_the_iaea_s_once_its_board_of_governors_is_named():
    text = (
        "The IAEA's 35-nation Board of Governors meets on Monday. The board and Iran will "
        "meet again on December 18."
    )
    found = proposals(text, date(2026, 12, 7))
    assert [p.parties for p in found] == [("IAEA",), ("IAEA", "IR")]
    board = "The board of the company meets on Monday."
    assert only(board, date(2026, 12, 7)).parties == ()


def test_a_snap_election_is_no_snapback():
    text = "Serbia's parties must agree on a government by Friday, or face a snap election."
    assert only(text, date(2025, 12, 2)).title == "Serbia deadline"


def test_leaders_named_first_in_the_sentence_still_gather_for_a_summit():
    text = "Leaders of the Group of Seven will gather in Kananaskis, Alberta, from June 15 to 17."
    found = only(text, date(2025, 2, 24))
    assert (found.kind, found.title) == (Kind.SUMMIT, "G7 summit in Kananaskis")


def test_a_mechanism_that_runs_out_is_titled_by_itself_not_by_who_set_it():
    text = (
        "Britain, France and Germany could trigger the snapback of UN sanctions before the "
        "mechanism expires on October 18."
    )
    assert only(text, date(2025, 2, 24)).title == "Snapback mechanism expires"


def test_a_truce_that_runs_out_is_not_the_treaty_named_before():
    text = (
        "The New START treaty expired on February 5. "
        "Ukraine and Russia's truce expires on April 17 unless both sides agree to extend it."
    )
    found = [p for p in proposals(text, date(2026, 3, 10)) if p.kind is Kind.DEADLINE]
    assert [p.title for p in found] == ["Ukraine-Russia truce expires"]


def test_a_gathering_within_a_length_to_discuss_something_is_no_deadline():
    text = "Trump will meet Putin in Budapest within two weeks to discuss ending the war."
    found = only(text, date(2025, 10, 16))
    assert (found.kind, found.title) == (Kind.SUMMIT, "Trump-Putin summit in Budapest")


@pytest.mark.parametrize(
    "text",
    [
        "Rubio will meet Russian Foreign Minister Sergei Lavrov next week to prepare the summit.",
        "Rubio will meet Russian Foreign Minister Sergei Lavrov next week ahead of the summit.",
    ],
)
def test_a_date_before_the_event_it_prepares_for_is_the_preparation_s(text):
    found = only(text, date(2025, 10, 16))
    assert (found.kind, found.title, summary(found)[1]) == (
        Kind.MEETING,
        "Rubio-Lavrov meeting",
        "2025-W43",
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Trump and Putin last met in Anchorage, Alaska, on August 15, a summit that ended early.",
         "Trump-Putin summit in Anchorage"),
        ("NATO leaders will meet in The Hague on June 24 and 25 for a summit on spending.",
         "NATO summit in The Hague"),
    ],
)  # fmt: skip
def test_an_event_named_again_after_its_date_keeps_the_place_told_before(text, title):
    assert only(text, date(2025, 6, 19)).title == title


@pytest.mark.parametrize(
    ("text", "kind", "title"),
    [
        # the European Council is the EU's heads of government: its meeting is a summit
        ("The European Council meets in Brussels on October 23 and 24.", Kind.SUMMIT,
         "EU summit in Brussels"),
        ("EU foreign ministers meet in Luxembourg on Monday.", Kind.MEETING,
         "EU meeting in Luxembourg"),
    ],
)  # fmt: skip
def test_the_eu_s_councils_meet_as_the_eu(text, kind, title):
    found = only(text, date(2025, 10, 16))
    assert (found.kind, found.title) == (kind, title)


def test_a_leader_named_in_full_is_then_known_by_a_common_family_name():
    text = (
        "South Korean President Lee Jae-myung spoke to reporters. "
        "Lee met Japanese Prime Minister Sanae Takaichi on Thursday."
    )
    found = only(text, date(2025, 10, 31))
    assert (found.kind, found.title, set(found.parties)) == (
        Kind.SUMMIT,
        "Lee-Takaichi summit",
        {"KR", "JP"},
    )


def test_a_common_family_name_alone_is_nobody_s():
    text = "Lee met Japanese Prime Minister Sanae Takaichi on Thursday."
    assert only(text, date(2025, 10, 31)).parties == ("JP",)


def test_a_meeting_on_the_sidelines_is_where_the_gathering_is_and_not_the_gathering_s():
    text = (
        "Lee Jae-myung will hold a summit with Chinese President Xi Jinping on Saturday on the "
        "sidelines of the APEC gathering in Gyeongju, his office said."
    )
    found = only(text, date(2025, 10, 30))
    assert (found.title, set(found.parties)) == ("Lee-Xi summit in Gyeongju", {"KR", "CN"})


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Israel and Hamas agreed on Thursday to the first phase of a ceasefire deal.",
         "Israel ceasefire agreed"),
        ("The signing ceremony will take place in Washington on Friday.",
         "Signing ceremony in Washington"),
    ],
)  # fmt: skip
def test_a_truce_deal_agreed_and_a_signing_ceremony_are_signings(text, title):
    found = only(text, date(2025, 10, 9))
    assert (found.kind, found.title) == (Kind.TREATY_SIGNED, title)


def test_a_truce_deal_that_collapsed_was_not_agreed_then():
    assert proposals("The ceasefire deal collapsed on Monday.", date(2025, 10, 9)) == []


def test_a_goal_set_by_an_organisation_is_its_target():
    text = "NATO allies agreed on a new spending target of 5% of GDP by 2035."
    found = only(text, date(2025, 10, 13))
    assert (found.kind, found.title) == (Kind.DEADLINE, "NATO spending target")


def test_a_pause_that_runs_until_a_day_ends_then():
    text = "The US-China tariff pause now runs until November 10."
    found = only(text, date(2025, 8, 11))
    assert (found.kind, found.title, summary(found)[1]) == (
        Kind.DEADLINE,
        "US-China pause expires",
        "2025-11-10",
    )


def test_what_an_agreement_averted_is_off():
    text = (
        "The United States and China agreed to extend their truce, averting a sharp rise in "
        "duties that was due to take effect on Tuesday."
    )
    found = only(text, date(2025, 8, 11))
    assert (found.title, found.status) == ("US-China duties take effect", Status.CANCELLED)


def test_trade_envoys_are_named_by_family_name():
    text = "Bessent expects to meet Vice Premier He Lifeng in Stockholm on Monday."
    assert only(text, date(2025, 7, 23)).title == "Bessent-He meeting in Stockholm"


def test_a_name_that_opens_a_sentence_is_no_venue_of_the_last():
    text = (
        "Britain, France and Germany triggered the snapback in August. "
        "Iran's parliament voted in June to suspend cooperation with the agency."
    )
    found = [p for p in proposals(text, date(2025, 10, 20)) if p.kind is Kind.MEETING]
    assert [(p.title, p.parties) for p in found] == [("Iran vote", ("IR",))]


def test_the_snapback_triggered_is_titled_so():
    text = 'Britain, France and Germany invoked the "snapback" on August 28.'
    found = only(text, date(2025, 10, 20))
    assert (found.title, summary(found)[1:3]) == (
        "Snapback triggered",
        ("2025-08-28", Status.OCCURRED),
    )


@pytest.mark.parametrize(
    ("text", "title", "parties"),
    [
        ("President Felix Tshisekedi will hold talks with Paul Kagame in Washington on December 4.",
         "Tshisekedi-Kagame summit in Washington", {"CD", "RW"}),
        ("Congo and Rwanda signed a peace agreement on June 27.",
         "DR Congo-Rwanda agreement signed", {"CD", "RW"}),
        ("Carney will meet Sheinbaum on Thursday.", "Carney-Sheinbaum summit", {"CA", "MX"}),
    ],
)  # fmt: skip
def test_more_leaders_and_congo_as_the_news_names_it(text, title, parties):
    found = only(text, date(2025, 11, 20))
    assert (found.title, set(found.parties)) == (title, parties)


@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [
        ("Latvia votes on October 3, 2026.", Kind.ELECTION, "2026-10-03"),
        ("Hungary votes in April.", Kind.ELECTION, "2026-04"),  # present: the one to come
        ("Americans vote on November 3.", Kind.ELECTION, "2025-11-03"),
        # a body, or a country on a motion, votes in a meeting
        ("The Security Council votes on Friday.", Kind.MEETING, "2025-09-12"),
        ("Russia votes on the resolution on Friday.", Kind.MEETING, "2025-09-12"),
    ],
)
def test_a_country_that_votes_on_a_day_holds_an_election(text, kind, due):
    found = only(text, date(2025, 9, 8))
    assert (found.kind, summary(found)[1]) == (kind, due)


def test_a_mission_s_mandate_is_the_mission_s_and_what_a_draft_would_do_is_undecided():
    text = (
        "The UN Security Council will vote on Friday on a draft resolution that would extend "
        "the mandate of the peacekeeping mission in Lebanon until December 31, 2026. "
        "The mission, known as UNIFIL, was deployed in 1978; its current mandate expires on "
        "August 31."
    )
    found = proposals(text, date(2025, 8, 26))
    assert [(p.title, summary(p)[1:3]) for p in found] == [
        ("UN Security Council vote", ("2025-08-29", Status.SCHEDULED)),
        ("UN mission in Lebanon mandate expires", ("2026-12-31", Status.TENTATIVE)),
        ("UNIFIL mandate expires", ("2025-08-31", Status.SCHEDULED)),
    ]


def test_a_length_told_again_as_a_deadline_ends_on_its_day_however_long_the_clause():
    text = (
        'Trump has given Russia 50 days to agree to a ceasefire or face "very severe" '
        "tariffs, a deadline that expires on September 2."
    )
    found = only(text, date(2025, 7, 24))
    assert (found.title, summary(found)[1]) == ("US-Russia 50-day deadline", "2025-09-02")


def test_a_treaty_suspended_by_someone_is_their_suspension():
    text = (
        "The Open Skies Treaty lapsed for Russia in 2021. The Conventional Armed Forces in "
        "Europe Treaty was suspended by NATO allies in November 2023."
    )
    found = [p for p in proposals(text, date(2025, 8, 4)) if p.due and p.due.value == "2023-11"]
    assert [p.title for p in found] == ["NATO suspension of CFE Treaty"]


def test_a_treaty_named_in_capitals_borrows_no_other_from_before():
    text = (
        "New START expired on February 5. "
        "The Dayton Peace Agreement was signed in Paris on December 14, 1995."
    )
    found = [p for p in proposals(text, date(2026, 3, 1)) if p.kind is Kind.TREATY_SIGNED]
    assert [(p.title, p.parties) for p in found] == [("Dayton Peace Agreement signed", ())]


def test_a_year_in_a_treaty_s_name_is_the_treaty_s_and_leaves_the_withdrawal_its_own():
    text = "Trump walked away from the 2015 nuclear deal in 2018."
    found = proposals(text, date(2025, 5, 20))
    assert sorted((p.kind, summary(p)[1]) for p in found) == [
        (Kind.TREATY_SIGNED, "2015"),
        (Kind.TREATY_WITHDRAWAL, "2018"),
    ]


def test_a_truce_told_by_its_broker_is_the_two_sides_own():
    text = "India and Pakistan agreed to a ceasefire on Saturday, President Trump announced."
    assert only(text, date(2025, 5, 11)).parties == ("IN", "PK")


def test_a_treaty_suspended_by_the_subject_before_the_verb_is_theirs_by_its_name():
    text = "Pakistan said the Indus Waters Treaty, which India suspended on April 23, must return."
    assert only(text, date(2025, 5, 11)).title == "India suspension of Indus Waters Treaty"


def test_an_event_a_country_is_due_to_host_is_that_event():
    text = "The Quad summit, which India is due to host later this year, has not been scheduled."
    found = only(text, date(2025, 5, 11))
    assert (found.kind, found.title, found.status) == (Kind.SUMMIT, "Quad summit", Status.TENTATIVE)


def test_a_sanctions_package_adopted_is_its_own_event_and_not_a_ban_s_day():
    text = (
        "European Union governments approved on Friday a 19th package of sanctions against "
        "Russia, including a ban on Russian gas imports that will take effect in January 2027."
    )
    found = proposals(text, date(2025, 10, 24))
    assert [(p.kind, p.title, summary(p)[1]) for p in found] == [
        (Kind.OTHER, "EU sanctions package adopted", "2025-10-24"),
        (Kind.DEADLINE, "EU-Russia ban takes effect", "2027-01"),
    ]


def test_a_report_due_from_an_organisation_is_its_report():
    text = "The European Commission is due to present a report by mid-March."
    assert only(text, date(2025, 10, 24)).title == "EU report"


def test_an_election_to_one_house_or_one_level_says_which():
    text = "Japan's upper house election is scheduled for July 2028."
    assert only(text, date(2025, 11, 25)).title == "Japan upper house election"


def test_states_parties_meeting_under_a_treaty_are_its_meeting():
    text = "States parties to the Biological Weapons Convention will meet in Geneva on December 15."
    assert only(text, date(2025, 9, 13)).title == "Biological Weapons Convention meeting in Geneva"


def test_kim_alone_after_his_full_name_and_a_hoped_for_meeting():
    text = (
        "North Korean leader Kim Jong Un said he was open to talks. "
        'Trump said he hoped to meet Kim "this year".'
    )
    found = only(text, date(2025, 8, 10))
    assert (found.title, found.status, set(found.parties)) == (
        "Trump-Kim summit",
        Status.TENTATIVE,
        {"US", "KP"},
    )


def test_leaders_in_another_clause_do_not_make_officials_meet_at_a_summit():
    text = (
        "US and Ukrainian officials met in Geneva on Sunday, and European leaders will "
        "discuss the plan next month."
    )
    found = [
        p for p in proposals(text, date(2025, 11, 24)) if p.due and p.due.value == "2025-11-23"
    ]
    assert [(p.kind, p.title) for p in found] == [(Kind.MEETING, "US-Ukraine meeting in Geneva")]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("The UN nuclear watchdog's Board of Governors meets on March 3.", "IAEA meeting"),
        ("The Fed's Board of Governors meets on March 3.", "Meeting"),
    ],
)
def test_the_board_of_governors_is_the_iaea_s_once_the_iaea_is_named(text, title):
    assert only(text, date(2025, 2, 24)).title == title


def test_talks_named_by_their_sides_are_theirs_not_the_host_s():
    text = "Erdogan said he would host a new round of Russia-Ukraine talks in Istanbul next week."
    found = only(text, date(2025, 9, 4))
    assert found.title == "Russia-Ukraine talks in Istanbul"


def test_every_country_in_the_table_is_a_venue_after_in_and_the_sco_is_named():
    text = "The SCO's next summit will be held in Kyrgyzstan in 2026."
    found = only(text, date(2025, 9, 4))
    assert (found.title, found.parties) == ("Next SCO summit", ("SCO",))


def test_a_title_reads_no_words_of_the_sentence_before():
    text = (
        "A truce in Gaza is due to begin on Sunday. "
        "The deadline for a reply expires at 6 p.m. on Sunday."
    )
    found = [p for p in proposals(text, date(2025, 6, 24)) if p.kind is Kind.DEADLINE]
    assert [p.title for p in found] == ["Deadline"]


def test_the_sco_by_its_full_name_holds_its_summit():
    text = "The Shanghai Cooperation Organisation summit in Tianjin opens on August 31."
    assert only(text, date(2025, 8, 28)).title == "SCO summit in Tianjin"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (
            "Putin proposed keeping the limits for a year after New START expires on February 5.",
            Status.SCHEDULED,
        ),
        ("New START could expire on February 5 without a successor.", Status.TENTATIVE),
    ],
)
def test_a_treaty_s_expiry_is_in_doubt_only_where_the_expiry_itself_is(text, status):
    found = [p for p in proposals(text, date(2025, 9, 23)) if p.kind is Kind.TREATY_EXPIRY]
    assert [(summary(p)[1], p.status) for p in found] == [("2026-02-05", status)]


def test_who_tells_of_a_meeting_of_two_others_is_no_party_of_it():
    text = "Bessent said he expected Trump and Xi to meet in Beijing in April."
    found = only(text, date(2026, 12, 7))
    assert (found.title, set(found.parties)) == ("Trump-Xi summit in Beijing", {"US", "CN"})
    # one who tells of meeting one other is one side of it
    own = only("Zelensky said he would meet Putin in Istanbul next week.", date(2026, 12, 7))
    assert (own.title, set(own.parties)) == ("Zelensky-Putin summit in Istanbul", {"UA", "RU"})


def test_a_teller_alone_is_still_no_party_of_the_gathering():
    text = (
        "Russia and the United States disagree on the limits. "
        "Talks on a successor could begin before the end of the year, Ryabkov said."
    )
    found = [p for p in proposals(text, date(2025, 9, 23)) if p.kind is Kind.MEETING]
    assert [("Ryabkov" in p.title, set(p.parties)) for p in found] == [(False, {"RU", "US"})]


def test_a_place_after_a_list_of_names_is_where():
    text = "Iran will hold talks with Britain, France and Germany in Istanbul on Friday."
    assert only(text, date(2025, 9, 1)).title == "Iran-UK talks in Istanbul"


def test_a_list_of_names_is_no_new_verb_phrase_and_the_first_since_an_event_is_not_then():
    text = (
        "Iran will hold talks with Britain, France and Germany on Friday, the Foreign Ministry "
        "said, the first such meeting since Israeli and US strikes in June."
    )
    found = proposals(text, date(2025, 7, 22))
    assert [(p.title, summary(p)[1]) for p in found] == [("Iran-UK talks", "2025-07-25")]


def test_a_count_since_a_date_dates_no_event_of_its_own():
    text = "The envoy is due in Kyiv on Thursday for his fourth visit since March."
    found = proposals(text, date(2026, 12, 7))
    assert [(p.kind, summary(p)[1]) for p in found] == [(Kind.MEETING, "2026-12-10")]
    # the first since a date says that one was held then
    first = only("It was their first summit since Helsinki in July 2018.", date(2026, 12, 7))
    assert summary(first)[:3] == (Kind.SUMMIT, "2018-07", Status.OCCURRED)


def test_a_date_after_another_event_named_before_it_is_that_event_s():
    text = "Oman hosted talks in Muscat for weeks before the American strikes on June 13."
    assert proposals(text, date(2026, 12, 7)) == []
    # the same words after the date leave it the talks'
    dated = "Oman hosted talks in Muscat on June 13 before the American strikes."
    assert summary(only(dated, date(2026, 12, 7)))[:2] == (Kind.MEETING, "2026-06-13")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Israel and Egypt began the first phase of a ceasefire at noon on Friday.",
         "Israel-Egypt ceasefire takes effect"),
        ("The truce between India and Pakistan came into force on Friday.",
         "India-Pakistan truce takes effect"),
        ("The ceasefire began on Friday.", "Ceasefire takes effect"),
    ],
)  # fmt: skip
def test_a_truce_that_begins_or_comes_into_force_takes_effect(text, title):
    found = only(text, date(2025, 10, 13))
    assert (found.kind, found.title, summary(found)[1]) == (Kind.DEADLINE, title, "2025-10-10")


def test_a_truce_that_starts_to_fray_does_not_start():
    assert proposals("The ceasefire started to fray on Friday.", date(2025, 10, 13)) == []


def test_a_ceasefire_deal_that_takes_effect_is_a_truce_not_a_treaty_in_force():
    text = "Israel and Egypt said the ceasefire deal took effect on Friday."
    found = only(text, date(2025, 10, 13))
    assert (found.kind, found.title) == (Kind.DEADLINE, "Israel-Egypt ceasefire takes effect")


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("The OSCE's Ministerial Council will be held in Vienna on December 4 and 5.",
         ["OSCE ministerial in Vienna"]),
        ("NATO foreign ministers meet for a ministerial in Brussels on December 3.",
         ["NATO ministerial in Brussels"]),
        # the adjective is no meeting
        ("A ministerial decision on the budget was taken on Monday.", []),
    ],
)  # fmt: skip
def test_a_ministerial_is_a_meeting(text, titles):
    assert [p.title for p in proposals(text, date(2025, 11, 28))] == titles


@pytest.mark.parametrize(
    ("text", "title", "parties"),
    [
        ("Armenia and Azerbaijan signed a U.S.-brokered peace declaration in Washington on "
         "Friday, ending nearly four decades of conflict.",
         "Armenia-Azerbaijan peace declaration signed", {"AM", "AZ"}),
        ("Congo and Rwanda signed a declaration of principles in Washington in April.",
         "DR Congo-Rwanda declaration of principles signed", {"CD", "RW"}),
    ],
)  # fmt: skip
def test_a_peace_declaration_signed_is_a_signing_and_its_broker_no_party(text, title, parties):
    found = only(text, date(2025, 8, 9))
    assert (found.kind, found.title, set(found.parties)) == (Kind.TREATY_SIGNED, title, parties)


def test_a_country_after_in_the_is_where():
    text = "Italy and France will hold talks in the Netherlands on Friday."
    assert set(only(text, date(2025, 8, 9)).parties) == {"IT", "FR"}


def test_a_declaration_discussed_is_no_signing():
    assert proposals("Leaders discussed a peace declaration on Friday.", date(2025, 8, 9)) == []


def test_a_treaty_not_named_is_titled_by_its_parties():
    text = "Armenia and Azerbaijan will sign a peace treaty in Washington on Friday."
    found = only(text, date(2024, 10, 1))
    assert (found.title, found.parties) == ("Armenia-Azerbaijan treaty signed", ("AM", "AZ"))
    # called what the sentence calls it
    text = "Iran and the IAEA signed an agreement in Cairo on Tuesday."
    assert only(text, date(2025, 9, 10)).title == "Iran-IAEA agreement signed"


def test_every_name_is_found_whole_and_the_longest_one_wins():
    for name, (party, *_) in actors._NAMES.items():
        assert not set(name) & set("[]()?*+\\"), f"{name}: names are words, not patterns"
        found = actors.actors_in(f"Before {name}, and after.")
        assert [(actor.name, actor.party) for actor in found] == [(name, party)], name
    # a longer name that starts with a shorter one is the longer one
    found = actors.actors_in("North Koreans and Iranians met the Soviet Union's envoy.")
    assert [actor.name for actor in found] == ["North Koreans", "Iranians", "Soviet Union"]


def test_an_unnamed_resolution_is_titled_as_one():
    text = "The Security Council resolution endorsing the deal terminates on October 18, 2025."
    assert only(text, date(2025, 3, 5)).title == "UN Security Council resolution expires"


@pytest.mark.parametrize(
    "spelling",
    [
        *events.TREATIES,
        "New Strategic Arms Reduction Treaty",
        "intermediate-range nuclear forces treaty",
        "Iranian nuclear deal",
        "2015 nuclear agreement",
        "nuclear deal with Iran",
        "test-ban treaty",
        "Non-proliferation Treaty",
        "resolution 2231",
        "Open Skies",
    ],
)
def test_every_spelling_of_a_treaty_is_found_mid_sentence(spelling: str):
    """The names are tried only where a spelling can start: none may start elsewhere."""
    text = f"Officials said the {spelling} was discussed."
    found = events.treaties_in(text, 0, len(text))
    assert [(treaty.start, text[treaty.start :].startswith(spelling)) for treaty in found] == [
        (len("Officials said the "), True)
    ]


def test_a_meeting_named_only_by_its_venue_is_titled_by_who_the_story_is_about():
    text = (
        "Armenia and Azerbaijan initialled a peace agreement in August. "
        "Their foreign ministers are to meet again in Abu Dhabi next month."
    )
    initialled, found = proposals(text, date(2025, 9, 10))
    assert initialled.title == "Armenia-Azerbaijan agreement initialled"
    assert (found.title, set(found.parties)) == (
        "Armenia-Azerbaijan meeting in Abu Dhabi",
        {"AM", "AZ"},
    )


def test_an_aside_between_the_event_and_its_verb_is_read_through():
    found = only(
        "The meeting between Rubio and Lavrov, the first in years, was held in Geneva on Tuesday.",
        date(2026, 3, 12),
    )
    assert (found.title, summary(found)[1]) == ("Rubio-Lavrov meeting in Geneva", "2026-03-10")


def test_a_date_days_before_an_event_is_not_its_date():
    text = "North Korea fired a missile on Wednesday, days before South Korea hosts the summit."
    assert proposals(text, date(2025, 10, 22)) == []
    kept = "The leaders met on Monday, shortly before the vote."
    assert summary(only(kept, date(2025, 10, 22)))[1] == "2025-10-20"


def test_names_in_an_aside_after_the_event_take_no_part_in_it():
    text = (
        "Negotiators from the United States and Iran will meet in Muscat on Saturday, "
        "as a deadline set by President Trump approaches."
    )
    found = only(text, date(2025, 5, 27))
    assert (found.title, set(found.parties)) == ("US-Iran meeting in Muscat", {"US", "IR"})


def test_a_summit_known_by_its_acronym_is_titled_by_it():
    found = only("The COP30 climate summit opens in Belém on November 10.", date(2025, 11, 4))
    assert found.title == "COP30 summit in Belém"
    # the climate conference by its name alone, hosted by a country that is no visitor
    cop = only("COP31 will be hosted by Turkey in Antalya in November 2026.", date(2025, 11, 24))
    assert (cop.kind, cop.title, summary(cop)[1]) == (
        Kind.CONFERENCE,
        "COP31 in Antalya",
        "2026-11",
    )
    # a meeting on its sidelines is the leaders' own
    sidelines = "Trump and Xi will meet on the sidelines of the APEC summit on Thursday."
    assert only(sidelines, date(2025, 11, 4)).title == "Trump-Xi summit"
    # a summit nobody is named for is a summit
    assert only("The summit will be held on Friday.", date(2025, 11, 4)).title == "Summit"


@pytest.mark.parametrize(
    ("text", "title", "parties"),
    [
        ("India will host the Quad summit in New Delhi in November.",
         "Quad summit in New Delhi", {"IN", "QUAD"}),
        ("Leaders of the Gulf Cooperation Council will hold a summit in Doha on December 3.",
         "GCC summit in Doha", {"GCC"}),
        ("CSTO defence ministers will meet in Minsk on Friday.", "CSTO meeting in Minsk",
         {"CSTO"}),
        ("China will host the APEC leaders' meeting in Shenzhen in November.",
         "APEC summit in Shenzhen", {"CN", "APEC"}),
        ("The G20 summit will take place in Miami in December.", "G20 summit in Miami", {"G20"}),
    ],
)  # fmt: skip
def test_a_grouping_of_states_names_the_summit_it_holds(text, title, parties):
    found = only(text, date(2026, 1, 12))
    assert (found.title, set(found.parties)) == (title, parties)


@pytest.mark.parametrize(
    ("text", "title", "parties"),
    [
        ("A ceasefire between Thailand and Cambodia took effect on Monday.",
         "Thailand-Cambodia ceasefire takes effect", {"TH", "KH"}),
        ("Talks between Rwanda and the DRC will resume in Washington on June 27.",
         "Rwanda-DR Congo talks in Washington", {"RW", "CD"}),
        ("South Sudan and Sudan will meet in Addis Ababa on Friday.",
         "South Sudan-Sudan meeting in Addis Ababa", {"SS", "SD"}),
    ],
)  # fmt: skip
def test_parties_from_the_wider_world_of_ceasefires_and_talks(text, title, parties):
    found = only(text, date(2026, 6, 13))
    assert (found.title, set(found.parties)) == (title, parties)


def test_a_body_that_holds_a_meeting_names_it_over_the_countries_it_is_about():
    text = "The UN Security Council will meet on Ukraine on Friday at the request of France."
    assert only(text, date(2026, 3, 25)).title == "UN Security Council meeting"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("The EU and China will hold talks in Brussels on Thursday.", "EU-China talks in Brussels"),
        ("NATO and Russia will meet in Brussels on Friday.", "NATO-Russia meeting in Brussels"),
        # two countries, as before
        ("Russia and the United States will hold talks on Friday.", "Russia-US talks"),
    ],
)
def test_an_organisation_and_a_country_meeting_as_a_pair_are_both_named(text, title):
    assert only(text, date(2025, 12, 2)).title == title


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("The Conference on Disarmament reconvenes in Geneva on May 11.",
         "Conference on Disarmament in Geneva"),
        ("The Munich Security Conference takes place from February 13 to 15.",
         "Munich Security Conference"),
        ("The Conference on Monday approved its agenda.", "Conference"),
        ("The IAEA's General Conference opens in Vienna on September 15.",
         "IAEA General Conference in Vienna"),
        ("The IAEA's annual General Conference opens in Vienna on September 15.",
         "IAEA General Conference in Vienna"),
        ("The defence chiefs meet at the Shangri-La Dialogue in Singapore on May 30.",
         "Shangri-La Dialogue in Singapore"),
        ("The UN General Assembly's high-level week opens on September 22.",
         "UN General Assembly high-level week"),
    ],
)  # fmt: skip
def test_a_conference_known_by_its_name_is_titled_by_it(text, title):
    assert only(text, date(2026, 1, 25)).title == title


def test_a_deadline_still_running_in_the_month_of_publication_is_scheduled():
    text = "Iran has until the end of the month to report on its highly enriched uranium."
    assert summary(only(text, date(2026, 12, 7)))[1:3] == ("2026-12", Status.SCHEDULED)
    # the end of the month is still ahead, whatever the verb that agreed to it
    agreed = "India and Pakistan agreed to extend the ceasefire until the end of the month."
    assert summary(only(agreed, date(2026, 12, 7)))[1:3] == ("2026-12", Status.SCHEDULED)


def test_an_event_within_a_length_still_running_was_ahead_when_it_was_said():
    said = "Zelensky said on Saturday he expected talks with Russia within ten days."
    assert summary(only(said, date(2026, 12, 7)))[1:3] == ("2026-12", Status.SCHEDULED)
    # a length that ends on publication is behind us
    past = "Envoys held talks in Geneva twice in the past two weeks."
    assert only(past, date(2026, 12, 7)).status is Status.OCCURRED


def test_a_country_after_a_city_says_where_not_who():
    text = "Trump and Xi last met in Busan, South Korea, on October 30."
    assert set(only(text, date(2025, 11, 28)).parties) == {"US", "CN"}


def test_names_in_a_clause_of_days_after_take_no_part_in_the_event():
    text = "Iran's parliament voted on Wednesday to leave the talks, days after US strikes."
    assert set(only(text, date(2025, 6, 26)).parties) == {"IR"}


@pytest.mark.parametrize("telling", ["said", "confirmed", "warned"])
def test_whoever_tells_of_a_gathering_takes_no_part_in_it_by_telling(telling: str):
    text = f"Ukraine and Russia will hold talks in Istanbul on Wednesday, Zelensky {telling}."
    assert only(text, date(2025, 7, 22)).title == "Ukraine-Russia talks in Istanbul"


def test_a_readiness_to_meet_is_no_meeting_yet():
    text = "Zelensky said he was ready to meet Putin before the end of August."
    assert summary(only(text, date(2025, 7, 22)))[1:3] == ("2025-08", Status.TENTATIVE)


def test_talks_named_at_length_before_their_day_and_place_keep_both():
    text = "Talks on reviving the 2015 Iran nuclear deal will resume in Vienna on November 29."
    found = [p for p in proposals(text, date(2021, 11, 4)) if p.kind is Kind.MEETING]
    assert [(p.title, summary(p)[1]) for p in found] == [
        ("Iran talks on JCPOA in Vienna", "2021-11-29")
    ]


def test_a_visit_is_the_visitor_s_to_the_place_it_names():
    text = "Kim Jong Un will visit Russia next month at Vladimir Putin's invitation."
    assert only(text, date(2025, 4, 15)).title == "Kim visit to Russia"


def test_a_city_naming_a_time_zone_is_no_party():
    text = "Iran was given until Sunday at 6 p.m. Washington time to accept the plan."
    assert set(only(text, date(2026, 10, 5)).parties) == {"IR"}


def test_a_venue_is_where_an_event_is_not_who_holds_it():
    found = only("Talks are set to resume on Monday in Washington.", date(2025, 7, 10))
    assert found.title == "Talks in Washington"
    # where someone travels for the event, said before it
    trip = only("Rubio will travel to Jeddah for talks on Tuesday.", date(2025, 3, 10))
    assert trip.title == "Rubio talks in Jeddah"
    flight = only("Putin flew to Anchorage for a summit with Trump on Friday.", date(2025, 8, 16))
    assert flight.title == "Putin-Trump summit in Anchorage"
    dated = only("Witkoff will fly to Moscow on Wednesday for talks.", date(2025, 9, 10))
    assert dated.title == "Witkoff talks in Moscow"


def test_a_stated_range_becomes_due_and_end():
    found = only("NATO leaders will gather in Vilnius on July 11-12.", date(2023, 6, 1))
    assert found.due is not None and found.end is not None
    assert (found.due.value, found.end.value) == ("2023-07-11", "2023-07-12")
    assert found.title == "NATO summit in Vilnius"


def test_the_same_event_twice_is_proposed_once_at_its_most_precise():
    text = "The 2026 Review Conference of the NPT is expected to open in late April 2026."
    found = only(text, date(2025, 5, 9))
    assert summary(found)[:3] == (Kind.CONFERENCE, "2026-04", Status.SCHEDULED)


def test_a_deadline_that_is_on_a_weekday_is_the_one_to_come_and_still_scheduled():
    found = only("The deadline for Iran to respond is Thursday, the ministry said.")
    assert summary(found)[:3] == (Kind.DEADLINE, "2019-05-16", Status.SCHEDULED)


def test_a_meeting_in_a_month_of_a_year_its_sentence_names_is_of_that_year():
    found = only("In 2015, Russia and the United States met in July to discuss the treaty.")
    assert summary(found)[:3] == (Kind.MEETING, "2015-07", Status.OCCURRED)


def test_dates_that_only_say_when_something_was_said_make_no_proposal():
    assert proposals("The Kremlin confirmed the summit on Tuesday.") == []
    assert proposals("Officials said on Tuesday that relations were poor.") == []
    # the event's own verb before the date makes it the event's again
    held = "Envoys said the conference, held in Vienna from April 8 to 12, ended in discord."
    assert summary(only(held))[:3] == (Kind.CONFERENCE, "2019-04-08", Status.OCCURRED)


def test_the_place_of_a_dateline_takes_no_part():
    text = "BELEM, Brazil, Nov 22 (Reuters) - The climate summit closed on Saturday."
    assert only(text, date(2025, 11, 24)).parties == ()


def test_a_length_set_before_and_since_replaced_dates_nothing():
    text = "Trump gave Russia until August 8 to agree, shortening an earlier 50-day deadline."
    found = only(text, date(2025, 7, 29))
    assert (found.kind, found.due and found.due.value) == (Kind.DEADLINE, "2025-08-08")


def test_the_date_of_a_dateline_is_when_the_story_was_filed_not_an_event_s():
    filed = "GENEVA, May 10 (Reuters) - Envoys will hold talks in Geneva on May 20 on the treaty."
    assert summary(only(filed))[:3] == (Kind.MEETING, "2019-05-20", Status.SCHEDULED)
    agency = "KYIV, Ukraine, 10 May 2019 (AP) \u2014 The ceasefire talks ended on Monday."
    assert summary(only(agency))[:2] == (Kind.MEETING, "2019-05-13")
    # a sentence that opens with capitals and a comma is no dateline
    told = "NATO, the EU and Britain met on May 10 - in Geneva - to talk."
    assert summary(only(told))[:2] == (Kind.MEETING, "2019-05-10")


def test_a_proposal_carries_its_quote_and_source_and_becomes_a_commitment():
    text = "The treaty expires on February 5, 2026."
    found = extract(text, date(2025, 3, 1), url="https://example.org/a", title="A report")
    proposal = found.proposals[0]
    assert proposal.quote == text
    assert (proposal.source.url, proposal.source.title) == ("https://example.org/a", "A report")
    assert proposal.source.published == date(2025, 3, 1)
    assert proposal.mention == 0 and 0.0 <= proposal.confidence <= 1.0
    created = proposal.to_commitment()
    assert isinstance(created, CommitmentCreate)
    assert created.sources[0].quote == text
    assert (created.kind, created.due, created.status) == (
        proposal.kind,
        proposal.due,
        proposal.status,
    )


def test_an_article_without_url_or_title_is_named_by_its_date():
    proposal = only("The treaty expires on February 5, 2026.", date(2025, 3, 1))
    assert proposal.source.url == "https://example.org/report"
    bare = extract("The treaty expires on February 5, 2026.", date(2025, 3, 1))
    assert bare.proposals[0].source.title == "News report published 2025-03-01"


def test_the_json_form_holds_mentions_and_proposals_with_due_windows():
    served = extract("New START is set to expire in 2021.", TUESDAY).model_dump(mode="json")
    assert set(served) == {"mentions", "proposals", "truncated"}
    assert served["truncated"] is False
    assert served["proposals"][0]["due"] == {
        "value": "2021",
        "tz": None,
        "precision": "year",
        "earliest": "2021-01-01",
        "latest": "2021-12-31",
    }
    assert Extraction.model_validate(served) == extract(
        "New START is set to expire in 2021.", TUESDAY
    )


# ---------------------------------------------------------------------------- known commitments


def test_proposals_that_repeat_a_known_commitment_say_which():
    text = (
        "Russia and the United States discussed New START, which is set to expire in 2021. "
        "Mr. Putin met Kim Jong-un last month. "
        "Our presidents met last year at the summit in Helsinki, Lavrov said of Trump and Putin. "
        "Trump and Putin could hold another meeting, but nothing had been decided. "
        "Mr. Pompeo warned against interference in the 2020 American election."
    )
    found = extract(text, TUESDAY, known=known_sochi_commitments()).proposals
    assert {(p.kind, p.due.value if p.due else None): p.matches for p in found} == {
        (Kind.TREATY_EXPIRY, "2021"): "new-start-expiry-2021",
        (Kind.SUMMIT, "2019-04"): "putin-kim-2019",
        (Kind.SUMMIT, "2018"): "helsinki-summit-2018",
        (Kind.SUMMIT, None): "next-trump-putin-meeting",
        (Kind.ELECTION, "2020"): "us-election-2020",
    }


def test_a_proposal_matches_nothing_of_another_time_or_kind():
    known = known_sochi_commitments()
    later = extract("New START is set to expire in 2031.", TUESDAY, known=known)
    assert [p.matches for p in later.proposals] == [None]
    signed = extract("New START was signed in 2021.", TUESDAY, known=known)
    assert [(p.kind, p.matches) for p in signed.proposals] == [(Kind.TREATY_SIGNED, None)]


# ---------------------------------------------------------------------------- the Sochi report


@pytest.fixture(scope="module")
def sochi() -> Extraction:
    article = sochi_report()
    if article is None:
        pytest.skip(
            "the Sochi report (sochi-2019-05-14.txt) is not here: set TREATYCAL_SOCHI_REPORT "
            "or place it in ../shared/data/ next to the repository"
        )
    passage = load_sochi(article)
    return extract(passage.text, passage.published, url="https://example.org/sochi")


def test_sochi_mentions_slice_the_article_exactly(sochi):
    article = sochi_report()
    assert article is not None
    text = article.read_text(encoding="utf-8")
    assert all(text[m.start : m.end] == m.text for m in sochi.mentions)
    assert ("a few days earlier", "2019-05-07/2019-05-12") in {
        (m.text, m.value) for m in sochi.mentions
    }


def test_sochi_new_start_expires_in_2021(sochi):
    expiry = [p for p in sochi.proposals if p.kind is Kind.TREATY_EXPIRY]
    assert [summary(p) for p in expiry] == [
        (Kind.TREATY_EXPIRY, "2021", Status.SCHEDULED, {"US", "RU"})
    ]
    assert expiry[0].due is not None and expiry[0].due.precision is Precision.YEAR


def test_sochi_past_summits_and_meetings_occurred(sochi):
    found = {summary(p)[:3]: set(p.parties) for p in sochi.proposals}
    assert found[(Kind.SUMMIT, "2018", Status.OCCURRED)] == {"US", "RU"}
    assert found[(Kind.SUMMIT, "2019-04", Status.OCCURRED)] == {"RU", "KP"}
    assert found[(Kind.MEETING, "2019-W19", Status.OCCURRED)] == {"RU", "US"}


def test_sochi_next_trump_putin_meeting_is_tentative_without_a_date(sochi):
    undated = [summary(p) for p in sochi.proposals if p.due is None]
    assert (Kind.SUMMIT, None, Status.TENTATIVE, {"US", "RU"}) in undated
    assert all(status is Status.TENTATIVE for _, _, status, _ in undated)


def test_sochi_elections_of_2016_and_2020(sochi):
    elections = sorted(summary(p) for p in sochi.proposals if p.kind is Kind.ELECTION)
    assert elections == [
        (Kind.ELECTION, "2016", Status.OCCURRED, {"US"}),
        (Kind.ELECTION, "2020", Status.SCHEDULED, {"US"}),
    ]


def test_what_a_dated_act_asks_for_is_not_dated_by_it():
    motion = "The assembly passed a motion on Tuesday urging a summit of the region's leaders."
    assert proposals(motion, date(2025, 11, 12)) == []
    bill = (
        "Two senators will introduce a bill next week requiring the Pentagon to report "
        "within 60 days on the missile programme."
    )
    assert proposals(bill, date(2025, 11, 12)) == []


def test_a_truce_agreed_for_months_runs_from_the_hour_it_takes_effect():
    text = "The two armies agreed to a 60-day truce that begins at midnight on Sunday."
    assert summary(only(text, date(2025, 11, 12))) == (
        Kind.DEADLINE,
        "2026-01-15",
        Status.SCHEDULED,
        set(),
    )


def test_mediators_from_named_countries_and_the_au_peace_and_security_council():
    mediated = (
        "Mediators from the United States, Qatar, Egypt and the United Arab Emirates said the "
        "two sides would meet in Jeddah on Friday."
    )
    assert only(mediated, date(2025, 11, 12)).parties == ()
    listed = "The mediators - Qatar and Egypt - said the sides would meet in Cairo on Friday."
    assert only(listed, date(2025, 11, 12)).parties == ()
    related = "Qatar and Egypt, which brokered the truce, said talks would open on Friday."
    assert only(related, date(2025, 11, 12)).parties == ()
    council = "The African Union's Peace and Security Council will meet on Thursday on the crisis."
    assert only(council, date(2025, 11, 12)).parties == ("AU",)


def test_the_conference_on_disarmament_keeps_its_date_from_the_next_clause():
    text = (
        "The Conference on Disarmament is expected to resume its work in Geneva on May 11, "
        "and the Review Conference of the NPT meets in New York in April."
    )
    titled = {(found.title, found.due.value if found.due else None) for found in proposals(text)}
    assert ("Conference on Disarmament in Geneva", "2019-05-11") in titled


def test_the_day_an_event_was_moved_from_is_not_its_day():
    text = "The summit, postponed from October, will now be held in Doha in February."
    assert [found.due.value for found in proposals(text) if found.due] == ["2020-02"]


def test_who_made_way_for_a_decision_in_a_clause_after_it_is_no_party():
    text = (
        "Ministers agreed to extend the EU's sanctions on Belarus until March 31, after "
        "Slovakia dropped its veto."
    )
    assert set(only(text).parties) == {"EU", "BY"}


def test_who_acted_a_year_before_in_a_clause_after_it_is_no_party():
    text = "Moscow left the Open Skies Treaty in 2021, a year after the United States left it."
    assert set(only(text, date(2025, 11, 12)).parties) == {"RU"}


def test_a_meeting_one_side_wants_is_tentative():
    text = "Kyiv wants a meeting of the two presidents before the end of the year."
    assert only(text, date(2025, 11, 12)).status is Status.TENTATIVE


def test_the_teller_before_a_clause_about_something_else_is_no_party():
    text = (
        "Armenian and Azerbaijani envoys will meet in Abu Dhabi on Monday, Qatar's foreign "
        "minister said, after a first exchange of prisoners."
    )
    assert set(only(text, date(2025, 11, 12)).parties) == {"AM", "AZ"}


def test_a_group_named_by_region_borrows_no_parties_from_the_story():
    text = (
        "Iran and the United States held talks in Muscat on Saturday. Gulf leaders will meet "
        "in Doha on Monday to discuss the outcome."
    )
    gathered = [found for found in proposals(text, date(2025, 11, 12)) if "Doha" in found.title]
    assert [found.parties for found in gathered] == [()]


def test_each_stop_of_a_journey_is_a_visit_of_its_own():
    text = "The envoy is due in Riyadh on Tuesday and then in Doha on Thursday, officials said."
    visits = [(found.title, found.due.value if found.due else None) for found in proposals(text)]
    assert visits == [("Visit to Riyadh", "2019-05-14"), ("Visit to Doha", "2019-05-16")]


def test_a_reading_or_an_approval_of_a_bill_is_a_vote():
    text = (
        "The Duma will hold the second reading on December 9, and the upper house is expected "
        "to approve the bill on December 17."
    )
    votes = {(found.kind, found.due.value if found.due else None) for found in proposals(text)}
    assert votes == {(Kind.MEETING, "2019-12-09"), (Kind.MEETING, "2019-12-17")}


def test_a_mandate_end_that_a_later_length_counts_from_is_an_event_of_its_own():
    text = (
        "The council renewed the mission's mandate until June 30, after which its troops must "
        "leave within six months."
    )
    assert [found.due.value for found in proposals(text) if found.due] == [
        "2019-06-30",
        "2019-12-30",
    ]


def test_the_end_of_a_truce_that_took_effect_before_is_its_expiry():
    text = "The truce, which took effect on October 2, is due to end on January 30."
    titles = {found.title for found in proposals(text, date(2025, 11, 12))}
    assert titles == {"Truce takes effect", "Truce expires"}


def test_a_measure_starting_on_a_day_takes_effect_then_and_a_condition_is_not_dated():
    text = (
        "Washington will impose duties on steel from the bloc starting March 1 unless an "
        "agreement is signed first."
    )
    assert [(found.kind, found.title) for found in proposals(text)] == [
        (Kind.DEADLINE, "US duties take effect")
    ]


def test_what_a_date_waits_on_is_not_dated_by_it():
    text = "The minister said he would act on Monday unless a truce agreement is signed."
    assert proposals(text) == []


def test_a_decision_whether_to_hold_an_event_leaves_it_tentative():
    text = "Members will decide at their session whether to hold a special conference in 2027."
    assert only(text, date(2025, 11, 12)).status is Status.TENTATIVE


def test_a_treaty_named_for_a_meeting_borrows_no_body_from_the_story():
    text = (
        "The OPCW said its annual conference ended on Friday. The Biological Weapons "
        "Convention's working group meets in Geneva on December 15."
    )
    geneva = [found for found in proposals(text, date(2025, 11, 12)) if "Geneva" in found.title]
    assert [found.parties for found in geneva] == [()]


def test_an_election_noun_before_another_is_not_the_election_and_georgia_is_a_country():
    monitors = "The election observation mission will deploy on February 15."
    assert proposals(monitors, date(2025, 11, 12)) == []
    vote = "Georgia will hold a parliamentary election on March 29, officials in Tbilisi said."
    assert summary(only(vote, date(2025, 11, 12))) == (
        Kind.ELECTION,
        "2026-03-29",
        Status.SCHEDULED,
        {"GE"},
    )


def test_a_body_that_will_discuss_something_on_a_day_meets_then():
    text = "The board will next discuss the inspections on March 3, the agency said."
    assert summary(only(text)) == (Kind.MEETING, "2020-03-03", Status.SCHEDULED, set())
    assert proposals("Leaders discussed the inspections on Friday.") == []


def test_a_body_due_to_renew_a_mandate_by_a_day_has_a_deadline():
    text = "The council is due to renew the mandate of its monitoring mission by June 30."
    assert summary(only(text)) == (Kind.DEADLINE, "2019-06-30", Status.SCHEDULED, set())


def test_a_treaty_opened_for_signature_in_a_year_did_not_then_enter_into_force():
    text = "The Pelindaba Treaty, opened for signature in 1996, entered into force in 2009."
    assert [summary(found)[1] for found in proposals(text, date(2025, 11, 12))] == ["2009"]


def test_a_diary_date_line_dates_the_items_listed_under_it():
    diary = (
        "THE WEEK AHEAD\n\nWEDNESDAY, May 15\n- GENEVA: Arms control envoys meet.\n"
        "- The summit opens in Sochi on May 17.\n\nFRIDAY, May 17\n- Voters in Panama go to the "
        "polls.\n"
    )
    found = [(found.kind, found.due.value if found.due else None) for found in proposals(diary)]
    assert found == [
        (Kind.MEETING, "2019-05-15"),
        (Kind.SUMMIT, "2019-05-17"),
        (Kind.ELECTION, "2019-05-17"),
    ]
    # a sentence that says more than its date heads nothing
    prose = "Talks began on Monday, May 13.\n- Envoys meet."
    assert [found.due.value for found in proposals(prose) if found.due] == ["2019-05-13"]


def test_a_date_before_a_clause_opened_by_with_is_not_that_clause_s():
    text = (
        "The next round, COP32, will be hosted by Ethiopia in Addis Ababa in November 2027, "
        "with Ireland presiding over the negotiations."
    )
    assert [found.title for found in proposals(text, date(2025, 11, 12))] == ["COP32"]


def test_a_day_a_plan_had_been_due_on_that_now_holds_otherwise_is_given_up():
    text = "The truce, which had been due to expire at noon on Friday, now runs until Monday."
    assert [summary(found)[1] for found in proposals(text)] == ["2019-05-20"]


def test_a_proposal_to_act_by_a_day_is_a_tentative_deadline():
    text = "The Commission proposed on Tuesday to end coal imports from Russia by the end of 2027."
    assert summary(only(text, date(2025, 11, 12)))[:3] == (Kind.DEADLINE, "2027", Status.TENTATIVE)


def test_a_year_outside_the_tracked_ones_is_a_mention_but_no_proposal():
    found = extract("The talks began in 1701 and a treaty was signed in 1713.", date(2025, 11, 12))
    assert [mention.value for mention in found.mentions] == ["1701", "1713"]
    assert found.proposals == []


def test_the_end_of_a_longer_number_is_no_count_of_units():
    text = "The parties agreed to a 2,000-year truce and waited 2.5 years."
    assert extract(text, date(2025, 11, 12)).mentions == []


def test_a_visit_dated_and_counted_since_a_year_is_on_its_own_date():
    text = "The prime minister will travel to Seoul on May 20-21 for his first visit since 2016."
    assert [summary(found)[1] for found in proposals(text)] == ["2019-05-20"]


def test_a_length_keeps_its_anchor_after_a_reference_the_story_cannot_resolve():
    text = (
        "The following year will be hard, he said. Britain, France and Germany triggered on "
        "August 28 a 30-day process to restore sanctions."
    )
    assert [summary(found)[1] for found in proposals(text, date(2025, 8, 29))] == ["2025-09-27"]


def test_a_measure_extended_to_a_day_runs_out_then():
    text = "Both sides agreed to extend their trade truce by another 60 days, to March 9."
    assert summary(only(text, date(2025, 11, 12))) == (
        Kind.DEADLINE,
        "2026-03-09",
        Status.SCHEDULED,
        set(),
    )


def test_the_two_countries_are_the_pair_the_story_opened_with():
    text = (
        "Japan and the Philippines signed a pact on Monday. It follows deals with Canada and "
        "Mexico. Britain welcomed it. The two countries will hold talks in Manila on Jan. 15."
    )
    talks = [found for found in proposals(text, date(2025, 11, 12)) if "Manila" in found.title]
    assert [set(found.parties) for found in talks] == [{"JP", "PH"}]


def test_a_hearing_is_a_meeting_but_hearing_news_is_not():
    text = "The committee will hold a confirmation hearing for the nominee on January 14."
    assert summary(only(text)) == (Kind.MEETING, "2020-01-14", Status.SCHEDULED, set())
    assert proposals("After hearing on Monday that the envoy had left, he resigned.") == []


def test_a_court_s_ruling_is_a_report_named_by_the_court_and_a_ruling_party_is_not():
    text = "The International Court of Justice will give its advisory opinion on March 3."
    found = only(text)
    assert (found.kind, found.title, summary(found)[1]) == (
        Kind.REPORT,
        "ICJ advisory opinion",
        "2020-03-03",
    )
    assert proposals("The ruling coalition on Monday named a new leader.") == []


def test_a_mission_extended_until_at_least_a_day_and_a_visit_planned_before_one():
    text = "The naval mission will be extended until at least the end of 2027, officials said."
    assert summary(only(text, date(2025, 11, 12)))[:3] == (Kind.DEADLINE, "2027", Status.SCHEDULED)
    planned = "The agency's chief plans to visit the plant before Christmas."
    assert only(planned, date(2025, 11, 12)).kind is Kind.MEETING


def test_who_asked_for_a_meeting_is_no_party_to_it():
    asked = "The agency's board will meet on Thursday at the request of Ukraine and Poland."
    assert only(asked).parties == ()


def test_a_house_that_reconvenes_meets_and_what_led_up_to_an_act_is_not_its_day():
    assert summary(only("Parliament will reconvene on February 26."))[:2] == (
        Kind.MEETING,
        "2020-02-26",
    )
    text = "Both sides finalised the accord on Wednesday after months of talks in Cairo."
    assert all(found.kind is not Kind.MEETING for found in proposals(text))


def test_a_swearing_in_a_debate_ahead_and_an_aside_a_participle_dates():
    sworn = "The president is due to be sworn in for a second term on January 20."
    assert summary(only(sworn))[:3] == (Kind.OTHER, "2020-01-20", Status.SCHEDULED)
    debate = "Parliament will debate the plan on June 10."
    assert summary(only(debate))[:2] == (Kind.MEETING, "2019-06-10")
    aside = "The review, commissioned last July, was delayed by budget negotiations."
    assert proposals(aside) == []
