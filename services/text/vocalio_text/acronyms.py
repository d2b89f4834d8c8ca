"""Acronyms: the ones said letter by letter are respelled with Spanish letter names ("FBI" -> "efe be i").

A list gives the known readings (some are words: "ONCE", "UNAM"); any other run of capitals is
spelled when Spanish cannot say it as a word (no vowel, three consonants in a row, or a short one
opening with two consonants that cannot start a syllable: "DGT", "IRPF", "HBO"). Acronyms read as
words ("ONU", "OTAN", "NASA", "CSIC") and valid Roman numerals are left alone: the engine reads them.
"""

import re

SPELLED_ACRONYMS: dict[str, str] = {
    "FBI": "efe be i",
    "CIA": "ce i a",
    "DNI": "de ene i",
    "PP": "pe pe",
    "PSOE": "pe soe",
    "ADN": "a de ene",
    "ONG": "o ene ge",
    "PIB": "pe i be",
    "UE": "u e",
    "TV": "te ve",
    "DVD": "de uve de",
    "CD": "ce de",
    "USB": "u ese be",
    "PDF": "pe de efe",
    "SMS": "ese eme ese",
    "GPS": "ge pe ese",
    "BBC": "be be ce",
    "CNN": "ce ene ene",
    "FMI": "efe eme i",
    "BCE": "be ce e",
    "OMS": "o eme ese",
    "OCDE": "o ce de e",
    "IBM": "i be eme",
    "HTML": "hache te eme ele",
    "URL": "u erre ele",
    "API": "a pe i",
    "PRI": "pe erre i",
    "RAE": "erre a e",
    "EEUU": "Estados Unidos",
    "IA": "i a",
    "PC": "pe ce",
    "CV": "ce uve",
    "VIH": "uve i hache",
    "ONCE": "ONCE",
    "NBA": "ene be a",
    "FC": "efe ce",
    "DF": "de efe",
    "CDMX": "ce de eme equis",
    "UBA": "UBA",
    "UNAM": "UNAM",
    "BID": "be i de",
    "SA": "ese a",
}

_ACRONYM = re.compile(r"\b(?:" + "|".join(sorted(SPELLED_ACRONYMS, key=len, reverse=True)) + r")\b")


LETTER_NAMES = {
    "A": "a",
    "B": "be",
    "C": "ce",
    "D": "de",
    "E": "e",
    "F": "efe",
    "G": "ge",
    "H": "hache",
    "I": "i",
    "J": "jota",
    "K": "ka",
    "L": "ele",
    "M": "eme",
    "N": "ene",
    "Ñ": "eñe",
    "O": "o",
    "P": "pe",
    "Q": "cu",
    "R": "erre",
    "S": "ese",
    "T": "te",
    "U": "u",
    "V": "uve",
    "W": "uve doble",
    "X": "equis",
    "Y": "i griega",
    "Z": "zeta",
}
# Capital runs not in the list above: spelled when Spanish cannot say them as a word (no vowel, three
# consonants in a row, or a short one opening with two consonants that cannot start a syllable:
# "DGT", "CNMV", "IRPF", "BBVA", "HBO"); "NASA", "OTAN", "UEFA", "CSIC" are left to be read as words.
_CAPITAL_RUN = re.compile(r"\b[A-ZÑ]{2,6}\b(?!\.?\w)")
_VOWELS = frozenset("AEIOU")
_ONSETS = frozenset({"BL", "BR", "CL", "CR", "DR", "FL", "FR", "GL", "GR", "PL", "PR", "TR", "CH", "LL"})
_ROMAN_NUMERAL = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def _unpronounceable(word: str) -> bool:
    if not _VOWELS.intersection(word):
        return True
    if re.search(r"[^AEIOU]{3}", word):
        return True
    return len(word) <= 3 and word[0] not in _VOWELS and word[1] not in _VOWELS and word[:2] not in _ONSETS


def spoken_letters(word: str) -> str:
    """ "PDF" -> "pe de efe", "ZIP" -> "ZIP": spelled only when it cannot be said as a word."""
    upper = word.upper()
    if upper in SPELLED_ACRONYMS:
        return SPELLED_ACRONYMS[upper]
    if not upper.isalpha() or not _unpronounceable(upper):
        return word
    return " ".join(LETTER_NAMES.get(letter, letter.lower()) for letter in upper)


def _bracketed_initials(match: re.Match[str]) -> bool:
    """ "la Corte de Constitucionalidad (CC)": alone in brackets and without I, V or X, letters that
    would spell a hundreds-only Roman numeral are a name's initials."""
    text, start, end = match.string, match.start(), match.end()
    return text[start - 1 : start] == "(" and text[end : end + 1] == ")" and not set("IVX") & set(match.group(0))


def _spell_capitals(match: re.Match[str]) -> str:
    word = match.group(0)
    if (_ROMAN_NUMERAL.fullmatch(word) and not _bracketed_initials(match)) or not _unpronounceable(word):
        return word
    return " ".join(LETTER_NAMES[letter] for letter in word)


def normalize_acronyms(text: str) -> str:
    text = _ACRONYM.sub(lambda match: SPELLED_ACRONYMS[match.group(0)], text)
    return _CAPITAL_RUN.sub(_spell_capitals, text)
