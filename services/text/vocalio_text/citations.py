"""Numbers with a year after a slash: legal citations and seasons, never fractions; section numbers.

- Citations: "Ley 2/2015", "Real Decreto 463/2020", "la Directiva 2006/112/CE", "STS 123/2019" read each
  number as a cardinal and the slash as "barra" ("dos barra dos mil quince"), as Spanish legal
  speech does; "dos de dos mil quince" is also heard, but "de" would run into the date that usually
  follows ("Ley 2/2015, de 1 de octubre"). After a citation word the numbers are always a citation,
  even where "1/2000" could be a fraction (the Ley de Enjuiciamiento Civil is Ley 1/2000).
- Anywhere else a small number over a four-digit year (1900-2099) that has no fraction name is a
  citation too ("el expediente 45/2021"); a year over the next one ("2023/24", "2023/2024") is a span,
  read like a range: "dos mil veintitrés a veinticuatro".
- Section and version numbers after their word ("artículo 1.1", "apartado 3.2.1", "versión 2.0") read
  "punto" between the parts: they are not decimals nor thousands ("versión 1.000" is still mil).
"""

import re

from vocalio_text.fractions import denominator_name
from vocalio_text.numbers import cardinal, digits_one_by_one

_CITATION_WORDS = (
    r"[Ll]ey(?:es)?(?:\s+[Oo]rgánica|\s+[Ff]oral)?|[Rr]eal(?:es)?\s+[Dd]ecretos?(?:[\s-][Ll]ey|\s+[Ll]egislativo)?|"
    r"[Dd]ecretos?(?:[\s-][Ll]ey|\s+[Ll]egislativo)?|RDL?|RDLeg|LO|[Oo]rden(?:es)?|[Dd]irectivas?|"
    r"[Rr]eglamentos?|[Rr]esoluci(?:ón|ones)|[Ss]entencias?|STS|STC|SAP|STSJ|[Aa]utos?|[Cc]ircular(?:es)?|"
    r"[Ii]nstrucci(?:ón|ones)|[Ee]xpedientes?|[Ee]xp\.|[Ee]xpte\.|[Cc]ausas?|DNU|[Rr]ecursos?|[Cc]onvenios?"
)
_QUALIFIER = r"(?:\s*\((?:UE|CE|CEE)\))?(?:\s+(?:[Nn]\.º|[Nn][º°]|núm\.|[Nn]ro\.|número))?"
_CITED_NUMBER = r"(?:\d{1,3}(?:\.\d{3})+|\d{1,5})"
_CITED = re.compile(
    rf"(?<![\w.])(?P<head>(?:{_CITATION_WORDS}){_QUALIFIER}\s+)(?P<numbers>{_CITED_NUMBER}(?:/{_CITED_NUMBER})+)"
    r"(?P<tail>/[A-Z]{1,5})?(?![\w/]|[.,]\d)"
)
_NUMBER_OVER_YEAR = re.compile(
    rf"(?<![\w.,/-])(?P<number>{_CITED_NUMBER})/(?P<year>(?:19|20)\d{{2}}|\d{{2}})(?P<tail>/[A-Z]{{1,5}})?(?![\w/]|[.,]\d)"
)


def _slashed(numbers: str) -> str:
    return " barra ".join(_part(part.replace(".", "")) for part in numbers.split("/"))


def _part(digits: str) -> str:
    """ "017" (Uruguay's decree years) keeps its zero: "cero diecisiete", as "Resolución N° 1.234/020"."""
    rest = digits.lstrip("0")
    zeros = len(digits) - len(rest)
    if not zeros or not rest:
        return cardinal(int(digits))
    return " ".join(["cero"] * zeros + [cardinal(int(rest))])


def _tail(tail: str | None) -> str:
    return f" barra {_SPELLED_TAILS.get(tail[1:], tail[1:])}" if tail else ""


# Citation abbreviations are only expanded here, before their number: "RD" alone may be the Dominican
# Republic, "LO" a pronoun.
_HEAD_ABBREVIATIONS = {
    "RD": "Real Decreto",
    "RDL": "Real Decreto-ley",
    "RDLeg": "Real Decreto Legislativo",
    "LO": "Ley Orgánica",
    "STS": "sentencia del Tribunal Supremo",
    "STC": "sentencia del Tribunal Constitucional",
    "STSJ": "sentencia del Tribunal Superior de Justicia",
    "SAP": "sentencia de la Audiencia Provincial",
    "exp.": "expediente",
    "Exp.": "expediente",
}
_SPELLED_TAILS = {"CE": "ce e", "CEE": "ce e e", "UE": "u e"}


