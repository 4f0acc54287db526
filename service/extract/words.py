"""Words counted between two offsets of a text, by binary search over its words, found once.

Several steps ask how many words stand between a date and a cue or a verb; counting them with
a fresh pass over the stretch for every pair would cost the stretch's length each time.
"""

from __future__ import annotations

import bisect
import re


class Words:
    """The runs of `pattern` in `text`, and how many of them a stretch holds."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        found = list(pattern.finditer(text))
        self._starts = [word.start() for word in found]
        self._ends = [word.end() for word in found]

    def between(self, start: int, end: int) -> int:
        """As many as `pattern.findall(text, start, end)` finds: the words that text[start:end]
        holds in part or whole (a pattern of one repeated character class, such as `\\S+`)."""
        if start >= end:
            return 0
        return bisect.bisect_left(self._starts, end) - bisect.bisect_right(self._ends, start)
