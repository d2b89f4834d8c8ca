"""normalize(): written Spanish to spoken Spanish, by passes from the most specific to the most general.

Order matters: an e-mail or a phone number must be read before its digits look like numbers; a
Bible reference ("Juan 3:16") before it looks like a time; a date before its day looks like a
cardinal, and "Ley 2/2015" before it looks like a fraction; a time before "12.15" looks like a
decimal; money and measures before the bare number loses its unit; powers ("x²") after the measures
that own "m²"; ordinals and roman numerals before cardinals; abbreviations after numbers, so "n.º 5"
and "pág. 3" keep their numbers' context.
Every pass turns what it reads into plain words, so no later pass reads it twice, and a second
normalize() finds nothing left to change (idempotence is tested).
"""

import re
import unicodedata

from vocalio_shared.regions import Region

from vocalio_text.abbreviations import (
    normalize_abbreviations,
    normalize_abbreviations_before_numbers,
    normalize_norm_kinds,
)
from vocalio_text.acronyms import LETTER_NAMES, spoken_letters
from vocalio_text.cardinals import normalize_cardinals, normalize_decades
from vocalio_text.citations import normalize_citations
from vocalio_text.conventions import conventions_for
from vocalio_text.country_cues import conventions_for_text
from vocalio_text.dates import normalize_dates
from vocalio_text.degrees import normalize_degree_pairs, normalize_degrees
from vocalio_text.electronic import FILE_EXTENSIONS, normalize_electronic
from vocalio_text.fractions import ascii_vulgar_fractions, normalize_fractions
from vocalio_text.measures import normalize_measures, normalize_unit_ranges
from vocalio_text.money import normalize_currency_pairs, normalize_money
from vocalio_text.numbers import Form, cardinal, digits_one_by_one
from vocalio_text.ordinals import normalize_ordinals
from vocalio_text.powers import SUPERSCRIPTS, normalize_powers
from vocalio_text.roads import normalize_roads
from vocalio_text.roman import normalize_roman
from vocalio_text.scripture import normalize_scripture
from vocalio_text.symbols import (
    normalize_number_sign,
    normalize_plus_after_capitals,
    normalize_section_sign,
    normalize_symbols,
)
from vocalio_text.telephone import normalize_telephone
from vocalio_text.times import normalize_times

_HAS_DIGIT = re.compile(r"\d")
# Past the largest named scale (10^27) a digit run is not a quantity anyone says: read it digit by
# digit, which also keeps int() away from Python's limit on huge conversions.
_LONG_DIGIT_RUN = re.compile(r"\d{28,}")
# Characters that make a pass worth running at all: most prose lines have no digits or symbols, and
# skipping the number passes keeps the pipeline far faster than speech.
_NEEDS_ELECTRONIC = re.compile(rf"@|www\.|://|\.[a-z]{{2,4}}\b|\.(?i:{FILE_EXTENSIONS})\b")
_NEEDS_SYMBOLS = re.compile(r"[&+=@%‰×÷±§№€£#]")
_NEEDS_POWERS = re.compile(rf"[{SUPERSCRIPTS}^]")
_NEEDS_ROMAN = re.compile(r"\b[IVXLCDM]+\b|\b(?:siglos?|año|[Mm]aría|S\.)\s+[ivxlcdm]+\b")


# A tennis set with its tie-break, "7-6(4)" or "7-6 (7/4)": the score in brackets is a score too,
# never a fraction, and it is said apart from the set.
_TIEBREAK = re.compile(r"(?<=\d-\d)\s?\((?P<a>\d{1,2})(?:/(?P<b>\d{1,2}))?\)")


# "(6-7, 6-4, 6-3,6-7 y 7-5)": a comma typed without its space between two set scores still separates
# them; it is not the decimal comma of "3,6".
_GLUED_SCORES = re.compile(r"(?<=\b\d-\d),(?=\d{1,2}-\d{1,2}\b)")


def _tiebreak(match: re.Match[str]) -> str:
    inner = match.group("a") if match.group("b") is None else f"{match.group('a')}-{match.group('b')}"
    return f" ({inner})"


