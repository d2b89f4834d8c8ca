"""Symbols left after every other rule: "&" -> "y", "+" -> "más", "=" -> "igual a", "#3" -> "número tres".

Only symbols between spaces or before a number are read; a symbol inside a word ("AT&T") is kept
for the engine. Anything still unreadable is reported by analyze() as a warning.
"""

import re

_SPOKEN: dict[str, str] = {
    "&": "y",
    "+": "más",
    "=": "igual a",
    "@": "arroba",
    "%": "por ciento",
    "‰": "por mil",
    "°": "grados",
    "×": "por",
    "÷": "entre",
    "±": "más menos",
    "§": "sección",
    "№": "número",
    "€": "euros",
    "£": "libras",
}
_STANDALONE = re.compile(r"(?<!\S)(?P<symbol>[&+=@%‰×÷±§№€£])(?!\S)")
_HASH_NUMBER = re.compile(r"(?<![\w#])#\s?(?=\d)")
_HASHTAG = re.compile(r"(?<![\w#])#(?=[^\W\d_])")
_AMPERSAND_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d_]) ?& ?(?=[^\W\d_])")


def normalize_number_sign(text: str) -> str:
    """ "#1" -> "número 1": run before the number rules so the number still agrees as a number."""
    return _HASH_NUMBER.sub("número ", text)


def normalize_symbols(text: str) -> str:
    text = _HASHTAG.sub("almohadilla ", text)
    return _STANDALONE.sub(lambda match: _SPOKEN[match.group("symbol")], text)
