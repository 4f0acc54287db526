"""Who can be party to a commitment: countries by ISO 3166 code, or a known organisation."""

from __future__ import annotations

# ISO 3166-1 alpha-2, the 249 officially assigned codes.
COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

# States that signed treaties still tracked here but no longer exist (ISO 3166-3), and Kosovo,
# whose user-assigned code XK is in general use.
FORMER_OR_USER_ASSIGNED = {
    "SU": "Soviet Union",
    "YU": "Yugoslavia",
    "CS": "Czechoslovakia",
    "DD": "German Democratic Republic",
    "XK": "Kosovo",
}

ORGANISATIONS = {
    "UN": "United Nations",
    "UNSC": "UN Security Council",
    "UNGA": "UN General Assembly",
    "IAEA": "International Atomic Energy Agency",
    "CTBTO": "CTBT Organization",
    "OPCW": "Organisation for the Prohibition of Chemical Weapons",
    "NATO": "North Atlantic Treaty Organization",
    "EU": "European Union",
    "E3": "France, Germany and the United Kingdom",
    "P5": "Permanent members of the UN Security Council",
    "G7": "Group of Seven",
    "G20": "Group of Twenty",
    "OSCE": "Organization for Security and Co-operation in Europe",
    "ASEAN": "Association of Southeast Asian Nations",
    "AU": "African Union",
    "CSTO": "Collective Security Treaty Organization",
    "SCO": "Shanghai Cooperation Organisation",
    "BRICS": "BRICS",
    "GCC": "Gulf Cooperation Council",
    "QUAD": "Quadrilateral Security Dialogue (Australia, India, Japan, United States)",
    "APEC": "Asia-Pacific Economic Cooperation",
    "NSG": "Nuclear Suppliers Group",
    "MTCR": "Missile Technology Control Regime",
    "WARSAW-PACT": "Warsaw Treaty Organization (former)",
    "NPT-PARTIES": "States parties to the NPT",
    "OPEN-SKIES-PARTIES": "States parties to the Treaty on Open Skies",
}


def normalise_party(code: str) -> str:
    """The canonical form of a party code, or ValueError naming what is accepted."""
    canonical = code.strip().upper()
    if canonical in COUNTRIES or canonical in FORMER_OR_USER_ASSIGNED or canonical in ORGANISATIONS:
        return canonical
    raise ValueError(
        f"unknown party {code!r}: use an ISO 3166-1 alpha-2 country code such as 'US' or 'RU', "
        f"or an organisation code ({', '.join(sorted(ORGANISATIONS))})"
    )
