"""News text in, dated mentions and proposed commitments out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from service.domain import Commitment, Source
from service.domain.proposals import Extraction, Mention, Proposal, Tense
from service.extract.article import Article
from service.extract.limits import Limits
from service.extract.matching import Known, deduplicated, known_match
from service.extract.proposals import propose
from service.extract.sentences import Sentences
from service.extract.tagger import Tagged, tag

_LIMITS = Limits()


def extract(
    text: str,
    published: date,
    *,
    url: str | None = None,
    title: str | None = None,
    known: Sequence[Commitment] = (),
    limits: Limits = _LIMITS,
) -> Extraction:
    """Every dated mention in `text`, resolved against `published`, and the commitments worth
    proposing from them, up to `limits`; a proposal that repeats one of `known` names it in
    `matches`. Time and memory grow in proportion to the text."""
    sentences = Sentences(text)
    tagged = tag(text, published, sentences)
    shown = tagged[: limits.max_mentions]
    mentions = [_mention(text, item, published, sentences, limits) for item in shown]
    article = Article(text, published, sentences, tagged, _source(url, title, published))
    events = deduplicated(propose(article), limits.max_proposals + 1)
    index = Known(known)
    proposals = [
        _bounded(proposal, known_match(proposal, index), limits)
        for proposal in events[: limits.max_proposals]
    ]
    truncated = len(tagged) > len(shown) or len(events) > len(proposals)
    return Extraction(mentions=mentions, proposals=proposals, truncated=truncated)


def _source(url: str | None, title: str | None, published: date) -> Source:
    """The article as a source; one with neither url nor title is named by its date."""
    named = title or (None if url else f"News report published {published.isoformat()}")
    return Source(url=url, title=named, published=published)


def _bounded(proposal: Proposal, matches: str | None, limits: Limits) -> Proposal:
    """The proposal with its match, its quote cut to the limit, and no index of a mention
    past the limit."""
    mention = proposal.mention
    shown = mention if mention is not None and mention < limits.max_mentions else None
    return proposal.model_copy(
        update={"matches": matches, "quote": limits.quoted(proposal.quote), "mention": shown}
    )


def _mention(
    text: str, item: Tagged, published: date, sentences: Sentences, limits: Limits
) -> Mention:
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
        sentence=limits.quoted(sentences.at(item.start).text),
    )


def _tense(earliest: date, latest: date, published: date) -> Tense:
    """Past or future when the whole window lies on one side of publication."""
    if latest < published:
        return Tense.PAST
    if earliest > published:
        return Tense.FUTURE
    return Tense.PRESENT
