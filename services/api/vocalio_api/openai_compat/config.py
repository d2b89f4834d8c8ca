"""Settings of the OpenAI-compatible surface (VOCALIO_ prefix); ApiSettings may compose this class.

Model and voice names are tables, not code: operators map OpenAI's names onto engine settings and
regions with JSON in the environment, e.g.
  VOCALIO_OPENAI_MODELS='{"tts-1": {"nfe_step": 8}, "tts-1-hd": {"nfe_step": 32}}'
  VOCALIO_OPENAI_VOICES='{"alloy": "neutral", "echo": "mexican"}'
"""

from functools import cache

from pydantic import BaseModel, ConfigDict, Field
from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.jobs import NFE_STEP_MAX, NFE_STEP_MIN
from vocalio_shared.settings import CommonSettings


class ModelSettings(BaseModel):
    """What an OpenAI model name means for a Vocalio job."""

    model_config = ConfigDict(extra="forbid")

    nfe_step: int = Field(ge=NFE_STEP_MIN, le=NFE_STEP_MAX, description="Flow-matching steps (F5 engine).")


DEFAULT_MODELS: dict[str, ModelSettings] = {
    "tts-1": ModelSettings(nfe_step=8),  # fastest settings: first audio soonest
    "tts-1-hd": ModelSettings(nfe_step=32),  # more steps, cleaner audio
    "gpt-4o-mini-tts": ModelSettings(nfe_step=16),  # the SDKs' newer default name: our default steps
}

# OpenAI's stock voices → the region whose default voice speaks. Eleven names, seven regions:
# every region has at least one name, so an OpenAI client can reach every accent.
DEFAULT_VOICES: dict[str, RegionChoice] = {
    "alloy": RegionChoice.NEUTRAL,
    "echo": RegionChoice.MEXICAN,
    "fable": RegionChoice.RIOPLATENSE,
    "onyx": RegionChoice.COLOMBIAN,
    "nova": RegionChoice.CHILEAN,
    "shimmer": RegionChoice.CARIBBEAN,
    "ash": RegionChoice.ANDEAN,
    "ballad": RegionChoice.RIOPLATENSE,
    "coral": RegionChoice.COLOMBIAN,
    "sage": RegionChoice.NEUTRAL,
    "verse": RegionChoice.MEXICAN,
}


class OpenAICompatSettings(CommonSettings):
    openai_models: dict[str, ModelSettings] = Field(
        default_factory=lambda: dict(DEFAULT_MODELS), description="OpenAI model name → engine settings (JSON)."
    )
    openai_voices: dict[str, RegionChoice] = Field(
        default_factory=lambda: dict(DEFAULT_VOICES), description="OpenAI stock voice name → region (JSON)."
    )
    openai_sample_rate: int = Field(
        default=24000, description="Rate of every /v1/audio/speech answer; OpenAI's pcm is 24 kHz."
    )
    openai_first_audio_timeout_s: float = Field(
        default=300.0, gt=0, description="How long a request waits for its job's first audio (queue included)."
    )
    openai_idle_timeout_s: float = Field(
        default=120.0, gt=0, description="Longest silence of a running job's audio stream before giving up."
    )


@cache
def openai_settings() -> OpenAICompatSettings:
    """One instance per process, read from the environment at first use."""
    return OpenAICompatSettings()
