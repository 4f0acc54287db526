"""Who a sentence names: countries, organisations and leaders, as party codes.

Names are matched case-sensitively ("US" the country, not "us"). A capital stands for its
government ("talks between Moscow and Washington") except after "in", "at" or "to", where it
is only the venue ("a summit in Helsinki").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.extract.asides import clause_from

COUNTRIES = {
    "US": "United States|U.S.|US|USA|America|American|Americans|Washington|White House|Pentagon|"
    "State Department|Congress",
    "RU": "Russian Federation|Russia|Russian|Russians|Moscow|Kremlin|Duma|Federation Council",
    "SU": "Soviet Union|Soviet|Soviets|USSR",
    "CN": "China|Chinese|Beijing",
    "KP": "North Korea|North Korean|North Koreans|Pyongyang|DPRK",
    "KR": "South Korea|South Korean|South Koreans|Seoul",
    "IR": "Iran|Iranian|Iranians|Tehran",
    "GB": "Britain|British|United Kingdom|U.K.|UK|London|Downing Street",
    "FR": "France|French|Paris|Élysée",
    "DE": "Germany|German|Germans|Berlin|Bundestag",
    "UA": "Ukraine|Ukrainian|Ukrainians|Kyiv|Kiev",
    "IL": "Israel|Israeli|Israelis|Jerusalem|Knesset",
    "SA": "Saudi Arabia|Saudi|Saudis|Riyadh",
    "JP": "Japan|Japanese|Tokyo",
    "IN": "India|Indian|Indians|New Delhi",
    "PK": "Pakistan|Pakistani|Pakistanis|Islamabad",
    "TR": "Turkey|Türkiye|Turkish|Ankara",
    "HU": "Hungary|Hungarian|Hungarians|Budapest",
    "VE": "Venezuela|Venezuelan|Venezuelans|Caracas",
    "SY": "Syria|Syrian|Syrians|Damascus",
    "BY": "Belarus|Belarusian|Belarusians|Minsk",
    "PL": "Poland|Polish|Warsaw",
    "VN": "Vietnam|Viet Nam|Vietnamese|Hanoi",
    "FI": "Finland|Finnish",
    "CA": "Canada|Canadian|Canadians|Ottawa",
    "IQ": "Iraq|Iraqi|Iraqis|Baghdad",
    "QA": "Qatar|Doha",
    "AE": "United Arab Emirates|UAE|Abu Dhabi",
    "MD": "Moldova|Moldovan|Moldovans",
    "AM": "Armenia|Armenian|Armenians",
    "AZ": "Azerbaijan|Azerbaijani|Azerbaijanis",
    "GE": "Georgia|Georgian|Georgians|Tbilisi",
    "KZ": "Kazakhstan|Kazakh",
    "EG": "Egypt|Egyptian|Egyptians",
    "LB": "Lebanon|Lebanese",
    "OM": "Oman|Omani",
    "NO": "Norway|Norwegian",
    "SE": "Sweden|Swedish",
    "NL": "Netherlands|Dutch",
    "IT": "Italy|Italian",
    "ES": "Spain|Spanish",
    "BR": "Brazil|Brazilian",
    "ZA": "South Africa|South African",
    "MX": "Mexico|Mexican",
    "ID": "Indonesia|Indonesian",
    "AF": "Afghanistan|Afghan|Taliban",
    "YE": "Yemen|Yemeni",
    "LT": "Lithuania|Lithuanian",
    "LV": "Latvia|Latvian",
    "EE": "Estonia|Estonian",
    "RO": "Romania|Romanian",
    "RS": "Serbia|Serbian",
    "ML": "Mali|Malian",
    "NE": "Niger|Nigerien",
    "BF": "Burkina Faso|Burkinabe",
    "TH": "Thailand|Thai|Bangkok",
    "KH": "Cambodia|Cambodian",
    "SD": "Sudan|Sudanese",
    "SS": "South Sudan|South Sudanese",
    "ET": "Ethiopia|Ethiopian",
    "ER": "Eritrea|Eritrean",
    "SO": "Somalia|Somali",
    "LY": "Libya|Libyan",
    "CD": "DR Congo|Democratic Republic of Congo|Democratic Republic of the Congo|DRC|Congo|"
    "Congolese",
    "RW": "Rwanda|Rwandan",
    "CU": "Cuba|Cuban",
    "CO": "Colombia|Colombian",
    "MM": "Myanmar|Burma",
    "BD": "Bangladesh|Bangladeshi",
    "PH": "Philippines|Philippine|Filipino",
    "MY": "Malaysia|Malaysian",
    "NZ": "New Zealand",
    "NG": "Nigeria|Nigerian",
    "KE": "Kenya|Kenyan",
    "AR": "Argentina|Argentine",
    "CL": "Chile|Chilean",
    "CH": "Switzerland|Swiss",
    "AT": "Austria|Austrian",
    "BE": "Belgium|Belgian",
    "DK": "Denmark|Danish|Copenhagen",
    "GL": "Greenland",
    "GR": "Greece|Greek",
    "CY": "Cyprus|Cypriot",
    "JO": "Jordan|Jordanian",
    "DZ": "Algeria|Algerian",
    "MA": "Morocco|Moroccan",
    "TN": "Tunisia|Tunisian",
    "UZ": "Uzbekistan|Uzbek",
    "KG": "Kyrgyzstan|Kyrgyz",
    "TJ": "Tajikistan|Tajik",
    "MN": "Mongolia|Mongolian",
    "TW": "Taiwan|Taiwanese",
    "CZ": "Czech Republic|Czechia|Czech|Prague",
    "SK": "Slovakia|Slovak|Bratislava",
    "BG": "Bulgaria|Bulgarian",
    "PT": "Portugal|Portuguese",
    "IE": "Ireland|Irish",
    "KW": "Kuwait|Kuwaiti",
    "BH": "Bahrain|Bahraini",
    "PS": "Palestine|Palestinian|Palestinians|Palestinian Authority",
}
_ORGANISATIONS = {
    "UNSC": "UN Security Council|U.N. Security Council|Security Council",
    "UNGA": "General Assembly",
    "UN": "United Nations|U.N.|UN",
    "IAEA": "IAEA|International Atomic Energy Agency",
    "CTBTO": "CTBTO",
    "OPCW": "OPCW|Organisation for the Prohibition of Chemical Weapons",
    "NATO": "NATO|North Atlantic Treaty Organization",
    "EU": "European Union|EU|European Council|European Commission",
    "E3": "E3",
    "G7": "G7|G-7|Group of 7|Group of Seven",
    "G20": "G20|G-20|Group of 20|Group of Twenty",
    "OSCE": "OSCE|Organization for Security and Co-operation in Europe|"
    "Organisation for Security and Co-operation in Europe",
    "ASEAN": "ASEAN",
    "AU": "African Union|Peace and Security Council",
    "BRICS": "BRICS",
    "SCO": "SCO|Shanghai Cooperation Organisation|Shanghai Cooperation Organization",
    "CSTO": "CSTO|Collective Security Treaty Organisation|Collective Security Treaty Organization",
    "GCC": "GCC|Gulf Cooperation Council",
    "QUAD": "Quad|Quadrilateral Security Dialogue",
    "APEC": "APEC|Asia-Pacific Economic Cooperation",
    "NSG": "Nuclear Suppliers Group|NSG",
    "MTCR": "Missile Technology Control Regime|MTCR",
}
LEADERS = {
    "US": "Trump|Biden|Obama|Reagan|Bush|Clinton",
    "RU": "Putin|Medvedev|Yeltsin",
    "SU": "Gorbachev|Brezhnev",
    "CN": "Xi Jinping|Xi|Hu Jintao",
    "KP": "Kim Jong-un|Kim Jong Un|Kim Jong-il",
    "KR": "Moon Jae-in|Yoon Suk Yeol|Lee Jae-myung",
    "FR": "Macron|Hollande",
    "DE": "Merkel|Scholz|Merz",
    "GB": "Starmer|Sunak|Boris Johnson|Theresa May",
    "UA": "Zelensky|Zelenskyy|Zelenskiy|Poroshenko",
    "IR": "Rouhani|Pezeshkian|Raisi|Khamenei",
    "TR": "Erdogan|Erdoğan",
    "IN": "Modi",
    "IL": "Netanyahu",
    "HU": "Orban|Orbán",
    "JP": "Kishida|Ishiba|Shinzo Abe|Takaichi",
    "BY": "Lukashenko",
    "VE": "Maduro",
    "CD": "Tshisekedi",
    "RW": "Kagame",
    "ZA": "Ramaphosa",
    "BR": "Lula",
    "PK": "Shehbaz Sharif",
    "SA": "Mohammed bin Salman",
    "EG": "Sisi|el-Sisi",
    "AZ": "Aliyev",
    "AM": "Pashinyan",
    "KZ": "Tokayev",
    "PL": "Tusk|Nawrocki|Duda",
    "IT": "Meloni",
    "CA": "Carney|Trudeau",
    "MX": "Sheinbaum",
    "AR": "Milei",
    "ID": "Prabowo",
    "SY": "al-Sharaa|Sharaa|Assad",
    "FI": "Stubb",
    "GR": "Mitsotakis",
    "MD": "Sandu",
    "RS": "Vucic|Vučić",
    "SK": "Fico",
}
"""Heads of state or government: a meeting of two of them is a summit."""
_COUNTRY_CODE = 2
_OFFICIALS = {
    "US": "Pompeo|Blinken|Rubio|Tillerson|Kerry|Bolton|Witkoff|Vance|Hegseth|Mueller|Harris|"
    "Bessent|Lutnick|Greer|Driscoll",
    "RU": "Lavrov|Peskov|Shoigu|Ryabkov|Ushakov|Zakharova|Dmitriev",
    "CN": "Wang Yi|He Lifeng",
    "JP": "Iwaya|Motegi",
    "KR": "Cho Hyun|Ahn Gyu-back|Wi Sung-lac",
    "IR": "Zarif|Araghchi|Araqchi",
    "UA": "Kuleba|Sybiha|Yermak|Umerov",
    "IAEA": "Grossi",
    "UN": "Guterres",
    "NATO": "Stoltenberg|Rutte",
    "VE": "Guaidó|Guaido",
}
SEATS = frozenset(
    {"White House", "Pentagon", "State Department", "Kremlin", "Downing Street", "Élysée"}
)
"""Where a government sits: named beside its people ("Trump hosted Netanyahu at the White
House"), it adds no side of its own."""
_VENUE = re.compile(r"\b(?:in|at|to)\s+(?:the\s+)?(?:[A-Z][\w\u2019'.-]*,?\s+){0,2}$")
_SENTENCE_END = re.compile(r"[a-z]{2}[.!?]\s")
_CAPITALS = frozenset(
    """
    Washington Moscow Beijing Pyongyang Seoul Tehran London Paris Berlin Kyiv Kiev Jerusalem
    Riyadh Tokyo Islamabad Ankara Budapest Caracas Damascus Minsk Warsaw Hanoi Ottawa Baghdad
    Doha Prague Bangkok Copenhagen Bratislava
    """.split()
)
_NEVER_WHERE = frozenset({"United States", "Russian Federation", "Soviet Union"})
"""Countries named after "in" that the news means as actors: "interference in the United
States" is about the US, not held there."""
_PLACE_NAMES = (
    _CAPITALS
    | frozenset(names.split("|")[0] for names in COUNTRIES.values()) - _NEVER_WHERE
    | {"Russia", "Türkiye"}
)
"""Names that, after "in", "at" or "to", say where something happens rather than who acts."""
_PLACES = (
    "Helsinki|Geneva|Vienna|Brussels|Moscow|Washington|Beijing|Sochi|Budapest|Anchorage|"
    "Alaska|Osaka|Hanoi|Singapore|Vladivostok|Prague|New York|Reykjavik|Paris|London|Berlin|"
    "Cornwall|Da Nang|Vietnam|Rovaniemi|Riyadh|Istanbul|Abu Dhabi|Doha|Tehran|Seoul|Tokyo|"
    "Hiroshima|Munich|The Hague|Madrid|Vilnius|Camp David|Panmunjom|Muscat|Oman|Rome|Jeddah|"
    "Minsk|Astana|Kazan|Bali|Buenos Aires|Hamburg|Biarritz|Carbis Bay|Elmau|Ise-Shima|Evian|"
    "Oslo|Stockholm|Copenhagen|Warsaw|Cairo|Sharm el-Sheikh|Kananaskis|Baku|Yerevan|Beirut|"
    "Lausanne|Montreux|Bratislava|Johannesburg|Rio de Janeiro|Belém|Belem|Gyeongju|"
    "Pyongyang|Kyiv|Kiev|Jerusalem|Ankara|Islamabad|New Delhi|Baghdad|Damascus|Caracas|"
    "Ottawa|Tallinn|Riga|Tbilisi|Miami|Shenzhen|Tianjin|Lima|San Francisco|Kuala Lumpur|"
    "Jakarta|Manila|Bangkok|Canberra|Addis Ababa|Dubai|Antalya|Luxembourg|the White House|"
    "the Kremlin|Shanghai|Hong Kong|Hawaii|Honolulu|Mar-a-Lago|Davos|Busan|Nuuk|Ushuaia|"
    "Sharm El-Sheikh|Alma-Ata|Almaty|Tashkent|Bishkek|Dushanbe|Ashgabat|Ulaanbaatar|Naypyidaw|"
    "Phnom Penh|Vientiane"
)


@dataclass(frozen=True, slots=True)
class Actor:
    """One name in the text: where it is, what it says, and the party it stands for."""

    start: int
    end: int
    name: str
    party: str
    leader: bool = False
    person: bool = False
    venue: bool = False

    @property
    def country(self) -> bool:
        """Whether the party is a country (ISO 3166 alpha-2), not an organisation."""
        return len(self.party) == _COUNTRY_CODE


def _entries() -> dict[str, tuple[str, bool, bool]]:
    """Each name: (party code, is a leader, is a person)."""
    kinds = (
        (COUNTRIES | _ORGANISATIONS, False, False),
        (LEADERS, True, True),
        (_OFFICIALS, False, True),
    )
    return {
        name: (code, leader, person)
        for table, leader, person in kinds
        for code, names in table.items()
        for name in names.split("|")
    }


_Trie = dict[str, "_Trie"]


def _trie(words: Sequence[str]) -> str:
    """One pattern for many literal words, with shared prefixes factored out ("Iran" and
    "Iranian" as Iran(?:ian)?): a plain alternation of some 300 names is tried name by name
    at every capital in the text; the trie branches once a letter. Longer words win, as in
    an alternation sorted longest first."""
    root: _Trie = {}
    for word in words:
        node = root
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}
    return _branches(root)


