"""What the text itself says about its conventions: the country it names, the way it writes numbers.

A job's region fixes the readings of most varieties (conventions.py), but some hold more than one
country's convention, and neutral (what region detection answers for most news) holds all of them.
Two cues in the sentence refine the region's conventions, the first one found deciding:

- The numbers' own marks. A number that can only be read one way shows the writer's decimal mark
  for the whole sentence: "1,234,567", "15,000" (nobody writes three zero decimals) or "1,234.5"
  write the comma for thousands, so "3,500mAh" next to them is three thousand five hundred; "1.234.567"
  or "1.234,5" write the point for thousands.
- The country named (its name, capital or main cities, demonym), in the varieties that hold both
  conventions:
  - "$": the local peso in Mexico, Argentina, Uruguay, Colombia, Chile, the Dominican Republic and
    Cuba; the US dollar in Puerto Rico, Ecuador, El Salvador and Panama. It decides in neutral and
    caribbean (pesos in Santo Domingo and Havana, dollars in San Juan); the other varieties have
    one reading.
  - Decimal mark: the point in Mexico, Central America, Puerto Rico and the Dominican Republic; the
    comma in Venezuela, Cuba, Spain and South America. It decides in neutral and caribbean
    (Venezuela writes "Bs. 1.500,50" and "3,5 %").
  A sentence naming countries with different conventions, or none, keeps the region's.

City names that exist in several countries (Santiago, Córdoba) and names that are also surnames
(Ponce, Mendoza, Rosario) are left out; "San Juan" is Puerto Rico's capital but also an Argentine
province, so it counts only in the caribbean variety.
"""

import re
from dataclasses import replace

from vocalio_text.conventions import RegionalConventions

_DOLLAR_COUNTRIES = (
    r"Puerto\s+Rico|puertorriqueñ[oa]s?|boricuas?|Bayamón|Mayagüez|Caguas|"
    r"Ecuador|ecuatorian[oa]s?|Guayaquil|El\s+Salvador|salvadoreñ[oa]s?|Panamá|panameñ[oa]s?"
)
_PESO_COUNTRIES = (
    r"México|mexican[oa]s?|CDMX|Monterrey|Guadalajara|"
    r"Argentina|argentin[oa]s?|Buenos\s+Aires|Uruguay|uruguay[oa]s?|Montevideo|"
    r"Colombia|colombian[oa]s?|Bogotá|Medellín|Barranquilla|Chile|chilen[oa]s?|Valparaíso|"
    r"República\s+Dominicana|dominican[oa]s?|Santo\s+Domingo|Cuba|cuban[oa]s?|La\s+Habana"
)
_POINT_COUNTRIES = (
    r"México|mexican[oa]s?|CDMX|Monterrey|Guadalajara|Puerto\s+Rico|puertorriqueñ[oa]s?|boricuas?|"
    r"República\s+Dominicana|dominican[oa]s?|Santo\s+Domingo|Guatemala|guatemaltec[oa]s?|Honduras|"
    r"hondureñ[oa]s?|Tegucigalpa|Nicaragua|nicaragüense?s?|Managua|El\s+Salvador|salvadoreñ[oa]s?|"
    r"Panamá|panameñ[oa]s?"
)
_COMMA_COUNTRIES = (
    r"Venezuela|venezolan[oa]s?|Caracas|Maracaibo|Cuba|cuban[oa]s?|La\s+Habana|España|español[ae]?s?|"
    r"Madrid|Argentina|argentin[oa]s?|Buenos\s+Aires|Uruguay|uruguay[oa]s?|Montevideo|Colombia|"
    r"colombian[oa]s?|Bogotá|Chile|chilen[oa]s?|Perú|peruan[oa]s?|Lima|Bolivia|bolivian[oa]s?|"
    r"Paraguay|paraguay[oa]s?|Asunción|Ecuador|ecuatorian[oa]s?|Quito|Costa\s+Rica|costarricenses?"
)


def _cues(first: str, second: str, extra_first: str = "") -> re.Pattern[str]:
    return re.compile(rf"\b(?:(?P<first>{first}{extra_first})|(?P<second>{second}))\b")


_DOLLAR_OR_PESO = _cues(_DOLLAR_COUNTRIES, _PESO_COUNTRIES)
_DOLLAR_OR_PESO_CARIBBEAN = _cues(_DOLLAR_COUNTRIES, _PESO_COUNTRIES, r"|San\s+Juan")
_POINT_OR_COMMA = _cues(_POINT_COUNTRIES, _COMMA_COUNTRIES)

# Numbers that show their marks: several thousands groups, both marks, or three zero "decimals".
_COMMA_THOUSANDS = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,])|\d,\d{3}\.\d|(?<![\d.,])[1-9]\d{0,2},000(?![\d,]|\.\d)"
)
_POINT_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.])|\d\.\d{3},\d")


def _named(pattern: re.Pattern[str], text: str) -> str | None:
    """ "first" or "second" when the text names countries of only one of the two groups."""
    found = {match.lastgroup for match in pattern.finditer(text)}
    return found.pop() if len(found) == 1 else None


def _decimal_mark(text: str, conventions: RegionalConventions) -> tuple[str, str]:
    """The decimal mark this text writes, and the word for it: the region's word when only the page's
    marks differ (a narrator from Montevideo says "coma" whatever mark the page used), the country's
    when the text names it."""
    comma_thousands, point_thousands = _COMMA_THOUSANDS.search(text), _POINT_THOUSANDS.search(text)
    if comma_thousands and not point_thousands:
        return ".", conventions.decimal_word
    if point_thousands and not comma_thousands:
        return ",", conventions.decimal_word
    if conventions.country_cues is not None:
        named = _named(_POINT_OR_COMMA, text)
        if named:
            return (".", "punto") if named == "first" else (",", "coma")
    return conventions.decimal_mark, conventions.decimal_word


def _dollar_sign(text: str, conventions: RegionalConventions) -> tuple[str, str]:
    default = (conventions.dollar_sign_major, conventions.dollar_sign_plural)
    if conventions.country_cues is None or "$" not in text:
        return default
    pattern = _DOLLAR_OR_PESO_CARIBBEAN if conventions.country_cues == "caribbean" else _DOLLAR_OR_PESO
    named = _named(pattern, text)
    if named == "first":
        return ("dólar", "dólares")
    if named == "second":
        return ("peso", "pesos")
    return default


def conventions_for_text(text: str, conventions: RegionalConventions) -> RegionalConventions:
    """The region's conventions, refined by what this text shows (its numbers, the country it names)."""
    mark, word = _decimal_mark(text, conventions)
    major, plural = _dollar_sign(text, conventions)
    if (mark, word, major) == (conventions.decimal_mark, conventions.decimal_word, conventions.dollar_sign_major):
        return conventions
    return replace(
        conventions, decimal_mark=mark, decimal_word=word, dollar_sign_major=major, dollar_sign_plural=plural
    )
