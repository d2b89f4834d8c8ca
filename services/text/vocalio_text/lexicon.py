"""Pronunciation lexicon: user respellings applied to already-normalized text."""

import re
from collections.abc import Iterable

from vocalio_shared.schemas.jobs import LexiconEntry

# Word characters in Spanish include accented letters and ñ; `\w` covers them in Python's re.
_WORD_CHAR = r"\w"


def _compile(entries: Iterable[LexiconEntry]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One alternation, longest term first, so "Nueva York" wins over "York"."""
    say_by_term: dict[str, str] = {}
    for entry in entries:
        term = entry.term.strip()
        if term:
            say_by_term[term.casefold()] = entry.say
    if not say_by_term:
        return None, say_by_term
    terms = sorted(say_by_term, key=len, reverse=True)
    alternation = "|".join(re.escape(term) for term in terms)
    # Whole words only: no word character right before or after the term.
    pattern = re.compile(rf"(?<!{_WORD_CHAR})(?:{alternation})(?!{_WORD_CHAR})", re.IGNORECASE)
    return pattern, say_by_term


def apply_lexicon(text: str, entries: Iterable[LexiconEntry]) -> str:
    """Replace every whole-word, case-insensitive occurrence of each term by its respelling."""
    pattern, say_by_term = _compile(entries)
    if pattern is None:
        return text
    return pattern.sub(lambda match: say_by_term[match.group(0).casefold()], text)
