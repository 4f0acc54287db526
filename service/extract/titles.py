"""Short, readable titles for proposals, built from the event words of the sentence.

"Trump-Putin summit in Helsinki", "New START expires", "US presidential election": who (the
leaders or countries named), what (the cue), and where or which treaty when the text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from service.domain import Kind
from service.extract.actors import COUNTRIES, SEATS, Actor
from service.extract.events import (
    A_TRUCE,
    BODY_LEFT,
    DECLARATION,
    EXERCISE_NAMES,
    NAMED_TREATY,
    TREATY_WORDS,
    Cue,
    deputised,
)
from service.extract.lexicon import MEASURES

SHORT_NAMES = {code: names.split("|")[0] for code, names in COUNTRIES.items()} | {
    "US": "US", "RU": "Russia", "SU": "Soviet", "GB": "UK", "SA": "Saudi", "AE": "UAE",
    "UNSC": "UN Security Council", "UNGA": "UN General Assembly", "QUAD": "Quad",
}  # fmt: skip
"""How a title names a party: a country's first name in the actors' table, or a shorter one."""
_ORGANISATIONS = (
    "NATO", "G7", "G20", "EU", "ASEAN", "UN", "UNSC", "UNGA", "OSCE", "AU", "BRICS", "SCO",
    "CSTO", "GCC", "QUAD", "APEC", "NSG", "MTCR",
)  # fmt: skip
"""Bodies that hold an event rather than take part in it, as the IAEA or the E3 may."""
_QUALIFIER = re.compile(
    r"(?i:\b(presidential|parliamentary|midterm|general|legislative|congressional|snap|"
    r"(?:upper|lower)[\s-]house|local|regional|municipal|provincial|state)\s+)$"
)
_NEXT = re.compile(r"(?i:\b(?:another|next|new|possible|second)\s+(?:\w+\s+)?)$")
_COUNCIL_VOTE = re.compile(
    r"(?<!Federation )(?<!European )(?<!Arctic )(?<!Rights )\b[Cc]ouncil(?:'s)?\s+(?:\w+\s+){0,3}$"
)
_SNAPBACK = re.compile(r"\b(?i:snap-?\s*back)")
"""The sanctions mechanism ("snapback", "snap back"); not a snap election."""
_ELECTED = re.compile(
    r"\s+(?:(?:[\w-]+\s+){1,3}?members\s+of\s+the\s+(?P<body>(?:[A-Z][\w-]*\s+){1,3}Council)|"
    r"(?:a|its|their)\s+new\s+(?P<post>[a-z]+(?:\s+general)?))"
)
"""Whom a body elects: "elect five non-permanent members of the Security Council", "will
elect a new speaker"."""
_OFFICE_ADJECTIVES = {"president": "presidential", "parliament": "parliamentary"}
_BETWEEN_ONES_OWN = re.compile(r"\b(?P<adjective>(?i:inter|intra)-[A-Z][a-z]+)\s+$")
"""Talks among the parts of one people or region: "inter-Korean talks", "intra-Afghan talks"."""
_BETWEEN = re.compile(r"\s+between\s+")
_COP = re.compile(r"COP\d{1,2}")
_BARE_AMOUNT = re.compile(r"(?P<n>\S+)\s+(?P<unit>(?i:hour|day|week|fortnight|month|year))s?")
_EFFECTIVE_THINGS = re.compile(
    r"(?<!\bon )(?<!\bof )(?<!\bfor )(?<!\bagainst )"
    rf"\b((?i:{MEASURES}))\b"
)
"""Each not the object of another ("the moratorium on tariffs" is a moratorium)."""
_OF_THING = re.compile(rf"\s+of\s+(?:(?i:the|a|an)\s+)?(?:[\w-]+\s+)?{_EFFECTIVE_THINGS.pattern}")
_MECHANISM_BEFORE = re.compile(r"\b(?i:the)\s+(mechanism|process|provision)\s+(?:\w+\s+)?$")
"""A procedure that is itself the subject of the cue: "the mechanism expires"."""
_MISSION = re.compile(
    r"\b(?:UNIFIL|MONUSCO|UNMISS|MINUSCA|MINUSMA|UNDOF|UNFICYP|UNAMA|UNAMI|UNMIK|UNSMIL|"
    r"UNISFA|MINURSO|UNMOGIP|UNTSO|UNMHA|BINUH|UNSOM|UNSOS|UNITAMS)\b"
)
"""UN peacekeeping and political missions, whose mandates the Security Council renews."""
_MISSION_REACH = 600
_MISSION_IN = re.compile(r"\b(?:mission|force)\s+in\s+(?P<where>[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)")
_TRIGGERED = re.compile(r"\b(?i:trigger|invok|activat)\w*\s+(?:the\s+)?[\"\u201c]?$")
_TARGET = re.compile(r"\b(?:[a-z]+\s+)?target\b")
_STARTS_OR_ENDS = {
    "takes effect": "take{s} effect",
    "enters into force": "take{s} effect",  # a truce: "the truce came into force"
    "expires": "expire{s}",
}
"""What a deadline cue says of a ceasefire, a ban or sanctions named before it."""
_ACRONYM_BEFORE = re.compile(
    r"(?<![\w-])(?P<name>[A-Z][A-Z]+\d*)\s+(?:[a-z]+(?:s[\u2019']|[\u2019']s)?\s+)?$"
)
"""A name in capitals, with a word at most between it and what it names ("APEC leaders'")."""
_RESOLUTION = re.compile(r"\b[Rr]esolution\b")
_BY = re.compile(r"\s+by\s+(?:the\s+)?")
_SUBJECT = re.compile(r"(?:[\u2019']s)?\s+(?:formally\s+|unilaterally\s+)?")
_JUST_BEFORE = re.compile(r"\s+(?:[a-z]+\s+){0,2}")
_PAIRED = re.compile(r"\s+and\s+(?:the\s+)?")
_NAME_BEFORE = re.compile(
    r"(?<![\w-])(?:(?!(?:The|A|An|This|Next|Its|Their)\s)[A-Z][\w-]*(?:[\u2019']s)?\s+){1,3}$"
)
"""A name before "Conference": "Munich Security", "IAEA's General", not "The"."""
_NAME_AFTER = re.compile(
    r"\s+on\s+(?!(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|"
    r"Dec)[a-z]*\b)(?:[A-Z][\w-]*\s*){1,3}"
)
"""A name after "Conference": "on Disarmament", not "on Monday"."""
_FAMILY_NAME_FIRST = frozenset(
    {"Xi", "Hu", "He", "Wang", "Kim", "Moon", "Yoon", "Lee", "Cho", "Ahn", "Wi"}
)
_COURTS = {
    "International Court of Justice": "ICJ",
    "International Criminal Court": "ICC",
    "European Court of Human Rights": "ECHR",
    "European Court of Justice": "ECJ",
    "Permanent Court of Arbitration": "PCA",
}
_COURT = re.compile(
    r"\b(?:International Court of Justice|International Criminal Court|European Court of "
    r"(?:Human Rights|Justice)|Permanent Court of Arbitration|ICJ|ICC|(?:Supreme|Constitutional"
    r"|High) Court)\b"
)
"""Courts whose rulings diplomacy follows, by their short names where they have one."""
_VERBS = {
    Kind.TREATY_EXPIRY: "expires",
    Kind.TREATY_SIGNED: "signed",
    Kind.TREATY_IN_FORCE: "enters into force",
}


