"""Degrees and primes written without a unit letter: "35°", "de 38º", "40°N", "en el minuto 90'", "5'".

The same signs write ordinals ("el 5º piso", "1° de mayo"), so context decides: a cue for degrees
(a cardinal point, "bajo cero", a decimal, a minus) reads "grados"; an article before, an ordinal
noun after ("piso", "lugar", "curso") or "de" + month or school year leaves the sign to the ordinal
rules; otherwise the degree sign (°) is degrees and the ordinal indicator (º) is degrees only after a
preposition or quantity word ("de 38º", "unos 20º"). Run after the measures ("25 °C" is theirs).
"""

import re
from collections.abc import Callable

from vocalio_text.conventions import RegionalConventions
from vocalio_text.dates import MONTHS
from vocalio_text.measures import NUMBER_PATTERN, Unit, spoken_measure
from vocalio_text.numbers import Form, cardinal

_NUMBER = NUMBER_PATTERN

# "38°", "90º", "40° N": degrees, unless the context makes the sign an ordinal ("el 5º piso", "1º de mayo").
# The degree sign (°) is degrees unless that context says otherwise; the ordinal indicator (º) is an
# ordinal unless a preposition or quantity word before it ("de 38º", "unos 20º") makes it degrees.
_BARE_DEGREE = re.compile(
    rf"(?<![\w.,/])(?P<minus>[-−])?(?P<amount>{_NUMBER})\s?(?P<sign>[°º])"
    r"(?:\s?(?P<point>[NSEOW])\b(?!\.\w)|(?![\w°ºª]))"
)
_POINTS = {"N": "norte", "S": "sur", "E": "este", "O": "oeste", "W": "oeste"}
# "artículos 2° y 3°", "los artículos 90°, 94° y 97°": every number of a list after "artículo(s)" is
# the article's ordinal, not only the first one.
_ARTICLE_LIST_BEFORE = re.compile(
    r"\b(?:artículos?|arts?\.)\s+(?:\d+\s?[°º]\s*(?:,|\by\b|\be\b|\bo\b|\ba\b|\bal\b)\s*)*$", re.IGNORECASE
)
_DEGREE_CUE_AFTER = re.compile(
    r"\s*(?:[NSEOW]\b|bajo cero|sobre cero|de (?:latitud|longitud|temperatura|inclinación|calor|fiebre)|[′'])"
)
_ORDINAL_CUE_BEFORE = re.compile(
    # Plural determiners are not cues: "la máxima alcanzará los 22°" is a temperature (an ordinal after
    # "los" needs the plural noun after it, which _ORDINAL_CUE_AFTER reads).
    r"\b(?:el|la|lo|del|al|su|mi|tu|este|esta|cada|nuestro|nuestra|artículo|art\.|número|numeral|inciso)\s+$",
    re.IGNORECASE,
)
_ORDINAL_NOUNS = (
    r"piso|planta|lugar|puesto|curso|año|nivel|aniversario|premio|capítulo|edición|trimestre|semestre|día|"
    r"vez|parte|división|categoría|grado|grupo|congreso|centenario|clasificado|clasificada|ciclo|round|set"
)
_ORDINAL_CUE_AFTER = re.compile(
    rf"\s+(?:(?:{_ORDINAL_NOUNS})s?\b|de\s+(?:{'|'.join(MONTHS)}|ESO|Primaria|Bachillerato|primaria|secundaria|"
    r"básic[oa]|carrera|grado|medicina|[A-ZÁÉÍÓÚ]{2,})\b)"
    # A place in a table: "3° del B", "2° del Grupo B", "3° en la zona A" (a temperature is followed
    # by a lowercase noun, "38° de fiebre").
    r"|\s+(?:del|de\s+la|en\s+la|en\s+el)\s+(?-i:[A-ZÁÉÍÓÚ]\b|(?:zona|grupo|Zona|Grupo|tabla)\b)",
    re.IGNORECASE,
)
_DEGREE_WORD_BEFORE = re.compile(
    r"\b(?:de|a|hasta|unos|unas|entre|y|o|sobre|con|casi|aproximadamente|aprox\.|hasta los|hasta las|los)\s+$",
    re.IGNORECASE,
)
_DEGREE_UNIT = Unit("grado", "grados")


