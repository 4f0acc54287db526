"""Which event each dated mention belongs to, within its sentence.

The nearest cue within its reach wins, its priority breaking near ties; a cue after the date,
or across a comma, a verb or a conjunction, counts as further away (English puts the date
after the verb it dates: "met ... last month"; "on Saturday and withdraw" starts anew).
Patterns of news English bend that rule: a date right after a reporting verb ("announced on
Friday that ...") is when something was said, so it takes only a cue next to it; a cue that
is the object of a verb of saying or asking ("the Kremlin confirmed the summit on Saturday")
takes no past date; "the first meeting since Mr. Biden took office in January" dates the
office-taking; and a date after a verb that opens or closes something ("... closed in New York
on Friday") belongs to the subject of that verb, however far back it is (in a relative clause,
what the comma follows: "the Review Conference, which opens on April 27"). Each cue then keeps
its nearest date, unless it was moved to another ("postponed to June 3"), and the dates listed
with it ("in 2015 and 2022").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import accumulate, islice, pairwise

from service.domain import Kind, Precision
from service.extract.actors import NEXT_STOP
from service.extract.asides import asides
from service.extract.events import Cue
from service.extract.lexicon import PUT_OFF, REPORTING
from service.extract.sentences import Sentence
from service.extract.tagger import Tagged
from service.extract.tense import has_verb
from service.extract.units import Timex, event_window
from service.extract.words import Words

_SAID_BEFORE = re.compile(rf"\b(?:{REPORTING})(?:\s+(?:on|late|early))?\s*$")
_SAID_AFTER = re.compile(rf"^\s*(?:{REPORTING})\b")
_GOVERNING = (
    rf"{REPORTING}|requested|asked\s+for|demanded|called\s+for|ordered|commissioned|"
    r"proposed|floated|discussed|rejected|sought"
)
_GOVERNED_CUE = re.compile(rf"\b(?:{_GOVERNING})\s+(?:the|a|an|its|their)?\s*(?:\w+\s+)?$")
_EVENT_VERB = re.compile(
    r"\b(?:takes?|took|taking)\s+place|\b(?:be|is|are|was|were|been)\s+(?:held|hosted|due|set|"
    r"scheduled|planned|expected)|\b(?:held|scheduled|planned|set\s+for|due)\b"
)
_BOUNDARY = re.compile(
    r"\b(?:(?:to|will|would)\s+(?:open|close|end|begin|start|convene|conclude)|opens|opened|"
    r"closes|closed|ends|ended|began|begins|starts|started|concludes|concluded|convenes|"
    r"convened|wrapped\s+up|wraps\s+up|(?:runs?|ran|lasts?|lasted|continues?|continued)\s+"
    r"(?:until|till|through))\b"
)
_RELATIVE_BEFORE = re.compile(r",\s+(?:which|that)\s+(?:is\s+to\s+|will\s+)?$")
"""A relative clause whose verb opens or closes what was named just before the comma."""
_AND_BETWEEN = re.compile(r"[^,;.]{0,40}?\s+and\s+")
"""A second verb of the same subject: "opens on April 27 and runs until May 22"."""
_CLAUSE_BREAK = re.compile(r"[,;]|\b(?:and|but|while|whereas)\b")
_OPENING = re.compile(r"open|begin|began|start|convene")
_RANGE_OPENING = re.compile(r"\b(?i:between|from)\s+$")
_RANGE_JOIN = re.compile(r"\s+(?:and|to|through|until|till)\s+")
_LISTED = re.compile(r"^[\s,]*(?:(?:and|or|on|in)\b[\s,]*)*$")
WORD = re.compile(r"[\w\u2019'-]+")
"""What counts as a word between a date and its cue."""
_MOVED_TO = re.compile(
    rf"\b(?:(?:{PUT_OFF}|moved|pushed|brought\s+forward)\s+(?:again\s+)?"
    r"(?:to|until|till|for)\s+(?:the\s+)?|"
    r"now\s+(?:be\s+held|take\s+place|convene|meet)\s+(?:on|in)\s+)$"
)
"""A date an event was moved to: it is the event's date now, not the one first planned."""
_FIRST_SET = re.compile(
    r"\b(?:originally|initially|first|previously)\s+(?:been\s+)?(?:due|scheduled|planned|set|"
    r"slated|expected)\s+(?:for|in|on)\s+(?:the\s+)?$"
)
_HAD_BEEN_DUE = re.compile(
    r"\bhad\s+been\s+(?:due|scheduled|set|expected|planned)\s+(?:to\s+[a-z]+\s+)?"
    r"(?:at\s+[^,;.]{1,20}?\s+)?(?:on|in|for|at)\s+$"
)
_NOW_INSTEAD = re.compile(r"\b(?:now|instead)\b")
"""A plan as it stood before, and what holds now: "The truce, which had been due to expire at
6 p.m. on Sunday, now runs until Tuesday"."""
_MOVING = rf"\b(?:{PUT_OFF}|moved|brought\s+forward|advanced)"
_MOVED = re.compile(rf"{_MOVING}\b")
_MOVED_FROM = re.compile(rf"{_MOVING}\s+from\s+$")
_APART = re.compile(
    r"\b(?:hours|days|weeks|months|years|a\s+(?:day|week|month|year)|shortly|soon|just|"
    r"only|long)\s+(?:before|after|ahead\s+of|prior\s+to)\b"
)
"""How far a date stands from the event after it ("days before"), which it does not date."""
_SINCE = re.compile(r"\bsince\b")
_SINCE_BEFORE = re.compile(r"\bsince\s+(?:early\s+|late\s+|mid-)?$")
_FIRST_BEFORE = re.compile(r"\b(?i:first|only)\s+(?:[\w-]+\s+)?$")
_COUNTED_BEFORE = re.compile(
    r"\b(?i:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:nd|rd|th))"
    r"\s+(?:[\w-]+\s+)?$"
)
"""An ordinal past the first: "his sixth visit since February" counts visits from February,
and none need have been in February, as "the first meeting since June" says one was."""
_NOUN = re.compile(r"\b(?!(?:the|and|for|with|from)\b)[a-z]{3,}\b")
"""A word of a lower-case noun phrase: an event named by a noun, not a place by its name."""
_AFTER_THE_EVENT_OF = re.compile(
    r"\b(?:after|following|before|since)\s+(?:the|a|an)\s+(?:[a-z]+\s+)?[a-z]+\s+of\b"
)
"""An event named by a noun between the cue and its date, which the date then belongs to."""
_FOUNDED = re.compile(
    r"\b(?:founded|established|created|set\s+up|formed|born)\s+(?:\w+\s+){0,2}?(?:in|on)\s+$"
)
"""What a body's founding dates is the founding: "The group, which meets every June, was
founded in 1974"."""
_PARTICIPLE_ASIDE = re.compile(
    r",\s+(?:(?:whose|which|who)\s+(?:[\w-]+\s+){0,5}?)?(?:first\s+)?[a-z]{3,}ed\s+"
    r"(?:for\s+[a-z]+\s+)?(?:(?:on|in)\s+)?$"
)
"""An aside that a past participle opens, or a relative clause with one: ", agreed on October
15,", ", whose panel of experts was disbanded in April 2024,", ", opened for signature in
1996,", ", commissioned last July,"."""
_CONTENT_OF = re.compile(
    r"\b(?:calling\s+(?:for|on)|urg(?:ing|es)|demanding|requiring|seeking|asking\s+for|"
    r"(?:that|which)\s+would|unless|if)\b"
)
"""What a dated act asks for, or waits on: "passed a motion on Tuesday urging a summit", "a
bill next week requiring a report", "tariffs starting Jan. 1 unless a deal is reached": the
summit, the report, the deal, is not that day's."""
_AFTER_A_STRETCH = re.compile(
    r"\b(?:after|following)\s+(?:\w+\s+)?(?:hours|days|weeks|months|years)\s+of\b"
)
"""What led up to a dated act: "finalised a minerals agreement on Wednesday after months of
negotiations" (the negotiations are not Wednesday's)."""
_NOUN_AFTER = re.compile(
    r"\s+(?!(?:and|or|to|in|on|at|for|by|of|with|when|while|after|before)\b)[a-z]{4,}\b"
    r"(?!\s+of\b)"
)
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|its|their)\s+$")
_MEETING_VERB = re.compile(r"(?i:met|meets?|convened|convenes?|gathered|gathers?)")
_SUBJECT_GAP = re.compile(r"\s+(?:(?:has|have|had|will|would)\s+)?(?:[a-z]+ly\s+)?")
_BEFORE_ANOTHER = re.compile(
    r"\b(?:after|following|before)\s+(?:[\w-]+\s+){0,4}?[a-z]{3,}\s+(?:on|in)\s+$"
)
"""The same, named by any noun that ends the words before the date: "talks between April and
June before Israeli and American strikes on June 13"."""
_PREPARING = re.compile(
    r"\b(?:prepar(?:e|es|ed|ing)\s+(?:for\s+)?|in\s+preparation\s+for\s+|ahead\s+of\s+|"
    r"(?:lay|laying|lays)\s+the\s+groundwork\s+for\s+)(?:the|a|an|its|their)?\s*(?:[\w-]+\s+)?$"
)
_WHICH_BEFORE = re.compile(r",\s+(?:which|that)\s+(?:[\w\u2019'-]+\s+){1,5}$")
_PASSIVE = re.compile(r"\b(?:be|is|are|was|were|been|being)\s+(?:[a-z]+ly\s+)?$")
_COUNTED_FROM = re.compile(r"\b(?:after|before)$")
_FUNCTION_WORD = re.compile(r"\b(?:the|a|an|of|to|in|on|at|after|before|and|or)\b|[,;]")
_CONJUNCTION = re.compile(
    r"\b(?:and|or)\b(?!\s+(?:the\s+)?[A-Z])|\b(?:but|while|whereas|unless|if)\b|;"
)
"""What opens a new verb phrase between a cue and a date; not "and" in a list of names
("talks with Britain, France and Germany in Istanbul on Friday")."""
_NEXT_CLAUSE = re.compile(r",\s+(?:and|or|but|with)\s")
"""After a date, what opens the next clause even before a name: "resume its work on January
19, and the NPT Review Conference ...", "in November 2026, with Australia presiding over the
negotiations": the date is not the conference's, nor the negotiations'."""
_BOUNDARY_REACH = 12
_TAKING_EFFECT = frozenset({"takes effect", "enters into force"})
_CUES_AROUND = 48  # cues either side of a date; the farthest it may take is 12 words away
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