@dataclass(frozen=True, slots=True)
class Scene:
    """What a title is made of: the cue, the names around it, a treaty and a place."""

    text: str  # the whole article; cue and actor offsets point into it
    sentence: str
    cue: Cue
    kind: Kind
    actors: tuple[Actor, ...]
    treaty: str | None
    place: str | None
    parties: tuple[str, ...]
    length: str | None = None  # "30-day process", when a duration is the event
    opens: int = 0  # where the sentence starts in the text

    def back(self, reach: int) -> int:
        """Where a look `reach` characters back from the cue starts, never before its
        sentence: a word of the sentence before is not this event's."""
        return max(self.cue.start - reach, self.opens)


def title_for(scene: Scene) -> str:
    """A title of at most a few words; never empty."""
    build = _BUILDERS.get(scene.kind, _generic)
    made = re.sub(r"\s+", " ", build(scene)).strip()
    return (made[:1].upper() + made[1:])[:300] or scene.kind.value.replace("_", " ").capitalize()


def who(actors: tuple[Actor, ...], limit: int = 2, *, people_first: bool = True) -> str:
    """ "Trump-Putin" from the leaders or officials named, if they speak for every country
    named, else "US-Ukraine" from the countries ("Bessent and Ukrainian officials"); a venue
    ("talks in Washington") is where, not who."""
    actors = tuple(actor for actor in actors if not actor.venue)
    people = [a for a in actors if a.person]
    countries = [a for a in actors if a.party not in _ORGANISATIONS]
    needing = {actor.party for actor in countries if actor.name not in SEATS}
    spoken_for = {actor.party for actor in people} >= needing
    if people and people_first and spoken_for:
        return "-".join(_surname(actor.name) for actor in _distinct(people, limit))
    named = _distinct(countries, limit)
    return "-".join(SHORT_NAMES.get(actor.party, actor.party) for actor in named)


