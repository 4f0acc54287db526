"""The words that make a dated mention worth tracking: event cues, treaties and hedges.

A cue names an event ("summit", "expire", "a 30-day process") and the kind of commitment it
makes. Its `reach` is how many words may stand between it and the date it takes; its
`priority` breaks ties between cues at about the same distance ("their meeting last year at
the summit in Helsinki" is a summit).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from service.domain import Kind
from service.extract.lexicon import GIVEN_UNTIL, MEASURES, OTHER_CLAUSE, PUT_OFF, TRUCES

TREATY_WORDS = re.compile(
    r"\b(?i:treaty|treaties|accord|agreement|pact|convention|deal|final\s+act)\b"
)
"""What a treaty is called when it is not named."""
NAMED_TREATY = re.compile(
    r"(?<![\w-])(?:(?!(?:The|A|An|This|That|Its|Their)\s)[A-Z][\w-]*\s+){1,4}"
    r"(?:Treaty|Agreement|Convention|Accord|Pact|Final\s+Act)\b"
    r"|\b(?:Treaty|Convention|Agreement)\s+on\s+(?:the\s+)?[A-Z][\w-]*"
    r"(?:\s+(?:of\s+|and\s+)?[A-Z][\w-]*){0,4}"
)
"""A treaty the text names in capitals, when it is not one of the treaties known by name:
"the Ottawa Convention", "the Convention on Cluster Munitions"."""
_OBSERVING = re.compile(
    r"\b(?i:observ(?:e|es|ed|ing)|abid(?:e|es|ing)\s+by|abided\s+by|respect(?:s|ed|ing)?|"
    r"adher(?:e|es|ed|ing)\s+to|compl(?:y|ies|ied|ying)\s+with|keep(?:s|ing)?\s+to|kept\s+to)\b"
)
_MEASURES = re.compile(rf"\b(?i:{MEASURES})\b")
_MISSION = re.compile(r"\b(?i:mission|operation|deployment)\b")
"""What lasts until a day as a measure does: "the Baltic Sentry mission will be extended until
at least the end of 2027"."""
_LASTING = re.compile(
    r"\b(?i:extend\w*|renew\w*|prolong\w*|remains?|remained|stays?|stayed|lasts?|lasted|"
    r"holds?|held|runs?|valid|in\s+(?:place|force|effect))\b"
)
"""... said to last, not merely named near "until" ("a vote on sanctions, postponed until")."""
EXERCISE_NAMES = re.compile(
    r"\b(?:Zapad|Vostok|Kavkaz|Tsentr|(?:Ulchi\s+)?Freedom\s+Shield|Freedom\s+Edge|"
    r"Steadfast\s+Noon|Steadfast\s+Defender|BALTOPS|Grom|Talisman\s+Sabre|RIMPAC)(?:-\d+)?\b"
)
"""Exercises that arms-control readers follow by name."""
_MILITARY_EXERCISE = re.compile(
    r"\b(?i:military|naval|joint|air|nuclear|strategic|annual|large-scale|combined|live-fire|"
    r"command-staff|war)\s+(?i:exercises?|drills?|games?)\b|" + EXERCISE_NAMES.pattern
)
_ADOPTING = re.compile(r"\b(?i:approv(?:e|es|ed|ing)|adopt(?:s|ed|ing)?|agreed|passed)\b")
_SIGNING = re.compile(r"\b(?i:sign(?:s|ed|ing)?)\b")
DECLARATION = re.compile(r"\b(?i:peace\s+declaration|declaration\s+of\s+principles)\b")
"""A declaration signed as the first step of a peace ("signed a peace declaration at the White
House"), unlike a joint statement."""
_AGREEING = re.compile(r"\b(?i:agree[sd]?|agreeing|reached|struck|clinched)\b")
_DEADLINE_WORDS = re.compile(r"\b(?i:deadline|ultimatum|grace\s+period)\b")
_SANCTIONS = re.compile(r"\b(?i:sanctions)\b")
A_TRUCE = re.compile(rf"\b(?i:{TRUCES})\b")
_WITHDRAWAL = re.compile(r"\b(?i:withdr[ae]w\w*|pull(?:s|ed|ing)?\s+out)\b")
_BODIES = (
    "World Health Organi[sz]ation|WHO|UNESCO|NATO|IAEA|International Atomic Energy Agency|"
    "OPCW|OSCE|Council of Europe|(?:UN\\s+)?Human Rights Council|ECOWAS|"
    "International Criminal Court|ICC|UNRWA|World Trade Organi[sz]ation|WTO"
)
"""Bodies a state leaves by notice, as it leaves a treaty (their charters are treaties)."""
BODY_LEFT = re.compile(
    r"\b(?i:withdr[ae]w(?:s|n|al|ing)?|pull(?:s|ed|ing)?\s+out|exit(?:s|ed|ing)?|"
    r"le(?:ave|aves|aving|ft)|quit(?:s|ting)?)\s+(?:(?i:of|from)\s+)?(?:(?i:the)\s+)?"
    rf"(?P<body>{_BODIES})\b(?![\u2019']s)"  # not "quit WHO's advisory board"
)
_OBLIGED = re.compile(
    r"\b(?i:must|required|obliged|ha(?:s|ve|d)\s+to|deadline|ultimatum|demand(?:s|ed)?|given)\b"
)
_COMMITTED = re.compile(
    r"\b(?i:agreed|agrees?|pledged?|committed|commits?|promised?|vowed?|undert(?:ook|akes?)|"
    r"aims?\s+to|(?:is|are)\s+due\s+to\s+(?:renew|extend|decide|complete|finish|conclude)|"
    r"propos(?:e|es|ed)\s+(?:[\w,]+\s+){0,3}?to|"
    r"must|required?|obliged|ha(?:s|ve)\s+to|needs?\s+to|target|goal|deadline)\b"
)