class _Scope:
    """One sentence as attachment reads it: its cues in order and by position, its verbs
    that open or close something, and its clause breaks, each found once per sentence."""

    def __init__(self, text: str, sentence: Sentence, cues: Sequence[Cue], words: Words) -> None:
        self.text = text
        self.sentence = sentence
        self.words = words
        self.by_start = sorted(cues, key=lambda cue: cue.start)
        self._any_side = [cue for cue in cues if cue.side == "any"]
        self._earliest_end = list(accumulate((cue.end for cue in self._any_side), min))
        self._verbs = list(_BOUNDARY.finditer(text, sentence.start, sentence.end))
        breaks = _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end)
        self._breaks = [found.end() for found in breaks]
        self._asides: tuple[list[int], list[int], list[int]] | None = None

    def aside_words(self, start: int, end: int) -> int:
        """The words of the asides that lie within text[start:end], by binary search: a
        sentence that lists many events holds as many asides ("summit on 5 May, ...")."""
        if self._asides is None:  # found once, and only for sentences that are asked
            spans = list(asides(self.text, self.sentence.start, self.sentence.end))
            sums = list(accumulate((self.words.between(*span) for span in spans), initial=0))
            self._asides = ([f for f, _ in spans], [last for _, last in spans], sums)
        firsts, lasts, sums = self._asides
        first = bisect.bisect_left(firsts, start)  # asides are in order and do not overlap
        last = bisect.bisect_right(lasts, end)
        return sums[last] - sums[first] if last > first else 0

    def near(self, tagged: Tagged) -> list[Cue]:
        """The cues within `_CUES_AROUND` places of the date, in text order."""
        at = bisect.bisect_left(self.by_start, tagged.start, key=lambda cue: cue.start)
        return self.by_start[max(at - _CUES_AROUND, 0) : at + _CUES_AROUND]

    def verb_before(self, offset: int) -> re.Match[str] | None:
        """The last verb that opens or closes something, ending by `offset`."""
        at = bisect.bisect_right(self._verbs, offset, key=lambda verb: verb.end())
        return self._verbs[at - 1] if at else None

    def clause_start(self, offset: int) -> int:
        """Where the clause holding `offset` starts: after the last clause break before it."""
        at = bisect.bisect_right(self._breaks, offset)
        return self._breaks[at - 1] if at else self.sentence.start

    def subject(self, verb: re.Match[str]) -> Cue | None:
        """The first cue (in the order given) that ends before the verb and takes a date on
        either side; of those, the first in the verb's own clause if there is one."""
        first = bisect.bisect_left(
            range(len(self._any_side)), True, key=lambda i: self._earliest_end[i] <= verb.start()
        )
        if first == len(self._any_side):
            return None
        earlier = self.verb_before(verb.start())
        if earlier is not None and _AND_BETWEEN.fullmatch(self.text, earlier.end(), verb.start()):
            return self.subject(earlier)  # "opens on April 27 and runs until May 22"
        relative = _RELATIVE_BEFORE.search(self.text, max(verb.start() - 30, 0), verb.start())
        if relative is not None:
            antecedents = [cue for cue in self._any_side if cue.end <= relative.start()]
            if antecedents:
                return antecedents[-1]  # "the Review Conference, which opens on April 27"
        clause_start = self.clause_start(verb.start())
        for cue in islice(self._any_side, first, None):
            if cue.end <= verb.start() and cue.start >= clause_start:
                return cue
        return self._any_side[first]