def _distinct(actors: list[Actor], limit: int) -> list[Actor]:
    seen: dict[str, Actor] = {}
    for actor in actors:
        seen.setdefault(actor.party, actor)
    return list(seen.values())[:limit]


def _surname(name: str) -> str:
    """ "Putin" of "Vladimir Putin"; "Xi" of "Xi Jinping", whose family name comes first."""
    words = name.replace("Mr. ", "").split()
    return words[0] if words[0] in _FAMILY_NAME_FIRST else words[-1]


def _organisation(scene: Scene) -> str | None:
    """The organisation named nearest before the cue ("a NATO summit")."""
    before = [a for a in scene.actors if a.party in _ORGANISATIONS and a.start < scene.cue.start]
    return SHORT_NAMES.get(before[-1].party, before[-1].party) if before else None


def _where(scene: Scene) -> str:
    if not scene.place:
        return ""
    return f" {'at' if scene.place.startswith('the ') else 'in'} {scene.place}"  # the Kremlin


def _to(scene: Scene) -> str:
    return f" to {scene.place}" if scene.place else ""  # "visit to Moscow"


def _summit(scene: Scene) -> str:
    """ "NATO summit in Ankara"; but a meeting "on the sidelines of the APEC summit" is the
    leaders' own: "Trump-Xi summit"."""
    sidelines = "sidelines of" in scene.sentence
    body = None if sidelines else _organisation(scene)
    owner = body or _between(scene) or who(scene.actors) or _named_by(scene) or ""
    return f"{_next(scene)}{owner} summit{_where(scene)}"


def _named_by(scene: Scene) -> str | None:
    """The summit's own name, an acronym just before it: "the COP30 climate summit"."""
    before = scene.text[scene.back(40) : scene.cue.start]
    named = _ACRONYM_BEFORE.search(before)
    return named["name"] if named else None


