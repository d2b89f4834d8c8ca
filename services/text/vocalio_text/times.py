"""Clock times and durations: "14:30", "12.15", "2:30 p. m.", "01 h", "14h30", "3:02:32", "2 h 30 min".

- Hours are feminine ("la una", "las veintiuna"); ":15" is "y cuarto", ":30" "y media", other
  minutes "y <número>"; ":00" says nothing ("14:00" -> "catorce"). Hour zero is said on the
  twelve-hour clock: "00:30" -> "doce y media de la noche".
- a. m. / p. m. become "de la mañana" (1-11 a. m.), "de la noche" (12 a. m., 7-11 p. m.),
  "del mediodía" (12 p. m.), "de la tarde" (1-6 p. m.).
- With seconds: "tres horas dos minutos y treinta y dos segundos".
- "H.MM" with a dot is a time in the regions that write the decimal comma (Spain writes
  "a las 12.15"); where the dot is the decimal mark (Mexico, Caribbean) it needs a cue: "a las",
  "h", "a. m.".
- A duration in hours ("3 h") is a measure ("tres horas"); a zero-padded hour ("01 h") or one
  followed by a time zone is a clock time. Hours and minutes written with their units ("2 h 15 min",
  "1h 20m", "2 min 30 s") are a duration ("dos horas y quince minutos"), as in race results and
  timetables; only after a clock cue ("a las 2 h 30 min") are they a time of day. "14h30", the hour
  mark between digits without a minute unit, is a clock time.
- Zone abbreviations are spelled ("GMT" -> "ge eme te") or named when they name a country's time
  ("ART" -> "hora estándar de argentina"); offsets read "más"/"menos".
"""

import re
from collections.abc import Callable

from vocalio_text.acronyms import LETTER_NAMES
from vocalio_text.conventions import RegionalConventions
from vocalio_text.measures import UNITS
from vocalio_text.money import CURRENCIES
from vocalio_text.numbers import Form, cardinal, decimal

TIME_ZONE_NAMES: dict[str, str] = {
    "art": "hora estándar de argentina",
    "bot": "hora de bolivia",
    "brt": "hora estándar de brasilia",
    "clt": "hora estándar de chile",
    "clst": "hora de verano de chile",
    "cot": "hora estándar de colombia",
    "ect": "hora de ecuador",
    "pet": "hora estándar de perú",
    "pyt": "hora estándar de paraguay",
    "pyst": "hora de verano de paraguay",
    "uyt": "hora de uruguay",
    "uyst": "hora de verano de uruguay",
    "vet": "hora de venezuela",
    "cet": "ce e te",
    "cest": "ce e ese te",
    "ast": "hora estándar del atlántico",
    "adt": "hora de verano del atlántico",
    "jst": "hora estándar de japón",
}
SPELLED_ZONES = (
    "utc",
    "gmt",
    "est",
    "edt",
    "cst",
    "cdt",
    "mst",
    "mdt",
    "pst",
    "pdt",
    "pt",
    "et",
    "mt",
    "ct",
    "wet",
    "eet",
    "eest",
    "west",
)
_ZONES = "|".join(sorted([*TIME_ZONE_NAMES, *SPELLED_ZONES], key=len, reverse=True))
_SUFFIX = r"(?P<suffix>[ap]\.?\s?m\.?(?!\w)|[AP]\.?\s?M\.?(?!\w))"
_ZONE = rf"(?P<zone>\b(?:{_ZONES})\b)(?:\s?(?P<offset_sign>[+-])(?P<offset_h>\d{{1,2}})(?::(?P<offset_m>\d{{2}}))?)?"
_TAIL = rf"(?:\s?{_SUFFIX})?(?:\s?(?P<h>h|hs|hrs|horas)\b\.?)?(?:\s?{_ZONE})?"

