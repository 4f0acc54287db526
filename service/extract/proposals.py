"""Proposed commitments: each dated mention that attaches to an event, and each undecided
event the text names without a date ("another meeting ... nothing had been decided").

The status follows the calendar first (a past window occurred), then the text (tentative where
it hedges), then the verb for a window that holds the publication day. `confidence` is a rule
score, not a calibrated probability: it rises with a close cue, named parties and a stated
day, and falls for hedged or undated events, so that proposals can be ranked or accepted
above a stated threshold.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial

from service.domain import Due, Kind, Precision, Status
from service.domain.proposals import Proposal, Tense, TimexType
from service.extract.actors import Actor, parties_of, place_before, place_of
from service.extract.article import Article
from service.extract.attach import Pair, attach, months_in_a_range
from service.extract.datelines import in_dateline
from service.extract.events import (
    Cue,
    cancelled,
    deputised,
    drafted,
    hedged,
    no_date_set,
    relative_clause,
    required_by_a_bill,
)
from service.extract.headings import headed, main_cue
from service.extract.lengths import (
    anchors_of_lengths,
    last_day_after,
    length_cues,
    length_name,
    stated_ends,
    superseded,
)
from service.extract.sentences import Sentence
from service.extract.tagger import Tagged
from service.extract.titles import Scene, title_for
from service.extract.units import Timex, covering, event_window
from service.extract.who import (
    bodies_named_before,
    borrowed_actors,
    clause_actors,
    parties_for,
    treaty_for,
    with_both_sides,
)

_DUE_FORM = re.compile(r"^\d{4}(?:-Q[1-4]|-W\d\d|-\d\d(?:-\d\d)?)?$")
_ANAPHORIC = re.compile(r"\b(?:that|this|the\s+same|the)\s+$")  # "the talks": known ones
_PAST_BEFORE_CUE = re.compile(r"\b(?:held|had|last|was|were|previous|earlier)\s+(?:\w+\s+)?$")
_SUMMIT_LABELS = frozenset({"meeting", "talks"})
_LEADERS_TOGETHER = re.compile(
    r"\b(?i:presidents|leaders|heads\s+of\s+state|prime\s+ministers)\b|\bEuropean\s+Council\b"
)
_JOINED = re.compile(r";|,\s+(?:and|but|while|whereas)\s")
"""Where one clause of a sentence ends and another, with a subject of its own, begins."""
_VOTES_ON = re.compile(r"votes?\s+(?:on|in)\s+(?=[A-Z\d])")
_RESTATED = re.compile(r"(?:,\s+(?i:a|an|the)\s+|\s+for\s+(?:(?i:a|an|the)\s+)?)(?:[\w-]+\s+){0,2}")
"""A cue just after the date names the event the clause before it dates: "met in Anchorage on
August 15, a summit that ...", "will meet in The Hague on June 24 for a summit", "will host
... in Berlin on Monday for talks"; its place is told there."""
_UNDATED_KINDS = frozenset({Kind.SUMMIT, Kind.MEETING, Kind.CONFERENCE})
_LONGEST_EVENT_DAYS = 90


def propose(article: Article) -> list[Proposal]:
    """Every proposal the article supports, in text order, before deduplication."""
    consumed = anchors_of_lengths(article)
    found: list[tuple[Proposal, str | None]] = []
    for number, sentence in enumerate(article.sentences.items):
        first = bisect.bisect_left(article.tagged, sentence.start, key=lambda t: t.start)
        last = bisect.bisect_left(article.tagged, sentence.end, key=lambda t: t.start)
        items = [
            (i, article.tagged[i])
            for i in range(first, last)
            if i not in consumed and _may_date(article, article.tagged[i])
        ]
        heading = headed(article).get(number)
        if heading is not None and _may_date(article, article.tagged[heading]):
            cues = article.cues(sentence)  # a diary's item, dated by the day it is listed under
            cue = main_cue(cues)
            pairs = [] if cue is None else [Pair(heading, cue, 0)]
        else:
            cues = article.cues(sentence) + length_cues(article, items)
            pairs = attach(article.text, sentence, items, cues, article.published, article.words)
        made = [
            (p, pair.role) for pair in pairs if (p := _dated(article, number, pair)) is not None
        ]
        if not made and (undated := _undated(article, number, cues)) is not None:
            made.append((undated, None))
        ranged = _in_a_row(made, partial(_month_range_of, article.text, article.tagged))
        found.extend(_lasting(article, sentence, _in_a_row(ranged, _next_day_of)))
    return _opened_and_closed(found)


def _may_date(article: Article, tagged: Tagged) -> bool:
    """Whether a mention may date an event: not a vague one ("recently"), not the day a story
    was filed, not a length since replaced ("an earlier 50-day deadline")."""
    return (
        tagged.timex.proposable
        and not in_dateline(article.datelines, tagged.start, tagged.end)
        and not superseded(article, tagged)
    )