def _meeting(scene: Scene) -> str:
    label = scene.cue.label
    if label == "vote":
        return f"{_voters(scene)} vote"
    hosting = scene.text[scene.cue.start : scene.cue.end].lower().startswith("host")
    if hosting and (guests := _guests(scene)):
        return guests
    noun = {"meeting": "meeting", "talks": _talks_word(scene), "visit": "visit"}.get(label, label)
    subject = f" on {scene.treaty}" if scene.treaty and label == "talks" else ""
    where = _to(scene) if label == "visit" else _where(scene)
    before = [actor for actor in scene.actors if actor.start < scene.cue.start]
    if between := _BETWEEN_ONES_OWN.search(scene.text, scene.back(20), scene.cue.start):
        return f"{between['adjective']} {noun}{subject}{where}"  # "Inter-Korean talks"
    if label == "ministerial" and (body := _organisation(scene)):  # "the OSCE's ministerial"
        return f"{_next(scene)}{body} {noun}{subject}{where}"
    if len(before) == 1 and before[0].party in _ORGANISATIONS:  # "the Security Council will
        owner = _organisation_name(scene)  # hold a meeting on Ukraine at France's request"
    elif label == "visit" and scene.place and (visitor := who(tuple(before))):
        owner = visitor  # "Kim will visit Russia at Putin's invitation": Kim's
    else:  # "EU-China talks", "Trump-Putin summit", "NATO ministers meet"
        deputies = deputised(scene.text, scene.cue.start)  # "their aides would meet"
        owner = (
            _sides_before(scene)
            or _between(scene)
            or _with_organisation(scene)
            or who(scene.actors, people_first=not deputies)
            or _organisation(scene)
            or (scene.treaty if label == "meeting" else None)  # "BWC states parties meet"
            or ""
        )
    return f"{_next(scene)}{owner} {noun}{subject}{where}"


def _sides_before(scene: Scene) -> str | None:
    """The sides a compound names just before the cue: "will host a new round of
    Russia-Ukraine talks" is Russia's and Ukraine's, not the host's."""
    for first, second in pairwise(scene.actors):
        if scene.text[first.end : second.start] == "-" and _JUST_BEFORE.fullmatch(
            scene.text, second.end, scene.cue.start
        ):
            return who((first, second), people_first=False)
    return None


def _between(scene: Scene) -> str | None:
    """The sides named after "between" just after the cue: "ready to host a meeting between
    Putin and Zelenskiy" is theirs, not the host's."""
    said = _BETWEEN.match(scene.text, scene.cue.end)
    if said is None:
        return None
    sides = tuple(a for a in scene.actors if said.end() <= a.start < said.end() + 60)
    return who(sides) or None


def _with_organisation(scene: Scene) -> str | None:
    """An organisation and a country that meet as a pair, named together before the cue:
    "The EU and China will hold talks" is "EU-China talks" (`who` leaves organisations out,
    as "NATO" in "NATO allies meet Ukraine" is the setting, not a side)."""
    for first, second in pairwise(a for a in scene.actors if a.start < scene.cue.start):
        sides = {first.party in _ORGANISATIONS, second.party in _ORGANISATIONS}
        if sides == {True, False} and _PAIRED.fullmatch(scene.text, first.end, second.start):
            return "-".join(SHORT_NAMES.get(a.party, a.party) for a in (first, second))
    return None


def _guests(scene: Scene) -> str | None:
    """Whoever a host receives, named after the cue: "Putin will host Xi in Moscow" is "Xi
    visit to Moscow"; two guests meet: "Putin-Zelensky meeting in Istanbul"."""
    after = tuple(actor for actor in scene.actors if actor.start >= scene.cue.end)
    guests = who(after)
    if not guests:
        return None
    if "-" in guests:
        return f"{guests} meeting{_where(scene)}"
    return f"{guests} visit{_to(scene)}"


def _voters(scene: Scene) -> str:
    """The organisation named before the vote; "a council vote" is the Security Council's
    (not the Federation Council's); else whoever is named, and nobody rather than a guess
    ("the vote was postponed")."""
    before = scene.text[scene.back(40) : scene.cue.start]
    if _organisation(scene) is None and _COUNCIL_VOTE.search(before):
        return SHORT_NAMES["UNSC"]
    return _organisation_name(scene) or who(scene.actors)


def _organisation_name(scene: Scene) -> str:
    return _organisation(scene) or ""


def _talks_word(scene: Scene) -> str:
    word = scene.text[scene.cue.start : scene.cue.end].lower()
    return "negotiations" if word.startswith("negotiation") else word