TREATIES = {
    "New START": ("New START|New Start|New Strategic Arms Reduction Treaty", ("US", "RU")),
    "START I": (r"START I\b|START-1|(?<=original\s)START|(?<=first\s)START", ("US", "RU")),
    "INF Treaty": (
        "INF Treaty|INF treaty|Intermediate-Range Nuclear Forces Treaty|"
        "intermediate-range (?:missile|nuclear|nuclear forces) treaty|INF",
        ("US", "RU"),
    ),
    "JCPOA": (
        "JCPOA|Joint Comprehensive Plan of Action|"
        "(?:Iran(?:ian)? |\\d{4} )(?:nuclear )?(?:deal|agreement|accord)|"
        "nuclear (?:deal|agreement|accord)(?= with Iran)",
        ("IR",),
    ),
    "Treaty on Open Skies": ("Treaty on Open Skies|Open Skies Treaty|Open Skies", ()),
    "CFE Treaty": (
        "CFE Treaty|CFE|Conventional Armed Forces in Europe Treaty|"
        "Treaty on Conventional Armed Forces in Europe",
        (),
    ),
    "ABM Treaty": ("ABM Treaty|Anti-Ballistic Missile Treaty", ("US", "RU")),
    "CTBT": ("CTBT|Comprehensive (?:Nuclear-)?Test-Ban Treaty|[Tt]est-[Bb]an [Tt]reaty", ()),
    "NPT": (
        "NPT|(?:Nuclear )?Non-?[Pp]roliferation Treaty|"
        "Treaty on the Non-Proliferation of Nuclear Weapons",
        (),
    ),
    "Chemical Weapons Convention": ("Chemical Weapons Convention|CWC", ()),
    "Biological Weapons Convention": ("Biological Weapons Convention|BWC", ()),
    "Resolution 2231": ("Resolution 2231|resolution 2231", ("UNSC",)),
    "TPNW": ("TPNW|Treaty on the Prohibition of Nuclear Weapons", ()),
    "Outer Space Treaty": ("Outer Space Treaty", ()),
    "Arms Trade Treaty": ("Arms Trade Treaty", ()),
}
_TREATY_OPENS = r"\b(?=[A-Z\dinrt])"
"""What every spelling above starts with: a word, capitalised or a number, or one of the
lower-case words "intermediate", "nuclear", "resolution" and "test". Trying the names only
there, not at every character, reads a text some seven times faster."""
_TREATY = re.compile(
    _TREATY_OPENS
    + "(?:"
    + "|".join(f"(?P<t{i}>{pattern})" for i, (pattern, _) in enumerate(TREATIES.values()))
    + ")"
)
_TREATY_NAMES = list(TREATIES)


@dataclass(frozen=True, slots=True)
class Cue:
    """An event word in the text and the commitment kind it suggests."""

    start: int
    end: int
    kind: Kind
    label: str
    reach: int
    priority: int
    side: str = "any"  # where its date must be: "before" it ("the 2015 deal"), "after" it


@dataclass(frozen=True, slots=True)
class _Spec:
    patterns: tuple[re.Pattern[str], ...]
    kind: Callable[[str], Kind | None]
    label: str
    reach: int = 10
    priority: int = 1
    side: str = "any"


def _always(kind: Kind) -> Callable[[str], Kind | None]:
    return lambda sentence: kind


def _with_treaty(kind: Kind) -> Callable[[str], Kind | None]:
    """The kind only where the sentence is about a treaty ("suspend" a treaty, not talks)."""
    return lambda sentence: kind if has_treaty(sentence) else None


def _leaving(sentence: str) -> Kind | None:
    """Leaving a treaty, or a body such as the WHO; not talks, a city or a post."""
    return Kind.TREATY_WITHDRAWAL if has_treaty(sentence) or BODY_LEFT.search(sentence) else None


def _declaration_signed(sentence: str) -> Kind | None:
    """A peace declaration the sentence says was signed, as the first step of a peace."""
    return Kind.TREATY_SIGNED if _SIGNING.search(sentence) else None


