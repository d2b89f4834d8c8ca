"""Roman numerals, read by what they count.

- Centuries, chapters, volumes, acts, years ("siglo XIV", "S. XIX", "capítulo IV", "año MCMLXXXIX"):
  cardinal, as they are said ("siglo catorce", "capítulo cuatro").
- Kings, queens and popes ("Felipe II", "Isabel II", "Juan XXIII"): ordinal up to ten, cardinal from
  eleven ("Felipe segundo", "Alfonso trece"), the usual Spanish reading; feminine after a queen's name.
- After an article, before its noun ("el XI apóstol", "la II República"): ordinal agreeing with the
  article.
- Lowercase numerals are only read in those contexts, since "vi", "di", "mi", "c" are words or
  letters; single capitals ("C", "D", "I") likewise. A line that is nothing but a numeral ("V") is an
  ordinal.
"""

import re

from vocalio_text.numbers import Form, cardinal
from vocalio_text.ordinals import ordinal


def _words(text: str) -> list[str]:
    """Word lists are kept as readable blocks of text."""
    return text.split()


_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_VALID = re.compile(r"m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})", re.IGNORECASE)
_ROMAN = r"[IVXLCDM]+|[ivxlcdm]+"

_CARDINAL_CONTEXT = (
    r"(?:finales|principios|mediados|fines|comienzos)\s+del|siglos?|S\.|grupos?|Grupos?|artículos?|articulos?|títulos?|capítulos?|cap\.|tomos?|t\.|vols?\.|volúmen(?:es)?|volumen|libros?|partes?|actos?|escenas?|"
    r"cantos?|fascículos?|años?|legislaturas?|tít\.|títulos?|secciones|sección|fases?|edición|juegos|"
    r"congreso|cumbre|bienal|festival|anexos?|temas?|lecci(?:ón|ones)|unidad(?:es)?|apéndices?|cuadernos?|"
    # Mexican and Latin-American law numbers its fractions and paragraphs in roman: "fracción III".
    r"fracci(?:ón|ones)|fracc\.|numeral(?:es)?"
)
_REGNAL_NAMES = (
    "Felipe|Carlos|Luis|Juan|Pablo|Pío|Alfonso|Fernando|Enrique|Benedicto|Gregorio|León|Jorge|Eduardo|"
    "Ricardo|Guillermo|Jaime|Pedro|Sancho|Ramiro|Urbano|Inocencio|Clemente|Bonifacio|Napoleón|Federico|"
    "Francisco|Alejandro|Constantino|Nicolás|Iván|Manuel|Amadeo|Martín|Sixto|Ramsés|Ptolomeo|Otón|Rodrigo|"
    "Jacobo|Víctor|Adriano|Paulo|Julio|Calixto|Esteban|Alejandro|Isabel|María|Juana|Catalina|Victoria|"
    "Leonor|Cristina|Cleopatra|Urraca|Berenguela|Ana|Margarita|Beatriz|Blanca|Sofía|Mariana|Carlota|Luisa"
)
_FEMININE_NAMES = frozenset(
    _words(
        """
    isabel maría juana catalina victoria leonor cristina cleopatra urraca berenguela ana margarita
    beatriz blanca sofía mariana carlota luisa
    """
    )
)

_IN_CARDINAL_CONTEXT = re.compile(
    rf"(?<![\w.])(?P<context>(?:{_CARDINAL_CONTEXT}))\s+(?P<roman>{_ROMAN})\b"
    r"(?P<more>(?:\s*(?:,|y|e|al|-|–|a)\s*(?:[IVXLCDM]+)\b)*)",
    re.IGNORECASE,
)
_AFTER_NAME = re.compile(
    rf"\b(?P<name>{_REGNAL_NAMES}|[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\s+(?P<roman>[IVXLCDM]{{2,}}|[IVX])\b(?!\.\w)"
)
_AFTER_NAME_LOWER = re.compile(rf"\b(?P<name>{_REGNAL_NAMES.lower()})\s+(?P<roman>[ivxlcdm]+)\b", re.IGNORECASE)
_AFTER_ARTICLE = re.compile(r"\b(?P<article>el|la|los|las|del|al)\s+(?P<roman>[IVXLCDM]{2,}|[IVX])(?=\s+[^\W\d_])")
# "II. Consejo: el Consejo Federal…", "I. La Ley Federal…": a numeral opening a line with a dot is the
# label of a list item (a law's fractions), read as a cardinal, as "fracción II" is.
_LIST_LABEL = re.compile(r"^(?P<space>\s*)(?P<roman>[IVX]{1,5})\.(?=\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñ])")
# "RESULTANDO: I) que la citada…", "II) que el Poder Ejecutivo…": a numeral closed by a bracket labels
# a recital of a resolution, at the start of the line or after the heading's colon.
_BRACKET_LABEL = re.compile(r"(?:(?<=^)|(?<=:\s))(?P<roman>[IVX]{1,5})\)(?=\s)")
_WHOLE_LINE = re.compile(r"^\s*(?P<roman>[IVXLCDM]+)\.?\s*$")  # a chapter heading: "II", "II."
# Capital runs that are valid numerals but far more often abbreviations or words.
_NOT_NUMERALS = frozenset(
    {
        "CD",
        "DC",
        "CV",
        "MD",
        "CC",
        "CM",
        "MC",
        "XL",
        "DI",
        "MI",
        "LI",
        "DM",
        "MIL",
        "CID",
        "DIV",
        "MIX",
        "VIC",
        "CL",
        "LV",
        "MDC",
        "CCC",
        "DCC",
        "LL",
    }
)
_LOWERCASE_WORDS = frozenset({"di", "mi", "vi", "i", "v", "c", "d", "l", "m", "dc", "cd", "mix", "lid", "vid"})
_SPLIT_MORE = re.compile(r"(\s*(?:,|y|e|al|-|–|a)\s*)([IVXLCDM]+)\b")


