"""What "$" stands for when the sentence names the country: "En Puerto Rico ... $3.50" is dollars.

The sign is the local peso in Mexico, Argentina, Uruguay, Colombia, Chile, the Dominican Republic
and Cuba, and the US dollar in Puerto Rico, Ecuador, El Salvador and Panama. A job's region fixes
the reading for most varieties (conventions.py), but two of them hold both readings: the caribbean
variety (pesos in Santo Domingo and Havana, dollars in San Juan) and neutral, which is what region
detection answers for most news. For those two a country named in the same sentence (its name, its
capital or main cities, its demonym) decides; a sentence naming countries with different readings,
or none, keeps the region's reading.
"""

import re

from vocalio_text.conventions import RegionalConventions

_PESO = ("peso", "pesos")
_DOLLAR = ("dólar", "dólares")

# Cue words per reading. City names that exist in several countries (Santiago, Córdoba) are left
# out; "San Juan" is Puerto Rico's capital but also an Argentine province, so it counts only in the
# caribbean variety (see _CARIBBEAN_ONLY).
_CUES: dict[tuple[str, str], str] = {
    _DOLLAR: (
        r"Puerto\s+Rico|puertorriqueñ[oa]s?|boricuas?|Bayamón|Mayagüez|Caguas|"
        r"Ecuador|ecuatorian[oa]s?|Guayaquil|El\s+Salvador|salvadoreñ[oa]s?|Panamá|panameñ[oa]s?"
    ),
    _PESO: (
        r"México|mexican[oa]s?|CDMX|Ciudad\s+de\s+México|Monterrey|Guadalajara|"
        r"Argentina|argentin[oa]s?|Buenos\s+Aires|Uruguay|uruguay[oa]s?|Montevideo|"
        r"Colombia|colombian[oa]s?|Bogotá|Medellín|Cali|Barranquilla|Chile|chilen[oa]s?|Valparaíso|"
        r"República\s+Dominicana|dominican[oa]s?|Santo\s+Domingo|Cuba|cuban[oa]s?|La\s+Habana"
    ),
}
_CARIBBEAN_ONLY = {_DOLLAR: r"|San\s+Juan"}


def _pattern(extra: dict[tuple[str, str], str]) -> re.Pattern[str]:
    groups = "|".join(
        f"(?P<{'dollar' if reading == _DOLLAR else 'peso'}>{cues}{extra.get(reading, '')})"
        for reading, cues in _CUES.items()
    )
    return re.compile(rf"\b(?:{groups})\b")


_ANY_COUNTRY = _pattern({})
_ANY_COUNTRY_CARIBBEAN = _pattern(_CARIBBEAN_ONLY)


def dollar_sign_reading(text: str, conventions: RegionalConventions) -> tuple[str, str]:
    """The (singular, plural) that "$" is read as in this text, for this region."""
    default = (conventions.dollar_sign_major, conventions.dollar_sign_plural)
    if conventions.dollar_sign_cues is None:
        return default
    pattern = _ANY_COUNTRY_CARIBBEAN if conventions.dollar_sign_cues == "caribbean" else _ANY_COUNTRY
    found = {match.lastgroup for match in pattern.finditer(text)}
    if found == {"dollar"}:
        return _DOLLAR
    if found == {"peso"}:
        return _PESO
    return default
