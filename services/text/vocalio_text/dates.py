"""Dates: "12/10/2024", "el 1 de enero", "abr. 22", "vier. 10 de mayo", "10.000 a. C.".

- Numeric dates are day first (every Spanish-speaking country writes dd/mm/aaaa); ISO dates
  (aaaa-mm-dd) are recognised by their four-digit year first. Separators: / - . A two-digit year
  takes its century from a pivot: 00-29 are 2000-2029, 30-99 are 1930-1999.
- The first of the month is "primero" ("1 de enero" -> "primero de enero", the usual reading in
  America and common in Spain); other days are cardinals.
- Years are read as numbers ("mil novecientos noventa", "dos mil veinticuatro"); "del 2020" keeps
  its article.
- Era suffixes ("a. C.", "d. C.", "a. n. e.", "e. c.") are spelled out after a year or a century.
"""

import re

from vocalio_text.full_stop import with_full_stop
from vocalio_text.numbers import cardinal

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_MONTH_ABBREVIATIONS: dict[str, str] = {
    "ene": "enero",
    "en": "enero",
    "feb": "febrero",
    "febr": "febrero",
    "mar": "marzo",
    "mzo": "marzo",
    "abr": "abril",
    "may": "mayo",
    "my": "mayo",
    "jun": "junio",
    "jul": "julio",
    "ago": "agosto",
    "ag": "agosto",
    "agt": "agosto",
    "sep": "septiembre",
    "sept": "septiembre",
    "set": "septiembre",
    "setbre": "septiembre",
    "oct": "octubre",
    "nov": "noviembre",
    "novbre": "noviembre",
    "dic": "diciembre",
    "dicbre": "diciembre",
}
_DAY_ABBREVIATIONS: dict[str, str] = {
    "lu": "lunes",
    "lun": "lunes",
    "ma": "martes",
    "mar": "martes",
    "mi": "miércoles",
    "mié": "miércoles",
    "miér": "miércoles",
    "ju": "jueves",
    "jue": "jueves",
    "vi": "viernes",
    "vie": "viernes",
    "vier": "viernes",
    "sá": "sábado",
    "sáb": "sábado",
    "sab": "sábado",
    "do": "domingo",
    "dom": "domingo",
}
ERA_SUFFIXES: dict[str, str] = {
    "a. C.": "antes de Cristo",
    "a.C.": "antes de Cristo",
    "a. c.": "antes de cristo",
    "a.c.": "antes de cristo",
    "d. C.": "después de Cristo",
    "d.C.": "después de Cristo",
    "d. c.": "después de cristo",
    "d.c.": "después de cristo",
    "a. de C.": "antes de Cristo",
    "d. de C.": "después de Cristo",
    "a. J. C.": "antes de Jesucristo",
    "a. de J. C.": "antes de Jesucristo",
    "d. J. C.": "después de Jesucristo",
    "a. n. e.": "antes de nuestra era",
    "a.n.e.": "antes de nuestra era",
    "n. e.": "nuestra era",
    "a. e. c.": "antes de la era común",
    "e. c.": "era común",
    "ec": "era común",
    "aec": "antes de la era común",
    "AEC": "antes de la era común",
    "EC": "era común",
    "a. p.": "antes del presente",
    # As the press and school texts write them: capitals, no spaces, the last dot dropped.
    "A. C.": "antes de Cristo",
    "A.C.": "antes de Cristo",
    "D. C.": "después de Cristo",
    "D.C.": "después de Cristo",
    "a.C": "antes de Cristo",
    "d.C": "después de Cristo",
    "adC": "antes de Cristo",
    "aC": "antes de Cristo",
    "dC": "después de Cristo",
    "AP": "antes del presente",
}