# "Pacheco(3′)": a bracket glued to a word gets its space.
_GLUED_BRACKET = re.compile(r"(?<=[^\W\d_])\((?=\d)")
# Legal and official Spanish repeat a number in figures: "seis (6) meses", "veinticuatro (24) horas".
# A narrator says it once.
# Either order: "seis (6) meses", "Dos (02) fotografías", "1 (una) actividad".
_REPEATED_IN_BRACKETS = re.compile(
    r"(?P<words>\b[^\W\d_]+(?:\s+y\s+[^\W\d_]+)?)\s\((?P<digits>\d{1,4})\)"
    r"|\b(?P<lead>\d{1,4})\s\((?P<trail>[^\W\d_]+(?:\s+y\s+[^\W\d_]+)?)\)"
)


def _repeated_in_brackets(match: re.Match[str]) -> str:
    words = match.group("words") or match.group("trail")
    value = int(match.group("digits") or match.group("lead"))
    forms = {cardinal(value, form) for form in Form}
    said = words.lower() in forms or words.split()[-1].lower() in forms
    return words if said else match.group(0)


# "Colecturía:2251-8200": a label glued to its number by a colon is read with a pause after the colon.
_LABEL_COLON_DIGIT = re.compile(r"(?<=[^\W\d_]):(?=\d)")
# "exts. 1714, 1768 y 1769": extension numbers are dialled, digit by digit.
_EXTENSIONS = re.compile(r"\bexts\.\s(?P<list>\d+(?:(?:,\s|\sy\s)\d+)*)")


def _extensions(match: re.Match[str]) -> str:
    return "extensiones " + re.sub(r"\d+", lambda number: digits_one_by_one(number.group(0)), match.group("list"))


# "Contrato N° 03-2022-MDLJ", "Ley No. 183-02": a file number after "número" keeps its zeros and
# says its hyphens ("cero tres guion dos mil veintidós guion eme de ele jota").
# Latin-American official documents number themselves "<number>-<year>-<issuing office>", the office
# sometimes with a unit after a slash: "Decreto Supremo N.º 004-2020-SA", "Informe N° 045-2022-MTC/19",
# "Resolución Directoral N.º 0012-2023-EF/50.01". Such a code is a file number with or without "N.º".
# After "N.º" the parts may also be letters and slashes ("Acuerdo Núm. A/041/2018").
# An office's initials may join two offices with a lowercase "y": "OSGyAC" (Oficina de Secretaría
# General y Atención al Ciudadano).
_CODE_PART = r"(?:\d+(?:\.\d+)*|[A-Z]{1,10}(?:y[A-Z]{1,6})?)"
_CODE = rf"(?:\d+(?:\.\d{{3}})*|[A-Z]{{1,10}})(?:[-/]{_CODE_PART})+"
_FILE_NUMBER = re.compile(
    rf"(?<![\w.])(?:(?P<sign>N°|Nº|No\.|N\.º|N\.°|n\.º|nº|n°|Núm\.|núm\.)\s?)?(?P<code>{_CODE})\b(?![-/])"
)
# "Cartas Nºs 999-2021-OSGyAC/MPT y 1006-2021-OSGyAC/MPT", "Registros Nºs 122812-21 y 125896-21":
# the plural sign ("números") numbers a list of files, each one read as a file number.
# "DD.SS. N°s. 309 y 310-2017-EF": the first may be a bare number that shares the last one's year and office.
_FILE_NUMBERS = re.compile(
    rf"(?<![\w.])(?:Nºs\.?|N°s\.?|Nos\.|Nros\.|nros\.)\s?(?P<list>(?:{_CODE}|\d+)(?:(?:,\s|\sy\s|\se\s){_CODE})+)\b(?![-/])"
)
_LIST_SEPARATOR = re.compile(r"(,\s|\sy\s|\se\s)")
# Argentina's electronic files lead with the document type: "IF-2024-12345678-APN-MEC".
_OFFICE_CODE = re.compile(r"\d+-(?:19|20)\d\d-[A-Z]{2,}|[A-Z]{2,}-(?:19|20)\d\d-\d+-[A-Z]{2,}")


# "el Decreto 13-2020", "decreto legislativo 13-20", "la Ley 27-2014": after the name of a norm a
# number and its year joined by a hyphen are the norm's file number, never a range ("trece a dos mil").
_NORM_BEFORE = re.compile(
    r"\b(?:[Dd]ecreto(?:\s+(?:[Ll]ey|[Ll]egislativo|[Ss]upremo|[Ee]jecutivo|[Gg]ubernativo))?|[Ll]ey|[Aa]cuerdo"
    r"(?:\s+[Gg]ubernativo|\s+[Mm]inisterial)?|[Rr]esolución|[Ee]xpediente|[Oo]ficio|[Cc]ircular|[Ss]entencia)\s+$"
)
_NUMBER_AND_YEAR = re.compile(r"\d{1,5}-(?:(?:19|20)\d\d|\d\d)")


