"""Ordinal numbers: "1.º" -> "primero", "3.ᵉʳ"/"3er" -> "tercer", "21.ª" -> "vigesimoprimera".

Written forms: a number with a superscript or abbreviated ending (º ª ᵉʳ, o a er, ro ra, do da,
to ta, vo va, no na, mo ma), with or without the dot the RAE asks for. 11 and 12 are "undécimo"
and "duodécimo"; 13-29 are written as one word ("decimotercero", "vigesimoctavo"); from 30 on
the parts are separate words ("trigésimo primero"). The apocopated forms (before a masculine noun:
"primer", "tercer") use the compound for 11 ("decimoprimer") as the RAE recommends.
"""

import re

from vocalio_text.agreement import form_before
from vocalio_text.numbers import Form, cardinal

_UNITS = ("", "primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo", "octavo", "noveno")
_TENS = (
    "",
    "décimo",
    "vigésimo",
    "trigésimo",
    "cuadragésimo",
    "quincuagésimo",
    "sexagésimo",
    "septuagésimo",
    "octogésimo",
    "nonagésimo",
)
_HUNDREDS = (
    "",
    "centésimo",
    "ducentésimo",
    "tricentésimo",
    "cuadringentésimo",
    "quingentésimo",
    "sexcentésimo",
    "septingentésimo",
    "octingentésimo",
    "noningentésimo",
)
_COMPOUND_PREFIX = {1: "decimo", 2: "vigesimo"}
_APOCOPE = {"primero": "primer", "tercero": "tercer"}


def _below_hundred(number: int, apocope: bool) -> list[str]:
    tens, units = divmod(number, 10)
    if number == 11 and not apocope:
        return ["undécimo"]
    if number == 12:
        return ["duodécimo"]
    if tens in _COMPOUND_PREFIX and units:
        unit = _UNITS[units]
        # "decimo" + "octavo" elides the repeated vowel: "decimoctavo", "vigesimoctavo".
        return [_COMPOUND_PREFIX[tens] + (unit[1:] if unit.startswith("o") else unit)]
    return [word for word in (_TENS[tens], _UNITS[units]) if word]


