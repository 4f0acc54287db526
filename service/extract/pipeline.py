"""News text in, dated mentions and proposed commitments out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from service.domain import Commitment, Source
from service.domain.proposals import Extraction, Mention, Tense
from service.extract.article import Article
from service.extract.matching import deduplicated, known_match
from service.extract.proposals import propose
from service.extract.sentences import Sentences
from service.extract.tagger import Tagged, tag


def extract(
    text: str,
    published: date,
    *,
    url: str | None = None,
    title: str | None = None,
    known: Sequence[Commitment] = (),
) -> Extraction:
    """Every dated mention in `text`, resolved against `published`, and the commitments worth
    proposing from them; a proposal that repeats one of `known` names it in `matches`."""
    sentences = Sentences(text)
    tagged = tag(text, published, sentences)
    mentions = [_mention(text, item, published, sentences) for item in tagged]
    article = Article(text, published, sentences, tagged, _source(url, title, published))
    proposals = [
        proposal.model_copy(update={"matches": known_match(proposal, known)})
        for proposal in deduplicated(propose(article))
    ]
    return Extraction(mentions=mentions, proposals=proposals)


def _source(url: str | None, title: str | None, published: date) -> Source:
    """The article as a source; one with neither url nor title is named by its date."""
    named = title or (None if url else f"News report published {published.isoformat()}")
    return Source(url=url, title=named, published=published)


def _mention(text: str, item: Tagged, published: date, sentences: Sentences) -> Mention:
    timex = item.timex
    return Mention(
        text=text[item.start : item.end],
        start=item.start,
        end=item.end,
        value=timex.value,
        type=timex.type,
        precision=timex.precision,
        mod=timex.mod,
        earliest=timex.earliest,
        latest=timex.latest,
        tense=_tense(timex.earliest, timex.latest, published),
        sentence=sentences.at(item.start).text,
    )


def _tense(earliest: date, latest: date, published: date) -> Tense:
    """Past or future when the whole window lies on one side of publication."""
    if latest < published:
        return Tense.PAST
    if earliest > published:
        return Tense.FUTURE
    return Tense.PRESENT