_CLOCK = re.compile(
    rf"(?<![\w.,:+-])(?P<hour>[01]?\d|2[0-4])(?P<sep>[:.,])(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?"
    rf"(?![\d]|[.,:]\d){_TAIL}",
    re.IGNORECASE,
)
_HOUR_ONLY = re.compile(
    rf"(?<![\w.,:])(?P<hour>[01]?\d|2[0-4])\s?(?:{_SUFFIX}|(?P<h>h\b|hs\b\.?|hrs\b\.?)(?!/)(?:\s?{_ZONE})?)",
)
# The abbreviation's dot is taken only mid-sentence: "2 h 15 min." at the end keeps its full stop.
_ABBREVIATION_DOT = r"(?:\.(?=\s+[a-záéíóúñ\d]))?"
_HMS = re.compile(
    rf"(?<![\w.,])(?P<hour>\d{{1,3}})\s?h\s?(?P<minute>\d{{1,2}})\s?(?:min|m|\')(?!\w){_ABBREVIATION_DOT}"
    rf"(?:\s?(?P<second>\d{{1,2}})\s?(?:s|seg|segundos)\b{_ABBREVIATION_DOT})?"
)
UNIT_WORDS = frozenset(
    word for unit in UNITS.values() for word in (unit.singular.split()[0], unit.plural.split()[0]) if len(word) > 3
) | {"kilos", "kilo"}
_TIME_CUE_BEFORE = re.compile(r"\b(?:las?|a la|a las|desde las|hasta las|entre las|la hora)\s*$", re.IGNORECASE)
_UNIT_AFTER = re.compile(
    r"\s?(?:%|€|\$|[a-zA-Zµ]{1,3}\b(?<!\bde)(?<!\by)(?<!\ba)(?<!\bla))"
    # A unit written out: "un peso de 6.25 gramos" is a weight, never "seis y veinticinco".
    rf"|\s(?:{'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))})\b"
)


# A currency named after the figure: "18.50 lempiras", "2.50 córdobas" are prices, not times.
_CURRENCY_NAME_AFTER = re.compile(
    r"\s(?:"
    + "|".join(sorted({currency.plural.split()[0] for currency in CURRENCIES.values()} | {"pesos", "dólares"}))
    + r")\b"
)
# A currency sign just before: "$12.50" is a price wherever the point is written, never a time.
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₡₲]|\b(?:US|USD|MXN|S/\.?|Bs\.?|Gs?\.))\s?$")
_NEXT_SENTENCE = re.compile(r"\s+[¿¡«\"—A-ZÁÉÍÓÚÑ]")
_WORD_BEFORE = re.compile(r"[^\W\d_]{2,}")


def _keep_full_stop(match: re.Match[str], spoken: str) -> str:
    """ "a las 10:30 h." or "a las 5 p. m." ending a sentence: the abbreviation's dot is also its full stop.

    A bare "10 p. m." (a label, not a sentence) gets no full stop of its own.
    """
    if not match.group(0).endswith("."):
        return spoken
    rest = match.string[match.end() :]
    ends_sentence = _NEXT_SENTENCE.match(rest) or (
        not rest.strip() and _WORD_BEFORE.search(match.string, 0, match.start())
    )
    return spoken + "." if ends_sentence else spoken


def hour_words(hour: int) -> str:
    return cardinal(hour, Form.FEMININE)


def _minute_words(minute: int) -> str:
    return {15: "cuarto", 30: "media"}.get(minute) or cardinal(minute)


def _period(hour: int, suffix: str | None) -> str:
    if not suffix:
        return ""
    is_pm = suffix.strip().lower().startswith("p")
    if hour == 12:
        return " del mediodía" if is_pm else " de la noche"
    if is_pm:
        return " de la tarde" if 1 <= hour <= 6 else " de la noche"
    return " de la noche" if hour == 0 else " de la mañana"


def _zone(match: re.Match[str]) -> str:
    zone = match.group("zone")
    if not zone:
        return ""
    lowered = zone.lower()
    # A spelled zone is said with the Spanish letter names, as any acronym: "GMT" -> "ge eme te".
    spoken = TIME_ZONE_NAMES.get(lowered) or " ".join(LETTER_NAMES[letter] for letter in lowered.upper())
    if match.group("offset_sign"):
        sign = "más" if match.group("offset_sign") == "+" else "menos"
        offset_hours = int(match.group("offset_h"))
        if match.group("offset_m"):
            spoken += f" {sign} {hour_words(offset_hours)} {cardinal(int(match.group('offset_m')))}"
        else:
            spoken += f" {sign} {cardinal(offset_hours)}"
    return " " + spoken