def _code_part(part: str) -> str:
    if part.isdigit():
        if len(part) > 6:
            return digits_one_by_one(part)  # a serial number, not a quantity: "12345678"
        return _leading_zeros(part) if part[0] == "0" and len(part) > 1 else cardinal(int(part))
    if part[0].isdigit():
        pieces = part.split(".")
        if all(len(piece) == 3 for piece in pieces[1:]):
            return cardinal(int("".join(pieces)))  # "1.234": thousands
        return " punto ".join(_code_part(piece) for piece in pieces)  # "50.01": "cincuenta punto cero uno"
    # An office's initials are spelled when short ("EF" -> "e efe", "SA" -> "ese a"); a longer one is
    # said as a word when Spanish can say it ("MINSA", "SUNAT").
    if "y" in part:
        return " y ".join(_code_part(piece) for piece in part.split("y"))
    return spoken_letters(part) if len(part) > 3 else " ".join(LETTER_NAMES[letter] for letter in part)


def _file_number(match: re.Match[str]) -> str:
    code = match.group("code")
    if (
        not match.group("sign")
        and not _OFFICE_CODE.match(code)
        and not (
            _NUMBER_AND_YEAR.fullmatch(code)
            and _NORM_BEFORE.search(match.string, max(0, match.start() - 30), match.start())
        )
    ):
        return match.group(0)  # "10-20", "2010-2015": ranges, read by the number rules
    return ("número " if match.group("sign") else "") + _spoken_code(code)


# Peruvian gazettes print a space after a hyphen ("N° 226- 2015-EF") or spaces around it ("DIRECTIVA
# N° 003 - 2012 - MPCH/GIP"): the same file number.
_SPACED_CODE = re.compile(
    r"(?<![\w.])(?P<number>\d{1,6})(?:-\s|\s-\s)(?P<year>(?:19|20)\d\d)(?:-|\s-\s)(?P<office>[A-Z]{2,})"
)
# Dates glued in a document list: "de fecha 09dic2021", "12nov2021".
_GLUED_DATE = re.compile(
    r"(?<![\w.])(?P<day>\d{1,2})(?P<month>ene|feb|mar|abr|may|jun|jul|ago|set|sep|oct|nov|dic)(?P<year>(?:19|20)\d\d)\b"
)
_GLUED_MONTHS = {
    "ene": "enero", "feb": "febrero", "mar": "marzo", "abr": "abril", "may": "mayo", "jun": "junio", "jul": "julio",
    "ago": "agosto", "set": "setiembre", "sep": "septiembre", "oct": "octubre", "nov": "noviembre", "dic": "diciembre",
}  # fmt: skip
# Uruguay's gazette abbreviates the year to three digits: "Publicada D.O. 23 dic/005" (2005), "7 oct/991".
_URUGUAYAN_GAZETTE_DATE = re.compile(
    r"(?<![\w.])(?P<day>\d{1,2})\s(?P<month>ene|feb|mar|abr|may|jun|jul|ago|set|setiembre|oct|nov|dic)/(?P<year>[09]\d\d)\b"
)


def _gazette_date(match: re.Match[str]) -> str:
    century = "19" if match.group("year")[0] == "9" else "2"
    month = _GLUED_MONTHS.get(match.group("month"), match.group("month"))
    return f"{match.group('day')} de {month} de {century}{match.group('year')}"


def _spoken_code(code: str) -> str:
    return " barra ".join(
        " guion ".join(_code_part(part) for part in section.split("-")) for section in code.split("/")
    )


def _file_numbers(match: re.Match[str]) -> str:
    pieces = _LIST_SEPARATOR.split(match.group("list"))
    return "números " + "".join(piece if index % 2 else _spoken_code(piece) for index, piece in enumerate(pieces))


def _leading_zeros(written: str) -> str:
    rest = written.lstrip("0")
    return " ".join(["cero"] * (len(written) - len(rest)) + ([cardinal(int(rest))] if rest else []))


