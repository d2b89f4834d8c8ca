"""Cardinal and decimal numbers in words, with gender and apocope agreement.

num2words (lang "es") gives the masculine citation form ("veintiuno", "doscientos"); Spanish
changes it by what follows:
- apocope before a masculine noun or a scale word: "veintiún años", "un millón", "tres mil un millones";
- feminine before a feminine noun: "una casa", "doscientas páginas", "doscientas mil personas"
  (the hundreds agree up to the thousands; "millón" is itself a masculine noun, so
  "doscientos millones de personas" stays masculine).
"""

import re
from enum import StrEnum
from functools import lru_cache

from num2words import num2words


class Form(StrEnum):
    """How a number agrees with what follows it."""

    MASCULINE = "m"  # citation form, nothing follows: "veintiuno"
    FEMININE = "f"  # before a feminine noun: "veintiuna", "doscientas"
    APOCOPE = "apocope"  # before a masculine noun: "veintiún", "un"


DIGIT_WORDS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")

# Words that are themselves counted nouns: a number before them takes the apocope ("un millón").
SCALE_WORDS = frozenset(
    {
        "mil",
        "millón",
        "millones",
        "billón",
        "billones",
        "trillón",
        "trillones",
        "cuatrillón",
        "cuatrillones",
        "millardo",
        "millardos",
    }
)
_MASCULINE_SCALES = SCALE_WORDS - {"mil"}
_APOCOPE = {"uno": "un", "veintiuno": "veintiún"}
_FEMININE_UNIT = {"uno": "una", "veintiuno": "veintiuna", "un": "una", "veintiún": "veintiuna"}

# num2words writes "un millón" already; our own grammar handles the rest.
_LARGEST_SUPPORTED = 10**27


@lru_cache(maxsize=4096)
def _base_words(number: int) -> tuple[str, ...]:
    return tuple(num2words(number, lang="es").split())


def cardinal(number: int, form: Form = Form.MASCULINE) -> str:
    """A whole number in words: cardinal(21, Form.APOCOPE) -> "veintiún"."""
    if number < 0:
        return "menos " + cardinal(-number, form)
    if number >= _LARGEST_SUPPORTED:
        return digits_one_by_one(str(number))
    words = list(_base_words(number))
    last_scale = max((i for i, word in enumerate(words) if word in _MASCULINE_SCALES), default=-1)
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        if word in _APOCOPE and following in SCALE_WORDS:
            words[index] = _APOCOPE[word]
        elif form is Form.FEMININE and index > last_scale:
            if word.endswith("ientos"):
                words[index] = word[:-2] + "as"
            elif following is None and word in _FEMININE_UNIT:
                words[index] = _FEMININE_UNIT[word]
        elif form is Form.APOCOPE and following is None and word in _APOCOPE:
            words[index] = _APOCOPE[word]
    return " ".join(words)


def ends_in_scale_noun(spoken: str) -> bool:
    """Whether a spoken number ends in "millón", "millones"...: a noun, so a counted noun takes "de"."""
    return spoken.rsplit(" ", 1)[-1] in _MASCULINE_SCALES


def digits_one_by_one(digits: str) -> str:
    """ "0810" -> "cero ocho uno cero" (phones, codes, IP addresses)."""
    return " ".join(DIGIT_WORDS[int(char)] for char in digits if char.isdigit())


def fraction_digits(digits: str, form: Form = Form.MASCULINE) -> str:
    """The part after the decimal separator, as Spanish speakers read it.

    Up to three digits without a leading zero are one number ("3,14" -> "catorce",
    "5,132" -> "ciento treinta y dos"); longer runs are read in pairs ("3,1415" -> "catorce
    quince"), a pair starting with zero digit by digit ("1,002" -> "cero cero dos"). Agreement
    applies to the last group only for the apocope ("0,01 s" -> "cero un segundos" is how
    the pair reads before a noun) and to every group for the feminine.
    """
    if len(digits) <= 3 and not digits.startswith("0"):
        return cardinal(int(digits), form)
    groups = [digits[start : start + 2] for start in range(0, len(digits), 2)]
    spoken: list[str] = []
    for index, group in enumerate(groups):
        is_last = index == len(groups) - 1
        group_form = form if (form is Form.FEMININE or is_last) else Form.MASCULINE
        if group.startswith("0"):
            spoken.append("cero")
            group = group[1:]
            if not group:
                continue
        spoken.append(cardinal(int(group), group_form))
    return " ".join(spoken)


def decimal(
    integer_digits: str,
    fraction: str,
    form: Form = Form.MASCULINE,
    separator_word: str = "coma",
    negative: bool = False,
) -> str:
    """ "3", "14" -> "tres coma catorce". The integer part never takes the apocope ("uno coma cinco")."""
    integer_form = Form.FEMININE if form is Form.FEMININE else Form.MASCULINE
    spoken = f"{cardinal(int(integer_digits), integer_form)} {separator_word} {fraction_digits(fraction, form)}"
    return f"menos {spoken}" if negative else spoken


# A written number: grouped thousands ("1.500", "1,500", "1 500") with an optional decimal part, or
# plain digits with an optional decimal part. The group alternatives must not run into more digits,
# so "3,1415" is a decimal and not "3,141" followed by "5".
NUMBER_PATTERN = (
    r"(?:[1-9]\d{0,2}(?:(?:\.\d{3})+|(?:,\d{3})+|(?:[\u00a0\u202f ]\d{3})+)(?!\d)(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?)(?![.,]\d)"
)

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def split_number(token: str, decimal_mark: str) -> tuple[str, str | None]:
    """Split a written number into integer digits and fraction digits, by the region's convention.

    `decimal_mark` is "," (Spain, most of South America) or "." (Mexico, the Caribbean). A
    number with both marks uses the last one as decimal separator whatever the region; a single
    mark followed by exactly three digits is a thousands separator only when it is not the
    region's decimal mark ("1.500" is 1500 in Madrid, "1,500" is 1500 in Mexico City).
    """
    token = _SPACES.sub("", token)
    has_dot, has_comma = "." in token, "," in token
    if has_dot and has_comma:
        mark = "." if token.rfind(".") > token.rfind(",") else ","
        thousands = "," if mark == "." else "."
        integer, _, fraction = token.replace(thousands, "").rpartition(mark)
        return integer or "0", fraction
    for mark in (".", ","):
        if mark not in token:
            continue
        parts = token.split(mark)
        grouped = len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:])
        if len(parts) > 2 and grouped:
            return "".join(parts), None
        if mark != decimal_mark and grouped:
            return "".join(parts), None
        if len(parts) == 2 and grouped and parts[1] == "000" and parts[0] != "0":
            return "".join(parts), None  # "15,000": nobody writes three zero decimals; a foreign thousands mark
        if len(parts) == 2:
            return parts[0] or "0", parts[1]
        return "".join(parts), None
    return token, None
