"""Regional variant detection from weighted lexical and morphological markers.

Each marker found adds its weights (region_markers.py) to the variants it points at. The variant
with the highest total wins if the evidence is strong enough (at least one clear marker); the
confidence grows with the total and shrinks when another variant is close behind. Without enough
evidence the text is neutral, with a confidence that is high for text with no markers at all.
An explicit region in a job always wins over this guess (analysis.py).
"""

import math
import re
from dataclasses import dataclass, field

from vocalio_shared.regions import Region

from vocalio_text.region_markers import (
    CHILEAN_VOSEO_FORMS,
    CHILEAN_VOSEO_WEIGHTS,
    LEXICAL_MARKERS,
    PHRASE_MARKERS,
    VOS_WEIGHTS,
    VOSEO_FORMS,
    VOSEO_WEIGHTS,
    Weights,
)

# Evidence below this total is not enough to leave neutral (one weak shared word is not a region).
MIN_EVIDENCE = 0.6

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_PHRASES = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(phrase) for phrase in sorted(PHRASE_MARKERS, key=len, reverse=True)) + r")(?!\w)"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RegionDetection:
    region: Region
    confidence: float
    markers: list[str] = field(default_factory=list)


def _add(scores: dict[Region, float], weights: Weights) -> None:
    for region, weight in weights.items():
        scores[region] = scores.get(region, 0.0) + weight


def _word_weights(word: str) -> Weights | None:
    if word in LEXICAL_MARKERS:
        return LEXICAL_MARKERS[word]
    if word == "vos":
        return VOS_WEIGHTS
    if word in CHILEAN_VOSEO_FORMS:
        return CHILEAN_VOSEO_WEIGHTS
    if word in VOSEO_FORMS:
        return VOSEO_WEIGHTS
    return None


def detect_region(text: str) -> RegionDetection:
    """Guess the regional variant of `text`: region, confidence 0..1 and the markers found."""
    lowered = _SPACES.sub(" ", text.casefold())
    scores: dict[Region, float] = {}
    markers: list[str] = []
    seen: set[str] = set()
    # Phrases first, then words outside them, each marker counted once.
    phrase_spans: list[tuple[int, int]] = []
    for match in _PHRASES.finditer(lowered):
        phrase = match.group(0)
        phrase_spans.append(match.span())
        if phrase not in seen:
            seen.add(phrase)
            markers.append(phrase)
            _add(scores, PHRASE_MARKERS[phrase])
    for match in _WORD.finditer(lowered):
        if any(start <= match.start() < end for start, end in phrase_spans):
            continue
        word = match.group(0)
        if word in seen:
            continue
        weights = _word_weights(word)
        if weights is None:
            continue
        seen.add(word)
        markers.append(word)
        _add(scores, weights)
    if not scores:
        return RegionDetection(Region.NEUTRAL, 1.0, [])
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best_region, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    strength = 1.0 - math.exp(-best)
    if best < MIN_EVIDENCE or best == second:
        return RegionDetection(Region.NEUTRAL, round(1.0 - strength, 3), markers)
    confidence = strength * (best - second) / best
    region_markers = [marker for marker in markers if best_region in _marker_weights(marker)]
    return RegionDetection(best_region, round(min(max(confidence, 0.0), 1.0), 3), region_markers)


def _marker_weights(marker: str) -> Weights:
    return PHRASE_MARKERS.get(marker) or _word_weights(marker) or {}
