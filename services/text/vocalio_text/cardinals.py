"""Numbers left in running text once dates, times, money and measures are read.

- Integers and decimals by the region's separators (numbers.split_number), agreeing with the noun
  that follows ("veintiún años", "doscientas páginas", "uno coma cinco millones").
- A leading minus is "menos"; a range "1990-2000", "10–20" or a score "3-1" is read "a" between the
  ends ("y" after "entre").
- Simple arithmetic "2 + 2 - 1 = 3" reads its operators: más, menos, por, entre, es igual a.
- Decades: "los 80", "los '80", "los 80s", "los años 1980" -> "los ochenta".
- A hyphen between letters and digits is a space ("COVID-19" -> "COVID diecinueve", "a-5").
"""

import re
from collections.abc import Callable

from vocalio_text.acronyms import LETTER_NAMES
from vocalio_text.agreement import form_before
from vocalio_text.conventions import RegionalConventions
from vocalio_text.numbers import (
    NUMBER_PATTERN,
    SCALE_WORDS,
    Form,
    cardinal,
    decimal,
    digits_one_by_one,
    ends_in_scale_noun,
    split_number,
)

_NUMBER = NUMBER_PATTERN
_OPERATORS = {
    "+": "más",
    "-": "menos",
    "−": "menos",
    "×": "por",
    "*": "por",
    "x": "por",
    "÷": "entre",
    "/": "entre",
    "=": "es igual a",
}
_MATH = re.compile(rf"(?<![\w.,])(?:{_NUMBER})(?:\s+[-+−×*x÷/=]\s+(?:{_NUMBER}))+(?!\w|[.,]\d)")
_MATH_TOKEN = re.compile(rf"{_NUMBER}|[-+−×*x÷/=]")
_RANGE = re.compile(r"(?<![\w.,/-])(?P<start>\d{1,4})\s?[-–]\s?(?P<end>\d{1,4})(?![\w/]|[.,]\d)")
_ENTRE_BEFORE = re.compile(r"\bentre\s+(?:los\s+|las\s+)?$", re.IGNORECASE)
_LETTER_DIGIT_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=\d)|(?<=\d)-(?=[^\W\d_])")
_DECADE = re.compile(r"(?<![\w.,])'?(?P<decade>(?:1[0-9]|20)?[1-9]0)'?s\b|(?<=\s)'(?P<short>[1-9]0)\b")
_FEMININE_ARTICLE_BEFORE = re.compile(r"\b(?:la|las)\s+$", re.IGNORECASE)
_SINGULAR_NEXT = re.compile(
    r"(?!\s+(?:mil|millón|millones|billón|billones)\b)\s+[a-záéíóúñü]*[a-záéíóúñü](?<![sS])\b"
    r"(?!\s*(?:mil|millones|millón)\b)"
)
_MIL_NEXT = re.compile(r"\s+mil\b", re.IGNORECASE)
_SCALE_NEXT = re.compile(rf"\s+(?:{'|'.join(sorted(SCALE_WORDS))})\b", re.IGNORECASE)
# "los 35.000.000 restantes": an adjective after a round million is not what is counted, so no "de".
_ADJECTIVE_NEXT = re.compile(
    r"\s+(?:restantes|siguientes|anteriores|adicionales|anuales|mensuales|diarios|diarias|extra|más|menos)\b",
    re.IGNORECASE,
)
_NUMBER_IN_TEXT = re.compile(rf"(?P<minus>(?:(?<=^)|(?<=[\s(\[«\"]))[-−])?(?<![\w.,])(?P<number>{_NUMBER})")


# Numbers people dial are said as they are dialled: "el 112" is "el uno uno dos", "al 911" "al nueve
# uno uno", wherever it is written as the number itself (after an article, "teléfono", "llamar al"...)
# and not counting a noun ("112 personas").
_EMERGENCY_NUMBERS = frozenset({"112", "911"})
# Colombia's 123: too common a number to read digit by digit after "el" or "al" ("del 1 al 123"),
# it is the emergency line only where the sentence names one.
_NAMED_EMERGENCY_NUMBERS = frozenset({"123"})
_DIALLED_CUE_BEFORE = re.compile(
    r"\b(?:el|al|del|teléfono|número|línea|marque|marcar|llame|llamar|llamando)\s+$", re.IGNORECASE
)