def _agreed(sentence: str) -> Kind | None:
    """A truce deal the sentence says was agreed or reached; not one that collapsed or holds."""
    return Kind.TREATY_SIGNED if _AGREEING.search(sentence) else None


def _package_adopted(sentence: str) -> Kind | None:
    """A package of sanctions the sentence says was approved or adopted, not one discussed."""
    return Kind.OTHER if _ADOPTING.search(sentence) else None


def _exercises(sentence: str) -> Kind | None:
    """Military exercises, said to be such or named; not "exercise caution" or fire drills."""
    return Kind.OTHER if _MILITARY_EXERCISE.search(sentence) else None


def _until(sentence: str) -> Kind | None:
    """ "in force until 2026" is a treaty's expiry; "will observe its limits until February
    5" is a party's own time limit, not the treaty's."""
    if _OBSERVING.search(sentence):
        return Kind.DEADLINE
    if has_treaty(sentence):
        return Kind.TREATY_EXPIRY
    measure = _MEASURES.search(sentence) or _MISSION.search(sentence)
    return Kind.DEADLINE if measure and _LASTING.search(sentence) else None


def _expiry(sentence: str) -> Kind:
    """A treaty's expiry, unless what expires is a deadline and no treaty is named ("the
    deadline for a deal expires")."""
    if _DEADLINE_WORDS.search(sentence) and not _TREATY.search(sentence):
        return Kind.DEADLINE
    return Kind.TREATY_EXPIRY if has_treaty(sentence) else Kind.DEADLINE


def _taking_effect(sentence: str) -> Kind:
    """A withdrawal, a treaty's entry into force, or a measure's start: sanctions, or a truce
    even when called a deal ("the ceasefire deal, which took effect on Friday")."""
    if _WITHDRAWAL.search(sentence):
        return Kind.TREATY_WITHDRAWAL
    if _SANCTIONS.search(sentence) or A_TRUCE.search(sentence) or not has_treaty(sentence):
        return Kind.DEADLINE
    return Kind.TREATY_IN_FORCE


def _sitting(sentence: str) -> Kind:
    """A session; one held to elect someone is that election ("parliament is due to elect a
    new president ... in a session on January 9")."""
    return Kind.ELECTION if _TO_ELECT.search(sentence) else Kind.CONFERENCE


def _council_acted(sentence: str) -> Kind | None:
    """What a council authorises or endorses it does by a vote ("the Security Council
    authorised the force on November 17"); what others endorse is no event."""
    return Kind.MEETING if _VOTING_BODY.search(sentence) else None


def _entering_force(sentence: str) -> Kind:
    """A treaty's entry into force; but a truce with no treaty in its sentence starts: "the
    truce between India and Pakistan came into force on Friday"."""
    if A_TRUCE.search(sentence) and not has_treaty(sentence):
        return Kind.DEADLINE
    return Kind.TREATY_IN_FORCE


def deputised(text: str, cue_start: int) -> bool:
    """Whether others meet in the leaders' stead, named just before the cue: "agreed that
    their aides would meet next week" is no summit, nor the leaders' meeting."""
    return _DEPUTIES_BEFORE.search(text, max(cue_start - 40, 0), cue_start) is not None


def obliged(sentence: str) -> bool:
    """Whether the sentence puts someone under a time limit ("must", "has to", "deadline")."""
    return bool(_OBLIGED.search(sentence))


def _committed(sentence: str) -> Kind | None:
    """ "agreed to raise spending ... by 2035": a target date is a deadline."""
    return Kind.DEADLINE if _COMMITTED.search(sentence) else None


def _sanctions_return(sentence: str) -> Kind | None:
    return Kind.DEADLINE if _SANCTIONS.search(sentence) else None


_NOT_WHEN = (
    r"(?!\s+(?:early|mid|late|the|an?|about|around|some|several|coming|next|this|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|\d+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
    r"nov|dec|spring|summer|autumn|fall|winter)[a-z]*)\b)"
)
"""Not a time after "in" ("the report is due in late November"): a place comes there."""