def attach(
    text: str,
    sentence: Sentence,
    items: Sequence[tuple[int, Tagged]],
    cues: Sequence[Cue],
    published: date,
    words: Words,
) -> list[Pair]:
    """The (mention, cue) pairs of one sentence, at most one event per mention; `words` counts
    the words of `text` (runs of `WORD`)."""
    if not items:
        return []
    scope = _Scope(text, sentence, _said_of_a_named_event(_outermost(cues), text), words)
    best = [
        pair
        for index, tagged in items
        if (pair := _best(scope, index, tagged, published)) is not None
    ]
    return _with_next_stops(text, _one_date_each(text, best, dict(items)), items)


def _said_of_a_named_event(cues: Sequence[Cue], text: str) -> list[Cue]:
    """The cues, less a meeting verb whose subject is an event already named just before it:
    "the preparatory committee met in New York" dates the committee, not a meeting of its
    own."""
    ordered = sorted(cues, key=lambda cue: cue.start)
    said = {
        id(verb)
        for subject, verb in pairwise(ordered)
        if _MEETING_VERB.fullmatch(text, verb.start, verb.end)
        and subject.kind is not Kind.MEETING
        and _SUBJECT_GAP.fullmatch(text, subject.end, verb.start)
    }
    return [cue for cue in cues if id(cue) not in said]


