"""Abbreviations and their spoken forms (a whitelist: only these are expanded)."""

import re

# Written form (with dots, as printed) -> spoken form. Longest forms are matched first.
ABBREVIATIONS: dict[str, str] = {
    "Sr.": "señor",
    "Sra.": "señora",
    "Srta.": "señorita",
    "Sres.": "señores",
    "Sras.": "señoras",
    "Dr.": "doctor",
    "Dra.": "doctora",
    "Dres.": "doctores",
    "Ud.": "usted",
    "Uds.": "ustedes",
    "Vd.": "usted",
    "Vds.": "ustedes",
    "pág.": "página",
    "págs.": "páginas",
    "núm.": "número",
    "etc.": "etcétera",
}

_ABBREVIATION_TOKENS = frozenset(key[:-1].casefold() for key in ABBREVIATIONS)


def is_abbreviation(word: str) -> bool:
    """Whether `word` (without its final dot) is an abbreviation whose dot does not end a sentence."""
    token = word.casefold()
    return token in _ABBREVIATION_TOKENS or bool(re.fullmatch(r"(?:\w\.)+\w", token)) or len(token) == 1