def _lasting(
    article: Article, sentence: Sentence, made: list[tuple[Proposal, str | None]]
) -> list[tuple[Proposal, str | None]]:
    """An event that opens on a day and "runs for four weeks" ends when those weeks do."""
    lasting = []
    for proposal, role in made:
        due, opening = proposal.due, proposal.mention
        if (
            role == "start"
            and proposal.end is None
            and opening is not None
            and due is not None
            and due.precision is Precision.DAY
            and (last := last_day_after(article, sentence, opening))
        ):
            proposal = _closed_by(proposal, Due(value=last.isoformat()))
        lasting.append((proposal, role))
    return lasting


def _in_a_row(
    made: list[tuple[Proposal, str | None]], continues: Callable[[Proposal, Proposal], bool]
) -> list[tuple[Proposal, str | None]]:
    """One event over the days a sentence lists in a row ("will meet in Brussels on Thursday
    and Friday"), or over the months it gives as a range: the first, ending on the last, where
    `continues` says the next is more of the same. Days apart stay apart events."""
    merged: list[tuple[Proposal, str | None]] = []
    for proposal, role in made:
        if merged and continues(merged[-1][0], proposal):
            first, first_role = merged[-1]
            merged[-1] = (_closed_by(first, proposal.end or proposal.due), first_role)
            continue
        merged.append((proposal, role))
    return merged


def _month_range_of(text: str, tagged: Sequence[Tagged], before: Proposal, after: Proposal) -> bool:
    """Whether `after` ends the event `before` opens: "talks between April and June"."""
    if before.mention is None or after.mention is None or before.end is not None:
        return False
    alike = (before.kind, before.title) == (after.kind, after.title)
    return alike and months_in_a_range(text, tagged[before.mention], tagged[after.mention])


def _next_day_of(before: Proposal, after: Proposal) -> bool:
    """Whether `after` is the same event as `before`, from the day after it ends
    ("13, 14 and 15 October": 13 October, then 14 to 15 October)."""
    last = before.end or before.due
    if last is None or after.due is None:
        return False
    days = (last.precision, after.due.precision) == (Precision.DAY, Precision.DAY)
    # "meet in Brussels on Thursday and Friday for a summit": one day may name the place
    titled = before.title == after.title or before.title.startswith(f"{after.title} in ")
    alike = titled and (before.kind, before.status) == (after.kind, after.status)
    return days and alike and after.due.first_day == last.last_day + timedelta(1)


def _opened_and_closed(found: list[tuple[Proposal, str | None]]) -> list[Proposal]:
    """One event from "the session opened on April 28" and "... closed on Friday": the first
    closing, in text order, of the same kind within `_LONGEST_EVENT_DAYS` after the opening
    (unless an earlier opening took it already)."""
    proposals: list[Proposal | None] = [proposal for proposal, _ in found]
    closing_at: dict[tuple[Kind, date], int] = {}
    for position, (closing, role) in enumerate(found):
        if role == "end" and closing.due is not None:
            closing_at.setdefault((closing.kind, closing.due.first_day), position)
    for position, (opened, role) in enumerate(found):
        if role != "start" or opened.due is None:
            continue
        after = (opened.due.last_day + timedelta(n) for n in range(1, _LONGEST_EVENT_DAYS + 1))
        at = min(closing_at.get((opened.kind, day), len(found)) for day in after)
        if at < len(found) and proposals[at] is not None:
            proposals[position] = _closed_by(opened, found[at][0].due)
            proposals[at] = None
    return [proposal for proposal in proposals if proposal is not None]


def _closed_by(opened: Proposal, end: Due | None) -> Proposal:
    """The opened event with `end` as its end; still on if that is to come."""
    update: dict[str, object] = {"end": end}
    published = opened.source.published
    on = end is not None and published is not None and end.last_day > published
    if on and opened.status is Status.OCCURRED:
        update["status"] = Status.SCHEDULED
    return opened.model_copy(update=update)