def _outermost(cues: Sequence[Cue]) -> list[Cue]:
    """The cues that no longer cue holds, in the order given: "plenary meeting" is one event,
    whose "meeting" would otherwise take a second date of its own. A length is its own event
    wherever it stands ("agreed to a three-month truce": the truce's three months, not the
    agreement's). One pass in order of start, longest first, keeping the furthest end seen."""
    held, reached, last = set(), -1, (-1, -1)
    for cue in sorted(cues, key=lambda cue: (cue.start, -cue.end)):
        if cue.end > reached:
            reached, last = cue.end, (cue.start, cue.end)
        elif (cue.start, cue.end) != last and cue.label != "length":
            held.add(id(cue))  # but the same words may cue two kinds, and both stay
    return [cue for cue in cues if id(cue) not in held]


def _best(scope: _Scope, index: int, tagged: Tagged, published: date) -> Pair | None:
    """The cue that most likely owns this date, if any is within reach."""
    if _superseded(scope, tagged):
        return None
    boundary = _subject_of_boundary(scope, tagged)
    if boundary is not None:
        return Pair(index, boundary[0], 1, boundary[1])
    text = scope.text
    said = _said_at(text, scope.sentence, tagged)
    future = tagged.timex.earliest > published
    scored = []
    for cue in scope.near(tagged):
        gap = _gap(scope, tagged, cue)
        if gap > (min(cue.reach, 1) if said else cue.reach) or not _on_its_side(text, cue, tagged):
            continue
        if _names_the_treaty(cue, tagged, gap):
            return Pair(index, cue, gap)  # "abandoned the 2015 nuclear deal in 2018": 2015's
        if (_reported(text, cue, tagged) and not future) or _dates_another_event(text, cue, tagged):
            continue
        if _counts_from(text, cue, tagged) or _apart(text, cue, tagged):
            continue
        if _prepared_for(text, cue, tagged) or _hosts_the_antecedent(text, cue):
            continue
        score = gap - 0.5 * cue.priority + _penalty(text, cue, tagged)
        scored.append((score, cue.start, Pair(index, cue, gap)))
    return min(scored)[2] if scored else None


