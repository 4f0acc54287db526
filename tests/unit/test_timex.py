"""TIMEX3 forms the tagger reads since issue 12: loose references to the present, past and
future, parts of days and clock times, decades and centuries, quarters the story sets, weekends
and repeated times. Each sentence is written for these tests.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from service.domain import Mention, TimexType
from service.extract import extract

THURSDAY = date(2024, 3, 14)  # a Thursday in the first quarter


def values(text: str, published: date = THURSDAY) -> list[tuple[str, str]]:
    return [(m.text, m.value) for m in extract(text, published).mentions]


def only(text: str, published: date = THURSDAY) -> Mention:
    found = extract(text, published).mentions
    assert len(found) == 1, [(m.text, m.value) for m in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("The ferry now sails from the north pier.", "now", "PRESENT_REF"),
        ("The museum is currently closed for repairs.", "currently", "PRESENT_REF"),
        ("Nowadays few farmers keep bees.", "Nowadays", "PRESENT_REF"),
        ("Current prices favour buyers, the agent said.", "Current", "PRESENT_REF"),
        ("The bridge was recently repainted.", "recently", "PAST_REF"),
        ("In the past the square held a market.", "the past", "PAST_REF"),
        ("The library will soon open a second floor.", "soon", "FUTURE_REF"),
        ("Robots may sort the mail in the future.", "the future", "FUTURE_REF"),
        ("The orchard will bear fruit in years to come.", "in years to come", "FUTURE_REF"),
        ("Fares should hold in the short term.", "the short term", "FUTURE_REF"),
        ("Margins may narrow in future quarters.", "future quarters", "FUTURE_REF"),
    ],
)
def test_loose_references_to_now_the_past_and_the_future(text: str, said: str, value: str):
    found = only(text)
    assert (found.text, found.value) == (said, value)


@pytest.mark.parametrize(
    "text",
    [
        "Now that the road is open, buses run again.",
        "Leave as soon as the bell rings.",
        "The current manager kept the old rota.",
        "Anna studied the recent survey closely.",
        "The short-term lease ends with the season's last fair.",
    ],
)
def test_words_that_only_look_like_references_to_now(text: str):
    assert extract(text, THURSDAY).mentions == []


def test_the_past_with_a_length_is_a_length_not_a_past_reference():
    assert values("Rain fell over the past two weeks.") == [("over the past two weeks", "P2W")]


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        # lengths with no count said: TIMEX3 X, typed duration
        ("Prices have risen in recent months.", "recent months", "PXM"),
        ("For the past few weeks, the bridge was shut.", "the past few weeks", "PXW"),
        ("She has taught here for years.", "years", "PXY"),
        ("It snowed for the first time in decades.", "decades", "PXY"),
        ("Over the next couple of years, the lines will close.", "the next couple of years", "PXY"),
        # decades counted are years
        ("The rate is the lowest for almost two decades.", "two decades", "P20Y"),
        ("The rivals ended a decades-long feud.", "decades-long", "PXY"),
        ("Crime fell over the past decade.", "the past decade", "P10Y"),
        # a length with more of it to come is a length all the same
        ("The pier stays shut for two more weeks.", "two more weeks", "P2W"),
        ("The lease runs for an additional year.", "an additional year", "P1Y"),
    ],
)
def test_lengths_of_uncounted_units_and_decades_are_durations(text: str, said: str, value: str):
    found = only(text)
    assert (found.text, found.value, found.type) == (said, value, TimexType.DURATION)


def test_a_decade_ago_is_no_date_news_can_be_held_to():
    assert values("A decade ago the bridge was built.") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Parliament votes on the 20th.", "2024-03-20"),  # published Thursday 14 March
        ("The vote was held on the 3rd.", "2024-03-03"),
        ("Payments are due by the 1st.", "2024-04-01"),
        ("The offer stands until the 28th of the month.", "2024-03-28"),
    ],
)
def test_a_day_of_the_month_alone_is_in_the_month_its_tense_points_to(text: str, value: str):
    assert only(text).value == value


def test_an_ordinal_before_a_noun_is_no_day_of_the_month():
    assert values("He came second on the 5th ballot.") == []


def test_in_a_length_said_of_the_past_is_the_length_not_a_day_ahead():
    found = only("The arsenal had grown by 90 warheads in a year.")
    assert (found.value, found.type) == ("P1Y", TimexType.DURATION)
    ahead = only("The arsenal will be replaced in a year.")
    assert (ahead.value, ahead.type) == ("2025", TimexType.DATE)


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("Sales rose in H1 2023.", "H1 2023", "2023-H1"),
        ("Output will fall in 2024 H2.", "2024 H2", "2024-H2"),
        ("The H1N1 virus spread in 2009.", "2009", "2009"),
    ],
)
def test_a_half_year_written_as_markets_write_it(text: str, said: str, value: str):
    assert values(text) == [(said, value)]


def test_a_winter_over_two_years_is_of_the_year_it_begins():
    assert values("Prices rose in the winter of 1997-98.") == [("winter of 1997-98", "1997-WI")]


def test_a_weekday_that_closes_what_another_opened_comes_after_it():
    text = "The fair opens on Monday and runs through Friday."  # published Thursday 14 March
    assert values(text) == [("Monday", "2024-03-18"), ("Friday", "2024-03-22")]


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("The ferry left the day before yesterday.", "the day before yesterday", "2024-03-12"),
        ("The ferry sails the day after tomorrow.", "the day after tomorrow", "2024-03-16"),
        # the last week of a month is no "last week", but the end of that month
        ("The ferry sails in the last week of June.", "the last week of June", "2024-06"),
        ("The ferry made a loss last fiscal year.", "last fiscal year", "2023"),
    ],
)
def test_days_two_off_and_weeks_of_a_month_are_read_whole(text: str, said: str, value: str):
    assert values(text) == [(said, value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The choir met Tuesday morning.", "2024-03-12TMO"),
        ("The choir met on Tuesday afternoon.", "2024-03-12TAF"),
        ("The choir met Monday evening.", "2024-03-11TEV"),
        ("Thieves struck last night.", "2024-03-13TNI"),
        ("Thieves struck yesterday morning.", "2024-03-13TMO"),
        ("The comet is visible tonight.", "2024-03-14TNI"),
    ],
)
def test_parts_of_days_are_times(text: str, value: str):
    found = only(text)
    assert (found.value, found.type) == (value, TimexType.TIME)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The vote will open at 09:30 BST on Monday.", "2024-03-18T09:30+01"),
        ("Doors will close at 6 p.m. Friday.", "2024-03-15T18:00"),
        ("The stall shuts at noon today.", "2024-03-14T12:00"),
        ("The truce begins at 0400 GMT on Saturday.", "2024-03-16T04:00Z"),
    ],
)
def test_clock_times_take_the_day_beside_them_and_their_zone(text: str, value: str):
    assert only(text).value == value


def test_a_clock_time_alone_takes_the_day_its_sentence_names():
    assert values("The count starts at 8 p.m. in Lisbon on Saturday.") == [
        ("8 p.m.", "2024-03-16T20:00"),
        ("Saturday", "2024-03-16"),
    ]
    # a weekday that a date follows is that date's: "6 p.m. on Friday, May 3"
    assert values("The offer lapses at 6 p.m. on Friday, May 3.") == [
        ("6 p.m.", "2024-05-03T18:00"),
        ("Friday, May 3", "2024-05-03"),
    ]


@pytest.mark.parametrize(
    "text",
    ["The Steadfast Noon drill ran in October.", "Operation Midnight Hammer ended in June."],
)
def test_a_capitalised_noon_or_midnight_inside_a_sentence_is_a_name(text: str):
    assert [said for said, _ in values(text)] == [text.split()[-1].rstrip(".")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Vinyl sales boomed in the 1970s.", "197"),
        ("Those songs were hits in the '80s.", "198"),
        ("The canal was dug in the 19th century.", "18"),
        ("The mill dates from the eighteenth century.", "17"),
        ("Pilgrims visit the ruined 12th-century abbey.", "11"),
        ("He calls himself a 21st century liberal.", "20"),
    ],
)
def test_decades_and_centuries(text: str, value: str):
    assert only(text).value == value


@pytest.mark.parametrize(
    ("published", "value"),
    [(date(1989, 11, 2), "199"), (date(2026, 12, 7), "199"), (date(1995, 6, 1), "199")],
)
def test_the_nineties_said_the_year_before_they_begin_are_the_coming_ones(published, value):
    assert only("Rates should fall in the early '90s.", published).value == value
    assert only("Rates fell in the '30s.", published).value == "193"


@pytest.mark.parametrize(
    ("text", "value"),
    [("She graduated with the class of '99.", "1999"), ("The inn has stood since '21.", "2021")],
)
def test_two_digit_years_fall_in_the_century_begun_by_publication(text: str, value: str):
    assert only(text).value == value


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("The dam was finished in nineteen eighty-two.", "nineteen eighty-two", "1982"),
        ("The club was founded nineteen fifty, the host said.", "nineteen fifty", "1950"),
        ("The plan aimed for full employment by the year two thousand.",
         "the year two thousand", "2000"),
        ("The station opened in two thousand and four.", "two thousand and four", "2004"),
        ("Prices peaked in mid-1998 and fell.", "mid-1998", "1998"),
    ],
)  # fmt: skip
def test_years_said_in_words_or_with_a_part(text: str, said: str, value: str):
    found = only(text)
    assert (found.text, found.value) == (said, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("It was her first visit to Chile in seven years.", "P7Y"),
        ("Rents rose at their fastest pace in three years.", "P3Y"),
        # a verb between: the length counts from now
        ("The first round will be held in two weeks.", "2024-W13"),
    ],
)
def test_the_first_or_most_in_a_length_is_that_length(text: str, value: str):
    assert [found for _, found in values(text)] == [value]


@pytest.mark.parametrize(
    "text", ["Nineteen delegates walked out.", "Two thousand people marched to the square."]
)
def test_numbers_in_words_are_not_years(text: str):
    assert values(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The brewer hopes to close the sale by year-end.", "2024-12-31"),
        ("The index has gained 8% since year-end.", "2023-12-31"),
        ("Stocks fell sharply at the year end.", "2023-12-31"),
    ],
)
def test_year_end_is_the_coming_or_the_last_31_december(text: str, value: str):
    assert only(text).value == value


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("The mine opened in 1987, and the following year it flooded.", "the following year",
         "1988"),
        ("She left Lisbon in May 2019 and came back later that year.", "later that year", "2019"),
        ("The board met on October 3, 2022. The following month it sold the fleet.",
         "The following month", "2022-11"),
        ("Rates rose in 2015; the year before they had been cut.", "the year before", "2014"),
        ("The ferry sank on 4 May 2009. Divers reached it the next day.", "the next day",
         "2009-05-05"),
        ("The vote was on 1 March 2020 and the count ended the day after.", "the day after",
         "2020-03-02"),
        ("Talks ended on 3 June 2021; the previous day had been calm.", "the previous day",
         "2021-06-02"),
        ("The ferry sank on 4 May 2009. That night, divers arrived.", "That night",
         "2009-05-04TNI"),
        ("The ferry sank on 4 May 2009, and the next morning divers arrived.", "the next morning",
         "2009-05-05TMO"),
        ("The ferry sank on 4 May 2009. The following week, divers arrived.", "The following week",
         "2009-W20"),
        ("The ferry sank on 4 May 2009, and had been inspected the week before.", "the week before",
         "2009-W18"),
    ],
)  # fmt: skip
def test_the_following_year_steps_from_the_date_the_story_last_named(
    text: str, said: str, value: str
):
    assert values(text)[-1] == (said, value)


def test_the_following_year_with_no_date_before_it_is_not_guessed():
    assert values("The following year will be harder, the mayor warned.") == []
    # nor a day from a date known only to its month, nor "the day after" an event
    assert values("They met in June and again the next day.") == [("June", "2023-06")]
    assert values("He left the day after the summit.") == []
    assert values("He was seen on 4 May 2009, the day before police issued a warrant.") == [
        ("4 May 2009", "2009-05-04")
    ]


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("In 2011 the choir toured Norway in June.", "June", "2011-06"),
        ("The 2016 harvest, picked in late September, sold well.", "late September", "2016-09"),
        ("On 4 May 2009 the ferry sank; divers reached it on June 2.", "June 2", "2009-06-02"),
        ("The track, relaid in 2031, reopens in April.", "April", "2031-04"),
        ("Ankara hosts the 2026 fair on July 7-8.", "July 7-8", "2026-07-07/2026-07-08"),
        # a year "since" starts a stretch up to now, and sets no year for the story
        ("Parliament is due to elect a speaker, a post vacant since May 2022, in a session on "
         "April 9.", "April 9", "2024-04-09"),
    ],
)  # fmt: skip
def test_a_month_without_its_year_takes_the_year_its_sentence_stated(
    text: str, said: str, value: str
):
    assert values(text)[-1] == (said, value)


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        # a past year stated, but the month is said of what is still to come
        ("Elected in 2019, the mayor will stand again in June.", "June", "2024-06"),
        # the stated year is in another sentence
        ("The choir toured Norway in 2011. It played in Oslo in June.", "June", "2023-06"),
        # a year to come stated, the month said of the past
        ("The plan for 2030, drafted in February, was shelved.", "February", "2024-02"),
    ],
)  # fmt: skip
def test_a_stated_year_does_not_date_a_month_its_tense_or_sentence_keeps_apart(
    text: str, said: str, value: str
):
    assert values(text)[-1] == (said, value)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("The 1899 Hague Convention banned expanding bullets.", [("1899", "1899")]),
        ("The lighthouse has stood on the cape since 1856.", [("1856", "1856")]),
        # a number before 1900 with no preposition or article, or one that counts, is no year
        ("Some 1850 people signed the petition.", []),
        ("In 1500 cases the forms were late, and the 1800 soldiers left.", []),
    ],
)
def test_years_before_1900_only_where_a_preposition_or_article_sets_them_off(
    text: str, wanted: list[tuple[str, str]]
):
    assert values(text) == wanted


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # each day of a list is a date of the month named at its head or its tail
        (
            "The committee will sit on October 3, 10 and 17.",
            [("October 3", "2024-10-03"), ("10", "2024-10-10"), ("17", "2024-10-17")],
        ),
        (
            "The ministers meet on 3, 4 and 5 June 2025 in Oslo.",
            [("3", "2025-06-03"), ("4 and 5 June 2025", "2025-06-04/2025-06-05")],
        ),
        # a list that goes on to count things is no list of days
        ("On February 3, 14 and 15 people were hurt.", [("February 3", "2024-02-03")]),
        ("On February 3, 2 and 4 million people marched.", [("February 3", "2024-02-03")]),
        # a year that ends the list is every day's, the first's included
        (
            "The games are on July 3, 4 and 5, 2026.",
            [("July 3", "2026-07-03"), ("4", "2026-07-04"), ("5, 2026", "2026-07-05")],
        ),
        # two days joined by "and" stay one range
        (
            "The talks will run on October 13 and 14.",
            [("October 13 and 14", "2024-10-13/2024-10-14")],
        ),
    ],
)
def test_days_listed_after_or_before_their_month(text: str, wanted: list[tuple[str, str]]):
    assert values(text) == wanted


def test_a_decade_of_the_coming_years_is_not_put_in_the_last_century():
    assert only("Tickets sold out in the '20s.", THURSDAY).value == "202"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Third-quarter sales rose.", [("Third-quarter", "2023-Q3")]),
        (
            "Fourth-quarter sales fell 5%, while in the quarter costs rose.",
            [("Fourth-quarter", "2023-Q4"), ("the quarter", "2023-Q4")],
        ),
        (
            "The bakery earned $3 million in the fourth quarter, up from $2 million a year "
            "earlier.",
            [("the fourth quarter", "2023-Q4"), ("a year earlier", "2022-Q4")],
        ),
        (
            "Fourth-quarter revenue was flat with the year-ago period.",
            [("Fourth-quarter", "2023-Q4"), ("the year-ago period", "2022-Q4")],
        ),
        (
            "The firm raised its outlook for the current fiscal year.",
            [("the current fiscal year", "2024")],
        ),
    ],
)
def test_quarters_and_the_periods_the_story_sets(text: str, wanted: list[tuple[str, str]]):
    assert values(text) == wanted


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The kiln was fired in June last year.", "2023-06"),
        ("Orders slowed in last year's third quarter.", "2023-Q3"),
        ("Orders slowed in the 2022 fourth quarter.", "2022-Q4"),
        ("Orders slowed in the last half of 2022.", "2022-H2"),
    ],
)
def test_months_quarters_and_halves_of_named_years(text: str, value: str):
    assert only(text).value == value


def test_a_day_after_payable_or_effective_is_one_to_come():
    text = "The board declared a dividend, payable Feb. 2 to holders of record Jan. 5."
    assert values(text, date(2023, 11, 20)) == [("Feb. 2", "2024-02-02"), ("Jan. 5", "2024-01-05")]


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("The bridge opens two years from now.", "two years from now", "2026"),
        ("The bridge opens 30 days from today.", "30 days from today", "2024-04-13"),
    ],
)
def test_a_length_from_now_is_a_date_counted_from_publication(text: str, said: str, value: str):
    assert values(text) == [(said, value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The market will close early on Christmas Eve.", "2024-12-24"),
        ("Turkey prices rose before Thanksgiving Day 2023.", "2023-11-23"),
        ("The parade was held on New Year's Day.", "2024-01-01"),
        # days that move from year to year
        ("Pools open on Memorial Day.", "2024-05-27"),  # the last Monday of May
        ("Schools reopen after Labor Day.", "2024-09-02"),  # the first Monday of September
        ("The shops will shut on Good Friday.", "2024-03-29"),
        ("Pilgrims gathered on Easter 2000.", "2000-04-23"),
        ("Pilgrims will gather in Rome in Easter week.", "2024-W13"),
        ("Moscow will hold a parade on Victory Day.", "2024-05-09"),
    ],
)
def test_holidays_are_their_days(text: str, value: str):
    assert only(text).value == value


def test_a_holiday_that_begins_a_name_is_no_date():
    assert values("The Good Friday Agreement ended the Troubles.") == []


def test_the_quarter_alone_is_the_last_one_ended():
    assert values("Profit in the quarter doubled.") == [("the quarter", "2023-Q4")]


def test_the_previous_quarter_is_the_one_before_the_story_s():
    text = "Profit in the first quarter of 2023 beat the previous quarter's."
    assert values(text) == [
        ("the first quarter of 2023", "2023-Q1"),
        ("the previous quarter", "2022-Q4"),
    ]
    assert values("Profit beat the prior quarter's.") == [("the prior quarter", "2023-Q3")]


def test_a_year_earlier_is_a_year():
    assert ("a year earlier", "2022") in values(
        "The shop opened on May 3, 2023; its rival had opened a year earlier."
    )


def test_the_weekend_is_a_weekend_of_an_iso_week():
    assert only("The shops were busy over the weekend.").value == "2024-W10-WE"
    assert only("The fair runs next weekend.").value == "2024-W12-WE"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The lighthouse is checked daily.", "P1D"),
        ("The club meets every week.", "P1W"),
        ("The ferry sails twice a week.", "P1W"),
        ("The mill loses $3 million per year.", "P1Y"),
        # a day of every week, a month of every year
        ("The market opens each Thursday.", "XXXX-WXX-4"),
        ("The parade passes every July.", "XXXX-07"),
    ],
)
def test_repeated_times_are_sets(text: str, value: str):
    found = only(text)
    assert (found.value, found.type) == (value, TimexType.SET)


def test_loose_references_and_decades_never_become_proposals():
    text = (
        "The two ministers will soon hold a summit, and talks are currently planned. "
        "A treaty summit was last held in the 1990s."
    )
    extraction = extract(text, THURSDAY)
    assert {m.value for m in extraction.mentions} >= {"FUTURE_REF", "PRESENT_REF", "199"}
    assert all(p.due is None for p in extraction.proposals)


@pytest.mark.parametrize(
    "text",
    [
        "now " * 20_000,
        "9:" * 20_000,
        "the '" * 20_000,
        "1990s " * 10_000,
        "the the quarter " * 10_000,
        "Monday at " * 10_000,
        "nineteen ninety " * 10_000,
        "the year two thousand and " * 10_000,
    ],
)
def test_long_runs_of_the_new_trigger_words_take_linear_time(text: str):
    started = time.perf_counter()
    extract(text, THURSDAY)
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("The pier took three years to rebuild.", "three years", "P3Y"),
        ("The lease runs for five years.", "five years", "P5Y"),
        ("Work finished a year earlier than planned.", "a year", "P1Y"),
        ("Crews drew up a ten-year plan.", "ten-year", "P10Y"),
        ("The ferry crossing takes five hours.", "five hours", "PT5H"),
        ("After a 14-hour flight the team landed.", "14-hour", "PT14H"),
        ("The minister spoke for 2 1/2 hours.", "2 1/2 hours", "PT2H30M"),
        ("The vote was delayed by half an hour.", "half an hour", "PT30M"),
        ("The hearing paused for a few minutes.", "a few minutes", "PTXM"),
    ],
)
def test_lengths_said_in_passing_are_durations_that_date_nothing(text: str, said: str, value: str):
    found = only(text)
    assert (found.text, found.value, found.type) == (said, value, TimexType.DURATION)
    assert extract(f"The two ministers agreed a treaty. {text}", THURSDAY).proposals == []


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        # a fortnight is two weeks, whichever way it is counted
        ("The ferry returns in a fortnight.", "in a fortnight", "2024-W13"),
        ("The pier reopened a fortnight ago.", "a fortnight ago", "2024-W09"),
        ("The harbour was shut for three fortnights.", "three fortnights", "P6W"),
    ],
)
def test_a_fortnight_is_two_weeks(text: str, said: str, value: str):
    found = only(text)
    assert (found.text, found.value) == (said, value)
