"""Chunking for the TTS engine: pieces no longer than its budget, cut where a reader would pause.

Order of preference: whole sentences packed together; a long sentence cut at clause boundaries
(; : , and dashes); a clause still too long cut at the last space; only a single word longer than
the budget is cut inside (there is no better place, and the engine must never get more than it can).
"""

import re

from vocalio_text.sentences import split_sentences

_CLAUSE_END = re.compile(r"(?<=[;:,—–)])\s+|\s+(?=[—–(])")


def _split_long(piece: str, max_chars: int) -> list[str]:
    """Cut a piece that exceeds the budget: clauses first, then words."""
    if len(piece) <= max_chars:
        return [piece]
    clauses = [clause for clause in _CLAUSE_END.split(piece) if clause.strip()]
    if len(clauses) > 1:
        return _pack(clauses, max_chars, split_words=True)
    return _split_words(piece, max_chars)


def _split_words(piece: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for word in piece.split():
        while len(word) > max_chars:
            # A "word" longer than the whole budget (a URL spelled out, noise): hard cut.
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:max_chars])
            word = word[max_chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def _pack(pieces: list[str], max_chars: int, split_words: bool = False) -> list[str]:
    """Greedily join consecutive pieces with a space while they fit."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        parts = (
            _split_long(piece, max_chars)
            if not split_words
            else ([piece] if len(piece) <= max_chars else _split_words(piece, max_chars))
        )
        for part in parts:
            candidate = f"{current} {part}" if current else part
            if len(candidate) <= max_chars:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = part
    if current:
        chunks.append(current)
    return chunks


def chunk_text(text: str, max_chars: int = 300) -> list[str]:
    """Split text into chunks of at most `max_chars` characters, at sentence then clause boundaries."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    return _pack(split_sentences(text), max_chars)
