"""Measures and units: "200 m", "2,5 kg", "25 °C", "120 km/h", "9 m³", "8,52 %", "3 3/5 m".

- The unit is spelled out and agrees in number: singular only for exactly one ("un kilogramo",
  "una hora"), plural otherwise, decimals included ("uno coma cinco kilogramos").
- The number agrees with the unit's gender: "doscientas cuarenta y cinco millas", "una hora".
- Percent and per-mille keep the citation form: "uno por ciento", "veintiuno por ciento".
- Fractions of a unit: "medio metro", "uno y medio metro", "tres quintos de milla", "tres y tres
  quintos de metro".
- Symbols are case-sensitive ("m" is metre, "M" is not a unit; "mm" millimetre, "Mm" nothing).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from vocalio_text.conventions import RegionalConventions
from vocalio_text.fractions import denominator_name, spoken_fraction
from vocalio_text.full_stop import with_full_stop
from vocalio_text.money import CURRENCIES, CURRENCY_AFTER
from vocalio_text.numbers import NUMBER_PATTERN, Form, cardinal, decimal, ends_in_scale_noun, split_number


@dataclass(frozen=True)
class Unit:
    singular: str
    plural: str
    feminine: bool = False
    agrees: bool = True  # False for "por ciento": the number keeps its citation form


def _unit(singular: str, plural: str | None = None, feminine: bool = False) -> Unit:
    return Unit(singular, plural or singular + "s", feminine)


UNITS: dict[str, Unit] = {
    "km/h": _unit("kilómetro por hora", "kilómetros por hora"),
    "kph": _unit("kilómetro por hora", "kilómetros por hora"),
    "mph": _unit("milla por hora", "millas por hora", True),
    "rpm": _unit("revolución por minuto", "revoluciones por minuto", True),
    "m/s": _unit("metro por segundo", "metros por segundo"),
    "km²": _unit("kilómetro cuadrado", "kilómetros cuadrados"),
    "km2": _unit("kilómetro cuadrado", "kilómetros cuadrados"),
    "m²": _unit("metro cuadrado", "metros cuadrados"),
    "m2": _unit("metro cuadrado", "metros cuadrados"),
    "cm²": _unit("centímetro cuadrado", "centímetros cuadrados"),
    "m³": _unit("metro cúbico", "metros cúbicos"),
    "m3": _unit("metro cúbico", "metros cúbicos"),
    "cm³": _unit("centímetro cúbico", "centímetros cúbicos"),
    "cc": _unit("centímetro cúbico", "centímetros cúbicos"),
    "km": _unit("kilómetro"),
    "Kg": _unit("kilogramo"),
    "KG": _unit("kilogramo"),
    "Km": _unit("kilómetro"),
    "KM": _unit("kilómetro"),
    "m": _unit("metro"),
    "cm": _unit("centímetro"),
    "cms": _unit("centímetro"),  # "25 cms de diámetro": the plural some recipes write
    "mm": _unit("milímetro"),
    "dm": _unit("decímetro"),
    "µm": _unit("micrómetro"),
    "nm": _unit("nanómetro"),
    "mi": _unit("milla", feminine=True),
    "ft": _unit("pie"),
    "in": _unit("pulgada", feminine=True),
    "ha": _unit("hectárea", feminine=True),
    "kg": _unit("kilogramo"),
    "g": _unit("gramo"),
    "mg": _unit("miligramo"),
    "µg": _unit("microgramo"),
    "t": _unit("tonelada", feminine=True),
    "lb": _unit("libra", feminine=True),
    "oz": _unit("onza", feminine=True),
    "l": _unit("litro"),
    "L": _unit("litro"),
    "ml": _unit("mililitro"),
    "mL": _unit("mililitro"),
    "cl": _unit("centilitro"),
    "dl": _unit("decilitro"),
    "h": _unit("hora", feminine=True),
    "hs": _unit("hora", feminine=True),
    "hrs": _unit("hora", feminine=True),
    "min": _unit("minuto"),
    "s": _unit("segundo"),
    "seg": _unit("segundo"),
    "ms": _unit("milisegundo"),
    "°C": _unit("grado centígrado", "grados centígrados"),
    "ºC": _unit("grado centígrado", "grados centígrados"),
    "°F": _unit("grado fahrenheit", "grados fahrenheit"),
    "ºF": _unit("grado fahrenheit", "grados fahrenheit"),
    "°K": _unit("grado kelvin", "grados kelvin"),
    "K": _unit("kelvin", "kelvin"),
    "W": _unit("vatio"),
    "kW": _unit("kilovatio"),
    "MW": _unit("megavatio"),
    "kWh": _unit("kilovatio hora", "kilovatios hora"),
    "V": _unit("voltio"),
    "kV": _unit("kilovoltio"),
    "mA": _unit("miliamperio"),
    "Hz": _unit("hercio"),
    "kHz": _unit("kilohercio"),
    "MHz": _unit("megahercio"),
    "GHz": _unit("gigahercio"),
    "KB": _unit("kilobyte"),
    "kB": _unit("kilobyte"),
    "MB": _unit("megabyte"),
    "GB": _unit("gigabyte"),
    "TB": _unit("terabyte"),
    "Mb": _unit("megabit"),
    "Gb": _unit("gigabit"),
    "Mbps": _unit("megabit por segundo", "megabits por segundo"),
    "gr": _unit("gramo"),
    "grs": _unit("gramo"),
    "u.": _unit("unidad", "unidades", True),
    "U.I.": _unit(
        "unidad indexada", "unidades indexadas", True
    ),  # Uruguay: "una multa de 500 U.I."  # "Huevo 1 u.": a recipe's count of pieces
    "lt": _unit("litro"),
    "lts": _unit("litro"),
    "cda": _unit("cucharada", feminine=True),
    "cdas": _unit("cucharada", feminine=True),
    "cdta": _unit("cucharadita", feminine=True),
    "cdtas": _unit("cucharadita", feminine=True),
    "cdita": _unit("cucharadita", feminine=True),
    "cditas": _unit("cucharadita", feminine=True),
    "ud": _unit("unidad", "unidades", feminine=True),
    "uds": _unit("unidad", "unidades", feminine=True),
    "kcal": _unit("kilocaloría", feminine=True),
    "cal": _unit("caloría", feminine=True),
    "dB": _unit("decibelio"),
    "hPa": _unit("hectopascal", "hectopascales"),
    "kPa": _unit("kilopascal", "kilopascales"),
    "mbar": _unit("milibar", "milibares"),
    "mb": _unit("milibar", "milibares"),
    "kJ": _unit("kilojulio"),
    "ns": _unit("nanosegundo"),
    "µs": _unit("microsegundo"),
    "mAh": _unit("miliamperio hora", "miliamperios hora"),
    # Camera resolution as product pages write it: "50 mp", "8 MP", "48 Mpx".
    "MP": _unit("megapíxel", "megapíxeles"),
    "mp": _unit("megapíxel", "megapíxeles"),
    "Mpx": _unit("megapíxel", "megapíxeles"),
    "MPx": _unit("megapíxel", "megapíxeles"),
    "mpx": _unit("megapíxel", "megapíxeles"),
    "msnm": _unit("metro sobre el nivel del mar", "metros sobre el nivel del mar"),
    "m.s.n.m.": _unit("metro sobre el nivel del mar", "metros sobre el nivel del mar"),
    "has.": _unit("hectárea", feminine=True),
    "GW": _unit("gigavatio"),
    "GWh": _unit("gigavatio hora", "gigavatios hora"),
    "MWh": _unit("megavatio hora", "megavatios hora"),
    "psi": Unit("p s i", "p s i"),
    "gsm": _unit("gramo por metro cuadrado", "gramos por metro cuadrado"),
    "%": Unit("por ciento", "por ciento", agrees=False),
    "‰": Unit("por mil", "por mil", agrees=False),
    "/s": Unit("por segundo", "por segundo", agrees=False),
    "/h": Unit("por hora", "por hora", agrees=False),
}
_DEGREE = re.compile(r"[°º]\s?([cCfFkK])(?![\w])")
_UNIT_ALTERNATION = "|".join(re.escape(key) for key in sorted(UNITS, key=len, reverse=True))
_NUMBER = NUMBER_PATTERN
_PER_WORDS = "día|mes|año|hora|semana|persona|noche|unidad|habitante|barril|litro|kilo"
_MEASURE = re.compile(
    rf"(?<![\w.,/])(?P<minus>[-−])?(?:(?P<whole>\d+)\s(?P<and>y\s)?)?(?P<amount>{_NUMBER})(?:/(?P<den>\d+))?"
    rf"\s?(?P<unit>{_UNIT_ALTERNATION})(?![\w²³])(?!/(?!(?:{_UNIT_ALTERNATION}|{_PER_WORDS})(?![\w/²³])))"
    # "5 t. de trigo", "3 kg. de harina": a dot written after the symbol mid-sentence is not a full stop.
    # Before a closing bracket or a comma it is not one either: "(200 gr.)", "1 kg., 2 l".
    r"(?:\.(?=\s+[a-záéíóúñ]|[),;]))?"
)


def _number_form(unit: Unit) -> Form:
    if not unit.agrees:
        return Form.MASCULINE
    return Form.FEMININE if unit.feminine else Form.APOCOPE


def _fraction_of_unit(whole: int | None, numerator: int, denominator: int, unit: Unit) -> str:
    """ "medio metro", "uno y medio metro", "tres quintos de milla", "tres y tres quintos de metro"."""
    if numerator == 1 and denominator == 2:
        half = "media" if unit.feminine else "medio"
        if whole is None:
            return f"{half} {unit.singular}"
        if unit.agrees and " " not in unit.singular:
            # "1 1/2 kg" -> "un kilogramo y medio", "2 y 1/2 cdas." -> "dos cucharadas y media": the
            # noun after the whole number, the half after the noun, as a narrator says it.
            name = unit.singular if whole == 1 else unit.plural
            return f"{cardinal(whole, _number_form(unit))} {name} y {half}"
        return f"{cardinal(whole, Form.MASCULINE)} y {half} {unit.singular}"
    fraction = spoken_fraction(numerator, denominator)
    if whole is not None:
        whole_words = cardinal(whole, Form.FEMININE if unit.feminine else Form.MASCULINE)
        return f"{whole_words} y {fraction} de {unit.singular}"
    return f"{fraction} de {unit.singular}"


def spoken_measure(amount: str, unit: Unit, conventions: RegionalConventions, negative: bool = False) -> str:
    integer, fraction = split_number(amount, conventions.decimal_mark)
    form = _number_form(unit)
    if fraction:
        number = decimal(integer, fraction, form, conventions.decimal_word)
        name = unit.plural
    else:
        value = int(integer)
        number = cardinal(value, form)
        name = unit.singular if value == 1 else unit.plural
        if unit.agrees and ends_in_scale_noun(number):
            name = "de " + name  # "un millón de kilómetros"
    return f"{'menos ' if negative else ''}{number} {name}"


def _make_replacer(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _replace(match: re.Match[str]) -> str:
        unit = UNITS[match.group("unit")]
        negative = bool(match.group("minus"))
        if match.group("den"):
            denominator = int(match.group("den"))
            if denominator == 0 or denominator_name(denominator) is None or not match.group("amount").isdigit():
                return match.group(0)
            whole = int(match.group("whole")) if match.group("whole") else None
            spoken = _fraction_of_unit(whole, int(match.group("amount")), denominator, unit)
            return f"menos {spoken}" if negative else spoken
        if match.group("whole"):
            # "3 100 m" with a lone group is not a fraction: leave the first number to the number rules.
            spoken = (
                match.group("whole")
                + " "
                + (match.group("and") or "")
                + spoken_measure(match.group("amount"), unit, conventions, negative)
            )
            return with_full_stop(match, spoken)
        return with_full_stop(match, spoken_measure(match.group("amount"), unit, conventions, negative))

    return _replace


# A unit written before its number is a road marker, not a quantity: "Km 42" is "kilómetro cuarenta y dos"
# (the number stays a cardinal), "PK 12" "punto kilométrico doce".
_ROAD_MARKER = re.compile(r"(?<![\w.,])(?<!\d\s)(?P<marker>[Kk][Mm]\.?|KM\.?|PK|P\.\s?K\.|p\.\s?k\.)\s?(?=\d)")


_PLURAL_ARTICLE_BEFORE = re.compile(r"\b(?:los|las)\s+$", re.IGNORECASE)


def _road_marker(match: re.Match[str]) -> str:
    plural = bool(_PLURAL_ARTICLE_BEFORE.search(match.string, 0, match.start()))  # "entre los km 30 y 45"
    if match.group("marker")[0] in "Kk":
        return "kilómetros " if plural else "kilómetro "
    return "puntos kilométricos " if plural else "punto kilométrico "


# A rate after a spoken amount: "2 €/kg", "3.000 €/m²", "20 km/l", "5 $/día" -> "por kilogramo"...
_AMOUNT_NAMES = sorted(
    {name.split()[-1] for unit in UNITS.values() for name in (unit.singular, unit.plural)}
    | {name.split()[-1] for currency in CURRENCIES.values() for name in (currency.singular, currency.plural)}
    | {"dólar", "dólares", "peso", "pesos", "céntimos", "centavos"},
    key=len,
    reverse=True,
)
_PER_UNIT = re.compile(rf"\b(?P<name>{'|'.join(_AMOUNT_NAMES)})/(?P<per>{_UNIT_ALTERNATION}|{_PER_WORDS})(?![\w/²³])")


def _per_unit(match: re.Match[str]) -> str:
    per = match.group("per")
    return match.group("name") + " por " + (UNITS[per].singular if per in UNITS else per)


# A range before a unit or a currency: "8-10 h", "10-20 €", "20–25 °C" -> "ocho a diez horas" (after
# "entre", "y"). Only the hyphen becomes a word; the amounts are read by the money and measure rules.
_RANGE_BEFORE_UNIT = re.compile(
    rf"(?<![\w.,/-])(?P<start>\d+(?:[.,]\d+)?)\s?[-–]\s?(?=\d+(?:[.,]\d+)?\s?(?:(?:{_UNIT_ALTERNATION}|{CURRENCY_AFTER})(?![\w])|°|º))"
)
_ENTRE_BEFORE = re.compile(r"\bentre\s+$", re.IGNORECASE)


_RANGE_AFTER_PERCENT = re.compile(r"(?<=\d)\s?(?P<sign>[%‰])(?:-|\s?–\s?)(?=\d)")


def normalize_unit_ranges(text: str) -> str:
    """Run before money and measures, so both ends of "10-20 €" are read; "3 %-5 %" too."""
    if "%" in text or "‰" in text:
        text = _RANGE_AFTER_PERCENT.sub(lambda match: f" {match.group('sign')} a ", text)

    def _range(match: re.Match[str]) -> str:
        joiner = "y" if _ENTRE_BEFORE.search(match.string, 0, match.start()) else "a"
        return f"{match.group('start')} {joiner} "

    return _RANGE_BEFORE_UNIT.sub(_range, text)


# A scale word between the number and the unit: "150 millones de km", "5 mil km" -> the unit in the plural,
# after "de" for the noun scales ("ciento cincuenta millones de kilómetros").
_SCALED_MEASURE = re.compile(
    rf"(?<![\w.,/])(?P<amount>{_NUMBER})\s(?P<scale>mil millones|millones|millón|billones|billón|mil)"
    rf"(?:\s+de)?\s(?P<unit>{_UNIT_ALTERNATION})(?![\w²³/])(?:\.(?=\s+[a-záéíóúñ]))?"
)


def _make_scaled(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _scaled(match: re.Match[str]) -> str:
        unit = UNITS[match.group("unit")]
        integer, fraction = split_number(match.group("amount"), conventions.decimal_mark)
        scale = match.group("scale")
        if fraction:
            number = decimal(integer, fraction, Form.APOCOPE, conventions.decimal_word)
        else:
            feminine = unit.feminine and scale == "mil"
            number = cardinal(int(integer), Form.FEMININE if feminine else Form.APOCOPE)
        return f"{number} {scale}{'' if scale == 'mil' else ' de'} {unit.plural}"

    return _scaled


# "1/2 K de carne": in a recipe a capital K before "de" is a kilo, not a kelvin.
_KILO_K = re.compile(r"(?<![\d.,/])(?P<amount>\d/\d|[1-9])\s?K(?=\s+de\s[a-záéíóúñ])")
# "4K", "1,5K": a K glued to the number is a display resolution; kelvin is written apart ("300 K").
_K_RESOLUTION = re.compile(r"(?<=\d)K(?![\w°])")
# "70 kilómetros por hora (km/h)": the symbol in brackets repeats the unit just said; it is not read.
_SYMBOL_IN_BRACKETS = re.compile(r"(?<=[a-záéíóúñ])\s\((?P<symbol>[^\s()]{1,6})\)")


def _symbol_in_brackets(match: re.Match[str]) -> str:
    unit = UNITS.get(match.group("symbol"))
    before = match.string[: match.start()]
    if unit and (before.endswith(unit.plural) or before.endswith(unit.singular)):
        return ""
    return match.group(0)


# Screen sizes in inches: "6,8"", "55″". The double prime always is the inch; the straight quote only
# right after a screen word ("pantalla de 6,8\""), since it also closes quotations ("el número "7"").
_INCHES = re.compile(rf"(?<![\w.,])(?P<amount>{_NUMBER})(?:″|\"(?=[\s,.;:)]|$))")
_SCREEN_BEFORE = re.compile(
    r"\b(?:pantallas?|monitor(?:es)?|televisor(?:es)?|tele|TV|tablets?|portátil|laptop)\s+(?:de\s+)?$"
)


def _inches(match: re.Match[str], conventions: RegionalConventions) -> str:
    if match.group(0).endswith('"') and not _SCREEN_BEFORE.search(match.string, 0, match.start()):
        return match.group(0)
    return spoken_measure(match.group("amount"), UNITS["in"], conventions)


def normalize_measures(text: str, conventions: RegionalConventions) -> str:
    if '"' in text or "″" in text:
        text = _INCHES.sub(lambda match: _inches(match, conventions), text)
    if "K" in text:
        text = _KILO_K.sub(
            lambda match: match.group("amount") + (" kilo" if match.group("amount") in ("1", "1/2") else " kilos"), text
        )
        text = _K_RESOLUTION.sub(" ka", text)
    text = _ROAD_MARKER.sub(_road_marker, text)
    text = _DEGREE.sub(lambda match: "°" + match.group(1).upper(), text)
    text = _SCALED_MEASURE.sub(_make_scaled(conventions), text)
    text = _MEASURE.sub(_make_replacer(conventions), text)
    if "(" in text:
        text = _SYMBOL_IN_BRACKETS.sub(_symbol_in_brackets, text)
    return _PER_UNIT.sub(_per_unit, text) if "/" in text else text
