"""analyze(): the whole pipeline for one text, as the worker and the API preview use it.

Order: detect the region on the raw text (markers live in the written form), normalize for the
region that applies, apply the lexicon to spoken text, then chunk for the engine.
"""

import re

from pydantic import BaseModel, Field
from vocalio_shared.regions import Region, RegionChoice
from vocalio_shared.schemas.jobs import LexiconEntry

from vocalio_text.chunking import chunk_text
from vocalio_text.lexicon import apply_lexicon
from vocalio_text.normalizer import normalize
from vocalio_text.regions import detect_region


class TextAnalysis(BaseModel):
    normalized: str
    chunks: list[str]
    region: Region = Field(description="The region used: an explicit choice wins over detection.")
    detected_region: Region
    confidence: float = Field(ge=0.0, le=1.0)
    markers: list[str]
    estimated_duration_s: float = Field(ge=0.0)
    warnings: list[str]


# What a listener cannot hear: anything left that is neither a letter, a space nor punctuation
# the engine pauses on.
_UNREADABLE = re.compile(r"[^\w\s.,;:¿?¡!«»\"'()\-—–…]|\d")


def _resolve_region(choice: RegionChoice | Region | str, detected: Region) -> Region:
    value = str(choice.value if isinstance(choice, RegionChoice | Region) else choice).lower()
    if value == RegionChoice.AUTO.value:
        return detected
    return Region(value)


def analyze(
    text: str,
    region: RegionChoice | Region | str = "auto",
    lexicon: list[LexiconEntry] | None = None,
    max_chunk_chars: int = 300,
    chars_per_second: float = 14.0,
) -> TextAnalysis:
    detection = detect_region(text)
    applied_region = _resolve_region(region, detection.region)
    normalized = normalize(text, applied_region)
    if lexicon:
        normalized = apply_lexicon(normalized, lexicon)
    chunks = chunk_text(normalized, max_chunk_chars)
    unread = sorted(set(_UNREADABLE.findall(normalized)))
    warnings = [f"unread symbol {symbol!r} (U+{ord(symbol):04X})" for symbol in unread]
    spoken_chars = sum(len(chunk) for chunk in chunks)
    return TextAnalysis(
        normalized=normalized,
        chunks=chunks,
        region=applied_region,
        detected_region=detection.region,
        confidence=detection.confidence,
        markers=detection.markers,
        estimated_duration_s=round(spoken_chars / chars_per_second, 2) if chars_per_second > 0 else 0.0,
        warnings=warnings,
    )
