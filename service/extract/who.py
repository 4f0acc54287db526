"""Who a proposal is about, and which treaty: the names in the cue's clause, the country
whose election it is, the parties of the treaty in question, or the sentences just before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from service.domain import Kind
from service.extract.actors import SEATS, Actor, parties_of
from service.extract.article import Article
from service.extract.events import A_TRUCE, NAMED_TREATY, Cue, Treaty
from service.extract.lexicon import OTHER_CLAUSE, REPORTING
from service.extract.sentences import Sentence

_ELECTION_AFTER = re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?i:elections?|midterms?|polls?)\b")
_IN_AFTER_ELECTION = re.compile(r"(?i:\belections?\s+in\s+(?:the\s+)?)$")
_CONTEXT_SENTENCES = 2
_PAIR_SENTENCES = 4  # sentences back that "the two countries" may point to a pair in
_JOINED_PAIR = re.compile(r"\s+and\s+(?:the\s+)?")
_OF_A_TREATY = re.compile(
    r"(?i:\b(?:treaty|treaties|pact|accord|agreement|deal|convention|review\s+conference|"
    r"preparatory\s+committee|prepcom|"
    r"withdraw\w*|expir\w*|extend\w*|extension|signed|in\s+force|snapback|sanctions)\b)"
)
_ASIDE_AFTER = re.compile(OTHER_CLAUSE)
"""A clause after the event's names no one who takes part in it: "..., as a deadline set by
President Trump approaches"."""
_TOLD_AFTER = re.compile(rf",\s+(?:[\w.\u2019'-]+\s+){{1,5}}?(?:{REPORTING})\b")
"""Who tells of a gathering after it takes no part in it by telling: "Ukraine and Russia will
hold talks on Wednesday, President Zelensky said"; nor in a truce, often told by whoever
brokered it. Whoever tells of a deadline has usually set it."""
_TOLD = re.compile(r"\b(?:said|says|told\s+\w+)\b")
_COMES_AFTER = re.compile(r"\s(?:comes?|came)\s+(?:[\w-]+\s+){0,2}?(?:after|before)\s")
"""A gathering set beside another event: "The board's meeting ... comes three months after
Britain, France and Germany triggered the snapback" names no one who takes part in it."""
_BOTH_SIDES = re.compile(
    r"\b(?i:both\s+(?:sides|countries|leaders|governments|parties)|the\s+two\s+(?:sides|"
    r"countries|leaders|governments|nations|presidents|neighbou?rs))\b"
)
_THE_BEFORE = re.compile(r"\b(?i:the)\s+$")
_SIDELINES = re.compile(r"\s(?:on|at)\s+the\s+(?:sidelines|margins)\s+of\s")
"""A gathering held beside another: "will meet Xi on the sidelines of the APEC summit" is not
APEC's."""
_UNNAMED_GROUP = re.compile(
    r"\b(?:European|Western|Arab|Gulf|Nordic|Baltic|African|Asian|Latin\s+American|world|"
    r"regional|allied)\s+(?:leaders|countries|states|governments|ministers|officials|nations|"
    r"allies|powers|diplomats)\b"
)
_GROUP_REACH = 200  # characters before a cue that its subject, a group, is looked for in
_GATHERINGS = frozenset({Kind.MEETING, Kind.SUMMIT, Kind.CONFERENCE})
_NAMES_AROUND = 24  # names either side of a cue; a sentence of news holds far fewer


def clause_actors(article: Article, sentence: Sentence, cue: Cue) -> tuple[Actor, ...]:
    """The names in the cue's clause ("Russia signed it in 1996; the United States signed it
    in 1996"), or in the whole sentence when the clause names none; those around the cue."""
    text = article.text
    start = text.rfind(";", sentence.start, cue.start) + 1 or sentence.start
    end = text.find(";", cue.end, sentence.end)
    aside = _ASIDE_AFTER.search(text, cue.end, sentence.end if end < 0 else end)
    last = aside.start() if aside else sentence.end  # where names of the whole sentence stop
    if cue.kind in _GATHERINGS or cue.label == "ceasefire agreed":
        stop = aside.start() if aside else (sentence.end if end < 0 else end)
        beside = (
            found.search(text, cue.end, stop) for found in (_TOLD_AFTER, _SIDELINES, _COMES_AFTER)
        )
        told = min(filter(None, beside), key=lambda match: match.start(), default=None)
        if told is not None:  # the teller is no party, even alone
            aside, last = told, told.start()
    end = aside.start() if aside else end
    if cue.kind in _GATHERINGS:
        start = _after_the_teller(article, start, cue)
    clause = article.actors_near(start, sentence.end if end < 0 else end, cue.start, _NAMES_AROUND)
    return clause or article.actors_near(sentence.start, last, cue.start, _NAMES_AROUND)


def with_both_sides(
    article: Article, number: int, cue: Cue, actors: tuple[Actor, ...]
) -> tuple[Actor, ...]:
    """The actors, and the first two sides the sentences before named when the cue's own
    clause speaks of "both sides" or "the two leaders" but names fewer than two parties
    ("Both sides are expected to sign the treaty next year"); a seat of government (the
    White House) is no side."""
    sentence = article.sentences.items[number]
    said = list(_BOTH_SIDES.finditer(article.text, sentence.start, cue.start))
    if not said or "," in article.text[said[-1].end() : cue.start] or len(parties_of(actors)) > 1:
        return actors
    if paired := _first_pair(article, number):
        return (*paired, *actors)
    sides = [a for a in context_actors(article, number) if a.name not in SEATS]
    two = set(parties_of(sides)[:2])  # the first two named, not every one told of
    return (*(a for a in sides if a.party in two), *actors)