def _branches(node: _Trie) -> str:
    ways = [re.escape(letter) + _branches(rest) for letter, rest in sorted(node.items()) if letter]
    if not ways:
        return ""
    joined = ways[0] if len(ways) == 1 else f"(?:{'|'.join(ways)})"
    if "" not in node:
        return joined
    return f"(?:{'|'.join(ways)})?"


_NAMES = _entries()
_NAME = re.compile(rf"(?<![\w.])(?:{_trie(list(_NAMES))})(?!\w)")
PLACE = re.compile(rf"\b(?:in|at)\s+(?P<place>{_PLACES})\b")
NEXT_STOP = re.compile(rf"\s+and\s+(?:then\s+)?(?P<stop>(?:in|at)\s+(?:{_PLACES}))\s+(?:on|in)\s+")
"""The next stop of a journey, between its first date and its own: "is due in Moscow on Friday
and in Kyiv on Monday"."""
_VENUES = _PLACE_NAMES | frozenset(_PLACES.split("|"))
"""Names that say where after "in", "at" or "to": the countries and capitals above, and the
summit towns (Abu Dhabi, Doha, Riyadh, ...)."""
_PLACE_REACH = 80
_BESIDE_IN = re.compile(
    rf"\b(?:sidelines|margins)\s+of\s+(?:[\w'-]+\s+){{1,6}}?(?:in|at)\s+(?P<place>{_PLACES})\b"
)
"""Where the gathering a meeting is held beside takes place: "on the sidelines of the APEC
summit in Gyeongju", however far from the cue within its clause."""
_TRAVELLING_TO = re.compile(
    rf"\b(?:travel(?:s|led|ed|ing|ling)?|fl(?:y|ies|ew|ying)|head(?:s|ed|ing)?)\s+to\s+"
    rf"(?P<place>{_PLACES})\s+(?:(?:on|in|this|next)\s+\w+\s+)?for\s+(?:[\w-]+\s+){{0,3}}$"
)
"""A trip that names where the event is, before it: "will travel to Jeddah for talks", "will
fly to Moscow on Wednesday for talks"."""
_VISITED = re.compile(
    r"visit(?:s|ed|ing)?\s+(?:to\s+)?(?P<place>"
    + "|".join(sorted(map(re.escape, _VENUES), key=len, reverse=True))
    + r")\b"
)
"""What a visit names as its object is where it goes: "will visit Russia next month", "his
first visit to Moscow"."""
_MR_KIM = re.compile(r"\bMr\.\s+Kim\b(?!\s+Jong)")
_ZONE_AFTER = re.compile(r"\s+time\b")
_BROKERED_BY = re.compile(
    r"\b(?:(?:mediated|brokered|facilitated)\s+by|[Mm]ediators\s+(?:from|[-\u2013\u2014:])|"
    r"at\s+the\s+request\s+of)\s+(?:the\s+)?"
    r"(?:[A-Z][\w.\u2019'-]*,?\s+(?:and\s+(?:the\s+)?)?)*$"  # one name a word: one reading
)
"""Names after "mediated by" are the brokers': "talks mediated by Qatar and Turkey",
"mediators from Egypt and the United Arab Emirates said"; after "at the request of", whoever
asked for a meeting, who is no party to it by asking."""
_BROKERS = re.compile(
    r"(?:,?\s+(?:and\s+)?[A-Z][\w.\u2019'-]*){0,8},\s+(?:which|who)\s+(?:had\s+|have\s+)?"
    r"(?:brokered|mediated|facilitated)\b"
)
"""Names that a relative clause says brokered the event: "Qatar and Turkey, which brokered the
talks, said ..."."""
_A_PARTY_S = re.compile(
    r"(?i:\b(?:party|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"\d+(?:st|nd|rd|th))\s+)$"
)
_BROKERED = re.compile(r"-(?:brokered|mediated)\b")
_IAEA_BOARD = tuple(
    f"{agency}{size}Board of Governors"
    for agency in ("IAEA ", "IAEA's ", "IAEA\u2019s ", "Agency's ", "Agency\u2019s ")
    for size in ("", "35-nation ", "35-member ")
)
"""The IAEA's board named in full, after which "the board" is the IAEA's."""
_KNOWN_ONCE_NAMED = tuple(
    (re.compile(rf"(?<![\w-])(?<!Mr\.\s){alone}\b(?![\s-]+[A-Z])"), full, code, person)
    for alone, full, code, person in (
        ("Lee", ("Lee Jae-myung",), "KR", True),
        ("Yoon", ("Yoon Suk Yeol",), "KR", True),
        ("Moon", ("Moon Jae-in",), "KR", True),
        ("Kim", ("Kim Jong Un", "Kim Jong-un"), "KP", True),  # "Mr. Kim": `_kim`
        ("Board of Governors", ("IAEA", "Atomic Energy Agency", "nuclear watchdog"), "IAEA", False),
        ("(?<=[Tt]he\\s)board", _IAEA_BOARD, "IAEA", False),  # "The board's quarterly meeting"
    )
)


