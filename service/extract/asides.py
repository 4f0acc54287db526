"""Asides: a short stretch between commas with no verb in it (", the first in years,").

The sentence reads through one as if it were not there: "The meeting, the first in years, was
held in Geneva on Tuesday" dates and places the meeting as "The meeting was held in Geneva on
Tuesday" does. A stretch with a verb (", which opened in May,") is a clause, and is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.extract.tense import has_verb

_BETWEEN_COMMAS = re.compile(r",\s[^,;.]{1,40},")


def asides(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The spans of the asides in text[start:end], each from its first comma to its last."""
    for found in _BETWEEN_COMMAS.finditer(text, start, end):
        if not has_verb(found.group()):
            yield found.start(), found.end()


def read_through(text: str, start: int, end: int) -> str:
    """text[start:end] with its asides left out."""
    kept, at = [], start
    for first, last in asides(text, start, end):
        kept.append(text[at:first])
        at = last
    kept.append(text[at:end])
    return "".join(kept)