# Video formats are named by their lines and "p" (progressive): "1080p" -> "mil ochenta pe", "4320p".
_VIDEO_LINES = re.compile(r"\b(?P<lines>240|360|480|540|576|720|1080|1440|2160|4320)p\b")

# "C/ Panamá, 1 - 28046 Madrid": a five-digit postal code after the street number and a dash is read
# digit by digit, and the dash is a pause, not a minus.
_POSTAL_CODE_AFTER_NUMBER = re.compile(r"(?<=\d)\s-\s(?P<code>\d{5})(?=\s+[A-ZÁÉÍÓÚÑ])")


def _postal_code(match: re.Match[str]) -> str:
    return ", " + digits_one_by_one(match.group("code"))


# A law's or a decree's number is a whole number, so a comma before three digits groups thousands
# there whatever the region's decimal mark: "Ley 4,439", "núm. 5,200" (Chile's older bulletins).
_NORM_NUMBER_WITH_COMMA = re.compile(
    r"\b(?P<word>Ley|ley|Núm\.|núm\.|NÚM\.|N°|Nº|número|Decreto|decreto)\s(?P<a>\d{1,3}),(?P<b>\d{3})(?!\d|,\d|\.\d)"
)
# "los artículos 69-E, 69-F y 69-G", "artículo 4-A": a capital letter after an article's number and a
# hyphen is part of its name, said with the letter's name ("sesenta y nueve efe").
_NUMBER_LETTER = re.compile(r"(?<![\w.-])(?P<number>\d{1,4})-(?P<letter>[A-Z])(?![\w-])")
# "Art. 2.° Urnas.1. Cada Mesa": a paragraph number glued to the heading before it.
_GLUED_PARAGRAPH = re.compile(r"(?<=[a-záéíóúñ]{2})\.(?=\d{1,2}\.\s)")


# "El prefijo 807 identifica un número de tarificación adicional, como los 803 o los 806": where the
# text speaks of prefixes, Spain's service prefixes (800, 803, 806, 807, 900, 901, 902, 905) are dialled
# digits, not quantities; a country code ("el prefijo 34") stays a number.
_SERVICE_PREFIX = re.compile(r"(?<![\w.,])[89]0\d(?!\w|[.,]\d|\s?%)")


# Peru writes millions with an apostrophe: "S/ 1'500,000.00" is one million five hundred thousand.
_APOSTROPHE_MILLIONS = re.compile(r"(?<=\d)['’](?=\d{3}[,.]\d{3})")
# Identity and tax numbers are read digit by digit, never as quantities: "DNI N° 40123456",
# "RUC N° 20131370645", "CUIT 20-12345678-3" (the hyphenated ones are file numbers already).
_IDENTIFIER = re.compile(
    r"\b(?P<label>DNI|RUC|CUIT|CUIL|RUT|RFC|NIT|NIF|NIE|CI|C\.I\.|cédula|pasaporte)(?P<sign>\s+(?:N[°º]|Nro\.|número|No\.)|:)?"
    r"\s?(?P<number>\d{7,13})\b(?![.,]\d)"
)


def _identifier(match: re.Match[str]) -> str:
    return f"{match.group('label')}{match.group('sign') or ''} {digits_one_by_one(match.group('number'))}"


def _long_digit_run(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1 : match.start()] if match.start() else ""
    after = match.string[match.end() : match.end() + 1]
    spoken = digits_one_by_one(match.group(0))
    return (" " if before.isalnum() else "") + spoken + (" " if after.isalnum() else "")


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_VULGAR_FRACTION = re.compile("[\u00bc-\u00be\u2150-\u215e]")


def _ascii_digits(text: str) -> str:
    """Fold other scripts' digits ("٣", "３") to ASCII so the number rules see them; letters untouched."""
    if text.isascii() or not _OTHER_DIGIT.search(text):
        return text  # accented prose has no foreign digits: skip the per-character walk
    return "".join(
        str(unicodedata.digit(char))
        if char.isdigit()
        and not char.isascii()
        and unicodedata.digit(char, None) is not None
        and unicodedata.category(char) == "Nd"
        else char
        for char in text
    )


# A pass can, rarely, leave something another pass reads (a letter glued to digits, "0Q0"); running
# again until nothing changes makes normalize() idempotent. Prose converges in one or two rounds,
# and a round over text without digits is cheap.
_MAX_ROUNDS = 4


