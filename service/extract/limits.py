"""How much one article may yield: bounds that keep a response, and the work behind it, in
proportion to what a person can review."""

from __future__ import annotations

from dataclasses import dataclass

ELLIPSIS = "\u2026"


@dataclass(frozen=True, slots=True)
class Limits:
    """The most an extraction returns. Past a limit it returns the first ones, in text order,
    and says it was truncated; a quote longer than `max_quote_chars` ends in an ellipsis."""

    max_quote_chars: int = 1000
    max_mentions: int = 500
    max_proposals: int = 100

    def __post_init__(self) -> None:
        if min(self.max_quote_chars, self.max_mentions, self.max_proposals) < 1:
            raise ValueError(f"every limit must be at least 1: {self}")

    def quoted(self, sentence: str) -> str:
        """The sentence, cut to `max_quote_chars` with an ellipsis when it is longer."""
        if len(sentence) <= self.max_quote_chars:
            return sentence
        return sentence[: self.max_quote_chars - 1].rstrip() + ELLIPSIS
