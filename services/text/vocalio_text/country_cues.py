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
    comma in Venezuela, Cuba, Spain and South America. It decides only in caribbean (Venezuela
    writes "Bs. 1.500,50" and says "coma"; San Juan and Santo Domingo write "3.5" and say "punto").
    Not in neutral: neutral text is mostly wire news, written in one country about another ("En
    México ... 1.500 empleos" from Madrid), so the country named says little about the marks.
  A sentence naming countries with different conventions, or none, keeps the region's.

City names that exist in several countries (Santiago, Córdoba) and names that are also surnames
(Ponce, Mendoza, Rosario) are left out; "San Juan" is Puerto Rico's capital but also an Argentine
province, so it counts only in the caribbean variety.
"""

import re
from dataclasses import replace

from vocalio_text.conventions import RegionalConventions


# Cue words (single words, matched whole and case-sensitively: "Chile" the country, not "chile" the
# pepper) and phrases, per group.
def _cues(words: str, phrases: str = "") -> tuple[frozenset[str], tuple[str, ...]]:
    return frozenset(words.split()), tuple(phrase for phrase in phrases.split(",") if phrase)


_DEMONYMS = "{0}o {0}a {0}os {0}as"


def _demonyms(*stems: str) -> str:
    return " ".join(_DEMONYMS.format(stem) for stem in stems)


_DOLLAR_COUNTRIES = _cues(
    "Ecuador Guayaquil Panamá Bayamón Mayagüez Caguas boricua boricuas "
    + _demonyms("puertorriqueñ", "ecuatorian", "salvadoreñ", "panameñ"),
    "Puerto Rico,El Salvador",
)
_PESO_COUNTRIES = _cues(
    "México CDMX Monterrey Guadalajara Argentina Uruguay Montevideo Colombia Bogotá Medellín Barranquilla "
    "Chile Valparaíso Cuba " + _demonyms("mexican", "argentin", "uruguay", "colombian", "chilen", "dominican", "cuban"),
    "Buenos Aires,República Dominicana,Santo Domingo,La Habana",
)
_POINT_COUNTRIES = _cues(
    "México CDMX Monterrey Guadalajara boricua boricuas Guatemala Honduras Tegucigalpa Nicaragua Managua "
    "Panamá nicaragüense nicaragüenses "
    + _demonyms("mexican", "puertorriqueñ", "dominican", "guatemaltec", "hondureñ", "salvadoreñ", "panameñ"),
    "Puerto Rico,República Dominicana,Santo Domingo,El Salvador",
)
_COMMA_COUNTRIES = _cues(
    "Venezuela Caracas Maracaibo Cuba España Madrid Argentina Uruguay Montevideo Colombia Bogotá Chile Perú "
    "Lima Bolivia Paraguay Asunción Ecuador Quito costarricense costarricenses español española españoles "
    "españolas "
    + _demonyms("venezolan", "cuban", "argentin", "uruguay", "colombian", "chilen", "peruan", "bolivian", "paraguay")
    + _demonyms("ecuatorian"),
    "La Habana,Buenos Aires,Costa Rica",
)
_CARIBBEAN_DOLLAR = (_DOLLAR_COUNTRIES[0], (*_DOLLAR_COUNTRIES[1], "San Juan"))

_WORD = re.compile(r"[^\W\d_]+")
# A number with a mark: its reading (and the word said for the mark) may depend on the conventions.
_MARKED_NUMBER = re.compile(r"\d[.,]\d")
# Only a number a mark could make two numbers of ("1,500", "1.500") depends on the decimal mark.
_AMBIGUOUS_NUMBER = re.compile(r"\d[.,]\d{3}(?!\d)")
# Numbers that show their marks: several thousands groups, both marks, or three zero "decimals".
_COMMA_THOUSANDS = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,])|\d,\d{3}\.\d|(?<![\d.,])[1-9]\d{0,2},000(?![\d,]|\.\d)"
)
_POINT_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.])|\d\.\d{3},\d")

# The currency of a country that writes the decimal point, named after an amount, shows where the
# amount was written: "9,326 millones de quetzales" is nine thousand millions (Guatemala, Honduras).
# Wire news from Spain writes the same amount "9.326 millones de quetzales", but then a number with one
# or two decimals ("1.217,4 millones de dólares") shows its marks first, and so does any short decimal.
_POINT_CURRENCY = re.compile(r"\d,\d{3}\s(?:millones|mil millones|millardos)\s+de\s+(?:quetzales|lempiras)\b")
# People, cases and things are counted in whole numbers: "109,878 casos de dengue", "57,000 dosis" write
# the comma for thousands (nobody has 109.878 cases), and so does the rest of the sentence ("de los
# cuales 8,798 están confirmados").
_COUNTED_AFTER = re.compile(
    r"\d,\d{3}\s+(?:casos|personas|habitantes|dosis|votos|muertos|fallecidos|heridos|empleos|estudiantes|"
    r"niños|niñas|viviendas|familias|pacientes|turistas|visitantes|usuarios|trabajadores|ejemplares|hogares|"
    r"vehículos|soldados|alumnos|afiliados|electores|contagios|pruebas|migrantes|detenidos|víctimas)\b"
)
_SHORT_DECIMAL = re.compile(r"\d[.,]\d{1,2}(?!\d)")
_Cues = tuple[frozenset[str], tuple[str, ...]]


def _names(text: str, cues: _Cues, words: set[str]) -> bool:
    single, phrases = cues
    return not single.isdisjoint(words) or any(phrase in text for phrase in phrases)


def _named(text: str, first: _Cues, second: _Cues) -> str | None:
    """ "first" or "second" when the text names countries of only one of the two groups."""
    words = set(_WORD.findall(text))
    named_first, named_second = _names(text, first, words), _names(text, second, words)
    if named_first == named_second:
        return None
    return "first" if named_first else "second"


def _decimal_mark(text: str, conventions: RegionalConventions) -> tuple[str, str]:
    """The decimal mark this text writes, and the word for it: the region's word when only the page's
    marks differ (a narrator from Montevideo says "coma" whatever mark the page used), the country's
    when the text names it."""
    default = conventions.decimal_mark, conventions.decimal_word
    if not _MARKED_NUMBER.search(text):
        return default
    if _AMBIGUOUS_NUMBER.search(text):
        comma_thousands, point_thousands = _COMMA_THOUSANDS.search(text), _POINT_THOUSANDS.search(text)
        if comma_thousands and not point_thousands:
            return ".", conventions.decimal_word
        if point_thousands and not comma_thousands:
            return ",", conventions.decimal_word
        if (_POINT_CURRENCY.search(text) or _COUNTED_AFTER.search(text)) and not _SHORT_DECIMAL.search(text):
            return ".", conventions.decimal_word
    if conventions.country_cues == "caribbean":
        named = _named(text, _POINT_COUNTRIES, _COMMA_COUNTRIES)
        if named:
            return (".", "punto") if named == "first" else (",", "coma")
    return default


def _dollar_sign(text: str, conventions: RegionalConventions) -> tuple[str, str]:
    default = (conventions.dollar_sign_major, conventions.dollar_sign_plural)
    if conventions.country_cues is None or "$" not in text:
        return default
    dollar = _CARIBBEAN_DOLLAR if conventions.country_cues == "caribbean" else _DOLLAR_COUNTRIES
    named = _named(text, dollar, _PESO_COUNTRIES)
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