def _spec(pattern: str, kind: Callable[[str], Kind | None], label: str, **rest: Any) -> _Spec:
    """A cue matched in lower case, without a leading \\b (`cue_matches` checks the word
    boundary), one pattern per top-level alternative: a pattern that starts with a literal
    lets the regex engine skip ahead, where one that starts with an alternation is tried at
    every position of the text (the cues took a third less time so)."""
    branches = _alternatives(pattern.lower())
    return _Spec(tuple(re.compile(rf"(?:{branch})\b") for branch in branches), kind, label, **rest)


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern: "a|b(c|d)" is "a" and "b(c|d)"."""
    found, depth, start, at = [], 0, 0, 0
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 1  # an escaped character, whatever it is
        elif char == "[":
            at = pattern.index("]", at + 2)  # a class, in which "(" and "|" are plain
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            found.append(pattern[start:at])
            start = at + 1
        at += 1
    return [*found, pattern[start:]]


_DEPUTIES_BEFORE = re.compile(
    r"\b(?:aides|officials|envoys|negotiators|delegations|delegates|advisers|advisors|deputies|"
    r"ministers|diplomats|teams)\s+(?:(?:will|would|could|to|are\s+to|were\s+to|should|must)\s+)?"
    r"(?:[a-z]+ly\s+)?$"
)
_TO_ELECT = re.compile(r"\bto\s+elect\b")
_VOTING_BODY = re.compile(r"\b(?:Security\s+Council|General\s+Assembly|Board\s+of\s+Governors)\b")
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
_PARTY_CONGRESS = "congress(?:{})".format(
    "|".join(
        rf"(?<={before}\scongress)"
        for before in ("party", *_ORDINALS, r"\dst", r"\dnd", r"\drd", r"\dth")
    )
)
"""A party's congress, "the 21st Party Congress", "its Ninth Congress": the word first and
what comes before it looked back at, so that the pass over the article starts with a literal."""

_SPECS = (
    _spec(r"terminat(?:e|es|ed|ing|ion)", _expiry, "expires", priority=3, side="after"),
    _spec(r"expir(?:e|es|ed|ing|y|ation)|lapse[sd]?|runs?\s+out|ran\s+out", _expiry, "expires",
          priority=3),
    _spec(r"until(?:\s+at\s+least)?|to(?<=,\sto)(?=\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
          r"[a-z]*\.?\s+\d)",  # "extended their truce by another 90 days, to Feb. 10"
          _until, "expires", reach=0, priority=3, side="after"),
    _spec(
        r"sign(?:s|ed|ing)?(?!\s+(?:a|the|an)\s+(?:law|decree|bill|order|executive|memorandum|"
        r"letter|statement|joint))",
        _with_treaty(Kind.TREATY_SIGNED), "signed", priority=2, reach=12,
    ),
    _spec(r"signing\s+ceremony", _always(Kind.TREATY_SIGNED), "signing ceremony", priority=2),
    _spec(r"peace\s+declaration|declaration\s+of\s+principles", _declaration_signed, "signed",
          priority=2),
    _spec(r"initial(?:l?ed|l?ing)", _with_treaty(Kind.OTHER), "initialled", priority=2),
    _spec(r"agree[sd]?(?=\s+(?:on\s+)?(?:the|a|an)\s)", _with_treaty(Kind.TREATY_SIGNED),
          "agreed", reach=6, priority=2),  # "Iran and six world powers agree the JCPOA"
    _spec(r"adopt(?:s|ed|ing|ion)(?!\s+(?:of\s+)?(?:a\s+|the\s+)?(?:draft\s+)?resolution)",
          _with_treaty(Kind.TREATY_SIGNED), "adopted", priority=2),
    _spec(rf"agree[sd]?\s+(?:on\s+(?:[\w.,-]+\s+){{1,3}}?(?=to\s))?(?:to\s+|on\s+)?"
          rf"(?:a|an|the)\s+(?:[\w-]+\s+)?(?:{TRUCES})",  # "agreed on Sunday to a ceasefire"
          _always(Kind.TREATY_SIGNED),
          "ceasefire agreed", priority=3),
    *(  # one literal-led pattern per truce word: a leading alternation is scanned slowly
        _spec(rf"{truce}\s+(?:deal|agreement|accord)", _agreed, "ceasefire agreed", priority=3)
        for truce in TRUCES.split("|")
    ),
    _spec(  # one literal-led pattern per word: a leading alternation is scanned slowly
        "|".join(
            [
                rf"{noun}\s+(?:was\s+|were\s+|is\s+)?(?:reached|struck|concluded|clinched)"
                r"(?!\s+(?:\d|an?\s|the\s|its\s|their\s))"  # not "reached 60"
                for noun in ("deal", "agreement", "accord", "treaty")
            ]
            + [
                rf"{verb}\s+(?:a|an|the)\s+(?:[\w-]+\s+)?(?:deal|agreement|accord)"
                for verb in ("reached", "struck", "concluded", "clinched")
            ]
        ),
        _always(Kind.TREATY_SIGNED),
        "reached",
        priority=3,
    ),
    _spec(r"nuclear\s+(?:deal|treaty|accord|agreement|pact)|deal|treaty|accord|agreement|pact",
          _always(Kind.TREATY_SIGNED),
          "agreed", reach=1, side="before"),
    _spec(r"extend(?:s|ed|ing)?|extension", _with_treaty(Kind.TREATY_SIGNED), "extension agreed"),
    _spec(r"enter(?:s|ed|ing)?\s+into\s+force|came\s+into\s+force|comes?\s+into\s+force|"
          r"coming\s+into\s+force|entry\s+into\s+force|"
          r"in\s+force\s+since", _entering_force, "enters into force",
          priority=3),
    _spec(r"(?:take[sn]?|took|taking)\s+effect|"
          r"effective(?:(?<=,\seffective)|(?<=\bis\seffective)|(?<=\bare\seffective)|"
          r"(?<=\bbe\seffective))(?=\s+(?:from\s+|on\s+)?"
          r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|\d))",
          _taking_effect, "takes effect", priority=3),
    *(  # "impose 25% tariffs on goods from ... starting Jan. 1": a measure from a day
        _spec(rf"{measure}\s+(?:[^\s.;]+\s+){{0,8}}?(?:starting|beginning)(?=\s+(?:on\s+|in\s+)?"
              r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|"
              r"\d|next|this|tomorrow))", _always(Kind.DEADLINE), "takes effect", priority=3)
        for measure in (r"tariffs?", r"duties", r"sanctions", r"embargo", r"ban")
    ),
    *(  # "the truce came into force", "the ceasefire began": a truce starts
        _spec(rf"{truce}\s+(?:(?:began|begins|started|starts)(?!\s+to\b)|took\s+hold|"
              r"takes\s+hold|(?:came|comes)\s+into\s+(?:force|effect))", _always(Kind.DEADLINE),
              "takes effect", priority=3)
        for truce in TRUCES.split("|")
    ),
    *(  # "began the first phase of a ceasefire"; each verb opens with its own letters
        _spec(rf"{verb}\s+(?:the\s+(?:first|second|third|next)\s+phase\s+of\s+)?"
              rf"(?:a|an|the)\s+(?:[\w-]+\s+)?(?:{TRUCES})", _always(Kind.DEADLINE),
              "takes effect", priority=3)
        for verb in (r"beg(?:an|ins)", r"start(?:ed|s)")
    ),
    _spec(r"withdr[ae]w(?:s|n|al|ing)?|pull(?:s|ed|ing)?\s+out|suspen(?:d|ds|ded|ding|sion)|"
          r"revok(?:e|es|ed|ing)|revocation|de-?ratif\w*|left|leaves?|leaving|exit(?:s|ed)?|"
          r"quit(?:s|ting)?|abandon(?:s|ed|ing)?|walk(?:s|ed|ing)?\s+away\s+from",
          _leaving, "withdrawal", priority=4),
    _spec(r"deadline|ultimatum|snapback|snap\s+back|grace\s+period|Transition\s+Day|"
          r"Implementation\s+Day", _always(Kind.DEADLINE), "deadline", priority=3),
    _spec(r"Adoption\s+Day", _always(Kind.TREATY_IN_FORCE), "enters into force", priority=3),
    _spec(r"Termination\s+Day", _always(Kind.TREATY_EXPIRY), "expires", priority=3),
    _spec(r"Finali[sz]ation\s+Day", _always(Kind.TREATY_SIGNED), "agreed", priority=3),
    _spec(r"by|before|n[o']t?\s+later\s+than", _committed, "deadline", reach=0, priority=2,
          side="after"),
    _spec(rf"(?:has|have|had)\s+until|{GIVEN_UNTIL}", _always(Kind.DEADLINE), "deadline",
          reach=0, priority=3, side="after"),
    _spec("|".join(
              rf"{article}\s+(?:[\w-]+\s+)?(?:ban|embargo|phase-out|cap)"
              for article in ("a", "an", "the")
          ), _always(Kind.DEADLINE), "ban", priority=2),
    _spec(r"(?:re-?impos|restor|reinstat)\w*|return|come\s+back", _sanctions_return,
          "sanctions return", priority=2),
    _spec(r"exercises?|drills?|war\s+games?", _exercises, "exercises", reach=10, priority=2),
    _spec(r"sanctions(?:(?<=package\sof\ssanctions)|(?<=round\sof\ssanctions)|\s+package)",
          _package_adopted, "sanctions package", priority=3),  # starts with a literal: fast
    _spec(r"summit(?:s|ry)?", _always(Kind.SUMMIT), "summit", reach=12, priority=3),
    _spec(r"meet(?:s|ing|ings)?|met|gather(?:s|ed|ing)?|convene[sd]?|reconvene[sd]?",
          _always(Kind.MEETING),
          "meeting", reach=12),
    _spec(r"talks|negotiations?|consultations", _always(Kind.MEETING), "talks", reach=12),
    _spec(r"dialogue(?!\s+(?:with|between|on)\b)", _always(Kind.MEETING), "talks", reach=8),
    _spec(r"plenary(?:\s+(?:meeting|session))?(?!\s+(?:power|powers|vote|debate|hall)\b)",
          _always(Kind.MEETING), "plenary", reach=10),
    _spec(r"ministerial(?:\s+(?:council|conference|meeting)|(?=\s+(?:in|on|at|of|for|this|next|"
          r"last|and|was|is|will|which|that)\b|[^\w\s]))", _always(Kind.MEETING), "ministerial",
          reach=12),  # the noun, not "a ministerial decision"
    _spec(r"telephone\s+(?:call|conversation)|phone\s+(?:call|conversation)|call\s+with|"
          r"by\s+(?:tele)?phone|on\s+the\s+(?:tele)?phone|video\s+call|"
          r"h(?:eld|ad|olds?|ave|as)\s+a\s+call\b",
          _always(Kind.MEETING), "phone call", priority=2),
    _spec(r"confirmation\s+hearings?|public\s+hearings?|oral\s+hearings?|court\s+hearings?|"
          r"hearings?(?=\s+(?:on|in|at|into|before)\s)(?<!\son\shearing)(?<!after\shearing)",
          _always(Kind.MEETING), "hearing", reach=8),
    _spec("|".join(
              rf"{verb}\w*\s+(?:a\s+|the\s+)?(?:draft\s+)?resolution"
              for verb in ("adopt", "reject", "approv", "pass", "veto")
          ) + r"|vote[sd]?|approv\w*\s+(?:a\s+|the\s+)?(?:bill|law)|"
          r"first\s+reading|second\s+reading|third\s+reading|final\s+reading",
          _always(Kind.MEETING), "vote", reach=8, priority=2),
    _spec(r"authori[sz](?:ed|es)|endorsed", _council_acted, "vote", reach=8, priority=2),
    *(  # "the council will next discuss Lebanon on Jan. 22": a sitting ahead, not one told of
        _spec(rf"{verb}(?<={before}\s{verb})", _always(Kind.MEETING), "meeting", reach=4)
        for before in (r"will", r"will\snext", r"due\sto", r"expected\sto", r"set\sto")
        for verb in ("discuss", "debate")
    ),
    _spec(r"sworn\s+in|swearing-in|inauguration|inaugurated", _always(Kind.OTHER), "inauguration",
          reach=8, priority=2),
    _spec(r"host(?:s|ed|ing)?", _always(Kind.MEETING), "visit", reach=10),
    _spec(r"visit(?:s|ed|ing)?", _always(Kind.MEETING), "visit", reach=4),
    _spec("|".join(
              rf"{arriving}\s+in(?=\s+[a-z]){_NOT_WHEN}"
              for arriving in (r"arriv(?:e|es|ed|ing)", r"is\s+due", r"are\s+due", r"was\s+due",
                               r"were\s+due")
          ), _always(Kind.MEETING), "visit", reach=6),
    _spec(r"elections?(?!\s+(?:observ|monitor|commission|campaign|law|official|result|"
          r"authorit|committee|body|bodies|board|watchdog)\w*)|"
          r"elect(?:s|ed)?(?=\s+(?:a|an|the|its|their|five|two|three|four|\d)\b)|"
          r"midterms?|re-?election|referendum|presidential\s+vote|ballot|run-?offs?|"
          r"go(?:es|ing)?\s+to\s+the\s+polls|went\s+to\s+the\s+polls|"
          r"head(?:s|ed)?\s+to\s+the\s+polls",
          _always(Kind.ELECTION), "election", reach=12, priority=3),
    _spec(r"conference(?<!news\sconference)(?<!press\sconference)s?|conference\s+on\s+disarmament|"
          r"revcon|prepcom|preparatory\s+"
          r"(?:committee|meeting|session)|review(?=\s+(?:of|conference))|forum|"
          r"shangri-la\s+dialogue|raisina\s+dialogue|manama\s+dialogue|high-level\s+week",
          _always(Kind.CONFERENCE), "conference", priority=3),
    _spec(_PARTY_CONGRESS, _always(Kind.CONFERENCE), "party congress", reach=10, priority=3),
    _spec(r"COP\d{1,2}(?!\w)(?!\s+(?:[\w-]+\s+)?(?:summit|conference|talks|meeting))",
          _always(Kind.CONFERENCE), "conference", priority=3),  # the UN climate conferences
    _spec(r"session", _sitting, "conference", reach=6),
    _spec(r"report(?![a-z])|publication", _always(Kind.REPORT), "report", reach=8),
    _spec(r"advisory\s+opinion|verdict|ruling(?!\s+(?:party|parties|coalition|class|elite|"
          r"family|junta|bloc|alliance|camp|government|majority|workers|council|communist))",
          _always(Kind.REPORT), "ruling", reach=10),
    _spec(r"publish(?:es|ed|ing)?\s+(?:its|their|the|an?)\s+(?:[\w-]+\s+){0,2}?(?:assessment|"
          r"review|yearbook|estimate|findings|report)", _always(Kind.REPORT), "report", reach=8),
)  # fmt: skip

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WORD_CHAR = re.compile(r"\w")
_STRONG_HEDGE = re.compile(
    r"(?i:nothing\s+(?:has|had)\s+been\s+(?:decided|agreed|set|fixed)|"
    r"(?:has|have|had)\s+not\s+(?:yet\s+)?been\s+(?:decided|set|fixed|agreed|scheduled|confirmed)|"
    r"no\s+date|not\s+yet\s+(?:been\s+)?(?:set|fixed|scheduled|decided|confirmed)|undecided|"
    r"yet\s+to\s+be\s+(?:set|decided|scheduled|fixed|agreed)|no\s+decision|unclear\s+when)"
)
_REQUIRED_BY = re.compile(r"\b(?:requiring|would\s+(?:require|force|oblige))\b")
_BILL_REACH = 200  # characters before a length that may say a bill would require it
_CANCEL_REACH = 30
_CANCELLED = re.compile(
    r"\b(?i:cancel(?:l?ed|s|ling)?|called\s+off|call\s+off|scrapped|postponed\s+indefinitely|"
    r"shelved)\b"
)
_REJECTED = re.compile(
    r"\b(?i:rejected|rejects|refused|turned\s+down|dismissed)\s+(?:[\w\u2019'-]+\s+){0,6}?"
    r"(?i:for|of)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,2}$"
)
"""A proposal turned down, that names the event before its cue: "rejected a proposal by Kyiv
for a 30-day ceasefire"."""
_AVERTED = re.compile(
    r"\b(?i:avert(?:s|ed|ing)?|avoid(?:s|ed|ing)?|stav(?:e|es|ed|ing)\s+off|"
    r"head(?:s|ed|ing)?\s+off)\s+[^,;.]{0,60}?\b(?:that|which)\s+(?:was|were|had\s+been|is|are)\s+"
    r"(?:due|set|scheduled|expected)\s+to\s+$"
)
"""What an agreement prevented: "averting a rise in duties that was due to take effect"."""
_OFF_LATER_IN_CLAUSE = re.compile(
    r"(?:,[^,;.]{1,60},)?"  # "the summit, scheduled for August, was cancelled"
    r"[^,;.]{0,60}?\b(?i:is|was|are|were|has\s+been|have\s+been|had\s+been)\s+(?:now\s+)?"
    r"(?:(?i:off|shelved|scrapped|cancell?ed|called\s+off|on\s+ice)\b(?!\s+(?:to|from|by|with|on)\b)"
    r"|(?i:postponed|put\s+off|pushed\s+back|delayed|deferred)\b"
    r"(?![^.;]*\b(?i:to|until|till|for|from|and|but|now|again|rescheduled|"
    r"by\s+(?:an?|\d+|one|two|three|four|five|several|some|a\s+few))\b)"
    rf"|(?i:{PUT_OFF}|suspended)\s+(?i:until|till)\s+(?i:further\s+notice))"
)
"""The clause's own verb says the event is off: "the planned summit with Putin in Budapest
was off", however long the subject; or put off with no word of when it will be held instead
("a session in Cairo in late November was postponed by Russia at the last minute")."""
_ON_A_CONDITION = r"would\s+be\s+(?:held|called)\b[^.;]{0,60}?\b(?:if|unless)"
"""A plan on a condition: "an election would be held on December 28 if talks failed"."""
_WEAK_HEDGE = re.compile(
    rf"\b(?:{_ON_A_CONDITION}|possible|possibly|possibility|could|may|might|probably|likely|"
    r"perhaps|proposed|propose[sd]?|tentative(?:ly)?|speculation|considering|mooted|floated|"
    r"hop(?:e|es|ed|ing)\s+to|wants?|wanted|whether|"
    r"would\s+like\s+to|would\s+have\s+to|in\s+principle|if\s+(?:needed|necessary|required)|"
    r"(?:ready|willing|prepared|offer(?:s|ed)?)\s+to\s+(?:meet|host|visit|hold|attend|travel))\b"
)