def _next(scene: Scene) -> str:
    return "Next " if _NEXT.search(scene.text[scene.back(30) : scene.cue.start]) else ""


def _resolution(scene: Scene) -> str | None:
    """ "UN Security Council resolution", when an unnamed resolution is what the cue is of."""
    before = scene.text[scene.back(80) : scene.cue.start]
    if not _RESOLUTION.search(before):
        return None
    organisation = _organisation(scene)
    return f"{organisation} resolution" if organisation else "Resolution"


def _election(scene: Scene) -> str:
    """Named by the country that votes, never by an organisation the vote is about ("a
    referendum on EU membership" is not an EU election)."""
    qualifier = _QUALIFIER.search(scene.text[scene.back(30) : scene.cue.start])
    countries = [party for party in scene.parties if party not in _ORGANISATIONS]
    country = SHORT_NAMES.get(countries[0], countries[0]) if countries else ""
    adjective = f"{qualifier.group(1).lower()} " if qualifier else ""
    word = scene.text[scene.cue.start : scene.cue.end].lower()
    if word.startswith("elect") and (chosen := _ELECTED.match(scene.text, scene.cue.end)):
        if chosen["body"]:
            return f"{chosen['body']} election"  # "Security Council election"
        post = _OFFICE_ADJECTIVES.get(chosen["post"], chosen["post"])
        return f"{country} {post} election"  # "Iran presidential election"
    noun = next((name for name in ("referendum", "runoff", "run-off") if name in word), "election")
    return f"{country} {adjective}{noun}"


def _treaty(scene: Scene) -> str:
    """The treaty by name; one not named, by the countries that are party to it."""
    if scene.kind is Kind.TREATY_WITHDRAWAL:
        body = BODY_LEFT.search(scene.sentence)
        named = NAMED_TREATY.search(scene.sentence) or TREATY_WORDS.search(scene.sentence)
        name = scene.treaty or (body["body"] if body else named.group() if named else "Treaty")
        step = _withdrawal_step(scene.text[scene.cue.start : scene.cue.end].lower())
        actor = _agent(scene) or who(scene.actors, 1, people_first=False)
        return f"{actor} {step} {name}".strip()
    if scene.cue.label == "ceasefire agreed":  # "India-Pakistan ceasefire agreed"
        truce = A_TRUCE.search(scene.text, scene.cue.start, scene.cue.end)
        noun = truce.group().lower() if truce else "ceasefire"
        return f"{who(scene.actors, people_first=False)} {noun} agreed"
    if scene.cue.label == "signing ceremony" and not scene.treaty:  # what is signed is unsaid
        return f"Signing ceremony{_where(scene) or _to(scene)}"
    name = _treaty_name(scene)
    if scene.cue.label == "extension agreed":
        return f"{name} extension agreed"
    if scene.cue.label in ("reached", "adopted"):  # "a deal was reached": not yet signed
        return f"{name} {scene.cue.label}"
    return f"{name} {_VERBS[scene.kind]}"


def _agent(scene: Scene) -> str | None:
    """Who the cue names as its doer: after a passive's "by" ("was suspended by NATO
    allies"), else just before it ("the treaty, which India suspended on April 23")."""
    for actor in scene.actors:
        if _BY.fullmatch(scene.text, scene.cue.end, actor.start) or (
            _SUBJECT.fullmatch(scene.text, actor.end, scene.cue.start) and not actor.venue
        ):
            return SHORT_NAMES.get(actor.party, actor.party)
    return None


def _withdrawal_step(cue: str) -> str:
    """A suspension or a de-ratification is not a withdrawal: the state stays a party (or a
    signatory), and says so."""
    if cue.startswith("suspen"):
        return "suspension of"
    if cue.startswith(("revo", "de-rat", "derat")):
        return "de-ratification of"
    return "withdrawal from"


