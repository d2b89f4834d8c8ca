"""Symbols left after every other rule: "&" -> "y", "+" -> "más", "=" -> "es igual a", "#3" -> "número tres",
"el § 3" -> "la sección tres".

Only symbols between spaces or before a number are read; a symbol inside a word ("AT&T") is kept
for the engine. Anything still unreadable is reported by analyze() as a warning.
"""

import re

_SPOKEN: dict[str, str] = {
    "&": "y",
    "+": "más",
    "=": "es igual a",  # as in arithmetic read by the number rules: "dos más dos es igual a cuatro"
    "@": "arroba",
    "%": "por ciento",
    "‰": "por mil",
    "°": "grados",
    "×": "por",
    "÷": "entre",
    "±": "más menos",
    "§": "sección",
    "№": "número",
    "€": "euros",
    "£": "libras",
}
_STANDALONE = re.compile(r"(?<!\S)(?P<symbol>[&+=@%‰×÷±§№€£])(?!\S)")
_HASH_NUMBER = re.compile(r"(?<![\w#])#\s?(?=\d)")
_HASHTAG = re.compile(r"(?<![\w#])#(?=[^\W\d_])")
_AMPERSAND_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d_]) ?& ?(?=[^\W\d_])")


# A sign written on a number ("+3,2 %", "±5 %", "+0,4 puntos") is said before it; phones ("+34 …") and
# time-zone offsets are read before this pass.
_PLUS_BETWEEN_NUMBERS = re.compile(r"(?<=\d)\+(?=\d)")
# "5€ (+IVA)", "+info": a plus sign written on a word after a space or bracket is "más"; glued to a
# word before it ("Disney+", "C++") it is part of a name.
_PLUS_BEFORE_WORD = re.compile(r"(?:(?<=^)|(?<=[\s(\[«\"]))\+(?=[^\W\d_])")
_SIGNED_NUMBER = re.compile(r"(?:(?<=^)|(?<=[\s(\[«\"/:]))(?P<sign>[+±])\s?(?=\d)")


# Colombian addresses: "Calle 72 # 10-34" is "número diez guión treinta y cuatro" (the cross street and
# the door), not a range.
_ADDRESS_NUMBER = re.compile(r"(?<![\w#])#\s?(?P<street>\d{1,3}[A-Za-z]?)\s?-\s?(?P<door>\d{1,3})(?![\w-])")


# Dimensions and formats: "4x4", "10 x 20 cm", "1024×768" -> "por" (before the measures read "20 cm").
_TIMES_BETWEEN_NUMBERS = re.compile(r"(?<=\d)\s?[x×]\s?(?=\d)")
# "I+D", "I+D+i": investigación y desarrollo (e innovación), said letter by letter with "más".
_R_AND_D = re.compile(r"\bI\s?\+\s?D(?:\s?\+\s?i)?\b")


# "§" is "sección", a feminine noun: the article written before it follows ("el § 3" -> "la sección
# tres", "del §" -> "de la sección"), and "§§" is the plural ("§§ 3-5" -> "secciones tres a cinco").
# Only an article directly before the sign is changed; the words around it are the writer's.
_SECTION_SIGN = re.compile(r"(?:\b(?P<article>[Ee]l|[Dd]el|[Aa]l|[Ll]os)\s+)?(?P<signs>§§?)\s?(?=\S)")
_FEMININE_ARTICLES = {"el": "la", "del": "de la", "al": "a la", "los": "las"}


def _section_sign(match: re.Match[str]) -> str:
    noun = "secciones" if len(match.group("signs")) == 2 else "sección"
    article = match.group("article")
    if not article:
        return noun + " "
    feminine = _FEMININE_ARTICLES[article.lower()]
    if article[0].isupper():
        feminine = feminine[0].upper() + feminine[1:]
    return f"{feminine} {noun} "


def normalize_section_sign(text: str) -> str:
    """ "el § 3" -> "la sección 3": before the number rules, so "§ 3.2" is read as a section number."""
    if "§" not in text:
        return text
    return _SECTION_SIGN.sub(_section_sign, text)


# "Full HD+", "A+++", "C++": plus signs closing a run of capitals are said ("hache de más", "a más más
# más"); after a lowercase letter they are a brand's ("Disney+") and left to the engine.
_PLUS_AFTER_CAPITALS = re.compile(r"(?:(?<=\b[A-Z])|(?<=[A-Z]{2}))(?P<signs>\++)(?![\w+])")


def normalize_plus_after_capitals(text: str) -> str:
    """Before the acronyms are spelled, while the capitals can still be seen."""
    if "+" not in text:
        return text
    return _PLUS_AFTER_CAPITALS.sub(lambda match: " más" * len(match.group("signs")), text)


def normalize_number_sign(text: str) -> str:
    """ "#1" -> "número 1", "+3" -> "más 3": before the number rules, so the number still agrees as a number."""
    if "#" in text:
        text = _ADDRESS_NUMBER.sub(lambda match: f"número {match.group('street')} guión {match.group('door')}", text)
    text = _HASH_NUMBER.sub("número ", text)
    if "x" in text or "×" in text:
        text = _TIMES_BETWEEN_NUMBERS.sub(" por ", text)
    if "+" in text or "±" in text:
        text = _SIGNED_NUMBER.sub(lambda match: "más " if match.group("sign") == "+" else "más menos ", text)
        text = _PLUS_BETWEEN_NUMBERS.sub(" más ", text)  # added time: "el minuto 45+2"
        text = _PLUS_BEFORE_WORD.sub("más ", text)
    return text


def normalize_symbols(text: str) -> str:
    text = normalize_section_sign(text)
    if "+" in text:
        text = _R_AND_D.sub(lambda match: "i más de" + (" más i" if match.group(0).endswith("i") else ""), text)
    text = _HASHTAG.sub("almohadilla ", text)
    return _STANDALONE.sub(lambda match: _SPOKEN[match.group("symbol")], text)
