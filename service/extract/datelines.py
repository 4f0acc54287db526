"""Datelines: where, and on some wires when, a story was filed ("BRUSSELS, Dec 4 (Reuters) -").

A date there is the day of filing, not the day of anything the story tells of, so it dates no
event. A dateline opens a line with a place in capitals and a comma, then a few words that
each open with a capital, a digit or a bracket (a country, the date, the agency), then a dash:
"NATO, the EU and Britain agreed on Monday - " is a sentence, for its words in lower case.
"""

from __future__ import annotations

import bisect
import re

_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\u2019-]+(?: [A-Z][A-Z.'\u2019-]+)*,"  # BRUSSELS, NEW YORK, ST. PETERSBURG
    r"(?: [A-Z\d(][\w.'\u2019()]*,?){1,6}"  # Russia, Dec. 4 (Reuters): no word in lower case
    r" [-\u2013\u2014]{1,2} ",
    re.MULTILINE,
)


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of the datelines in `text`, in order."""
    return [found.span() for found in _DATELINE.finditer(text)]


def in_dateline(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether text[start:end] lies inside one of the datelines `spans` (in order, apart):
    the last one that starts by `start`, found by bisection, not by a pass over them all."""
    at = bisect.bisect_right(spans, start, key=lambda span: span[0])
    return at > 0 and end <= spans[at - 1][1]