def _treaty_name(scene: Scene) -> str:
    """The treaty by name, else as the sentence calls it, with its parties: "Iran-IAEA
    agreement"."""
    if scene.treaty:
        return scene.treaty
    if named := NAMED_TREATY.search(scene.sentence):
        return named.group()  # "High Seas Treaty", "WHO Pandemic Agreement"
    parties = who(scene.actors, people_first=False)
    called = DECLARATION.search(scene.sentence) or TREATY_WORDS.search(scene.sentence)
    noun = called.group().lower().replace("treaties", "treaty") if called else "treaty"
    return _resolution(scene) or f"{parties} {noun}"


def _deadline(scene: Scene) -> str:
    """Whoever is put under the limit matters more than who set it: "Russia-US deadline",
    not "Trump deadline"."""
    snapback = _SNAPBACK.search(scene.sentence) is not None
    subject = scene.treaty or (
        "Snapback" if snapback else who(scene.actors, people_first=False) or who(scene.actors)
    )
    if scene.length and (amount := _BARE_AMOUNT.fullmatch(scene.length)):
        return f"{subject} {amount['n']}-{amount['unit'].lower()} deadline"  # "given 50 days"
    if scene.length:
        named = subject.lower() in scene.length.lower()  # "30-day snapback process"
        return f"{'' if named else subject} {scene.length} ends"
    if scene.cue.label == "sanctions return":
        return f"{subject} sanctions return"
    verb = _STARTS_OR_ENDS.get(scene.cue.label)
    if verb and (what := _named_thing(scene)):
        owner = "-".join(filter(None, (None if snapback else _organisation(scene), subject)))
        if what == "mandate" and (mission := _mission(scene)):
            owner = mission  # "UNIFIL mandate expires", not the Security Council's
        plural = what.endswith("s")
        return f"{owner} {what} {verb.format(s='' if plural else 's')}"
    if snapback and _TRIGGERED.search(scene.text, scene.back(30), scene.cue.start):
        return "Snapback triggered"  # the 30-day process starts: "triggered the snapback"
    return f"{subject or _organisation(scene) or ''} {_target(scene) or 'deadline'}"


def _target(scene: Scene) -> str | None:
    """A goal to reach by a date: "a new spending target of 5% of GDP by 2035"."""
    if scene.text[scene.cue.start : scene.cue.end].lower() not in ("by", "before"):
        return None
    target = _TARGET.search(scene.text, scene.back(60), scene.cue.start)
    return target.group().lower() if target else None


def _mission(scene: Scene) -> str | None:
    """The UN mission whose mandate it is: by its acronym, named last before the cue in the
    story ("The mission, known as UNIFIL"), else as "the mission in Lebanon" in its sentence,
    else as "the peacekeeping force in Cyprus" in the story before it."""
    start = max(scene.cue.start - _MISSION_REACH, 0)
    named = _MISSION.findall(scene.text, start, scene.cue.start)
    if named:
        return str(named[-1])
    where = _MISSION_IN.search(scene.sentence)
    if where is None:
        where = next(reversed(list(_MISSION_IN.finditer(scene.text, start, scene.cue.start))), None)
    return f"UN mission in {where['where']}" if where else None


def _named_thing(scene: Scene) -> str | None:
    """What takes effect or runs out: named just after the cue ("the expiry of the truce"),
    else last before it or in it ("the ceasefire, which took effect", "the truce is due to
    expire", "the truce began")."""
    after = _OF_THING.match(scene.text, scene.cue.end)
    if after:
        return after.group(1).lower()
    if own := _MECHANISM_BEFORE.search(scene.text, scene.back(30), scene.cue.start):
        return own.group(1).lower()  # "before the mechanism expires on October 18"
    before = scene.text[scene.back(100) : scene.cue.end]  # or in it: "the truce began"
    named = _EFFECTIVE_THINGS.findall(before)
    return named[-1].lower() if named else None


