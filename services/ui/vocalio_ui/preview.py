"""What the text will become before it is submitted.

The API has no preview route yet, so this calls the text pipeline in-process (a pure library,
no Redis, no DB). It is the only place that does: when `POST /api/v1/preview` exists, this
function becomes an API call and nothing else changes.
"""

from dataclasses import dataclass

from vocalio_text import analyze

# Previews run on every keystroke pause; a long book is previewed from its opening only.
PREVIEW_MAX_CHARS = 20_000


@dataclass
class Preview:
    normalized: str
    chunks: list[str]
    region: str
    detected_region: str
    confidence: float
    markers: list[str]
    estimated_duration_s: float
    warnings: list[str]
    truncated: bool


def preview(text: str, region: str = "auto") -> Preview:
    truncated = len(text) > PREVIEW_MAX_CHARS
    analysis = analyze(text[:PREVIEW_MAX_CHARS], region=region)
    return Preview(
        normalized=analysis.normalized,
        chunks=list(analysis.chunks),
        region=str(analysis.region),
        detected_region=str(analysis.detected_region),
        confidence=analysis.confidence,
        markers=list(analysis.markers),
        estimated_duration_s=analysis.estimated_duration_s,
        warnings=list(analysis.warnings),
        truncated=truncated,
    )
