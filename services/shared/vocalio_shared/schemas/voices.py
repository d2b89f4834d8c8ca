"""Reference voices: what the API stores and what workers fetch to clone a voice."""

from datetime import datetime

from pydantic import BaseModel, Field

from vocalio_shared.regions import Region

VOICE_MIN_DURATION_S = 2.0
VOICE_MAX_DURATION_S = 30.0
VOICE_MIN_SAMPLE_RATE_HZ = 16_000


class VoiceAnalysis(BaseModel):
    """Measured at upload; `speech_rate_cps` feeds the F5 duration estimate."""

    duration_s: float
    sample_rate_hz: int
    original_channels: int
    loudness_lufs: float | None
    peak_dbfs: float
    snr_db: float
    clipping_rate: float
    active_ratio: float
    speech_rate_cps: float
    detected_region: Region
    region_confidence: float
    region_markers: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class VoicePublic(BaseModel):
    id: str
    name: str
    region: Region
    language: str
    description: str | None = None
    licence: str | None = None
    source: str | None = None
    transcript: str
    shared: bool
    owner_key_id: str | None = None
    consent_attested_at: datetime
    sha256: str
    size_bytes: int
    default_for: list[Region] = Field(default_factory=list)
    analysis: VoiceAnalysis
    created_at: datetime
    audio_url: str


class EngineVoice(BaseModel):
    """A voice an engine speaks by name, with no reference audio (Kokoro's), offered by the live workers."""

    id: str = Field(
        description="What a job's `voice` names, e.g. kokoro:ef_dora; mixes: kokoro:ef_dora*0.7+em_alex*0.3."
    )
    name: str
    engine: str
    workers: list[str] = Field(default_factory=list, description="The live workers that offer it.")


class VoiceList(BaseModel):
    items: list[VoicePublic]
    engine_voices: list[EngineVoice] = Field(
        default_factory=list, description="Voices the live workers' engines speak by name; uploaded ones are `items`."
    )


class DefaultVoiceSet(BaseModel):
    voice_id: str


class RegionDefaults(BaseModel):
    """Which voice each region uses when a job names none; `missing` regions have none yet."""

    defaults: dict[str, str | None]
    missing: list[Region]


# A recorded reference should last this long read aloud (the API accepts VOICE_MIN/MAX_DURATION_S):
# long enough for the engine to learn the voice, short enough that the transcript stays exact.
PROMPT_MIN_SECONDS = 5.0
PROMPT_MAX_SECONDS = 12.0


class VoicePrompt(BaseModel):
    """A sentence to read aloud for a recorded reference; its text becomes the voice's transcript."""

    id: str
    text: str
    covers: list[str] = Field(description="The Spanish sounds the sentence holds (ñ, rr, ll/y, j/g, c/z, ...).")


class VoicePromptList(BaseModel):
    items: list[VoicePrompt]
    min_seconds: float = PROMPT_MIN_SECONDS
    max_seconds: float = PROMPT_MAX_SECONDS