def _conference(scene: Scene) -> str:
    words = scene.text[scene.cue.start : scene.cue.end].lower()
    owner = scene.treaty or _organisation(scene) or who(scene.actors)
    if " ".join(words.split()) == "conference on disarmament":  # whatever else is named
        return f"Conference on Disarmament{_where(scene)}"
    if "prep" in words:
        return f"{owner} Preparatory Committee"
    if "review" in scene.sentence.lower() and scene.treaty:
        return f"{owner} Review Conference"
    if named := _conference_name(scene):
        bodies = [a for a in scene.actors if a.start < scene.cue.start and not a.country]
        held_by = ""  # "the IAEA's annual General Conference": whose it is
        if bodies and named.startswith("General"):
            held_by = f"{SHORT_NAMES.get(bodies[-1].party, bodies[-1].party)} "
        return f"{held_by}{named}{_where(scene)}"
    if scene.cue.label == "party congress":  # "China Communist Party congress"
        return f"{who(scene.actors, people_first=False)} party congress".strip()
    if _COP.fullmatch(scene.text, scene.cue.start, scene.cue.end):  # the UN climate talks
        return f"{scene.text[scene.cue.start : scene.cue.end]}{_where(scene)}"
    if words.endswith(("dialogue", "week")):  # "Shangri-La Dialogue", "UNGA high-level week"
        named = scene.text[scene.cue.start : scene.cue.end]
        return f"{owner if words.endswith('week') else ''} {named}{_where(scene)}"
    return f"{owner} conference{_where(scene)}"


def _conference_name(scene: Scene) -> str | None:
    """A conference's own name, in capitals around the word: "Munich Security Conference",
    "Conference on Disarmament"."""
    word = scene.text[scene.cue.start : scene.cue.end]
    if not word.startswith("Conference"):
        return None
    before = _NAME_BEFORE.search(scene.text, scene.back(50), scene.cue.start)
    after = _NAME_AFTER.match(scene.text, scene.cue.end)
    if not (before or after):
        return None
    named = re.sub(r"[\u2019']s\b", "", before.group()) if before else ""
    return f"{named}Conference{after.group().rstrip() if after else ''}"


def _report(scene: Scene) -> str:
    if scene.cue.label == "ruling":  # "ICJ advisory opinion", "Court ruling"
        court = _COURT.search(scene.sentence)
        said = " ".join(scene.text[scene.cue.start : scene.cue.end].lower().split())
        named = _COURTS.get(court.group(), court.group()) if court else "Court"
        return f"{named} {said}"
    return f"{scene.treaty or who(scene.actors, 1) or _organisation(scene) or ''} report"


def _generic(scene: Scene) -> str:
    if scene.cue.label == "exercises":
        return _exercises(scene)
    if scene.cue.label == "initialled":  # a text agreed, not yet signed
        return f"{_treaty_name(scene)} initialled"
    if scene.cue.label == "sanctions package":  # "EU sanctions package adopted"
        owner = _organisation(scene) or who(scene.actors, 1, people_first=False)
        return f"{owner} sanctions package adopted"
    return f"{who(scene.actors)} {scene.cue.label}"


def _exercises(scene: Scene) -> str:
    """ "Russia-Belarus Zapad exercises": who holds them, and their name when it is given."""
    named = EXERCISE_NAMES.search(scene.sentence)
    name = f" {named.group()}" if named else ""
    owner = who(scene.actors, people_first=False) or _organisation_name(scene)
    return f"{owner}{name} exercises"


_BUILDERS = {
    Kind.SUMMIT: _summit,
    Kind.MEETING: _meeting,
    Kind.ELECTION: _election,
    Kind.TREATY_EXPIRY: _treaty,
    Kind.TREATY_SIGNED: _treaty,
    Kind.TREATY_IN_FORCE: _treaty,
    Kind.TREATY_WITHDRAWAL: _treaty,
    Kind.DEADLINE: _deadline,
    Kind.CONFERENCE: _conference,
    Kind.REPORT: _report,
}