_ELECTION_HEDGE = re.compile(
    rf"\b(?:{_ON_A_CONDITION}|"
    r"(?:could|may|might)\s+(?:\w+\s+)?(?:be\s+(?:held|called)|take\s+place)|"
    r"likely\s+to\s+be\s+(?:held|called)|if\s+(?:needed|necessary|required)|"
    r"(?:possible|possibly|potential|mooted|proposed)\s+(?:[\w-]+\s+){0,2}?elections?)\b"
)
"""A doubt that an election will be held then, not about how it will go."""
_EXPIRY_HEDGE = re.compile(
    r"\b(?:could|may|might)\s+(?:\w+\s+)?(?:expire|lapse|end|terminate|run\s+out|be\s+extended)\b"
)
"""A doubt about a treaty's end itself: its day is set by its text, whatever else is proposed
("Putin proposed keeping the limits for a year after the treaty expires on February 5")."""
_WEAK_HEDGES = {Kind.ELECTION: _ELECTION_HEDGE, Kind.TREATY_EXPIRY: _EXPIRY_HEDGE}


@dataclass(frozen=True, slots=True)
class CueMatch:
    """Where a cue's words stand; its kind waits for the sentence around it."""

    start: int
    end: int
    spec: _Spec


def cue_matches(text: str) -> list[CueMatch]:
    """Every cue word in the text, in text order, whatever its case."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters lower to two characters; offsets must hold
        lowered = text.translate(_ASCII_LOWER)
    found = []
    for spec in _SPECS:
        spans = sorted(
            {
                match.span()
                for pattern in spec.patterns
                for match in pattern.finditer(lowered)
                if match.start() == 0 or not _WORD_CHAR.match(lowered, match.start() - 1)
            },
            key=lambda span: (span[0], -span[1]),
        )
        taken = 0
        for start, end in spans:  # as one pattern would: none overlaps the one before
            if start >= taken:
                found.append(CueMatch(start, end, spec))
                taken = end
    return sorted(found, key=lambda cue: cue.start)


def cues_from(matches: Sequence[CueMatch], sentence: str) -> list[Cue]:
    """The cues of one sentence, each with the kind its sentence gives it (none drops it)."""
    kinds: dict[int, Kind | None] = {}
    found = []
    for match in matches:
        spec = match.spec
        kind = (
            kinds[id(spec)]
            if id(spec) in kinds
            else kinds.setdefault(id(spec), spec.kind(sentence))
        )
        if kind is not None:
            found.append(
                Cue(match.start, match.end, kind, spec.label, spec.reach, spec.priority, spec.side)
            )
    return found


def has_treaty(sentence: str) -> bool:
    return bool(TREATY_WORDS.search(sentence) or _TREATY.search(sentence))


@dataclass(frozen=True, slots=True)
class Treaty:
    """A treaty named in the text, by its usual name, with the parties it binds."""

    start: int
    name: str
    parties: tuple[str, ...]


def treaties_in(text: str, start: int, end: int) -> list[Treaty]:
    """Every named treaty between `start` and `end`, in text order."""
    found = []
    for match in _TREATY.finditer(text, start, end):
        name = _TREATY_NAMES[int((match.lastgroup or "t0")[1:])]
        found.append(Treaty(match.start(), name, TREATIES[name][1]))
    return found


def cancelled(text: str, start: int, end: int) -> bool:
    """Whether the words around an event cue (text[start:end]) say the event is off:
    "cancelled his planned summit", "the meeting was called off", "rejected a proposal for a
    ceasefire"."""
    near = _CANCELLED.search(text, max(start - _CANCEL_REACH, 0), end + _CANCEL_REACH)
    before = max(start - 3 * _CANCEL_REACH, 0)
    averted = _AVERTED.search(text, before, start) or _REJECTED.search(text, before, start)
    return bool(near or averted or _OFF_LATER_IN_CLAUSE.match(text, end))


