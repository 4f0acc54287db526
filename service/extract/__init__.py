"""News text -> dated mentions -> proposed commitments.

    extract(text, published, url=..., title=..., known=..., limits=Limits()) -> Extraction
    matched(proposals, known) -> the proposals, each naming the known commitment it repeats

Pure: the standard library, pydantic and the domain model; no clock, network or database.
What it returns (Mention, Proposal, Extraction) and the TIMEX3 value forms of mentions are
described in `service.domain.proposals`.
"""

from __future__ import annotations

from service.extract.limits import Limits
from service.extract.matching import clues, kin, matched
from service.extract.pipeline import extract

__all__ = ["Limits", "clues", "extract", "kin", "matched"]
