"""OpenAI's speech request, plus Vocalio's extras (sent by SDKs as `extra_body`)."""

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.jobs import (
    MAX_LEXICON_ENTRIES,
    NFE_STEP_MAX,
    NFE_STEP_MIN,
    SPEED_MAX,
    SPEED_MIN,
    LexiconEntry,
    speakable,
)


class SpeechFormat(StrEnum):
    """OpenAI's response_format values; media types and encoders: `vocalio_shared.codecs` (same values)."""

    MP3 = "mp3"
    OPUS = "opus"
    AAC = "aac"
    FLAC = "flac"
    WAV = "wav"
    PCM = "pcm"


class SpeechRequest(BaseModel):
    """Body of POST /v1/audio/speech. Unknown OpenAI fields (e.g. `instructions`) are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field(min_length=1, max_length=100)
    input: str = Field(min_length=1)
    voice: str = Field(min_length=1, max_length=100, description="A stock OpenAI name, or a Vocalio voice id/name.")
    response_format: SpeechFormat = SpeechFormat.MP3
    speed: float = Field(default=1.0, ge=SPEED_MIN, le=SPEED_MAX)
    stream: bool | None = Field(
        default=None,
        description="true: bytes as the audio is made (chunked; first audio sooner; see the docs for what a reader "
        "gets per format). false: one complete file (Content-Length, every header right) once the audio is made. "
        "Not given: streamed, except flac, whose stream would carry no total length, so it comes as a file.",
    )
    stream_format: Literal["audio"] | None = Field(default=None, description="Only raw audio ('sse' not).")
    region: RegionChoice | None = None
    nfe_step: int | None = Field(default=None, ge=NFE_STEP_MIN, le=NFE_STEP_MAX)
    lexicon: list[LexiconEntry] | None = Field(default=None, max_length=MAX_LEXICON_ENTRIES)

    @field_validator("voice", mode="before")
    @classmethod
    def _voice_id(cls, value: Any) -> Any:
        """Newer SDKs may send a custom voice as {"id": "..."}."""
        return value.get("id") if isinstance(value, dict) else value

    @field_validator("input")
    @classmethod
    def _something_to_say(cls, value: str) -> str:
        return speakable(value, "input")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "vocalio"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