def _superseded(scope: _Scope, tagged: Tagged) -> bool:
    """ "The election, originally due in September, was brought forward", "the conference
    postponed from this year": a day first set, in a sentence that moves the event, or the
    day it was moved from, is no longer its day."""
    text = scope.text
    if _MOVED_FROM.search(text, max(tagged.start - 40, 0), tagged.start):
        return True
    sentence = scope.sentence
    if _HAD_BEEN_DUE.search(text, max(tagged.start - 60, 0), tagged.start):
        return _NOW_INSTEAD.search(text, tagged.end, sentence.end) is not None
    first_set = _FIRST_SET.search(text, max(tagged.start - 40, 0), tagged.start)
    return first_set is not None and _MOVED.search(text, sentence.start, sentence.end) is not None


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
    if _CONJUNCTION.search(between) or (tagged.end <= cue.start and _NEXT_CLAUSE.search(between)):
        penalty += _ACROSS_CONJUNCTION
    return penalty


def _dates_another_event(text: str, cue: Cue, tagged: Tagged) -> bool:
    """ "Their first meeting since Mr. Biden took office in January", "brought forward after
    the collapse of the coalition in November": the date is the office-taking's, the
    collapse's, not the meeting's; in "his sixth visit since February", no visit's; in "a
    ceasefire, agreed on October 15, had expired on Friday", not the expiry's."""
    if tagged.end <= cue.start:
        if _CONTENT_OF.search(text, tagged.end, cue.start) or _AFTER_A_STRETCH.search(
            text, tagged.end, cue.start
        ):
            return True
        participle = _PARTICIPLE_ASIDE.search(text, max(tagged.start - 70, 0), tagged.start)
        return participle is not None and "," in text[tagged.end : cue.start]
    if cue.end > tagged.start:
        return False
    if _modifies_another_noun(text, tagged):
        return True  # "vote on the nomination before the August recess": the recess's
    if _AFTER_THE_EVENT_OF.search(text, cue.end, tagged.start):
        return True  # "brought forward after the collapse of the coalition in November"
    window = max(cue.end, tagged.start - 60)
    if _BEFORE_ANOTHER.search(text, window, tagged.start) or _FOUNDED.search(
        text, window, tagged.start
    ):
        return True
    since = list(_SINCE.finditer(text, cue.end, tagged.start))
    if not since:
        return False
    after = text[since[-1].end() : tagged.start]
    if _COUNTED_BEFORE.search(text, max(cue.start - 30, 0), cue.start):
        return True
    if _FIRST_BEFORE.search(text, max(cue.start - 30, 0), cue.start) and _NOUN.search(after):
        return True  # "the first such meeting since the strikes in June" (not "since Helsinki")
    return has_verb(after)


def _modifies_another_noun(text: str, tagged: Tagged) -> bool:
    """Whether a date after the cue qualifies a noun of its own: "the August recess", "the
    October 7 attacks" (not "the October summit" before its cue, which it dates)."""
    noun = _NOUN_AFTER.match(text, tagged.end)
    before = _DETERMINER_BEFORE.search(text, max(tagged.start - 12, 0), tagged.start)
    return noun is not None and before is not None


