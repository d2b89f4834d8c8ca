"""Fractions: "1/2" -> "un medio", "3/4" -> "tres cuartos", "2 1/3" -> "dos y un tercio", "⅖".

Denominators 2-10 have their own names (medio, tercio, cuarto, quinto ... décimo); 11-99 take
"-avo" ("onceavo", "veintiunavo", "treintaiunavo"); round hundreds and powers of ten use the ordinal
("centésimo", "milésimo", "millonésimo"); anything else is read "<a> sobre <b>".
"""

import re
import unicodedata

from vocalio_text.agreement import form_before
from vocalio_text.numbers import Form, cardinal
from vocalio_text.ordinals import ordinal

_NAMED = {
    2: "medio",
    3: "tercio",
    4: "cuarto",
    5: "quinto",
    6: "sexto",
    7: "séptimo",
    8: "octavo",
    9: "noveno",
    10: "décimo",
}
_AVO_STEMS = {
    11: "once",
    12: "doce",
    13: "trece",
    14: "catorce",
    15: "quince",
    16: "dieciseis",
    17: "diecisiete",
    18: "dieciocho",
    19: "diecinueve",
    20: "veinte",
    30: "treinta",
    40: "cuarenta",
    50: "cincuenta",
    60: "sesenta",
    70: "setenta",
    80: "ochenta",
    90: "noventa",
}
_UNIT_STEMS = {1: "un", 2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis", 7: "siete", 8: "ocho", 9: "nueve"}


def denominator_name(denominator: int) -> str | None:
    """Singular masculine name of 1/denominator, None when it is read "sobre"."""
    if denominator < 2:
        return None
    if denominator in _NAMED:
        return _NAMED[denominator]
    if denominator < 100:
        tens, units = divmod(denominator, 10)
        if denominator in _AVO_STEMS:
            stem = _AVO_STEMS[denominator]
        elif tens == 2:
            stem = "veinti" + _UNIT_STEMS[units]
        else:
            stem = _AVO_STEMS[tens * 10] + "i" + _UNIT_STEMS[units]
        # "veinte" + "avo" -> "veinteavo"; "treinta" + "avo" -> "treintavo" (the a merges).
        return stem + ("vo" if stem.endswith("a") else "avo")
    digits = str(denominator)
    significant = digits.rstrip("0")
    if len(significant) == 1 and denominator < 1000:
        return ordinal(denominator)  # 100, 200 ... 900
    if denominator >= 1000 and (significant == "1" or len(digits) - len(significant) >= 3):
        return ordinal(denominator).replace(" ", "")
    return None


def _plural(name: str) -> str:
    return name + "s"


def spoken_fraction(numerator: int, denominator: int, feminine: bool = False) -> str:
    name = denominator_name(denominator)
    if denominator == 0 or name is None:
        return f"{cardinal(numerator)} sobre {cardinal(denominator)}"
    if feminine:
        # Before a feminine noun the denominator is the ordinal: "tres cuartas partes", "dos terceras partes".
        name = {"medio": "media", "tercio": "tercera"}.get(name) or (name[:-1] + "a" if name.endswith("o") else name)
    if numerator == 1:
        return f"{'una' if feminine else 'un'} {name}"
    return f"{cardinal(numerator, Form.FEMININE if feminine else Form.APOCOPE)} {_plural(name)}"


def spoken_mixed(whole: int | None, numerator: int, denominator: int, negative: bool = False) -> str:
    spoken = spoken_fraction(numerator, denominator)
    if whole is not None:
        spoken = f"{cardinal(whole)} y {spoken}"
    return f"menos {spoken}" if negative else spoken


_NUMBER = r"\d{1,3}(?:\.\d{3})+|\d+"
_FRACTION = re.compile(
    rf"(?<![\w.,/-])(?P<minus>-)?(?:(?P<whole>\d+)\s(?:y\s)?)?(?P<num>\d+)/(?P<den>{_NUMBER})(?![\w/]|[.,]\d)"
)
# "2 1/2 a 3 tazas": the half agrees with the noun after the range's other end.
_RANGE_END = re.compile(r"\s+(?:a|o)\s+\d+(?=\s+[^\W\d_])")
_ARTICLE_BEFORE = re.compile(r"\b(?:la|una|esta|esa|cada|otra|su)\s+$", re.IGNORECASE)
_MASCULINE_ARTICLE_BEFORE = re.compile(r"\b(?:el|un|este|ese|cada|otro|del|al)\s+$", re.IGNORECASE)
_VULGAR = re.compile("[\u00bc-\u00be\u2150-\u215e]")


# "1 1/2 taza" -> "una taza y media", "3 1/2 kilos" -> "tres kilos y medio": a narrator says the noun
# after the whole number and the half after the noun.
_WHOLE_AND_HALF_NOUN = re.compile(r"(?<![\w.,/-])(?P<whole>\d+)\s1/2\s(?P<noun>[a-záéíóúñ]{3,})\b")
# "2 tazas y 1/2" -> "dos tazas y media": the half after "y" agrees with the noun before it.
_NOUN_AND_HALF = re.compile(r"(?<=\d\s)(?P<noun>[a-záéíóúñ]{3,})\sy\s1/2(?![\w/]|[.,]\d)")


def _whole_and_half_noun(match: re.Match[str]) -> str:
    noun = match.group("noun")
    form = form_before(" " + noun)
    if form is Form.MASCULINE:
        return match.group(0)
    feminine = form is Form.FEMININE
    whole = cardinal(int(match.group("whole")), Form.FEMININE if feminine else Form.APOCOPE)
    return f"{whole} {noun} y {'media' if feminine else 'medio'}"


def _noun_and_half(match: re.Match[str]) -> str:
    form = form_before(" " + match.group("noun"))
    if form is Form.MASCULINE:
        return match.group(0)
    return f"{match.group('noun')} y {'media' if form is Form.FEMININE else 'medio'}"


# A fraction other than a half said right before a noun takes "de": "3/4 taza" -> "tres cuartos de
# taza"; "partes" keeps the ordinal reading ("tres cuartas partes").
_PARTS = ("parte", "partes")
_WORD_AFTER = re.compile(r"^\s+([^\W\d_]+)")


def _replace(match: re.Match[str]) -> str:
    if match.group("den").startswith("0") and not match.group("whole"):
        # "Norma Nº 620/010": a zero-padded number after the slash is a file number, never a fraction.
        zeros = len(match.group("den")) - len(match.group("den").lstrip("0"))
        rest = match.group("den").lstrip("0")
        spoken_den = " ".join(["cero"] * zeros + ([cardinal(int(rest))] if rest else []))
        return f"{cardinal(int(match.group('num')))} barra {spoken_den}"
    denominator = int(match.group("den").replace(".", ""))
    if denominator == 0:
        return match.group(0)
    whole = int(match.group("whole")) if match.group("whole") else None
    next_word = _WORD_AFTER.findall(match.string[match.end() : match.end() + 40])[:1]
    if (
        whole is None
        and denominator != 2
        and next_word
        and next_word[0].lower() not in _PARTS
        and form_before(match.string[match.end() :]) is not Form.MASCULINE
        and denominator_name(denominator)
        and not _ARTICLE_BEFORE.search(match.string, 0, match.start())
        and not _MASCULINE_ARTICLE_BEFORE.search(match.string, 0, match.start())
    ):
        return spoken_mixed(None, int(match.group("num")), denominator, bool(match.group("minus"))) + " de"
    if denominator == 2 and match.group("num") == "1":
        # Half of a noun agrees with it: "1/2 taza" -> "media taza", "1 1/2 vasos" -> "uno y medio vasos".
        after = match.string[match.end() :]
        range_end = _RANGE_END.match(after)
        form = form_before(after[range_end.end() :] if range_end else after)
        if form is not Form.MASCULINE:
            half = "media" if form is Form.FEMININE else "medio"
            if whole is None:
                spoken = half
            else:
                whole_form = Form.FEMININE if form is Form.FEMININE else Form.MASCULINE
                spoken = f"{cardinal(whole, whole_form)} y {half}"
            return f"menos {spoken}" if match.group("minus") else spoken
    if whole is None and form_before(match.string[match.end() :]) is Form.FEMININE:
        # "3/4 partes" -> "tres cuartas partes"; after an article the one is not said: "la 1/3 parte" ->
        # "la tercera parte".
        spoken = spoken_fraction(int(match.group("num")), denominator, feminine=True)
        if match.group("num") == "1" and _ARTICLE_BEFORE.search(match.string, 0, match.start()):
            spoken = spoken.removeprefix("una ")
        return f"menos {spoken}" if match.group("minus") else spoken
    spoken = spoken_mixed(whole, int(match.group("num")), denominator, bool(match.group("minus")))
    if (
        whole is None
        and match.group("num") == "1"
        and not match.group("minus")
        and _MASCULINE_ARTICLE_BEFORE.search(match.string, 0, match.start())
    ):
        return spoken.replace("un ", "", 1)  # "el 1/3 restante" -> "el tercio restante"
    return spoken


def _vulgar_ratio(char: str) -> tuple[int, int]:
    value = unicodedata.numeric(char)
    numerator, denominator = value.as_integer_ratio()
    # numeric() gives floats: 1/3 is not exact, so recover small denominators by search.
    for candidate in range(2, 11):
        if abs(value * candidate - round(value * candidate)) < 1e-9:
            return round(value * candidate), candidate
    return numerator, denominator


def _vulgar(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1 : match.start()] if match.start() else ""
    return (" " if before.isalpha() else "") + spoken_fraction(*_vulgar_ratio(match.group(0)))


# A mark out of a maximum is "sobre", never a fraction: "un 7,5/10", "nota: 8/10", "puntuación 4/5".
_RATING = re.compile(
    r"(?<![\w.,/-])(?P<score>\d+,\d+|\d+\.\d)/(?P<top>10|100|5|20)(?![\w/]|[.,]\d)"
    r"|(?P<cue>\b(?:nota|notas|puntuación|calificación|valoración|sacó|obtuvo|puntúa|rating|score|un|una):?\s)"
    r"(?P<int_score>\d{1,3})/(?P<int_top>10|100|5|20)(?![\w/]|[.,]\d)",
    re.IGNORECASE,
)


def _rating(match: re.Match[str]) -> str:
    if match.group("score"):
        return f"{match.group('score')} sobre {match.group('top')}"  # the numbers are read by the number rules
    return f"{match.group('cue')}{match.group('int_score')} sobre {match.group('int_top')}"


# "3 ½ kilos", "½ taza": a vulgar fraction after a number or a space is rewritten as "1/2", so it agrees
# with its noun and joins its whole number like a typed one ("tres y medio kilos", "media taza").
_SPACED_VULGAR = re.compile(r"(?:(?<=\d)|(?<=\d )|(?<![^\s(]))(?P<vulgar>[\u00bc-\u00be\u2150-\u215e])(?![\w/])")


def _ascii_fraction(match: re.Match[str]) -> str:
    numerator, denominator = _vulgar_ratio(match.group("vulgar"))
    before = match.string[match.start() - 1 : match.start()] if match.start() else ""
    return (" " if before.isdigit() else "") + f"{numerator}/{denominator}"


def ascii_vulgar_fractions(text: str) -> str:
    """ "½ kg" -> "1/2 kg" early, so the measure rules see the fraction of their unit."""
    return _SPACED_VULGAR.sub(_ascii_fraction, text) if _VULGAR.search(text) else text


def normalize_fractions(text: str) -> str:
    if _VULGAR.search(text):
        text = _SPACED_VULGAR.sub(_ascii_fraction, text)
    if "/" in text:
        text = _RATING.sub(_rating, text)
        if "1/2" in text:
            text = _WHOLE_AND_HALF_NOUN.sub(_whole_and_half_noun, text)
            text = _NOUN_AND_HALF.sub(_noun_and_half, text)
        text = _FRACTION.sub(_replace, text)
    return _VULGAR.sub(_vulgar, text)