def _ordinal_words(number: int, apocope: bool) -> list[str]:
    if number >= 1_000_000:
        millions, rest = divmod(number, 1_000_000)
        head = "millonésimo" if millions == 1 else cardinal(millions).replace(" ", "") + "millonésimo"
        return [head, *(_ordinal_words(rest, apocope) if rest else [])]
    if number >= 1000:
        thousands, rest = divmod(number, 1000)
        head = "milésimo" if thousands == 1 else cardinal(thousands).replace(" ", "") + "milésimo"
        return [head, *(_ordinal_words(rest, apocope) if rest else [])]
    hundreds, rest = divmod(number, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if rest:
        words.extend(_below_hundred(rest, apocope))
    return words


def ordinal(number: int, form: Form = Form.MASCULINE) -> str:
    """ordinal(3, Form.APOCOPE) -> "tercer"; ordinal(134, Form.FEMININE) -> "centésima trigésima cuarta"."""
    if number <= 0:
        return cardinal(number)
    words = _ordinal_words(number, form is Form.APOCOPE)
    if form is Form.FEMININE:
        words = [word[:-1] + "a" if word.endswith("o") else word for word in words]
    elif form is Form.APOCOPE:
        last = words[-1]
        for full, short in _APOCOPE.items():
            if last.endswith(full):
                words[-1] = last[: -len(full)] + short
    return " ".join(words)


_MASCULINE_ENDINGS = "º|°|o|ro|do|to|vo|no|mo"
_FEMININE_ENDINGS = "ª|a|ra|da|ta|va|na|ma"
_APOCOPE_ENDINGS = "ᵉʳ|er|ɛʳ|r"
_NUMBER = r"\d{1,3}(?:[.\s]\d{3})+|\d+"
_WRITTEN_ORDINAL = re.compile(
    rf"(?<![\w.,])(?P<number>{_NUMBER})(?:\.(?=[ºª°ᵉoa]|er\b|ro\b|ra\b))?"
    rf"(?P<ending>{_APOCOPE_ENDINGS}|{_MASCULINE_ENDINGS}|{_FEMININE_ENDINGS})(?![\w°])"
    # "5to. país": the abbreviation's dot inside a sentence is not a full stop.
    r"(?P<dot>\.(?=\s+[a-záéíóúñ]))?"
)
# "artículo 9o", "Art. 2o": a bare letter ending after an article of law is an ordinal.
# In a list ("artículos 2° y 3°", "arts. 90°, 94° y 97°") every number is an article's.
_ARTICLE_WORD_BEFORE = re.compile(
    r"\b(?:art[íi]culos?|arts?\.)\s*(?:\d+\s?\.?[º°o]?\s*(?:,|\by\b|\be\b|\bo\b|\ba\b|\bal\b)\s*)*$", re.IGNORECASE
)
# Bare "o"/"a"/"r" endings are only ordinals right after the dot or with a superscript sign; without
# them "2a" or "4o" are too often codes or typos. Keep the longer letter endings.
_MASCULINE_ARTICLE_BEFORE = re.compile(r"\b(?:el|del|al|un|los)\s+$", re.IGNORECASE)
# Mexican laws cite "los artículos 17, 25 y 134 ..., así como 1o, 2o, 3o, 27": after "artículos" in the
# same sentence, a number of a list with a bare "o" is still an article's ordinal.
_LIST_OF_ARTICLES = re.compile(r"\bart[íi]culos\b[^.;]*(?:,\s*|\bcomo\s+)$", re.IGNORECASE)
_LETTER_ONLY = frozenset({"o", "a", "r"})
_MONTH_AFTER = re.compile(
    r"\s+de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\b",
    re.IGNORECASE,
)
_PLURAL_ARTICLE_BEFORE = re.compile(r"\b(?:los|las)\s+$", re.IGNORECASE)


def _replace(match: re.Match[str]) -> str:
    ending = match.group("ending")
    number_text = re.sub(r"[.\s]", "", match.group("number"))
    had_dot = "." in match.group(0)[len(match.group("number")) :]
    after = match.string[match.end() :]
    next_form = form_before(after)
    if ending in _LETTER_ONLY and not had_dot:
        # Without the dot "2a" or "4o" are too often codes; they are ordinals before a noun of their
        # gender ("la 7a jornada") or after "artículo" ("artículo 9o").
        agrees = (
            (ending == "a" and next_form is Form.FEMININE)
            or (ending == "o" and next_form is Form.APOCOPE)
            # "a valores de 1o de enero de 2020": the first of a month
            or (ending == "o" and _MONTH_AFTER.match(after) is not None)
        )
        if (
            not agrees
            and not _ARTICLE_WORD_BEFORE.search(match.string, max(0, match.start() - 200), match.start())
            and not _LIST_OF_ARTICLES.search(match.string, max(0, match.start() - 300), match.start())
        ):
            return match.group(0)
    if ending in _APOCOPE_ENDINGS.split("|"):
        form = Form.APOCOPE
    elif ending in _FEMININE_ENDINGS.split("|"):
        form = Form.FEMININE
    elif (
        ending in ("º", "°")
        and next_form is Form.FEMININE
        and re.match(r"\s+[a-záéíóúñ]", after)
        and not _MASCULINE_ARTICLE_BEFORE.search(match.string, 0, match.start())
    ):
        # "la 12° fecha": the sign is written the same for both genders; but after a masculine
        # article the ordinal is masculine whatever follows ("el 3.º izquierda", a floor in Spain).
        form = Form.FEMININE
    elif next_form is Form.APOCOPE and re.match(r"\s+[a-záéíóúñ]", after):
        form = Form.APOCOPE  # "1.º puesto" -> "primer puesto", never "primero puesto"
    else:
        form = Form.MASCULINE
    number = int(number_text)
    if _PLURAL_ARTICLE_BEFORE.search(match.string, max(0, match.start() - 8), match.start()) and re.match(
        r"\s+[a-záéíóúñ]+s\b", after
    ):
        # "los 3° puestos", "las 2ª vueltas": a plural noun takes the plural ordinal ("los terceros puestos").
        plural_form = Form.FEMININE if form is Form.FEMININE else Form.MASCULINE
        return " ".join(word + "s" for word in ordinal(number, plural_form).split())
    if number > 10 and _ARTICLE_WORD_BEFORE.search(match.string, max(0, match.start() - 200), match.start()):
        # Articles of law are read with ordinals up to the tenth and cardinals after it, however
        # they are written (RAE, Ortografía 2010): "artículo 194.º" -> "artículo ciento noventa y cuatro".
        return cardinal(number)
    return ordinal(number, form)


def normalize_ordinals(text: str) -> str:
    return _WRITTEN_ORDINAL.sub(_replace, text)