def _dated(article: Article, number: int, pair: Pair) -> Proposal | None:
    sentence = article.sentences.items[number]
    tagged = article.tagged[pair.mention]
    actors = with_both_sides(article, number, pair.cue, clause_actors(article, sentence, pair.cue))
    kind = _kind(article, number, pair.cue, actors)
    due, end = _due(tagged.timex, kind)
    counted_from_nothing = tagged.anchor is None and tagged.timex.type is TimexType.DURATION
    if counted_from_nothing and (
        article.once(("no date set", number), lambda: no_date_set(sentence.text))
        or required_by_a_bill(sentence.text, tagged.start - sentence.start)
    ):
        due = None  # "a three-month truce, but no date has been set for it to begin"
    if pair.cue.label == "length" and (said := stated_ends(article).get(pair.mention)):
        due = _as_stated(due, article.tagged[said].timex, kind)
    status = _status(article, number, tagged, (due, end), kind, pair.cue)
    if due is None and status is not Status.TENTATIVE:
        return None
    named_length = pair.cue.label == "length" and tagged.timex.mod is None
    length = length_name(article, tagged) if named_length else None
    parties, from_context = parties_for(article, number, pair.cue, kind, actors)
    named = actors
    if pair.cue.label == "vote" and from_context:
        parties, from_context = (), False  # who votes is said where it votes, or not at all
    elif all(actor.venue for actor in actors):  # none, or only where: "to meet in Abu Dhabi"
        named += tuple(a for a in borrowed_actors(article, number, pair.cue) if not a.person)
    elif kind is Kind.CONFERENCE and (
        bodies := bodies_named_before(article, number, pair.cue, actors)
    ):
        named = (*bodies, *actors)  # "the forum, which ends on Saturday": the APEC forum
        parties, from_context = parties_of(bodies), True
    scene = _scene(article, sentence, pair.cue, kind, named, parties, length, tagged)
    return Proposal(
        kind=kind,
        title=title_for(scene),
        parties=parties,
        due=due,
        end=end,
        status=status,
        quote=sentence.text,
        source=article.source,
        mention=pair.mention,
        confidence=_confidence(pair.gap, parties, tagged.timex, status, from_context),
    )


def _undated(article: Article, number: int, cues: Sequence[Cue]) -> Proposal | None:
    """A meeting or summit the sentence names as undecided, with no date at all."""
    sentence = article.sentences.items[number]
    actors = article.actors_between(sentence.start, sentence.end)
    prospective = [c for c in cues if _prospective(article.text, c)]
    cue = prospective[0] if prospective else None
    if cue is None or not actors:
        return None
    off = cancelled(article.text, cue.start, cue.end)
    if not (off or hedged(sentence.text)):
        return None
    kind = _kind(article, number, cue, actors)
    parties = parties_of(actors)
    return Proposal(
        kind=kind,
        title=title_for(_scene(article, sentence, cue, kind, actors, parties, None)),
        parties=parties,
        status=Status.CANCELLED if off else Status.TENTATIVE,
        quote=sentence.text,
        source=article.source,
        confidence=0.35,
    )


def _prospective(text: str, cue: Cue) -> bool:
    """A meeting still to come (or called off): not "met", not "last held summit talks", not
    "that meeting", which the text has already dated."""
    if cue.kind not in _UNDATED_KINDS or cue.label in ("vote", "visit", "phone call"):
        return False
    if text[cue.start : cue.end].lower() == "met":
        return False
    before = text[max(cue.start - 30, 0) : cue.start]
    if _ANAPHORIC.search(before):
        return False
    return not _PAST_BEFORE_CUE.search(before) or cancelled(text, cue.start, cue.end)


def _kind(article: Article, number: int, cue: Cue, actors: Sequence[Actor]) -> Kind:
    """The cue's kind; a meeting between two countries' leaders is a summit, and a country
    that votes on a day holds an election ("Latvia votes on October 3")."""
    if cue.label == "vote" and _votes_on_a_day(article.text, cue, actors):
        return Kind.ELECTION
    if cue.kind is not Kind.MEETING or cue.label not in _SUMMIT_LABELS:
        return cue.kind
    if deputised(article.text, cue.start):
        return cue.kind  # "agreed that their aides would meet next week": not the leaders
    leaders = {actor.party for actor in actors if actor.leader}
    if len(leaders) >= 2 or _leaders_together(article, number, cue):
        return Kind.SUMMIT
    return cue.kind


def _votes_on_a_day(text: str, cue: Cue, actors: Sequence[Actor]) -> bool:
    """ "Hungary votes on April 12", "Americans vote on Tuesday": a country, just before, that
    votes on a date just after (not "votes on the resolution", nor a council or a person)."""
    if not _VOTES_ON.match(text, cue.start):
        return False
    return any(
        actor.end + 1 == cue.start and actor.country and not actor.person for actor in actors
    )


def _leaders_together(article: Article, number: int, cue: Cue) -> bool:
    """Whether the cue's clause says leaders meet ("European leaders will discuss it at a
    summit" does not make "officials met in Geneva, and ..." a summit)."""
    sentence = article.sentences.items[number]
    text = sentence.text
    joins = article.once(("joins", number), lambda: [m.span() for m in _JOINED.finditer(text)])
    at = bisect.bisect_right(joins, cue.start - sentence.start, key=_end)
    start = joins[at - 1][1] if at else 0  # the joins are found once a sentence, not a cue
    end = joins[at][0] if at < len(joins) else len(text)
    return article.once(
        ("leaders", number, start), lambda: bool(_LEADERS_TOGETHER.search(text, start, end))
    )


