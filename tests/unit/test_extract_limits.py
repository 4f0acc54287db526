"""Reading an article can never stall the service: bounded output, and work in proportion.

Speed itself is proved in the benchmark (tests/bench/bench_extract_scaling.py), not here: these
tests assert behaviour. Where they assert that work is in proportion to the text, they count
Python calls, which do not vary from run to run as time does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from service.extract import Limits, extract
from service.extract.sentences import LONGEST, split

PUBLISHED = date(2019, 5, 14)
MONTHS = "January February March April June July August September October November".split()


def _summits(count: int) -> str:
    """`count` sentences, each a distinct summit on its own day."""
    days = [(month, day) for month in MONTHS for day in range(1, 29)]
    return " ".join(
        f"Russia and the United States will hold a summit on {day} {month} {2020 + i // 280}."
        for i, (month, day) in enumerate((days * (count // len(days) + 1))[:count])
    )


def _calls(action: Callable[[], Any]) -> int:
    """How many Python and built-in functions `action` calls."""
    counted = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal counted
        if event in ("call", "c_call"):
            counted += 1

    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(None)
    return counted


# ---------------------------------------------------------------------------- bounded output


def test_a_long_sentence_is_quoted_up_to_the_limit_with_an_ellipsis():
    sentence = "The summit will be held on July 16 " + "and then some more talk " * 100 + "."
    found = extract(sentence, PUBLISHED)
    assert len(sentence) > 2000
    mention, proposal = found.mentions[0], found.proposals[0]
    for quote in (mention.sentence, proposal.quote):
        assert 990 < len(quote) <= 1000
        assert quote.endswith("\u2026")
        assert sentence.startswith(quote[:-1])
    shorter = extract(sentence, PUBLISHED, limits=Limits(max_quote_chars=80))
    assert len(shorter.mentions[0].sentence) <= 80 and len(shorter.proposals[0].quote) <= 80


def test_a_sentence_within_the_limit_is_quoted_whole():
    sentence = "The summit will be held on July 16."
    found = extract(sentence, PUBLISHED, limits=Limits(max_quote_chars=len(sentence)))
    assert found.mentions[0].sentence == sentence == found.proposals[0].quote


def test_mentions_and_proposals_are_capped_at_the_first_in_text_order():
    text = _summits(300)
    whole = extract(text, PUBLISHED, limits=Limits(max_mentions=10_000, max_proposals=10_000))
    capped = extract(text, PUBLISHED, limits=Limits(max_mentions=50, max_proposals=10))
    assert len(whole.mentions) == 300 and len(whole.proposals) == 300
    assert not whole.truncated
    assert capped.truncated
    assert capped.mentions == whole.mentions[:50]
    assert capped.proposals == whole.proposals[:10]


def test_a_proposal_does_not_point_at_a_mention_past_the_cap():
    text = _summits(40)
    capped = extract(text, PUBLISHED, limits=Limits(max_mentions=5, max_proposals=40))
    assert len(capped.proposals) == 40 and capped.truncated
    assert [p.mention for p in capped.proposals[:5]] == [0, 1, 2, 3, 4]
    assert all(p.mention is None for p in capped.proposals[5:])


def test_a_run_on_text_of_dates_gives_bounded_output():
    """ "on 5 May 2019, " repeated: every mention used to carry the whole text as its sentence."""
    text = "on 5 May 2019, " * 2000
    found = extract(text, PUBLISHED)
    assert len(found.mentions) == 500 and found.truncated
    assert max(len(m.sentence) for m in found.mentions) <= 1000
    assert len(found.model_dump_json()) < 500 * 1500


def test_an_ordinary_article_is_not_truncated():
    text = (
        "Presidents Trump and Putin will meet in Helsinki on July 16. New START expires in "
        "February 2021, and talks on extending it were held on Tuesday."
    )
    assert not extract(text, PUBLISHED).truncated


@pytest.mark.parametrize("field", ["max_quote_chars", "max_mentions", "max_proposals"])
def test_limits_must_allow_something(field: str):
    with pytest.raises(ValueError, match="at least 1"):
        Limits(**{field: 0})


# ---------------------------------------------------------------------------- sentences


def test_a_run_of_stops_is_one_sentence():
    assert [s.text for s in split("." * 100_000)] == ["." * LONGEST] * (100_000 // LONGEST)
    assert [s.text for s in split("Wait... What?! Yes.")] == ["Wait...", "What?!", "Yes."]


def test_text_that_runs_on_is_cut_at_spaces_into_sentences_of_bounded_length():
    text = "on 5 May 2019, " * 1000
    found = split(text)
    assert all(len(s.text) <= LONGEST for s in found)
    assert all(text[s.start : s.end] == s.text for s in found)
    assert " ".join(s.text for s in found) == text.strip()


# ---------------------------------------------------------------------------- work in proportion


@pytest.mark.parametrize(
    "unit",
    [
        "on 5 May 2019, ",  # a mention every few words, in one sentence
        "summit on 5 May 2019, ",  # and a proposal for each
        "Russia summit on 5 May 2019, ",  # and a name for each
        "the session opened on 5 May 2019, closed on 9 May 2019, ",  # openings and closings
        "the New START treaty expires on 5 Feb 2026, ",  # treaties
        "agreed by 2030 ",  # deadlines that are not the same event
        "within two weeks, ",  # lengths that cannot anchor one another
        "30 days after May 5, in May, ",  # shifts that look past dates set off by commas
        "was,Monday,",  # a verb and a weekday in one long word
        "Trump and Putin will meet in Helsinki on July 16. ",  # ordinary sentences
    ],
)
def test_work_grows_in_proportion_to_the_text(unit: str):
    def calls(size: int) -> int:
        text = (unit * (size // len(unit) + 1))[:size]
        return _calls(lambda: extract(text, PUBLISHED))

    small, large = calls(6_000), calls(24_000)
    assert large < 4.4 * small, (small, large)
