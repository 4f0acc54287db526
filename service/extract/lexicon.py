"""The words of English dates, as lookup tables and regular-expression fragments.

Month names are matched case-sensitively so that "may" the verb and "march" the noun are not
months; relative words ("last", "next") are matched in either case.
"""

from __future__ import annotations

from service.extract.units import Unit

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sept", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: index
    for index, name in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60,
    "ninety": 90,
}  # fmt: skip
VAGUE_AMOUNTS = {"a few": (2, 7), "several": (3, 9), "a couple of": (2, 3)}
UNITS = {"day": Unit.DAY, "week": Unit.WEEK, "month": Unit.MONTH, "year": Unit.YEAR}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
ORDINALS |= {"4th": 4}
GIVEN_UNTIL = (
    r"(?:gave|given|giving|gives?|granted|grants?)\s+(?:[\w\u2019'-]+\s+){0,3}?(?:until|till)"
)
"""Time given someone up to a date: "gave Hamas until Sunday", "granted the agency until May"."""
TRUCES = r"ceasefire|cease-fire|truce|armistice"
"""The words for a halt to fighting, which is agreed, holds, lapses and is extended."""
PUT_OFF = r"postponed|delayed|deferred|adjourned|rescheduled|pushed\s+back|put\s+off"
"""Verbs that move an event later: "postponed until June", "the election, first set for May,
was put off"."""
AS_IT_STOOD = r"supposed|meant"
"""Before "to", a plan told as it stood ("was supposed to be signed", "were meant to open"),
which says nothing of whether its day is still ahead."""
OTHER_CLAUSE = (
    r",\s+(?i:as|while|because|although|though|whereas|even\s+as|amid|ahead\s+of|after|"
    r"following|(?:[\w-]+\s+)?(?:hours?|days?|weeks?|months?|years?)\s+(?:after|before))\s"
)
"""A clause that follows an event's and tells of something else: "..., as a deadline set by
President Trump approaches", "..., three months after US and Israeli strikes", "..., ahead
of a possible summit", "..., after Hungary dropped its objections"."""
REPORTING = (
    r"said|says|announced|announces|told|confirmed|confirms|stated|declared|warned|added|"
    r"noted|insisted|argued|claimed|wrote|tweeted|posted|disclosed|revealed|acknowledged|"
    r"indicated|suggested|urged|made\s+clear|reported|denied|welcomed|criticized|criticised"
)
"""Verbs of telling, whose own date and subject are the telling's, not the event's."""
MEASURES = (
    rf"{TRUCES}|pause|sanctions|tariffs?|duties|embargo|ban|moratorium|freeze|licen[cs]e|"
    r"waiver|exemption|mandate"
)
"""What takes effect on a day and lasts until another, unless renewed: "sanctions extended until
July 31", "the truce expires on Sunday"."""

_FULL_MONTHS = "January|February|March|April|May|June|July|August|September|October|November"
_SHORT_MONTHS = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_NUMBER_WORDS = "|".join(sorted((w for w in NUMBERS if w not in ("a", "an")), key=len)[::-1])


def month_re(group: str) -> str:
    """A month name or abbreviation ("Sept.", "Aug")."""
    return rf"(?P<{group}>(?:{_FULL_MONTHS}|December)\b|{_SHORT_MONTHS}(?=\s*\d))"


def day_re(group: str) -> str:
    """A day of the month, with an optional ordinal suffix; not part of a longer number."""
    return rf"(?P<{group}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:.,]\d|\w)"


def year_re(group: str) -> str:
    """A four-digit year from 1900 to 2099, not inside a longer number or a word."""
    return rf"(?<![\w$€£/.-])(?<!\d,)(?P<{group}>(?:19|20)\d\d)(?![\w%]|[.,]\d|-\d)"


def weekday_re(group: str) -> str:
    return rf"(?P<{group}>{'|'.join(WEEKDAYS)})\b"


def amount_re(group: str) -> str:
    """A count of units: digits or a number word ("30", "two", "a", "a few"); not the end of a
    longer number ("2,000 years", "2.5 years")."""
    words = rf"{_NUMBER_WORDS}|a few|several|a couple of|an?"
    return rf"(?P<{group}>(?<![\d,.])\d{{1,3}}|(?i:{words}))"


def unit_re(group: str) -> str:
    return rf"(?P<{group}>(?i:day|week|fortnight|month|year))s?\b"


def counted(amount: str, unit: str) -> tuple[int, int, Unit]:
    """The (least, most) count and the unit of "two weeks", "a fortnight" (two weeks)."""
    least, most = amount_of(amount)
    if unit.lower() == "fortnight":
        return 2 * least, 2 * most, Unit.WEEK
    return least, most, UNITS[unit.lower()]


def amount_of(word: str) -> tuple[int, int]:
    """The count a word gives, as a (least, most) pair: "30" is (30, 30), "a few" (2, 7)."""
    lowered = word.lower()
    if lowered in VAGUE_AMOUNTS:
        return VAGUE_AMOUNTS[lowered]
    count = int(lowered) if lowered.isdigit() else NUMBERS[lowered]
    return count, count


def month_of(word: str) -> int:
    return MONTHS[word.rstrip(".")]
