"""Which event each dated mention belongs to, within its sentence.

The nearest cue within its reach wins, its priority breaking near ties; a cue after the date,
or across a comma, a verb or a conjunction, counts as further away (English puts the date
after the verb it dates: "met ... last month"; "on Saturday and withdraw" starts anew).
Patterns of news English bend that rule: a date right after a reporting verb ("announced on
Friday that ...") is when something was said, so it takes only a cue next to it; a cue that
is the object of a verb of saying or asking ("the Kremlin confirmed the summit on Saturday")
takes no past date; "the first meeting since Mr. Biden took office in January" dates the
office-taking; and a date after a verb that opens or closes something ("... closed in New York
on Friday") belongs to the subject of that verb, however far back it is. Each cue then keeps
its nearest date, and the dates listed with it ("in 2015 and 2022").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from service.extract.events import Cue
from service.extract.sentences import Sentence
from service.extract.tagger import Tagged
from service.extract.tense import has_verb
from service.extract.units import Timex, event_window

_REPORTING = (
    r"said|says|announced|announces|told|confirmed|confirms|stated|declared|warned|added|"
    r"noted|insisted|argued|claimed|wrote|tweeted|posted|disclosed|revealed|acknowledged|"
    r"indicated|suggested|urged|made\s+clear|reported|denied|welcomed|criticized|criticised"
)
_SAID_BEFORE = re.compile(rf"\b(?:{_REPORTING})(?:\s+(?:on|late|early))?\s*$")
_SAID_AFTER = re.compile(rf"^\s*(?:{_REPORTING})\b")
_GOVERNING = (
    rf"{_REPORTING}|requested|asked\s+for|demanded|called\s+for|ordered|commissioned|"
    r"proposed|floated|discussed|rejected|sought"
)
_GOVERNED_CUE = re.compile(rf"\b(?:{_GOVERNING})\s+(?:the|a|an|its|their)?\s*(?:\w+\s+)?$")
_EVENT_VERB = re.compile(
    r"\b(?:takes?|took|taking)\s+place|\b(?:be|is|are|was|were|been)\s+(?:held|due|set|"
    r"scheduled|planned|expected)|\b(?:held|scheduled|planned|set\s+for|due)\b"
)
_BOUNDARY = re.compile(
    r"\b(?:(?:to|will|would)\s+(?:open|close|end|begin|start|convene|conclude)|opens|opened|"
    r"closes|closed|ends|ended|began|begins|starts|started|concludes|concluded|convenes|"
    r"convened|wrapped\s+up|wraps\s+up)\b"
)
_CLAUSE_BREAK = re.compile(r"[,;]|\b(?:and|but|while|whereas)\b")
_OPENING = re.compile(r"open|begin|began|start|convene")
_LISTED = re.compile(r"^[\s,]*(?:(?:and|or|on|in)\b[\s,]*)*$")
_WORDS = re.compile(r"[\w\u2019'-]+")
_SINCE = re.compile(r"\bsince\b")
_FUNCTION_WORD = re.compile(r"\b(?:the|a|an|of|to|in|on|at|after|before|and|or)\b|[,;]")
_CONJUNCTION = re.compile(r"\b(?:and|but|or|while|whereas)\b|;")
_BOUNDARY_REACH = 12
_LATER_CUE = 1.5  # English puts a date after the verb it dates: "met ... last month"
_ACROSS_COMMA = 2.5
_ACROSS_VERB = 3.0  # "the meeting had been floated last Thursday": the date is the verb's
_ACROSS_CONJUNCTION = 10.0  # "on Saturday and withdraw ...": a new verb phrase


@dataclass(frozen=True, slots=True)
class Pair:
    """A mention (by index) and the event cue it dates, with the words between them; `role`
    says whether the date opens ("start") or closes ("end") the event, when the verb says."""

    mention: int
    cue: Cue
    gap: int
    role: str | None = None


def attach(
    text: str,
    sentence: Sentence,
    items: Sequence[tuple[int, Tagged]],
    cues: Sequence[Cue],
    published: date,
) -> list[Pair]:
    """The (mention, cue) pairs of one sentence, at most one event per mention."""
    best = [
        pair
        for index, tagged in items
        if (pair := _best(text, sentence, index, tagged, cues, published)) is not None
    ]
    return _one_date_each(text, best, dict(items))


def _best(
    text: str,
    sentence: Sentence,
    index: int,
    tagged: Tagged,
    cues: Sequence[Cue],
    published: date,
) -> Pair | None:
    """The cue that most likely owns this date, if any is within reach."""
    boundary = _subject_of_boundary(text, sentence, tagged, cues)
    if boundary is not None:
        return Pair(index, boundary[0], 1, boundary[1])
    said = _said_at(text, sentence, tagged)
    future = tagged.timex.earliest > published
    scored = []
    for cue in cues:
        gap = _gap(text, tagged, cue)
        if gap > (min(cue.reach, 1) if said else cue.reach) or not _on_its_side(text, cue, tagged):
            continue
        if (_reported(text, cue) and not future) or _dates_another_event(text, cue, tagged):
            continue
        score = gap - 0.5 * cue.priority + _penalty(text, cue, tagged)
        scored.append((score, cue.start, Pair(index, cue, gap)))
    return min(scored)[2] if scored else None


def _on_its_side(text: str, cue: Cue, tagged: Tagged) -> bool:
    """Whether the date stands where the cue wants it: "the 2015 Iran nuclear deal" (right
    before, in one noun phrase), "until 2026" (after)."""
    if cue.side == "before":
        return tagged.end <= cue.start and not _FUNCTION_WORD.search(text, tagged.end, cue.start)
    return cue.side != "after" or tagged.start >= cue.end


def _penalty(text: str, cue: Cue, tagged: Tagged) -> float:
    """How much less likely a cue is to own a date, for where it stands and what is between."""
    if tagged.end <= cue.start:
        between = text[tagged.end : cue.start]
        penalty = _LATER_CUE if cue.side == "any" else 0.0
    else:
        between = text[cue.end : tagged.start] if cue.end <= tagged.start else ""
        penalty = _ACROSS_VERB if has_verb(between) and not _EVENT_VERB.search(between) else 0.0
    if "," in between:
        penalty += _ACROSS_COMMA
    if _CONJUNCTION.search(between):
        penalty += _ACROSS_CONJUNCTION
    return penalty


def _dates_another_event(text: str, cue: Cue, tagged: Tagged) -> bool:
    """ "Their first meeting since Mr. Biden took office in January": the date is the
    office-taking's, not the meeting's."""
    if cue.end > tagged.start:
        return False
    since = list(_SINCE.finditer(text, cue.end, tagged.start))
    return bool(since) and has_verb(text[since[-1].end() : tagged.start])


def _gap(text: str, tagged: Tagged, cue: Cue) -> int:
    """Words between a mention and a cue; zero when they touch or overlap."""
    if cue.end <= tagged.start:
        return len(_WORDS.findall(text, cue.end, tagged.start))
    if tagged.end <= cue.start:
        return len(_WORDS.findall(text, tagged.end, cue.start))
    return 0


def _said_at(text: str, sentence: Sentence, tagged: Tagged) -> bool:
    """Whether the date is when something was said: "announced on Friday", "Friday said"."""
    before = text[max(sentence.start, tagged.start - 30) : tagged.start]
    after = text[tagged.end : min(sentence.end, tagged.end + 30)]
    return bool(_SAID_BEFORE.search(before) or _SAID_AFTER.search(after))


def _reported(text: str, cue: Cue) -> bool:
    """Whether the cue is the object of a verb of saying or asking ("confirmed the summit",
    "requested the report"): a past date then dates the saying, not the event."""
    return bool(_GOVERNED_CUE.search(text[max(cue.start - 40, 0) : cue.start]))


def _subject_of_boundary(
    text: str, sentence: Sentence, tagged: Tagged, cues: Sequence[Cue]
) -> tuple[Cue, str] | None:
    """The subject of a verb that opens or closes something, when the date follows that verb:
    the first cue of the verb's clause ("..., and its General Conference opens on Sept. 15";
    "The preparatory session for the review of the Treaty closed on Friday"), else the
    sentence's first cue ("The Review Conference, which is to open in April")."""
    verbs = list(_BOUNDARY.finditer(text, sentence.start, tagged.start))
    if not verbs or len(_WORDS.findall(text, verbs[-1].end(), tagged.start)) > _BOUNDARY_REACH:
        return None
    verb = verbs[-1]
    before = [cue for cue in cues if cue.end <= verb.start() and cue.side == "any"]
    if not before:
        return None
    breaks = list(_CLAUSE_BREAK.finditer(text, sentence.start, verb.start()))
    clause_start = breaks[-1].end() if breaks else sentence.start
    same_clause = [cue for cue in before if cue.start >= clause_start]
    role = "start" if _OPENING.search(verb.group()) else "end"
    return (same_clause[0] if same_clause else before[0]), role


