"""Road names: "N-II", "A-6", "AP-7", "M-30", "N-340", "C-32", "RN-40" -> "ene dos", "a pe siete", "eme treinta".

The prefix is spelled letter by letter, as drivers and traffic reports say it, and the number is a
cardinal; the old radial roads' Roman numerals ("N-II", "N-VI") are cardinals too ("ene dos"), never
ordinals. Only the road prefixes in use in Spain and Latin America are taken, so "COVID-19" or a
model name is left to the other rules ("RN 40" and "Ruta 40" already read well without a hyphen).
"""

import re

from vocalio_text.acronyms import LETTER_NAMES
from vocalio_text.numbers import cardinal
from vocalio_text.roman import roman_value

# State (A, AP, N, E), regional and provincial (M, C, B, CV, GI…) prefixes; RN/RP/RA are Argentinian
# and Colombian national, provincial and regional routes.
_PREFIXES = (
    "AP|A|N|E|M|C|B|R|CV|CM|CL|CA|GI|BI|SE|MA|MU|TF|GC|EX|AG|AC|AS|AV|CS|GR|HU|LE|LU|OU|PO|SA|SG|SO|TO|VA|ZA|RN|RP|RA"
)
_ROAD = re.compile(
    rf"(?<![\w.-])(?P<prefix>{_PREFIXES})-(?:(?P<number>[1-9]\d{{0,3}})|(?<=N-)(?P<roman>[IVX]{{1,5}}))(?![\w-]|[.,]\d)"
)


def _road(match: re.Match[str]) -> str:
    letters = " ".join(LETTER_NAMES[letter] for letter in match.group("prefix"))
    if match.group("roman"):
        value = roman_value(match.group("roman"))
        if value is None:
            return match.group(0)
    else:
        value = int(match.group("number"))
    return f"{letters} {cardinal(value)}"


def normalize_roads(text: str) -> str:
    if "-" not in text:
        return text
    return _ROAD.sub(_road, text)