def _names_the_treaty(cue: Cue, tagged: Tagged, gap: int) -> bool:
    """A year just before a treaty's noun is part of its name ("the 1987 treaty"): the year
    of the treaty, not of a withdrawal from it or another event nearby."""
    return cue.label == "agreed" and cue.side == "before" and gap == 0 and tagged.end <= cue.start


def _hosts_the_antecedent(text: str, cue: Cue) -> bool:
    """ "The Quad summit, which India is due to host later this year", "talks ... will be
    hosted by Turkey": what is hosted is the event named before, and the date is that
    event's, not a visit's."""
    if not text.startswith("host", cue.start):
        return False
    before = max(cue.start - 40, 0)
    return bool(
        _WHICH_BEFORE.search(text, before, cue.start) or _PASSIVE.search(text, before, cue.start)
    )


def _prepared_for(text: str, cue: Cue, tagged: Tagged) -> bool:
    """ "will meet Lavrov next week to prepare the summit", "talks on Monday ahead of the
    summit": an event prepared for after the date is not what the date is of."""
    return tagged.end <= cue.start and bool(
        _PREPARING.search(text, max(tagged.end, cue.start - 40), cue.start)
    )


def _counts_from(text: str, cue: Cue, tagged: Tagged) -> bool:
    """ "for a year after it expires": the event after a length counted from it is where the
    length starts, not what it dates."""
    return (
        tagged.end <= cue.start and _COUNTED_FROM.search(text, tagged.start, tagged.end) is not None
    )


def _apart(text: str, cue: Cue, tagged: Tagged) -> bool:
    """ "fired a missile on Wednesday, days before South Korea hosts the summit": the date is
    some time off the event, told by how far before or after it, and so not its date."""
    if tagged.end <= cue.start:
        return _APART.search(text, tagged.end, cue.start) is not None
    return False


def _gap(scope: _Scope, tagged: Tagged, cue: Cue) -> int:
    """Words between a mention and a cue, not counting asides between the cue and a date
    after it ("the meeting, the first in years, was held on Tuesday"); zero when they touch
    or overlap."""
    words = scope.words
    if cue.end <= tagged.start:
        return words.between(cue.end, tagged.start) - scope.aside_words(cue.end, tagged.start)
    if tagged.end <= cue.start:
        return words.between(tagged.end, cue.start)
    return 0


def _said_at(text: str, sentence: Sentence, tagged: Tagged) -> bool:
    """Whether the date is when something was said: "announced on Friday", "Friday said"."""
    before = text[max(sentence.start, tagged.start - 30) : tagged.start]
    after = text[tagged.end : min(sentence.end, tagged.end + 30)]
    return bool(_SAID_BEFORE.search(before) or _SAID_AFTER.search(after))


def _reported(text: str, cue: Cue, tagged: Tagged) -> bool:
    """Whether the cue is the object of a verb of saying or asking ("confirmed the summit",
    "requested the report"): a past date then dates the saying, not the event; unless the
    event's own verb comes between ("said the conference, held in New York in May, ...")."""
    if not _GOVERNED_CUE.search(text[max(cue.start - 40, 0) : cue.start]):
        return False
    return not (cue.end <= tagged.start and _EVENT_VERB.search(text, cue.end, tagged.start))


def _subject_of_boundary(scope: _Scope, tagged: Tagged) -> tuple[Cue, str] | None:
    """The subject of a verb that opens or closes something, when the date follows that verb:
    the first cue of the verb's clause ("..., and its General Conference opens on Sept. 15";
    "The preparatory session for the review of the Treaty closed on Friday"), else the
    sentence's first cue ("The Review Conference, which is to open in April")."""
    verb = scope.verb_before(tagged.start)
    if verb is None or scope.words.between(verb.end(), tagged.start) > _BOUNDARY_REACH:
        return None
    subject = scope.subject(verb)
    if subject is None or subject.kind is Kind.TREATY_SIGNED:
        return None  # a signing neither opens nor closes: "adopted ..., will open for signature"
    if _OPENING.search(verb.group()):
        return subject, "start"
    if subject.label in _TAKING_EFFECT:  # "the truce, which took effect on Oct. 10, ends on
        subject = replace(subject, label="expires")  # Jan. 9": the truce's end, not its start
    return subject, "end"