def _end(span: tuple[int, int]) -> int:
    return span[1]


def _status(
    article: Article,
    number: int,
    tagged: Tagged,
    when: tuple[Due | None, Due | None],
    kind: Kind,
    cue: Cue,
) -> Status:
    """Occurred for a past window, tentative where the text hedges, else by the verb; an
    event that began but ends after the day of publication ("runs until March 27") is still on."""
    published = article.published
    due, end = when
    earliest = due.first_day if due else tagged.timex.earliest
    if due and tagged.timex.type is TimexType.DATE:
        earliest = max(earliest, tagged.timex.earliest)  # "late December": from the 21st
    latest = due.last_day if due else tagged.timex.latest
    still_on = end is not None and end.last_day > published
    sentences = article.sentences.items
    if cancelled(article.text, cue.start, cue.end):
        return Status.CANCELLED
    if latest < published and not still_on:
        return Status.OCCURRED
    following = sentences[number + 1].text if number + 1 < len(sentences) else ""
    sentence = sentences[number]
    clause = relative_clause(sentence.text, tagged.start - sentence.start)
    if drafted(sentence.text, tagged.start - sentence.start):
        return Status.TENTATIVE
    if article.once(
        ("hedged", number, clause, kind),
        lambda: hedged(sentence.text, following, clause, kind=kind),
    ):
        return Status.TENTATIVE
    if still_on or _counted_forward(tagged, published):
        return Status.SCHEDULED
    if earliest <= published and _verb_is_past(article, tagged):
        return Status.OCCURRED
    return Status.SCHEDULED


def _counted_forward(tagged: Tagged, published: date) -> bool:
    """ "Said on Saturday he expected talks within ten days", read on Monday: a length laid
    forward, from a day behind us or from publication, dates what was still ahead when it was
    said, whatever the verb of saying ("the past two weeks" ends on publication, not after)."""
    return tagged.timex.type is TimexType.DURATION and tagged.timex.latest > published


def _verb_is_past(article: Article, tagged: Tagged) -> bool:
    return article.sentences.tense_at(tagged.start, tagged.end) is Tense.PAST


def _as_stated(counted: Due | None, stated: Timex, kind: Kind) -> Due | None:
    """The day a length runs out as counted, if the end the text states holds it (a count to
    January 26 of a ceasefire that "expires in January"); else the stated end."""
    if counted is not None and stated.earliest <= counted.first_day <= stated.latest:
        return counted
    if "/" in stated.value:
        return Due(value=stated.latest.isoformat())  # a stated range ends on its last day
    return _due(stated, kind)[0]


_DUE_BY_THE_END = frozenset({Kind.DEADLINE, Kind.REPORT})
"""Kinds a length is the time for: a report "within 90 days" is due when they run out."""


def _due(timex: Timex, kind: Kind) -> tuple[Due | None, Due | None]:
    """The due (and end, for a stated range) a mention gives a commitment of `kind`."""
    if timex.type is TimexType.DURATION:
        if kind in _DUE_BY_THE_END and "X" not in timex.value:
            return Due(value=timex.latest.isoformat()), None  # the day the length runs out
        value = covering(*event_window(timex))
        return (Due(value=value) if value else None), None
    if "/" in timex.value and timex.mod is None:
        first, last = timex.value.split("/")
        return Due(value=first), Due(value=last)
    if "/" in timex.value or not _DUE_FORM.match(timex.value):
        value = covering(timex.earliest, timex.latest)  # "a few days earlier", "2026-H1"
        return (Due(value=value) if value else None), None
    return Due(value=timex.value), None


def _scene(
    article: Article,
    sentence: Sentence,
    cue: Cue,
    kind: Kind,
    actors: tuple[Actor, ...],
    parties: tuple[str, ...],
    length: str | None,
    dated: Tagged | None = None,
) -> Scene:
    treaty = treaty_for(article, article.sentences.index_at(sentence.start), cue)
    place = place_of(article.text, cue.start, sentence.end)
    if (
        place is None
        and dated is not None
        and _RESTATED.fullmatch(article.text, dated.end, cue.start)
    ):
        place = place_before(article.text, sentence.start, dated.start)
    name = treaty.name if treaty else None
    return Scene(
        article.text, sentence.text, cue, kind, actors, name, place, parties, length, sentence.start
    )


def _confidence(
    gap: int, parties: tuple[str, ...], timex: Timex, status: Status, from_context: bool
) -> float:
    score = 0.5
    score += 0.2 if gap <= 2 else 0.1 if gap <= 6 else 0.0
    score += 0.1 if parties and not from_context else 0.0
    score += 0.1 if timex.precision is Precision.DAY and timex.mod is None else 0.0
    score -= 0.15 if status is Status.TENTATIVE else 0.0
    return round(min(max(score, 0.05), 0.95), 2)