def no_date_set(sentence: str) -> bool:
    """Whether the sentence says no date is set ("no date has been set for it to begin"): a
    length it names then counts from nothing known."""
    return _STRONG_HEDGE.search(sentence) is not None


def required_by_a_bill(sentence: str, at: int) -> bool:
    """Whether a length at `at` is what a law yet to pass would require ("a bill requiring the
    administration to report within 90 days"): it counts from that law's passage."""
    return _REQUIRED_BY.search(sentence, max(at - _BILL_REACH, 0), at) is not None


def hedged(
    sentence: str,
    following: str = "",
    clause: tuple[int, int] | None = None,
    *,
    kind: Kind | None = None,
) -> bool:
    """Whether the text says the event is undecided: strongly, here or in the next sentence,
    or weakly ("could", "possible") in the clause of the sentence that dates it (by default
    all of it; see `relative_clause`). Of an election, or a treaty's expiry, only a doubt
    about that event itself counts: "the opposition could win the election on Sunday" leaves
    the vote scheduled."""
    if no_date_set(sentence) or no_date_set(following):
        return True
    weak = _WEAK_HEDGES.get(kind, _WEAK_HEDGE) if kind else _WEAK_HEDGE
    return bool(weak.search(sentence, *(clause or (0, len(sentence)))))