def normalize(text: str, region: Region | None = None) -> str:
    """Rewrite `text` in spoken form for `region` (None: neutral readings). Plain words are untouched."""
    for _ in range(_MAX_ROUNDS):
        spoken = _normalize_once(text, region)
        if spoken == text:
            break
        text = spoken
    return text


def _normalize_once(text: str, region: Region | None) -> str:
    conventions = conventions_for(region)
    text = _ascii_digits(text)
    if _NEEDS_ELECTRONIC.search(text):
        text = normalize_electronic(text)
    text = normalize_roads(text)  # "N-II" has no digit
    text = normalize_currency_pairs(text)  # "pesos MXN" says the currency once, amount or not
    if _VULGAR_FRACTION.search(text):
        text = ascii_vulgar_fractions(text)
    if _HAS_DIGIT.search(text):
        conventions = conventions_for_text(text, conventions)
        text = _LONG_DIGIT_RUN.sub(_long_digit_run, text)
        if ":" in text:
            text = _LABEL_COLON_DIGIT.sub(": ", text)
        if "," in text:
            text = _NORM_NUMBER_WITH_COMMA.sub(lambda m: f"{m.group('word')} {m.group('a')}{m.group('b')}", text)
        if "-" in text:
            text = _NUMBER_LETTER.sub(lambda m: f"{m.group('number')} {LETTER_NAMES[m.group('letter')]}", text)
        if "." in text:
            text = _GLUED_PARAGRAPH.sub(". ", text)
        if "'" in text or "’" in text:
            text = _APOSTROPHE_MILLIONS.sub(",", text)
        text = _IDENTIFIER.sub(_identifier, text)
        if "prefijo" in text:
            text = _SERVICE_PREFIX.sub(lambda match: digits_one_by_one(match.group(0)), text)
        if "exts." in text:
            text = _EXTENSIONS.sub(_extensions, text)
        if "-" in text:
            text = _SPACED_CODE.sub(lambda m: f"{m.group('number')}-{m.group('year')}-{m.group('office')}", text)
        text = _GLUED_DATE.sub(
            lambda m: f"{m.group('day')} de {_GLUED_MONTHS[m.group('month')]} de {m.group('year')}", text
        )
        if "/" in text:
            text = _URUGUAYAN_GAZETTE_DATE.sub(_gazette_date, text)
        text = normalize_norm_kinds(text)
        if "-" in text or "/" in text:
            if "s" in text:
                text = _FILE_NUMBERS.sub(_file_numbers, text)
            text = _FILE_NUMBER.sub(_file_number, text)
        if "-" in text and "," in text:
            text = _GLUED_SCORES.sub(", ", text)
        if "(" in text:
            text = _GLUED_BRACKET.sub(" (", text)
            text = _TIEBREAK.sub(_tiebreak, text)
            text = _REPEATED_IN_BRACKETS.sub(_repeated_in_brackets, text)
        if " - " in text:
            text = _POSTAL_CODE_AFTER_NUMBER.sub(_postal_code, text)
        if "0p" in text:
            text = _VIDEO_LINES.sub(lambda match: cardinal(int(match.group("lines"))) + " pe", text)
        text = normalize_scripture(text)
        text = normalize_section_sign(text)
        text = normalize_dates(text)
        text = normalize_citations(text)
        text = normalize_telephone(text)
        text = normalize_times(text, conventions)
        text = normalize_number_sign(text)
        text = normalize_abbreviations_before_numbers(text)
        text = normalize_decades(text)
        text = normalize_degree_pairs(text)
        text = normalize_unit_ranges(text)
        text = normalize_money(text, conventions)
        text = normalize_measures(text, conventions)
        text = normalize_degrees(text, conventions)
        text = normalize_ordinals(text)
        text = normalize_fractions(text)
    elif _VULGAR_FRACTION.search(text):
        text = normalize_fractions(text)
    if _NEEDS_POWERS.search(text):
        text = normalize_powers(text)
    if _NEEDS_ROMAN.search(text):
        text = normalize_dates(text)  # era suffixes after a century: "siglo x ec"
        text = normalize_roman(text)
    if _HAS_DIGIT.search(text):
        text = normalize_cardinals(text, conventions)
    text = normalize_plus_after_capitals(text)
    text = normalize_abbreviations(text)
    if _NEEDS_SYMBOLS.search(text):
        text = normalize_symbols(text)
    return text