def actors_in(text: str, start: int = 0, end: int | None = None) -> list[Actor]:
    """The names between `start` and `end`, in text order."""
    stop = len(text) if end is None else end
    found = _kim(text, start, stop) + _named_again(text, start, stop)
    for match in _NAME.finditer(text, start, stop):
        if _ZONE_AFTER.match(text, match.end()) or _BROKERED.match(text, match.end()):
            continue  # "6 p.m. Washington time" names a clock, "a U.S.-brokered deal" a broker
        if _BROKERED_BY.search(text, max(match.start() - 100, 0), match.start()) or (
            _BROKERS.match(text, match.end())
        ):
            continue  # "talks mediated by Qatar and Turkey": brokers, not parties
        name = match.group()
        if name == "Congress" and _A_PARTY_S.search(
            text, max(match.start() - 30, 0), match.start()
        ):
            continue  # "its Ninth Congress", "the 21st Party Congress": a party's, not the US's
        if name == "Quad" and text.startswith(" of ", match.end()):
            continue  # "the Quad of the United States, Saudi Arabia, the UAE and Egypt": another
        code, leader, person = _NAMES[name]
        venue = name in _VENUES and _after_in(text, match.start())
        found.append(Actor(match.start(), match.end(), name, code, leader, person, venue))
    return sorted(found, key=lambda actor: actor.start)