def spoken_time(hour: int, minute: int, second: int | None = None) -> str:
    """ "diez y media", "veinte cuarenta y cinco": past twelve the clock is the 24-hour one of timetables
    and broadcasts, said hour then minutes ("veintitrés treinta"), never "veintitrés y media"."""
    if second:
        hour_label = "hora" if hour == 1 else "horas"
        minute_label = "minuto" if minute == 1 else "minutos"
        second_label = "segundo" if second == 1 else "segundos"
        minutes, seconds = cardinal(minute, Form.APOCOPE), cardinal(second, Form.APOCOPE)  # "un minuto"
        return f"{hour_words(hour)} {hour_label} {minutes} {minute_label} y {seconds} {second_label}"
    if minute == 0:
        return hour_words(hour)
    if hour > 12:
        return f"{hour_words(hour)} {cardinal(minute)}"
    return f"{hour_words(hour)} y {_minute_words(minute)}"


def _make_clock(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _clock(match: re.Match[str]) -> str:
        hour, minute = int(match.group("hour")), int(match.group("minute"))
        second = int(match.group("second")) if match.group("second") else None
        has_cue = bool(match.group("suffix") or match.group("h") or match.group("zone"))
        if match.group("sep") == "," and not _TIME_CUE_BEFORE.search(match.string, 0, match.start()):
            return match.group(0)  # "13,00" is a decimal unless "las" says it is the time ("desde las 13,00")
        if match.group("sep") in ".," and not has_cue and match.group("sep") != ",":
            before = match.string[: match.start()]
            if conventions.decimal_mark == "." and not _TIME_CUE_BEFORE.search(before):
                return match.group(0)  # "3.14" is a decimal where the point is the decimal mark
            if (
                _UNIT_AFTER.match(match.string, match.end()) or _CURRENCY_NAME_AFTER.match(match.string, match.end())
            ) and not _TIME_CUE_BEFORE.search(before):
                return match.group(0)  # "1.05 kg", "2.30 €", "18.50 lempiras": a number, left to the number rules
        if hour > 24 or _CURRENCY_BEFORE.search(match.string, 0, match.start()):
            return match.group(0)  # "$12.50", "US$ 9.99": an amount, left to the money rules
        if hour == 0 and not second and not match.group("suffix"):
            # "00:30" is said on the twelve-hour clock: "las doce y media de la noche", never "las cero y media".
            return _keep_full_stop(match, spoken_time(12, minute) + " de la noche" + _zone(match))
        # "23.30 horas", "08:00 hrs": the written word is said ("veintitrés treinta horas"); the symbol
        # "h" is not ("20.45h" -> "veinte cuarenta y cinco").
        word = " horas" if (match.group("h") or "").lower() in ("horas", "hrs", "hs") and not second else ""
        return _keep_full_stop(
            match, spoken_time(hour, minute, second) + word + _period(hour, match.group("suffix")) + _zone(match)
        )

    return _clock


def _hour_only(match: re.Match[str]) -> str:
    hour_text = match.group("hour")
    hour = int(hour_text)
    if match.group("suffix"):
        return _keep_full_stop(match, hour_words(hour) + _period(hour, match.group("suffix")))
    if match.group("zone") or (hour_text.startswith("0") and len(hour_text) == 2):
        return hour_words(hour) + _zone(match)
    if hour <= 24 and _TIME_CUE_BEFORE.search(match.string, 0, match.start()):
        # "a las 7 h": a time of day, not seven hours; the written abbreviation of the word is said
        # ("a las 18 hs." -> "a las dieciocho horas"), the symbol "h" is not.
        word = " horas" if match.group("h").rstrip(".") in ("hs", "hrs") else ""
        return _keep_full_stop(match, hour_words(hour) + word)
    return match.group(0)  # "3 h" is a duration: the measure rules say "tres horas"


def _hms(match: re.Match[str]) -> str:
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    second = int(match.group("second")) if match.group("second") else None
    if minute > 59 or (second is not None and second > 59):
        return match.group(0)
    return spoken_time(hour, minute, second)


def _count(number: int, singular: str, plural: str, feminine: bool = False) -> str:
    return f"{cardinal(number, Form.FEMININE if feminine else Form.APOCOPE)} {singular if number == 1 else plural}"


def spoken_duration(hours: int, minutes: int, seconds: int | None = None) -> str:
    """ "dos horas y quince minutos", "una hora dos minutos y tres segundos"; zero parts are not said."""
    parts = [
        part
        for value, part in (
            (hours, _count(hours, "hora", "horas", feminine=True)),
            (minutes, _count(minutes, "minuto", "minutos")),
            (seconds or 0, _count(seconds or 0, "segundo", "segundos")),
        )
        if value
    ]
    if not parts:
        return _count(0, "hora", "horas")
    if len(parts) == 1:
        return parts[0]
    return " ".join(parts[:-1]) + " y " + parts[-1]


def _duration(match: re.Match[str]) -> str:
    """ "2 h 15 min" is a duration; only after a clock cue ("a las 2 h 15 min") is it a time of day."""
    if _TIME_CUE_BEFORE.search(match.string, 0, match.start()):
        return _hms(match)
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    second = int(match.group("second")) if match.group("second") else None
    if minute > 59 or (second is not None and second > 59):
        return match.group(0)
    return spoken_duration(hour, minute, second)


def _minutes_seconds(match: re.Match[str]) -> str:
    minute, second = int(match.group("minute")), int(match.group("second"))
    if second > 59:
        return match.group(0)
    return spoken_duration(0, minute, second)


_COMPACT = re.compile(r"(?<![\w.,])(?P<hour>\d{1,2})h(?P<minute>\d{2})m(?:(?P<second>\d{2})s)?\b")
# "14h30", "a las 9h15": the hour mark between the digits, no minute unit, is how a clock time is written.
_COMPACT_CLOCK = re.compile(r"(?<![\w.,])(?P<hour>[01]?\d|2[0-4])h(?P<minute>[0-5]\d)\b")
_MIN_SEC = re.compile(
    rf"(?<![\w.,])(?P<minute>\d{{1,3}})\s?(?:min|m)\.?\s(?P<second>\d{{1,2}})\s?(?:s|seg|segundos)\b{_ABBREVIATION_DOT}"
)


# "09:00-18:00", "9:00–14:00": a span between two clock times reads "a".
_CLOCK_RANGE = re.compile(r"(?<=\d[:.]\d\d)\s?[-–]\s?(?=[012]?\d[:.][0-5]\d(?!\d))")
# "12 m." is noon where "m." (meridiano) is written for it (Colombia, Venezuela, Central America).
_NOON = re.compile(r"(?<![\w.,:])12(?::00)?\s?m\.(?!\w)")


# Race times with hundredths, "2:01.45" or "1:58,3": minutes, then seconds as a decimal, never a
# clock ("dos minutos uno coma cuarenta y cinco segundos").
_RACE_TIME = re.compile(r"(?<![\w:.,])(?P<minute>\d{1,2}):(?P<second>[0-5]\d)[.,](?P<fraction>\d{1,3})(?![\d:]|[.,]\d)")


def _make_race_time(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _race_time(match: re.Match[str]) -> str:
        minutes = _count(int(match.group("minute")), "minuto", "minutos")
        seconds = decimal(
            match.group("second").lstrip("0") or "0", match.group("fraction"), Form.MASCULINE, conventions.decimal_word
        )
        return f"{minutes} {seconds} segundos"

    return _race_time


def normalize_times(text: str, conventions: RegionalConventions) -> str:
    if ":" in text:
        text = _RACE_TIME.sub(_make_race_time(conventions), text)
    if "-" in text or "–" in text:
        text = _CLOCK_RANGE.sub(" a ", text)
    if "m." in text:
        text = _NOON.sub(lambda match: _keep_full_stop(match, "doce del mediodía"), text)
    text = _COMPACT.sub(_duration, text)
    text = _COMPACT_CLOCK.sub(lambda match: spoken_time(int(match.group("hour")), int(match.group("minute"))), text)
    text = _HMS.sub(_duration, text)
    text = _MIN_SEC.sub(_minutes_seconds, text)
    text = _HOUR_ONLY.sub(_hour_only, text)
    return _CLOCK.sub(_make_clock(conventions), text)