_DRAFT_WOULD = re.compile(
    r"\bdraft\s+(?:resolution|law|bill|text|treaty|agreement)\s+(?:that|which)\s+would\b"
)
_RELATIVE_OPENING = re.compile(r",\s+(?:which|where)\s")
_OTHER_CLAUSE = re.compile(OTHER_CLAUSE)


def drafted(sentence: str, at: int) -> bool:
    """Whether the offset `at` stands in what a draft would do ("a draft resolution that would
    extend the mandate until December 31"), undecided until it is adopted; the vote on the
    draft, dated before, is not."""
    return _DRAFT_WOULD.search(sentence, 0, at) is not None


def relative_clause(sentence: str, at: int) -> tuple[int, int]:
    """The span of the relative clause (", which ...", up to its next comma) that holds the
    offset `at`; else the sentence up to a clause after `at` that tells of something else. A
    hedge outside the span does not reach it: "Talks could begin after the conference, which
    opens on April 27" doubts the talks, not the conference; "will meet on Thursday, as
    leaders seek guarantees before a possible ceasefire" doubts only the ceasefire."""
    opening = None
    for found in _RELATIVE_OPENING.finditer(sentence, 0, at):
        opening = found
    if opening is None:
        other = _OTHER_CLAUSE.search(sentence, at)
        return 0, other.start() if other else len(sentence)
    close = sentence.find(",", at)
    return opening.start(), len(sentence) if close < 0 else close
