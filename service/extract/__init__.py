"""News text -> dated mentions -> proposed commitments.

    extract(text, published, url=..., title=..., known=...) -> Extraction

Pure: the standard library, pydantic and the domain model; no clock, network or database.
The TIMEX3 value forms of mentions are listed in `service.extract.models`.
"""

from __future__ import annotations

from service.extract.models import Extraction, Mention, Mod, Proposal, Tense, TimexType
from service.extract.pipeline import extract

__all__ = ["Extraction", "Mention", "Mod", "Proposal", "Tense", "TimexType", "extract"]