# "el servicio de emergencias (112, 800 y 900)": named as an emergency line in the same sentence.
_EMERGENCY_WORD = re.compile(r"\bemergencias?\b", re.IGNORECASE)


def _dialled_cue(match: re.Match[str]) -> bool:
    before = match.string[: match.start()]
    if match.group("number") in _EMERGENCY_NUMBERS and _DIALLED_CUE_BEFORE.search(before):
        return True
    sentence_start = max((end.end() for end in _SENTENCE_END.finditer(before)), default=0)
    return bool(_EMERGENCY_WORD.search(before, sentence_start))


def _leading_zeros(written: str) -> str:
    """ "061" -> "cero sesenta y uno", "002" -> "cero cero dos": each leading zero said, then the number."""
    rest = written.lstrip("0")
    zeros = len(written) - len(rest)
    return " ".join(["cero"] * zeros) + (" " + cardinal(int(rest)) if rest else "")


# A number without its noun takes the noun's gender from where the noun is:
# - later, across a range: "de 1 a 2 horas" -> "una a dos horas";
# - earlier, when the number refers back to a counted noun: "de las 500 plazas, quedan 300" ->
#   "trescientas"; "pasando de las 4.800 plazas ... a 1.400" -> "mil cuatrocientas".
_RANGE_NOUN_AFTER = re.compile(rf"\s+(?:a|al|y|o|u)\s+(?:{_NUMBER})(?=\s)")
# The number ends its phrase: punctuation, the end, or a preposition that starts another phrase
# ("quedan 350 sin cubrir", "quedan 300 en venta"); not "por", which also multiplies ("540 por 960").
_ENDS_PHRASE = re.compile(r"\s*(?:[.,;:)!?»”\"]|$|(?:sin|para|en)\s)")
_COUNTED_NOUN_BEFORE = re.compile(rf"(?<![\w.,])(?:{_NUMBER})(?=(?P<after>\s+[a-záéíóúñ]+s\b))")
_SENTENCE_END = re.compile(r"[.!?]\s")
_ANAPHORIC_CUE_BEFORE = re.compile(
    r"\b(?:a|de|y|o|quedan|quedaban|restan|hay|había|son|eran|otras|unas|las|solo|sólo|apenas|ya|hasta)\s+$"
)


def _form_from_context(match: re.Match[str], after: str) -> Form:
    ahead = _RANGE_NOUN_AFTER.match(after)
    if ahead and form_before(after[ahead.end() :]) is Form.FEMININE:
        return Form.FEMININE
    if not _ENDS_PHRASE.match(after):
        return Form.MASCULINE
    before = match.string[: match.start()]
    if not _ANAPHORIC_CUE_BEFORE.search(before):
        return Form.MASCULINE  # "un procesador Dimensity 7300,": a name's number, not a count
    sentence_start = max((end.end() for end in _SENTENCE_END.finditer(before)), default=0)
    counted = list(_COUNTED_NOUN_BEFORE.finditer(before, sentence_start))
    if counted and form_before(counted[-1].group("after")) is Form.FEMININE:
        return Form.FEMININE
    return Form.MASCULINE