def _cited(match: re.Match[str]) -> str:
    head = match.group("head")
    word = head.split()[0]
    if word in _HEAD_ABBREVIATIONS:
        head = _HEAD_ABBREVIATIONS[word] + head[len(word) :]
    return head + _slashed(match.group("numbers")) + _tail(match.group("tail"))


def _number_over_year(match: re.Match[str]) -> str:
    number, year = int(match.group("number").replace(".", "")), match.group("year")
    if len(year) == 2:
        # "2023/24": a season or an academic year, only when the second year follows the first.
        if 1900 <= number <= 2099 and (number + 1) % 100 == int(year):
            return f"{cardinal(number)} a {cardinal(int(year))}"
        return match.group(0)
    if 1900 <= number <= 2099 and int(year) == number + 1:
        return f"{cardinal(number)} a {cardinal(int(year))}"
    if denominator_name(int(year)) is not None:
        return match.group(0)  # "1/2000" is a fraction: "un dosmilésimo"
    return _slashed(match.group("number") + "/" + year) + _tail(match.group("tail"))


# Section numbers ("artículo 1.1", "apartado 3.2.1", "versión 2.0") are not decimals: each part is a
# number and the dot is "punto".
_SECTION_WORDS = (
    r"artículos?|arts?\.|apartados?|secci(?:ón|ones)|capítulos?|cap\.|epígrafes?|párrafos?|"
    r"versi(?:ón|ones)|figuras?|fig\.|tablas?|cuadros?|anexos?|notas?|ecuaci(?:ón|ones)|reglas?|normas?|"
    # Latin-American regulations number their paragraphs "numeral 2.3.1", "inciso 4.2", "literal 7.1".
    r"(?:sub)?numeral(?:es)?|incisos?|inc\.|literal(?:es)?|ítems?"
)
_SECTION_NUMBER = re.compile(
    rf"(?P<head>\b(?:{_SECTION_WORDS})\s+)(?P<number>\d{{1,3}}(?:\.\d{{1,3}})+)(?![\w]|[.,]\d)", re.IGNORECASE
)


def _section_number(match: re.Match[str]) -> str:
    parts = match.group("number").split(".")
    if all(len(part) == 3 for part in parts[1:]):
        return match.group(0)  # "artículo 1.000": thousands, read by the number rules
    spoken = (
        digits_one_by_one(part) if part.startswith("0") and len(part) > 1 else cardinal(int(part)) for part in parts
    )
    return match.group("head") + " punto ".join(spoken)


# "la temporada 84/85", "el curso 99/00": two two-digit years in a row are a season, read like a
# range ("ochenta y cuatro a ochenta y cinco"), never a fraction. Small pairs ("3/4", "11/12") stay
# fractions unless a season word comes before them.
_TWO_DIGIT_SEASON = re.compile(r"(?<![\w.,/-])(?P<first>\d{2})/(?P<second>\d{2})(?![\w/]|[.,]\d)")
_SEASON_WORD_BEFORE = re.compile(
    r"\b(?:temporadas?|campañas?|cursos?|ejercicios?|zafras?|ediciones|edición)\s+(?:de\s+)?(?:la\s+|el\s+)?$",
    re.IGNORECASE,
)


def _two_digit_season(match: re.Match[str]) -> str:
    first, second = int(match.group("first")), int(match.group("second"))
    # "99/00" and "09/10" are said several ways ("noventa y nueve dos mil", "cero nueve diez"): left as written.
    if second != first + 1 or first < 10:
        return match.group(0)
    if first < 13 and not _SEASON_WORD_BEFORE.search(match.string, 0, match.start()):
        return match.group(0)
    return f"{cardinal(first)} a {cardinal(second)}"


def normalize_citations(text: str) -> str:
    if "." in text:
        text = _SECTION_NUMBER.sub(_section_number, text)
    if "/" not in text:
        return text
    text = _CITED.sub(_cited, text)
    text = _NUMBER_OVER_YEAR.sub(_number_over_year, text)
    return _TWO_DIGIT_SEASON.sub(_two_digit_season, text)