def _one_date_each(text: str, pairs: list[Pair], tagged: dict[int, Tagged]) -> list[Pair]:
    """Each cue keeps its nearest date (and its nearest end), the dates listed with it ("in
    2015 and 2022"), and dates of the same event at another precision ("the 2026 Review
    Conference ... in late April 2026"), which deduplication later narrows to the most
    precise."""
    kept: dict[tuple[int, bool], Pair] = {}
    moved = {p.mention for p in pairs if _moved_to(text, tagged[p.mention])}
    since = {p.mention for p in pairs if _since_before(text, tagged[p.mention])}

    def first_choice(pair: Pair) -> tuple[bool, bool, int, int]:
        # "will travel to India on Dec. 4-5 for his first visit since 2021": Dec. 4-5
        return (pair.mention not in moved, pair.mention in since, pair.gap, pair.mention)

    for pair in sorted(pairs, key=first_choice):
        # "opened on Monday and runs until Friday": the end is a date of the cue's own too
        kept.setdefault((pair.cue.start, pair.role == "end"), pair)
    chosen = list(kept.values())
    of_cue: dict[Cue, list[Pair]] = {}
    for pair in chosen:
        of_cue.setdefault(pair.cue, []).append(pair)
    taken = {pair.mention for pair in chosen}
    for pair in pairs:
        same_cue = of_cue.get(pair.cue, [])
        if pair.mention not in taken and any(
            _same_event(text, tagged[p.mention], tagged[pair.mention]) for p in same_cue
        ):
            chosen.append(pair)
            same_cue.append(pair)
            of_cue[pair.cue] = same_cue
            taken.add(pair.mention)
    return sorted(chosen, key=lambda p: p.mention)


def _with_next_stops(
    text: str, pairs: list[Pair], items: Sequence[tuple[int, Tagged]]
) -> list[Pair]:
    """The pairs, and a visit for each further stop of a journey that one dates: "is due in
    Moscow on Friday and in Kyiv on Monday" is a visit to each, the second cued by its "in
    Kyiv" (where its title finds the place)."""
    by_mention = {pair.mention: pair for pair in pairs}
    stops = []
    for (before, first), (index, then) in pairwise(items):
        visit = by_mention.get(before)
        if visit is None or visit.cue.label != "visit" or index in by_mention:
            continue
        stop = NEXT_STOP.fullmatch(text, first.end, then.start)
        if stop is not None:
            cue = replace(visit.cue, start=stop.start("stop"), end=stop.end("stop"))
            by_mention[index] = Pair(index, cue, visit.gap, visit.role)
            stops.append(by_mention[index])
    return sorted([*pairs, *stops], key=lambda pair: pair.mention) if stops else pairs


def _since_before(text: str, tagged: Tagged) -> bool:
    return _SINCE_BEFORE.search(text, max(tagged.start - 12, 0), tagged.start) is not None


def _moved_to(text: str, tagged: Tagged) -> bool:
    return _MOVED_TO.search(text, max(tagged.start - 50, 0), tagged.start) is not None


def _same_event(text: str, first: Tagged, second: Tagged) -> bool:
    return (
        _listed(text, first, second)
        or _nested(first.timex, second.timex)
        or months_in_a_range(text, first, second)
    )


def months_in_a_range(text: str, first: Tagged, second: Tagged) -> bool:
    """Whether two months are the first and last of one stretch: "between April and June",
    "from November to February"; not "in April and June", a list."""
    return (
        first.timex.precision is Precision.MONTH
        and second.timex.precision is Precision.MONTH
        and first.end <= second.start
        and _RANGE_OPENING.search(text, max(first.start - 10, 0), first.start) is not None
        and _RANGE_JOIN.fullmatch(text, first.end, second.start) is not None
    )


def _nested(one: Timex, other: Timex) -> bool:
    (first, last), (start, end) = event_window(one), event_window(other)
    return (first >= start and last <= end) or (start >= first and end <= last)


def _listed(text: str, first: Tagged, second: Tagged) -> bool:
    lo, hi = (first.end, second.start) if first.end <= second.start else (second.end, first.start)
    return bool(_LISTED.match(text[lo:hi]))
