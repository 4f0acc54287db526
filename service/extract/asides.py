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
_NAME = r"[A-Z][\w.\u2019'-]*(?:\s[A-Z][\w.\u2019'-]*)?"
_NAMES_LISTED = re.compile(rf"(?:,\s{_NAME})+,?\s+and\s+{_NAME}")
"""The rest of a list of names: ", France and Germany", whose commas end no clause."""


def asides(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The spans of the asides in text[start:end], each from its first comma to its last."""
    for found in _BETWEEN_COMMAS.finditer(text, start, end):
        if not has_verb(found.group()):
            yield found.start(), found.end()


def clause_from(text: str, start: int, end: int) -> str:
    """text[start:end] up to its first comma, read through one aside that comma may open:
    "meeting, the first in years, was held in Geneva" holds "meeting was held in Geneva"; or
    through the rest of a list of names ("talks with Britain, France and Germany in Istanbul").
    One, not every: a list ("summit on 5 May, summit on 6 May, ...") is no run of asides."""
    comma = text.find(",", start, end)
    if comma < 0:
        return text[start:end]
    listed = _NAMES_LISTED.match(text, comma, end)
    if listed:  # "talks with Britain, France and Germany in Istanbul": one clause still
        after = text.find(",", listed.end(), end)
        return text[start:comma] + text[comma + 1 : end if after < 0 else after]
    aside = _BETWEEN_COMMAS.match(text, comma, end)
    if aside is None or has_verb(aside.group()):
        return text[start:comma]
    after = text.find(",", aside.end(), end)
    return text[start:comma] + text[aside.end() : end if after < 0 else after]
