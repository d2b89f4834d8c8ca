"""Sentence splitting for Spanish prose: abbreviations, decimals, ellipses, «comillas», ¿…? ¡…!, dialogue.

A boundary is terminal punctuation (. ! ? …, possibly closed by quotes or brackets) followed by
whitespace and something that can open a sentence. It is not a boundary when the word before the
dot is a known abbreviation ("Sr.", "pág.", "EE. UU."), when the next word starts in lowercase (an
ellipsis or exclamation inside a sentence: "¡Ay! dijo"), or when a dialogue dash introduces the
narrator's aside ("—¿Vienes? —preguntó ella.").
"""

import re

from vocalio_text.abbreviations import is_abbreviation

_CANDIDATE = re.compile(r"(?:\.\.\.|[.!?…])+[»”’\"')\]]*(?=\s)")
_OPENERS = "¿¡«“\"'([—–-"
_LINE_BREAK = re.compile(r"\s*\n\s*")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def _opens_sentence(rest: str) -> bool:
    """Whether the text after a candidate boundary can start a new sentence."""
    stripped = rest.lstrip()
    if not stripped:
        return False
    first = stripped[0]
    if first in "—–":
        # Dialogue: "—dijo él" continues the line, "—¿Vienes?" or "—Sí" starts a new turn.
        after_dash = stripped[1:2]
        return not after_dash.islower()
    if first in _OPENERS:
        return True
    return first.isupper() or first.isdigit()


def _split_paragraph(paragraph: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        end = match.end()
        punctuation = match.group(0)
        if punctuation.rstrip("»”’\"')]").endswith(".") and not punctuation.startswith(("...", "…")):
            head = paragraph[start : match.start() + 1]
            word = _WORD_BEFORE.search(head)
            if word and is_abbreviation(word.group(1)):
                continue
        if not _opens_sentence(paragraph[end:]):
            continue
        sentence = paragraph[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; line breaks always end a sentence (paragraphs, dialogue turns)."""
    sentences: list[str] = []
    for paragraph in _LINE_BREAK.split(text):
        if paragraph.strip():
            sentences.extend(_split_paragraph(paragraph))
    return sentences