_MONTH_NAMES = "|".join(MONTHS)
_MONTH_ABBR = "|".join(sorted(_MONTH_ABBREVIATIONS, key=len, reverse=True))
_DAY_ABBR = "|".join(sorted(_DAY_ABBREVIATIONS, key=len, reverse=True))
_MONTH = rf"(?P<month>{_MONTH_NAMES}|(?:{_MONTH_ABBR})\.)"
# Without its dot an abbreviation is a month only after a day ("13 jun", "hasta el 30 dic") and only
# where it is no Spanish word: "mar" (sea), "set", "en", "ma" are left out.
_DOTLESS_MONTHS = ("ene", "feb", "abr", "may", "jun", "jul", "ago", "sep", "sept", "oct", "nov", "dic")
_DAY_MONTH_NAME = rf"(?P<month>{_MONTH_NAMES}|(?:{_MONTH_ABBR})\.|(?:{'|'.join(_DOTLESS_MONTHS)})(?!\.))"
_YEAR_TAIL = r"(?:,?\s+(?P<year_article>de|del)?\s*(?P<year>\d{4}|\d{1,3}(?:\.\d{3})))?"
_WEEKDAY = rf"(?:(?P<weekday>{_DAY_ABBR})\.\s+)?"

_NUMERIC = re.compile(
    r"(?<![\w/.,-])(?:(?P<day>[0-3]?\d)(?P<sep>[/.-])(?P<month>[01]?\d)(?P=sep)(?P<year>\d{4}|\d{2})"
    r"|(?P<iso_year>\d{4})(?P<iso_sep>[-/.])(?P<iso_month>[01]?\d)(?P=iso_sep)(?P<iso_day>[0-3]?\d))(?![\w/]|[.-]\d)"
)
_DAY_MONTH = re.compile(
    rf"(?<![\w.,]){_WEEKDAY}(?P<day>[0-3]?\d)(?:\s+de)?\s+{_DAY_MONTH_NAME}(?![\w]){_YEAR_TAIL}(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"(?<![\w]){_WEEKDAY}{_MONTH}\s+(?P<day>[0-3]?\d)(?![\d.,:/]\d|\w)(?:,?\s+(?P<year>\d{{4}}))?(?!\d)"
    r"(?!\s+(?!de\b|del\b|y\b|a\b|en\b)[a-záéíóúñ])",
    re.IGNORECASE,
)
_ERA = re.compile(
    r"(?P<before>\d|\b[IVXLCDM]+|\b[ivxlcdm]+)(?P<space>\s+)(?P<era>"
    + "|".join(re.escape(key).replace(r"\ ", r"\s?") for key in sorted(ERA_SUFFIXES, key=len, reverse=True))
    + r")(?!\w)"
)
# "27 a.C.-14 d.C.", "63 a. C.–19 de agosto": a dash after an era is a range, "a", never a minus.
_ERA_RANGE = re.compile(r"(?P<era>Cristo|Jesucristo|nuestra era|era común)\s?[-–]\s?(?=\d)")
_ERA_LOOKUP = {re.sub(r"\s", "", key): value for key, value in ERA_SUFFIXES.items()}


def day_words(day: int) -> str:
    return "primero" if day == 1 else cardinal(day)


def year_words(year_text: str) -> str:
    return cardinal(int(year_text.replace(".", "")))


