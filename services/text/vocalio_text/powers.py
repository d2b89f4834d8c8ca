"""Powers: "x²" -> "x al cuadrado", "2³" -> "2 al cubo", "10⁶" -> "10 elevado a seis", "xⁿ", "x^n".

Squares and cubes have their own names; other exponents are "elevado a" a cardinal ("elevado a seis",
"elevado a menos tres") or, for a letter, "elevado a la" the letter ("elevado a la n"). The base is
left in place for the later rules (its digits are still read as a number). Run after the measures, so
"80 m²" is already "ochenta metros cuadrados"; a unit written alone after "/" or "por" is read as one.
"""

import re

from vocalio_text.numbers import cardinal

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_LETTERS = {"ⁿ": "n", "ⁱ": "i", "ˣ": "x", "ʸ": "y"}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱˣʸ"
_UNIT_ALONE = {
    "m²": "metro cuadrado",
    "km²": "kilómetro cuadrado",
    "cm²": "centímetro cuadrado",
    "mm²": "milímetro cuadrado",
    "m³": "metro cúbico",
    "cm³": "centímetro cúbico",
    "dm³": "decímetro cúbico",
}
_LONE_UNIT = re.compile(r"(?:(?<=\bpor )|(?<=/)|(?<=\bel )|(?<=\bcada ))(?P<unit>[kcdm]?m[²³])(?!\w)")
_SUPERSCRIPT = re.compile(rf"(?<=[\w)])(?P<exp>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[ⁿⁱˣʸ])(?![{SUPERSCRIPTS}])")
_CARET = re.compile(r"(?<=[\w)])\^\(?(?P<exp>[-+]?\d+|[a-zA-Z])\)?(?![\w^])")


def spoken_exponent(exponent: str) -> str:
    """ "2" -> "al cuadrado", "3" -> "al cubo", "-3" -> "elevado a menos tres", "n" -> "elevado a la n"."""
    if exponent.isalpha():
        return f"elevado a la {exponent}"
    value = int(exponent)
    if value == 2 and not exponent.startswith(("+", "-")):
        return "al cuadrado"
    if value == 3 and not exponent.startswith(("+", "-")):
        return "al cubo"
    return f"elevado a {cardinal(value)}"


def _superscript(match: re.Match[str]) -> str:
    written = match.group("exp")
    exponent = _SUPERSCRIPT_LETTERS.get(written) or written.translate(_SUPERSCRIPT_DIGITS)
    return " " + spoken_exponent(exponent)


def _caret(match: re.Match[str]) -> str:
    return " " + spoken_exponent(match.group("exp"))


def normalize_powers(text: str) -> str:
    if any(char in SUPERSCRIPTS for char in text):
        text = _LONE_UNIT.sub(lambda match: _UNIT_ALONE.get(match.group("unit"), match.group("unit")), text)
        text = _SUPERSCRIPT.sub(_superscript, text)
    if "^" in text:
        text = _CARET.sub(_caret, text)
    return text