def _after_in(text: str, at: int) -> bool:
    """Whether the name at `at` follows "in", "at" or "to" in its own sentence ("talks in
    Geneva, Switzerland"), not at the end of the last one ("... in August. Iran's parliament")."""
    before = _VENUE.search(text, max(at - 40, 0), at)
    return before is not None and not _SENTENCE_END.search(before.group())


def _kim(text: str, start: int, end: int) -> list[Actor]:
    """ "Mr. Kim" is North Korea's leader in an article that has named him in full."""
    if "Kim Jong" not in text:
        return []
    return [
        Actor(m.start(), m.end(), m.group(), "KP", leader=True, person=True)
        for m in _MR_KIM.finditer(text, start, end)
    ]


def _named_again(text: str, start: int, end: int) -> list[Actor]:
    """A name too common to be anyone's alone is theirs once the article has named them in
    full, but not before, and not as part of another name: "Lee" after "Lee Jae-myung" (not
    "Lee Hsien Loong"), the "Board of Governors" after the IAEA (not the Federal Reserve's)."""
    found = []
    for alone, full_names, code, person in _KNOWN_ONCE_NAMED:
        named = [(at, len(full)) for full in full_names if (at := text.find(full)) >= 0]
        if not named:
            continue
        first, length = min(named)
        for match in alone.finditer(text, max(start, first + length), end):
            name = match.group()  # the people named so are leaders
            found.append(Actor(match.start(), match.end(), name, code, person, person=person))
    return found


def parties_of(actors: Sequence[Actor]) -> tuple[str, ...]:
    """The distinct party codes of the actors (not the venues), in the order first named."""
    return tuple(dict.fromkeys(actor.party for actor in actors if not actor.venue))


def place_of(text: str, start: int, end: int) -> str | None:
    """The summit town or country named "in" or "at" soon after `start`, in the same clause
    (read through an aside), else as where someone travels for it, just before."""
    whole = clause_from(text, start, min(end, start + 2 * _PLACE_REACH))
    found = (
        PLACE.search(whole[:_PLACE_REACH])
        or _BESIDE_IN.search(whole)
        or _VISITED.match(text, start)
        or _TRAVELLING_TO.search(text, max(start - _PLACE_REACH, 0), start)
    )
    return found.group("place") if found else None


def place_before(text: str, start: int, end: int) -> str | None:
    """The last summit town or country named "in" or "at" between `start` and `end`."""
    found = list(PLACE.finditer(text, start, end))
    return found[-1].group("place") if found else None
