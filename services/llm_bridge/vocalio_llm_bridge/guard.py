"""The guard: an LLM rewrite is accepted only if it keeps every number, every proper name and a sane length.

How numbers are compared, and why this way:
- The input mostly carries digits in Spanish formats (1.500 / 1 500 / 3,14 / 10:30 / 12/10/1492); the
  LLM output mostly carries words ("mil quinientos"). Both sides are first passed through text2num's
  Spanish `alpha2digit`, which turns spelled-out numbers into digits, then one digit reader collects
  values from both. Comparing *values* (Decimal) rather than strings makes "1.500", "1500" and
  "mil quinientos" equal.
- We require every value of the input to appear in the output; extra values in the output are not
  rejected, because a correct reading adds some ("50 %" → "cincuenta por ciento", which alpha2digit
  reads back as 50 and 100).
- alpha2digit leaves a few readings alone or mangles them, so the output side is widened with what a
  correct reading can legitimately produce: small words it will not convert in isolation ("un", "una",
  "primero", "cero"), month names (12/10/1492 → "doce de octubre"), "y media"/"y cuarto" for minutes,
  and values divided by mil/millón (it reads "dos millones" as "2 1000000").
- Every widening errs towards accepting a correct rewrite; anything we cannot read back makes the
  guard reject, which is safe: the rules output is used instead.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from text_to_num import alpha2digit

# Reasons are label values of the fallbacks metric and part of the warnings; keep them stable.
REASON_NUMBERS = "numbers_changed"
REASON_NAMES = "names_missing"
REASON_LENGTH = "length_ratio"
REASON_EMPTY = "empty_output"

# 1.500 / 1 500 / 1 500 (nbsp) thousands groups, or plain digits; then an optional decimal part.
_NUMBER = re.compile(r"(?<![\d,.])(?P<int>\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?![\d])|\d+)(?:[,.](?P<frac>\d+))?")
_SCALES = (Decimal(1000), Decimal(10**6), Decimal(10**9), Decimal(10**12))

_WORD_VALUES: dict[str, tuple[int, ...]] = {
    "cero": (0,),
    "un": (1,),
    "uno": (1,),
    "una": (1,),
    "primer": (1,),
    "primero": (1,),
    "primera": (1,),
    "segundo": (2,),
    "segunda": (2,),
    "tercer": (3,),
    "tercero": (3,),
    "tercera": (3,),
    "cuarto": (4, 15),
    "cuarta": (4,),
    "media": (30,),
    "medio": (30,),
    "veintiun": (21,),
    "enero": (1,),
    "febrero": (2,),
    "marzo": (3,),
    "abril": (4,),
    "mayo": (5,),
    "junio": (6,),
    "julio": (7,),
    "agosto": (8,),
    "septiembre": (9,),
    "setiembre": (9,),
    "octubre": (10,),
    "noviembre": (11,),
    "diciembre": (12,),
}

# Proper names: a capitalised word with at least one lower-case letter (acronyms like ONU or roman
# numerals like II are excluded: reading them out loud legitimately changes them).
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…:\n]")
# Abbreviations after which a capital does not start a sentence ("el Sr. García"), folded.
_TITLE_ABBREVIATIONS = frozenset(
    {
        "sr",
        "sra",
        "srta",
        "sres",
        "dr",
        "dra",
        "drs",
        "dras",
        "don",
        "dna",
        "d",
        "lic",
        "ing",
        "arq",
        "prof",
        "profa",
        "gral",
        "cnel",
        "tte",
        "cap",
        "sto",
        "sta",
        "av",
        "avda",
        "ud",
        "uds",
        "vd",
        "vds",
        "mons",
        "fr",
        "pbro",
        "excmo",
        "excma",
        "ilmo",
        "ilma",
    }
)
_OPENERS = "¿¡\"'«“‘([—–- "


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class LengthBounds:
    ratio_min: float
    ratio_max: float
    # Short texts make ratios noisy ("5" → "cinco" is 5x); this slack in characters absorbs that.
    slack_chars: int = 24


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _to_decimal(integer: str, fraction: str | None) -> Decimal | None:
    digits = re.sub(r"\D", "", integer)
    try:
        return Decimal(f"{digits}.{fraction}") if fraction else Decimal(digits)
    except InvalidOperation:
        return None


def _digit_values(text: str) -> list[tuple[Decimal, str | None, str]]:
    """(value, fraction digits, integer digits) for each number written with digits."""
    found: list[tuple[Decimal, str | None, str]] = []
    for match in _NUMBER.finditer(text):
        integer, fraction = match.group("int"), match.group("frac")
        # "14:00": the ":00" is dropped when read out ("las catorce horas"), so it is not required.
        if match.start() > 0 and text[match.start() - 1] == ":" and set(integer) == {"0"} and not fraction:
            continue
        value = _to_decimal(integer, fraction)
        if value is not None:
            found.append((value, fraction, re.sub(r"\D", "", integer)))
    return found


def _spelled_to_digits(text: str) -> str:
    try:
        return str(alpha2digit(text, "es"))
    except Exception:  # text2num is a native extension; never let its edge cases break a request
        return text


def required_values(text: str) -> list[tuple[Decimal, str | None, str]]:
    """The numbers an expansion of `text` must keep."""
    values = _digit_values(_spelled_to_digits(text))
    # "mil" or "millón" alone is a scale word that any correct reading repeats; not a fact to check.
    return [entry for entry in values if entry[0] not in _SCALES]


def available_values(text: str) -> set[Decimal]:
    """Every value a reader of `text` could say it contains (deliberately generous, see module doc)."""
    values = {value for value, _, _ in _digit_values(_spelled_to_digits(text))}
    for value in list(values):
        for scale in _SCALES:
            if value >= scale and (value / scale) == (value / scale).quantize(Decimal("0.01")):
                values.add((value / scale).normalize())
    for word in _WORD.findall(_fold(text)):
        values.update(Decimal(number) for number in _WORD_VALUES.get(word, ()))
    return {value.normalize() for value in values}


def missing_numbers(source: str, candidate: str) -> list[str]:
    available = available_values(candidate)
    missing: list[str] = []
    for value, fraction, integer in required_values(source):
        if value.normalize() in available:
            continue
        # "3,5" read "tres con cinco" or "10.30" read "diez y treinta": both parts present is enough.
        if fraction and Decimal(integer) in available and Decimal(fraction).normalize() in available:
            continue
        missing.append(f"{value.normalize():f}")
    return missing


def proper_names(text: str) -> set[str]:
    """Capitalised words that do not open a sentence: names we insist the rewrite keeps."""
    names: set[str] = set()
    for match in _WORD.finditer(text):
        word = match.group()
        if not word[0].isupper() or word.isupper() or len(word) < 2:
            continue
        before = text[: match.start()].rstrip(_OPENERS)
        # After "Sr." or "Dra." the next word is not a new sentence; a short abbreviation is not a name.
        at_sentence_start = not before or bool(_SENTENCE_END.fullmatch(before[-1]))
        if at_sentence_start and before.endswith(".") and _is_abbreviation(before):
            at_sentence_start = False
        if _fold(word) in _TITLE_ABBREVIATIONS and text[match.end() : match.end() + 1] == ".":
            continue  # "Sr." is expanded to "señor": not a name to keep verbatim
        if not at_sentence_start:
            names.add(word)
    return names


def _is_abbreviation(before: str) -> bool:
    last = re.search(r"([^\W\d_]+)\.$", before)
    return bool(last and _fold(last.group(1)) in _TITLE_ABBREVIATIONS)


def missing_names(source: str, candidate: str) -> list[str]:
    folded = _fold(candidate)
    return sorted(
        name for name in proper_names(source) if not re.search(rf"(?<!\w){re.escape(_fold(name))}(?!\w)", folded)
    )


def length_ratio(candidate: str, reference: str) -> float:
    return len(candidate) / max(1, len(reference))


def check(source: str, candidate: str, rules_text: str, bounds: LengthBounds) -> Verdict:
    """Judge `candidate` (the LLM's rewrite of `source`) against the facts of `source`.

    The length yardstick is the rules output, not the source: both expand the same numbers and
    abbreviations, so a correct rewrite is close to it in length while the source can be far shorter.
    """
    if not candidate.strip():
        return Verdict(False, REASON_EMPTY, "the model returned no text")
    missing = missing_numbers(source, candidate)
    if missing:
        return Verdict(False, REASON_NUMBERS, "missing numbers: " + ", ".join(missing[:10]))
    names = missing_names(source, candidate)
    if names:
        return Verdict(False, REASON_NAMES, "missing names: " + ", ".join(names[:10]))
    reference = max(len(rules_text), 1)
    low = reference * bounds.ratio_min - bounds.slack_chars
    high = reference * bounds.ratio_max + bounds.slack_chars
    if not low <= len(candidate) <= high:
        ratio = length_ratio(candidate, rules_text)
        return Verdict(
            False,
            REASON_LENGTH,
            f"length ratio {ratio:.2f} outside [{bounds.ratio_min}, {bounds.ratio_max}]",
        )
    return Verdict(True)