def _one_date_each(text: str, pairs: list[Pair], tagged: dict[int, Tagged]) -> list[Pair]:
    """Each cue keeps its nearest date, the dates listed with it ("in 2015 and 2022"), and
    dates of the same event at another precision ("the 2026 Review Conference ... in late
    April 2026"), which deduplication later narrows to the most precise."""
    kept: dict[int, Pair] = {}
    for pair in sorted(pairs, key=lambda p: (p.gap, p.mention)):
        kept.setdefault(pair.cue.start, pair)
    chosen = list(kept.values())
    for pair in pairs:
        if pair not in chosen and any(
            p.cue == pair.cue and _same_event(text, tagged[p.mention], tagged[pair.mention])
            for p in chosen
        ):
            chosen.append(pair)
    return sorted(chosen, key=lambda p: p.mention)


def _same_event(text: str, first: Tagged, second: Tagged) -> bool:
    return _listed(text, first, second) or _nested(first.timex, second.timex)


def _nested(one: Timex, other: Timex) -> bool:
    (first, last), (start, end) = event_window(one), event_window(other)
    return (first >= start and last <= end) or (start >= first and end <= last)


def _listed(text: str, first: Tagged, second: Tagged) -> bool:
    lo, hi = (first.end, second.start) if first.end <= second.start else (second.end, first.start)
    return bool(_LISTED.match(text[lo:hi]))