# "a 180º-200º": a range of degrees, said once at the end ("ciento ochenta a doscientos grados").
DEGREE_RANGE = re.compile(r"(?<![\w.,])(?P<a>\d{1,3})\s?[º°]\s?[-–]\s?(?P<b>\d{1,3})\s?[º°](?!\s?[CFK]\b|\w)")


def _make_bare_degree(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _bare_degree(match: re.Match[str]) -> str:
        text, start, end = match.string, match.start(), match.end()
        is_whole = match.group("amount").isdigit()
        has_cue = match.group("point") or _DEGREE_CUE_AFTER.match(text, end)
        if is_whole and not match.group("minus") and not has_cue:
            if (
                _ORDINAL_CUE_BEFORE.search(text, 0, start)
                or _ORDINAL_CUE_AFTER.match(text, end)
                or _ARTICLE_LIST_BEFORE.search(text, max(0, start - 200), start)
            ):
                return match.group(0)  # an ordinal: the ordinal rules read it
            if match.group("sign") == "º" and not _DEGREE_WORD_BEFORE.search(text, 0, start):
                return match.group(0)
        spoken = spoken_measure(match.group("amount"), _DEGREE_UNIT, conventions, bool(match.group("minus")))
        return f"{spoken} {_POINTS[match.group('point')]}" if match.group("point") else spoken

    return _bare_degree


# Minutes and seconds written with primes: "en el minuto 90'", "en 5' de juego", "40° 25′ 30″ N".
_PRIMES = re.compile(r"(?<![\w.,'′])(?P<amount>\d{1,3})(?P<prime>['′]|″|'')(?![\w'′″])")


def _prime(match: re.Match[str]) -> str:
    value = int(match.group("amount"))
    if _MINUTE_WORD_BEFORE.search(match.string, 0, match.start()):
        return match.group("amount")  # "el minuto 90'": the word is already said
    names = ("minuto", "minutos") if match.group("prime") in ("'", "′") else ("segundo", "segundos")
    return f"{cardinal(value, Form.APOCOPE)} {names[0] if value == 1 else names[1]}"


_MINUTE_WORD_BEFORE = re.compile(r"\bminutos?\s+$", re.IGNORECASE)


# "mínimas de 7º a 17ºC", "entre 12° y 15 °C": the scale written once at the end of a range or pair is
# said once ("de siete a diecisiete grados centígrados"), so the first sign is dropped before the
# measures read the second.
_DEGREE_PAIR_WITH_SCALE = re.compile(
    r"(?<![\w.,])(?P<a>\d{1,3})\s?[º°]\s?(?P<word>a|y|al)\s(?P<b>\d{1,3}\s?[º°]\s?[CF])\b"
)


def normalize_degree_pairs(text: str) -> str:
    """Before the measures: "7º a 17ºC" -> "7 a 17ºC"."""
    if "°" not in text and "º" not in text:
        return text
    return _DEGREE_PAIR_WITH_SCALE.sub(
        lambda match: f"{match.group('a')} {match.group('word')} {match.group('b')}", text
    )


def _degree_range(match: re.Match[str]) -> str:
    return f"{match.group('a')} a {match.group('b')} grados"


def normalize_degrees(text: str, conventions: RegionalConventions) -> str:
    if "°" in text or "º" in text:
        text = DEGREE_RANGE.sub(_degree_range, text)
        text = _BARE_DEGREE.sub(_make_bare_degree(conventions), text)
    if "'" in text or "′" in text or "″" in text:
        text = _PRIMES.sub(_prime, text)
    return text
