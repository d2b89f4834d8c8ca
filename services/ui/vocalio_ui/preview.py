"""What the text will become before it is submitted: `POST /api/v1/preview`, the worker's own pipeline.

The dashboard asked the text library in-process before the API had this route; now the API answers,
so the preview is exactly what the API's text pipeline says, and the dashboard needs no text code.
"""

from dataclasses import dataclass
from typing import Any

from vocalio_ui.api_client import ApiClient

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


async def preview(api: ApiClient, api_key: str, text: str, region: str = "auto") -> Preview:
    """Raises `ApiError` (e.g. 422) or `ApiUnavailable` like every other API call."""
    truncated = len(text) > PREVIEW_MAX_CHARS
    body: dict[str, Any] = await api.post(
        "/api/v1/preview", api_key, json={"text": text[:PREVIEW_MAX_CHARS], "region": region}
    )
    return Preview(
        normalized=str(body["normalized"]),
        chunks=[str(chunk) for chunk in body["chunks"]],
        region=str(body["region"]),
        detected_region=str(body["detected_region"]),
        confidence=float(body["confidence"]),
        markers=[str(marker) for marker in body.get("markers", [])],
        estimated_duration_s=float(body["estimated_duration_s"]),
        warnings=[str(warning) for warning in body.get("warnings", [])],
        truncated=truncated,
    )