def roman_value(numeral: str) -> int | None:
    """The value of a well-formed numeral, None for anything else ("IIII", "VX", "")."""
    if not numeral or not _VALID.fullmatch(numeral):
        return None
    lowered = numeral.lower()
    total = 0
    for index, char in enumerate(lowered):
        value = _VALUES[char]
        following = _VALUES[lowered[index + 1]] if index + 1 < len(lowered) else 0
        total += -value if value < following else value
    return total


_SPOKEN_CONTEXT = {
    "s.": "siglo",
    "cap.": "capítulo",
    "t.": "tomo",
    "tít.": "título",
    "vol.": "volumen",
    "vols.": "volúmenes",
}


def _cardinal_context(match: re.Match[str]) -> str:
    context = match.group("context")
    roman = match.group("roman")
    value = roman_value(roman)
    if value is None or roman in _NOT_NUMERALS:
        return match.group(0)
    if roman.islower():
        # Lowercase numerals are words too often ("años mi madre"): only after "siglo", "año".
        if context.lower() not in ("siglo", "siglos", "año") or roman in _LOWERCASE_WORDS:
            return match.group(0)
        return f"{context} {cardinal(value)}{match.group('more') or ''}"
    if context.upper() == "S." and value > 21:
        return match.group(0)  # "S. M. el Rey" is Su Majestad, not a century
    spoken_context = _SPOKEN_CONTEXT.get(context.lower(), context)
    more = match.group("more") or ""

    def _more(sub: re.Match[str]) -> str:
        more_value = roman_value(sub.group(2))
        joiner = " a " if sub.group(1).strip() in ("-", "–") else sub.group(1)  # "siglos XV-XVII": a range
        return joiner + (cardinal(more_value) if more_value else sub.group(2))

    return f"{spoken_context} {cardinal(value)}" + _SPLIT_MORE.sub(_more, more)


def _regnal(name: str, value: int) -> str:
    if value > 10:
        return cardinal(value)
    return ordinal(value, Form.FEMININE if name.casefold() in _FEMININE_NAMES else Form.MASCULINE)


def _after_name(match: re.Match[str]) -> str:
    roman = match.group("roman")
    value = roman_value(roman)
    if value is None or roman in _NOT_NUMERALS:
        return match.group(0)
    return f"{match.group('name')} {_regnal(match.group('name'), value)}"


def _after_article(match: re.Match[str]) -> str:
    roman = match.group("roman")
    value = roman_value(roman)
    if value is None or roman in _NOT_NUMERALS:
        return match.group(0)
    form = Form.FEMININE if match.group("article").lower() in ("la", "las") else Form.MASCULINE
    return f"{match.group('article')} {ordinal(value, form)}"


# "Carlos I de España y V de Alemania": the second numeral belongs to the same king.
_SECOND_TITLE = re.compile(
    rf"(?P<head>\b(?P<name>{_REGNAL_NAMES})\s+[IVX]+\s+de\s+[A-ZÁÉÍÓÚÑ][\w]+\s+y\s+)(?P<roman>[IVX]+)(?=\s+de\s+[A-ZÁÉÍÓÚÑ])"
)
# "Litro X Litro", "2 X 1": a capital X between the same word twice is "por", not ten.
_TIMES_BETWEEN = re.compile(r"\b(?P<word>\w+) X (?P=word)\b")


def _second_title(match: re.Match[str]) -> str:
    value = roman_value(match.group("roman"))
    if value is None:
        return match.group(0)
    return match.group("head") + _regnal(match.group("name"), value)


def normalize_roman(text: str) -> str:
    if " y " in text:
        text = _SECOND_TITLE.sub(_second_title, text)
    if " X " in text:
        text = _TIMES_BETWEEN.sub(lambda match: f"{match.group('word')} por {match.group('word')}", text)
    whole = _WHOLE_LINE.match(text)
    if whole:
        value = roman_value(whole.group("roman"))
        if value is not None and whole.group("roman") not in _NOT_NUMERALS:
            return text.replace(whole.group("roman"), ordinal(value), 1)
    if ")" in text:
        text = _BRACKET_LABEL.sub(
            lambda m: (cardinal(value) + ")") if (value := roman_value(m.group("roman"))) else m.group(0), text
        )
    label = _LIST_LABEL.match(text)
    if label and (value := roman_value(label.group("roman"))) is not None:
        text = label.group("space") + cardinal(value) + "." + text[label.end() :]
    text = _IN_CARDINAL_CONTEXT.sub(_cardinal_context, text)
    text = _AFTER_NAME_LOWER.sub(_after_name_lower, text)
    text = _AFTER_NAME.sub(_after_name, text)
    return _AFTER_ARTICLE.sub(_after_article, text)


def _after_name_lower(match: re.Match[str]) -> str:
    value = roman_value(match.group("roman"))
    if value is None:
        return match.group(0)
    return f"{match.group('name')} {_regnal(match.group('name'), value)}"
