"""Text preview: what the worker will read, before a job is submitted (the dashboard's live preview)."""

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.jobs import MAX_LEXICON_ENTRIES, LexiconEntry
from vocalio_text import TextAnalysis, analyze

from vocalio_api.deps import CallerDep, StateDep

router = APIRouter(prefix="/api/v1", tags=["preview"])

PREVIEW_MAX_CHUNK_CHARS = 300


class PreviewRequest(BaseModel):
    text: str = Field(min_length=1)
    region: RegionChoice = RegionChoice.AUTO
    lexicon: list[LexiconEntry] | None = Field(default=None, max_length=MAX_LEXICON_ENTRIES)


@router.post("/preview", response_model=TextAnalysis)
async def preview(body: PreviewRequest, state: StateDep, _caller: CallerDep) -> TextAnalysis:
    """Normalized text, chunks, detected region, confidence, markers, estimated duration, warnings."""
    if len(body.text) > state.settings.max_text_chars:
        raise VocalioError(
            ErrorCode.TEXT_TOO_LONG,
            f"text has {len(body.text)} characters; the limit is {state.settings.max_text_chars}",
            {"text_chars": len(body.text), "max_text_chars": state.settings.max_text_chars},
        )
    # CPU-bound for long texts: keep the event loop free for other requests.
    return await asyncio.to_thread(
        analyze, body.text, region=body.region, lexicon=body.lexicon, max_chunk_chars=PREVIEW_MAX_CHUNK_CHARS
    )