def _make_number(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _number(match: re.Match[str]) -> str:
        written = match.group("number")
        if written.isdigit() and len(written) > 1 and written[0] == "0" and not match.group("minus"):
            # Service numbers, contract and case numbers keep their zeros: "el 016", "Contrato 002";
            # five digits or more are a code read digit by digit ("el 08012", a postal code).
            if len(written) >= 5:
                return _spaced(match, digits_one_by_one(written))
            return _spaced(match, _leading_zeros(written))
        if (
            written in _EMERGENCY_NUMBERS | _NAMED_EMERGENCY_NUMBERS
            and _dialled_cue(match)
            and (
                form_before(match.string[match.end() :]) is Form.MASCULINE
                or _SINGULAR_NEXT.match(match.string, match.end())  # "el 112 funciona": not a count
            )
        ):
            return _spaced(match, " ".join(cardinal(int(digit)) for digit in written))
        integer, fraction = split_number(written, conventions.decimal_mark)
        negative = bool(match.group("minus"))
        after = match.string[match.end() :]
        form = form_before(after)
        if form is Form.FEMININE and not fraction and int(integer) != 1 and _SINGULAR_NEXT.match(after):
            # More than one of a noun takes the plural, so a singular word after "2031" or "300" is not
            # what is counted ("al 2031 realizada", "de 1991 celebrada"): years are never feminine.
            form = Form.MASCULINE
        if form is Form.MASCULINE and not fraction:
            form = _form_from_context(match, after)
        if form is Form.MASCULINE and _FEMININE_ARTICLE_BEFORE.search(match.string, 0, match.start()):
            form = Form.FEMININE  # "a la 1", "las 21": the article says the hidden noun is feminine (la hora)
        if not fraction and form is Form.FEMININE and _MIL_NEXT.match(after):
            # "21 mil personas": the hundreds agree ("doscientas mil"), the units before "mil" take
            # the apocope ("veintiún mil"): read the whole thousand and drop the trailing "mil".
            thousands = cardinal(int(integer) * 1000, Form.FEMININE)
            spoken = ("menos " if negative else "") + thousands.removesuffix(" mil")
            return spoken
        if fraction:
            spoken = decimal(integer, fraction, form, conventions.decimal_word, negative)
        else:
            spoken = cardinal(-int(integer) if negative else int(integer), form)
            if (
                form is not Form.MASCULINE
                and ends_in_scale_noun(spoken)
                and not _SCALE_NEXT.match(after)
                and not _ADJECTIVE_NEXT.match(after)
            ):
                spoken += " de"  # "1.000.000 personas": "un millón de personas"
        following = match.string[match.end() : match.end() + 1]
        # Keep words apart: "5G" -> "cinco G".
        return spoken + " " if following.isalpha() else spoken

    return _number


def _make_math(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _math(match: re.Match[str]) -> str:
        spoken: list[str] = []
        for token in _MATH_TOKEN.findall(match.group(0)):
            if token in _OPERATORS:
                spoken.append(_OPERATORS[token])
                continue
            integer, fraction = split_number(token, conventions.decimal_mark)
            spoken.append(
                decimal(integer, fraction, separator_word=conventions.decimal_word)
                if fraction
                else cardinal(int(integer))
            )
        return " ".join(spoken)

    return _math


def _range(match: re.Match[str]) -> str:
    start, end = int(match.group("start")), int(match.group("end"))
    # Also scores ("ganó 3-1" -> "tres a uno"): both read "a" between the ends.
    form = form_before(match.string[match.end() :])
    joiner = "y" if _ENTRE_BEFORE.search(match.string, 0, match.start()) else "a"
    return f"{cardinal(start)} {joiner} {cardinal(end, form)}"


def _decade(match: re.Match[str]) -> str:
    decade = match.group("decade") or match.group("short")
    return cardinal(int(decade[-2:])) if len(decade) <= 2 or decade.startswith("19") else cardinal(int(decade))


_LETTER_BEFORE_MARK = re.compile(r"[A-ZÑ]\x00")
_DOTTED_RUN = re.compile(r"\d+(?:[.,]\d+){2,}")
_ANY_DIGITS = re.compile(r"\d+")


def _dotted_run(match: re.Match[str]) -> str:
    """ "1.2.3" (versions, references): each part as a number, the marks as "punto"/"coma"."""
    spoken = re.sub(
        r"\d+|[.,]",
        lambda part: {".": " punto ", ",": " coma "}.get(part.group(0)) or cardinal(int(part.group(0))),
        match.group(0),
    ).replace("  ", " ")
    return _spaced(match, spoken)


def _any_digits(match: re.Match[str]) -> str:
    """Last resort, so no digit ever reaches the engine: digits glued to anything, read as a number."""
    written = match.group(0)
    if len(written) > 1 and written[0] == "0":
        return _spaced(match, _leading_zeros(written))  # "PY08" -> "pe i griega cero ocho"
    return _spaced(match, cardinal(int(written)))


def _spaced(match: re.Match[str], spoken: str) -> str:
    """Keep words apart from the number they were glued to: "v2" -> "v dos", "5G" -> "cinco G"."""
    before = match.string[match.start() - 1 : match.start()] if match.start() else ""
    # A model or series code, "M51", "G500": its single capital letter is said by name ("eme cincuenta y uno").
    lone_letter = not match.string[max(0, match.start() - 2) : match.start() - 1].isalnum()
    if before.isupper() and before in LETTER_NAMES and lone_letter:
        return f"\x00{LETTER_NAMES[before]} {spoken}"
    after = match.string[match.end() : match.end() + 1]
    return (" " if before.isalpha() else "") + spoken + (" " if after.isalpha() else "")


# "los años 1980", "la década de 1960": a decade of the last century is said by its tens ("los años ochenta").
_DECADE_OF_CENTURY = re.compile(
    r"(?P<head>\b(?:los\s+años|los|década\s+de(?:\s+los)?)\s+)19(?P<tens>[1-9]0)\b(?!\s*(?:[-–/]|y\s+\d|a\s+\d))",
    re.IGNORECASE,
)


def _decade_of_century(match: re.Match[str]) -> str:
    head = match.group("head")
    if head.strip().lower() == "los" and _NOUN_NEXT.match(match.string, match.end()):
        return match.group(0)  # "los 1950 soldados" is a count
    if head.rstrip().lower().endswith("de"):
        head += "los "  # "la década de 1960" -> "la década de los sesenta"
    return head + cardinal(int(match.group("tens")))


_NOUN_NEXT = re.compile(r"\s+[a-záéíóúñ]")


# "el '92", "del '05": an apostrophe standing for the century; the two digits are read as a number.
_ELIDED_YEAR = re.compile(r"(?<![\w'])'(?P<year>\d{2})\b(?!['\d])")


# "los años 50/60": two decades, "los años cincuenta y sesenta", never a fraction.
_DECADE_PAIR = re.compile(r"(?P<head>\blos\s+(?:años\s+)?)(?P<a>[1-9]0)/(?P<b>[1-9]0)\b")


def normalize_decades(text: str) -> str:
    """Run before measures, so "los 90s" is a decade and not ninety seconds."""
    if "/" in text:
        text = _DECADE_PAIR.sub(
            lambda m: f"{m.group('head')}{cardinal(int(m.group('a')))} y {cardinal(int(m.group('b')))}", text
        )
    text = _DECADE_OF_CENTURY.sub(_decade_of_century, text)
    text = _DECADE.sub(_decade, text)
    return _ELIDED_YEAR.sub(lambda match: cardinal(int(match.group("year"))), text) if "'" in text else text


# "1-1-2", "0-800": single digits joined by hyphens are a number spelt out digit by digit.
_SPELT_DIGITS = re.compile(r"(?<![\w.,-])\d(?:-\d){2,}(?![\w-]|[.,]\d)")


def normalize_cardinals(text: str, conventions: RegionalConventions) -> str:
    if "-" in text:
        text = _SPELT_DIGITS.sub(lambda match: " ".join(cardinal(int(d)) for d in match.group(0).split("-")), text)
    text = _MATH.sub(_make_math(conventions), text)
    text = _LETTER_DIGIT_HYPHEN.sub(" ", text)
    text = _RANGE.sub(_range, text)
    text = _NUMBER_IN_TEXT.sub(_make_number(conventions), text)
    if _ANY_DIGITS.search(text):
        text = _DOTTED_RUN.sub(_dotted_run, text)
        text = _ANY_DIGITS.sub(_any_digits, text)
        if "\x00" in text:
            text = _LETTER_BEFORE_MARK.sub("", text)  # the letter said by name replaces the written one
    return text