def _valid(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _spoken_date(day: int, month: int, year: str | None, article: str = "de") -> str:
    spoken = f"{day_words(day)} de {MONTHS[month - 1]}"
    if year:
        spoken += f" {article} {year_words(year)}"
    return spoken


# Two-digit years ("01/02/03") are completed with the century, as spreadsheets do: 00-29 are this
# century ("dos mil tres"), 30-99 the last one ("5/6/99" -> "mil novecientos noventa y nueve").
TWO_DIGIT_YEAR_PIVOT = 30


def full_year(two_digits: str) -> str:
    year = int(two_digits)
    return str(year + (2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900))


def _numeric(match: re.Match[str]) -> str:
    if match.group("iso_year"):
        day, month, year = int(match.group("iso_day")), int(match.group("iso_month")), match.group("iso_year")
    else:
        day, month, year = int(match.group("day")), int(match.group("month")), match.group("year")
        if len(year) == 2:
            year = full_year(year)
    if not _valid(day, month):
        return match.group(0)
    return _spoken_date(day, month, year)


def _month_name(written: str) -> str:
    if written.endswith("."):
        return _MONTH_ABBREVIATIONS[written[:-1].lower()]
    return _MONTH_ABBREVIATIONS.get(written.lower(), written)


def _weekday(match: re.Match[str]) -> str:
    weekday = match.group("weekday")
    return f"{_DAY_ABBREVIATIONS[weekday.lower()]} " if weekday else ""


def _day_month(match: re.Match[str]) -> str:
    day = int(match.group("day"))
    if not 1 <= day <= 31:
        return match.group(0)
    spoken = f"{_weekday(match)}{day_words(day)} de {_month_name(match.group('month'))}"
    if match.group("year"):
        spoken += f" {match.group('year_article') or 'de'} {year_words(match.group('year'))}"
    return with_full_stop(match, spoken)


def _month_day(match: re.Match[str]) -> str:
    day = int(match.group("day"))
    if not 1 <= day <= 31:
        return match.group(0)
    spoken = f"{_weekday(match)}{day_words(day)} de {_month_name(match.group('month'))}"
    if match.group("year"):
        spoken += f" de {year_words(match.group('year'))}"
    return with_full_stop(match, spoken)


def _era(match: re.Match[str]) -> str:
    spoken = _ERA_LOOKUP.get(re.sub(r"\s", "", match.group("era")))
    if spoken is None:
        return match.group(0)
    return with_full_stop(match, f"{match.group('before')}{match.group('space')}{spoken}")


# Day and month without a year ("el 25/12", "lunes 5/3") are a date only with a cue before them: an
# article or a weekday; otherwise "3/4" stays a fraction. "24/7" (always open) is said as written.
_SHORT_NUMERIC = re.compile(r"(?<![\w/.,-])(?P<day>[0-3]?\d)/(?P<month>[01]?\d)(?![\w/]|[.,]\d)")
_SHORT_DATE_CUE = re.compile(
    r"(?:\b(?P<article>el|del|al)|\b(?:día|lunes|martes|miércoles|jueves|viernes|sábado|domingo),?)\s+$",
    re.IGNORECASE,
)
_WORD_NEXT = re.compile(r"\s+[a-záéíóúñ]")


def _short_numeric(match: re.Match[str]) -> str:
    day, month = int(match.group("day")), int(match.group("month"))
    cue = _SHORT_DATE_CUE.search(match.string, 0, match.start())
    if (day, month) == (24, 7) and not cue:
        return "veinticuatro siete"
    if not _valid(day, month) or not cue:
        return match.group(0)
    if cue.group("article") and day <= 12 and _WORD_NEXT.match(match.string, match.end()):
        return match.group(0)  # "el 3/4 de los votos", "el 1/3 restante": a fraction
    return _spoken_date(day, month, None)


# "3 Feb 2024", "3-feb-2024", "03/FEB/2024": a month abbreviation between a day and a year needs no dot.
_DAY_ABBR_YEAR = re.compile(
    rf"(?<![\w.,/-])(?P<day>[0-3]?\d)(?P<sep>[\s/-])(?P<month>{_MONTH_ABBR})\.?(?P=sep)(?P<year>\d{{4}})(?![\w/]|[.,]\d)",
    re.IGNORECASE,
)


def _day_abbr_year(match: re.Match[str]) -> str:
    day = int(match.group("day"))
    if not 1 <= day <= 31 or len(match.group("month")) < 3:
        return match.group(0)  # "ganó 3 en 2024": "en", "my", "ag" are words before they are months
    month = MONTHS.index(_MONTH_ABBREVIATIONS[match.group("month").lower()]) + 1
    return _spoken_date(day, month, match.group("year"))


def normalize_dates(text: str) -> str:
    text = _DAY_ABBR_YEAR.sub(_day_abbr_year, text)
    text = _ERA.sub(_era, text)
    if "Cristo" in text or "era" in text:
        text = _ERA_RANGE.sub(r"\g<era> a ", text)
    text = _NUMERIC.sub(_numeric, text)
    if "/" in text:
        text = _SHORT_NUMERIC.sub(_short_numeric, text)
    text = _DAY_MONTH.sub(_day_month, text)
    return _MONTH_DAY.sub(_month_day, text)
