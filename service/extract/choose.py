"""Which year a date without one belongs to: the tense decides, else the nearest wins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from service.domain.proposals import Tense
from service.extract.grammar import YearLess
from service.extract.units import Timex

_CLOSE, _CLOSE_AHEAD, _FAR = 31, 62, 180  # days from publication


def year_less(
    make: Callable[[int], Timex | None],
    published: date,
    tense: Tense | None,
    *,
    told: Tense | None = None,
) -> YearLess | None:
    """A date said without its year, which its sentence may yet date (see `YearLess`)."""
    alone = in_year(make, published, tense, told=told)
    return None if alone is None else YearLess(make, alone, tense)


def in_year(
    make: Callable[[int], Timex | None],
    published: date,
    tense: Tense | None,
    *,
    told: Tense | None = None,
) -> Timex | None:
    """The unit `make` builds for the year the text most likely means.

    "In March" in a past-tense sentence is the last March that began by publication; in a
    future one the next March that has not ended; with no verb to go by, the nearest. A date
    within a month of publication (two months, ahead of it) wins over one most of a year
    away, whatever the verb: news seldom names a day a year off without its year, while a
    date coming soon often goes without one, and the verb may belong to another clause.
    Not so when the past verb is `told` of the date itself ("the treaty lapsed in February"):
    then the tense decides.
    """
    candidates = [
        found for year in range(published.year - 1, published.year + 2) if (found := make(year))
    ]
    if not candidates:
        return None
    nearest = min(candidates, key=lambda found: distance(found, published))
    tense = tense or told  # "sanctions expire on July 31": no other verb to go by
    by_tense = of_tense(candidates, published, tense)
    if by_tense is None:
        return nearest
    if told is not None and told is tense:
        return by_tense
    close = _CLOSE_AHEAD if nearest.earliest > published else _CLOSE
    if distance(nearest, published) <= close and distance(by_tense, published) > _FAR:
        return nearest  # "a debate planned for Oct. 15 was cancelled", a week before
    return by_tense


def of_tense(candidates: list[Timex], published: date, tense: Tense | None) -> Timex | None:
    """Of candidates in order, the last begun by publication for the past, the first not yet
    over for the future; None with no tense, or none that fits."""
    started = [found for found in candidates if found.earliest <= published]
    open_ = [found for found in candidates if found.latest >= published]
    if tense is Tense.PAST and started:
        return started[-1]
    if tense is Tense.FUTURE and open_:
        return open_[0]
    return None


def distance(found: Timex, published: date) -> int:
    """Days from publication to the window; zero when the window holds it."""
    if found.earliest <= published <= found.latest:
        return 0
    return min(abs((found.earliest - published).days), abs((found.latest - published).days))