def _first_pair(article: Article, number: int) -> tuple[Actor, Actor] | None:
    """The first two countries the sentences just before named together ("Japan and the
    Philippines signed ..."), which "the two countries" then means, whatever others were named
    since ("after similar deals with Canada and Mexico")."""
    for before in article.sentences.items[max(number - _PAIR_SENTENCES, 0) : number]:
        named = article.actors_near(before.start, before.end, before.start, _NAMES_AROUND)
        countries = [actor for actor in named if actor.country and actor.name not in SEATS]
        for first, second in pairwise(countries):
            joined = _JOINED_PAIR.fullmatch(article.text, first.end, second.start)
            if joined and first.party != second.party:
                return first, second
    return None


def bodies_named_before(
    article: Article, number: int, cue: Cue, actors: tuple[Actor, ...]
) -> tuple[Actor, ...]:
    """The organisations the sentences before named, for a gathering called "the forum" whose
    own names hold none ("the forum, which ends on Saturday", after "the Asia-Pacific
    Economic Cooperation forum")."""
    if not _THE_BEFORE.search(article.text, max(cue.start - 5, 0), cue.start):
        return ()
    if any(not actor.country for actor in actors):
        return ()
    return tuple(a for a in context_actors(article, number) if not a.country)


def _after_the_teller(article: Article, start: int, cue: Cue) -> int:
    """Where the names of a gathering start when someone tells of it first: "Bessent said he
    expected Trump and Xi to meet" is Trump's and Xi's; but "Zelensky said he would meet
    Putin" is Zelensky's too, as it names only one side after the telling."""
    tellings = list(_TOLD.finditer(article.text, start, cue.start))
    if not tellings:
        return start
    told = tellings[-1].end()
    after = parties_of(article.actors_near(told, cue.end, cue.start, _NAMES_AROUND))
    return told if len(after) >= 2 else start


def parties_for(
    article: Article, number: int, cue: Cue, kind: Kind, actors: tuple[Actor, ...]
) -> tuple[tuple[str, ...], bool]:
    """The parties, and whether they came from the sentences before rather than this one."""
    if kind is Kind.ELECTION:
        country = _election_country(article.text, cue, actors)
        countries = parties_of([actor for actor in actors if actor.country])
        return ((country,) if country else countries), False
    treaty = _treaty_parties(article, number, cue) if kind.value.startswith("treaty") else ()
    named = tuple(dict.fromkeys((*parties_of(actors), *treaty)))
    if named:
        return named, False
    return parties_of(borrowed_actors(article, number, cue)), True


def _election_country(text: str, cue: Cue, actors: Sequence[Actor]) -> str | None:
    """The country whose election it is: "the American election", "elections in Iran";
    failing that, the country of another election named in the same sentence."""
    actors = [a for a in actors if a.country]  # elections are held by countries
    owners = [a for a in actors if _ELECTION_AFTER.match(text, a.end)]
    owners += [a for a in actors if _IN_AFTER_ELECTION.search(text[max(a.start - 30, 0) : a.start])]
    nearest = min(owners, key=lambda actor: abs(actor.start - cue.start), default=None)
    return nearest.party if nearest else None


def _treaty_parties(article: Article, number: int, cue: Cue) -> tuple[str, ...]:
    treaty = treaty_for(article, number, cue)
    return treaty.parties if treaty else ()


def treaty_for(article: Article, number: int, cue: Cue) -> Treaty | None:
    """The treaty named nearest the cue in its sentence, or else, for an event that belongs to
    a treaty, the last one named before: "The pact was signed in 1992" and "the Review
    Conference" speak of the treaty the article is about; a summit does not."""
    sentence = article.sentences.items[number]
    named = article.treaty_nearest(sentence.start, sentence.end, cue.start)
    if named is not None:
        return named
    of_a_treaty = article.once(
        ("of a treaty", number),
        lambda: bool(
            _OF_A_TREATY.search(article.text, sentence.start, sentence.end)
            and not A_TRUCE.search(article.text, sentence.start, sentence.end)  # its own
            and not NAMED_TREATY.search(article.text, sentence.start, sentence.end)
        ),
    )
    return article.treaty_before(sentence.start) if of_a_treaty else None


def borrowed_actors(article: Article, number: int, cue: Cue) -> tuple[Actor, ...]:
    """The names of the sentences before, for an event whose own sentence names no one who
    takes part; none when it names a group instead ("European leaders will gather in London
    on Monday": not the countries the story was about), or a treaty whose members meet ("The
    Biological Weapons Convention's working group meets": not the OPCW named before)."""
    sentence = article.sentences.items[number]
    if _UNNAMED_GROUP.search(
        article.text, max(sentence.start, cue.start - _GROUP_REACH), cue.start
    ):
        return ()
    if article.treaty_nearest(sentence.start, sentence.end, cue.start) is not None:
        return ()
    return context_actors(article, number)


def context_actors(article: Article, number: int) -> tuple[Actor, ...]:
    """Names in the sentences just before, for "our presidents" and the like; the last few."""
    before = article.sentences.items[max(number - _CONTEXT_SENTENCES, 0) : number]
    if not before:
        return ()
    return article.actors_near(before[0].start, before[-1].end, before[-1].end, _NAMES_AROUND)
