"""A job's contract: what a client submits, what goes on the queue, what a worker reports back."""

import json
import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vocalio_shared.codecs import codec_spec
from vocalio_shared.errors import ErrorDetail
from vocalio_shared.regions import Region, RegionChoice
from vocalio_shared.schemas.quality import AudioReport, SentenceQA, VoiceStats


class JobStatus(StrEnum):
    QUEUED = "queued"
    PREPARING = "preparing"
    SYNTHESIZING = "synthesizing"
    ENCODING = "encoding"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def running(self) -> bool:
        return self in RUNNING_STATUSES


TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
RUNNING_STATUSES = frozenset({JobStatus.PREPARING, JobStatus.SYNTHESIZING, JobStatus.ENCODING})


class Priority(StrEnum):
    """Queue lanes, taken in this order: a worker drains high before normal before bulk."""

    HIGH = "high"
    NORMAL = "normal"
    BULK = "bulk"


PRIORITY_ORDER: tuple[Priority, ...] = (Priority.HIGH, Priority.NORMAL, Priority.BULK)


class OutputFormat(StrEnum):
    """A job's stored file formats; their media types, extensions and encoders: `vocalio_shared.codecs`."""

    WAV = "wav"
    FLAC = "flac"
    MP3 = "mp3"
    OPUS = "opus"
    M4A = "m4a"


# Views of the codec table for the formats a job stores (kept under these names for their readers).
AUDIO_MEDIA_TYPES: dict[OutputFormat, str] = {f: codec_spec(f).media_type for f in OutputFormat}
AUDIO_EXTENSIONS: dict[OutputFormat, str] = {f: codec_spec(f).extension for f in OutputFormat}

SUPPORTED_SAMPLE_RATES: tuple[int, ...] = (16000, 22050, 24000, 44100, 48000)
NFE_STEP_MIN, NFE_STEP_MAX, NFE_STEP_DEFAULT = 4, 64, 16
SPEED_MIN, SPEED_MAX = 0.5, 2.0
MAX_LEXICON_ENTRIES = 500
MAX_METADATA_KEYS = 50
MAX_METADATA_BYTES = 16 * 1024  # the object as compact JSON: it is stored with every job
# C0 controls and DEL, except tab, line feed and carriage return: no text means them, and a text of
# NULs would pass as "something to say" and be synthesized as nothing.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def speakable(value: str, name: str) -> str:
    """The one rule for a text to synthesize (jobs, /v1/audio/speech): no control characters, and
    something to say."""
    control = _CONTROL_CHARACTERS.search(value)
    if control is not None:
        raise ValueError(f"{name} contains a control character (U+{ord(control.group()):04X}) at {control.start()}")
    if not any(character.isalnum() for character in value):
        raise ValueError(f"{name} must contain something to say (a letter or a digit)")
    return value


class LexiconEntry(BaseModel):
    """A pronunciation override: `term` (word or phrase) is read as `say`."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field(min_length=1, max_length=200)
    say: str = Field(min_length=1, max_length=400)


class JobParams(BaseModel):
    """Synthesis parameters: the part of a request that decides the audio."""

    model_config = ConfigDict(extra="forbid")

    voice: str | None = Field(default=None, max_length=100, description="Voice id or name; region default if unset.")
    region: RegionChoice = RegionChoice.AUTO
    nfe_step: int = Field(default=NFE_STEP_DEFAULT, ge=NFE_STEP_MIN, le=NFE_STEP_MAX)
    speed: float = Field(default=1.0, ge=SPEED_MIN, le=SPEED_MAX)
    output_format: OutputFormat = OutputFormat.WAV
    sample_rate: int = 24000
    expand: bool = Field(default=False, description="Rewrite the text for listening through llm_bridge.")
    lexicon: list[LexiconEntry] | None = Field(default=None, max_length=MAX_LEXICON_ENTRIES)

    @field_validator("sample_rate")
    @classmethod
    def _supported_rate(cls, value: int) -> int:
        if value not in SUPPORTED_SAMPLE_RATES:
            raise ValueError(f"sample_rate must be one of {list(SUPPORTED_SAMPLE_RATES)}")
        return value


class JobCreate(JobParams):
    """Body of POST /api/v1/jobs."""

    text: str = Field(min_length=1)
    priority: Priority = Priority.NORMAL
    callback_url: str | None = Field(default=None, max_length=2000)
    metadata: dict[str, Any] | None = None

    @field_validator("text")
    @classmethod
    def _something_to_say(cls, value: str) -> str:
        return speakable(value, "text")

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        if len(value) > MAX_METADATA_KEYS:
            raise ValueError(f"metadata may hold at most {MAX_METADATA_KEYS} keys")
        size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
        if size > MAX_METADATA_BYTES:
            raise ValueError(f"metadata may take at most {MAX_METADATA_BYTES} bytes as JSON ({size} given)")
        return value


class ChapterRender(BaseModel):
    """On a chapter job's spec (`JobSpec.chapter`): render sentence by sentence through the cache.

    The job's `text` is the chapter's text; the worker splits it into sentences, keys each one
    (`vocalio_shared.books.sentence_key`), synthesizes only the keys the API's cache lacks (uploading
    each as it is made), then assembles the chapter from the cache through the one audio path.
    """

    model_config = ConfigDict(extra="ignore")

    book_id: str
    chapter_id: str
    title: str | None = Field(default=None, description="Read first, as its own sentence, when set.")
    book_seed: int = Field(ge=0, lt=2**31)
    voice_sha256: str | None = Field(default=None, description="The pinned reference; a mismatch fails the job.")
    mastering_preset: str | None = Field(default=None, description="Preset to master to; None: the worker's default.")
    redraw_from: dict[str, int] = Field(
        default_factory=dict,
        description="First draw number per sentence, by the sentence's draw-0 key (a user's 'render again').",
    )


class JobSpec(JobParams):
    """What a worker receives from the queue: everything it needs, nothing from the database.
    The attempt number is not in it: arq's `job_try` is the one source (JobStatusUpdate.attempt)."""

    # Payloads queued by an older API (which also sent `attempt`) must still run after an upgrade.
    model_config = ConfigDict(extra="ignore")

    job_id: str
    text: str
    priority: Priority
    stream: bool = Field(
        default=False,
        description="Publish finished pieces of PCM to the job's Redis audio stream as they are ready "
        "(internal: set by /v1/audio/speech, never by a client; the file is still uploaded, byte for "
        "byte the streamed samples).",
    )
    chapter: ChapterRender | None = Field(default=None, description="Set on a book's chapter jobs only.")


class JobMetrics(BaseModel):
    """Figures a worker reports with a result (seed names)."""

    model_config = ConfigDict(extra="allow")

    latency_ms: float | None = None
    processing_time_ms: float | None = None
    upload_time_ms: float | None = None
    audio_quality_score: float | None = None
    snr_db: float | None = None
    clipping_rate: float | None = None
    real_time_factor: float | None = None
    detected_region: Region | None = None
    region_confidence: float | None = None
    slang_markers: list[str] = Field(default_factory=list)
    nfe_steps_used: int | None = None
    engine: str | None = None
    voice_id: str | None = None
    expand_source: str | None = None  # rules | ollama | cache (llm_bridge), local (bridge unreachable)
    chunks: int | None = None
    # Where a job's time went on the worker's critical path (ms); the stack overhead bench reads them.
    queue_wait_ms: float | None = None  # enqueued → picked up by a worker
    engine_time_ms: float | None = None  # engine calls only
    text_ms: float | None = None  # text pipeline (normalise, region, chunks)
    voice_ms: float | None = None  # voice lookup (the API's region default when no voice is given)
    postprocess_ms: float | None = None  # crossfade, silences, loudness, limiter, quality figures
    encode_ms: float | None = None  # the one encode
    status_ms: float | None = None  # waiting on status updates before the result (sent in the background)
    # Chapter jobs (JobSpec.chapter): sentences the engine rendered now vs found in the sentence cache.
    sentences_synthesized: int | None = None
    sentences_cached: int | None = None
    # Sentence QA (chapter jobs): of the sentences synthesized now, how many needed more than one
    # draw, and how many never passed (kept, flagged in the chapter's report).
    sentences_redrawn: int | None = None
    sentences_flagged: int | None = None


class Segment(BaseModel):
    """One sentence of the spoken text and where it sits in the audio (captions)."""

    text: str
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    # Chapter jobs only: the sentence as written (captions, read-along), its cache key and seed.
    source_text: str | None = None
    key: str | None = None
    seed: int | None = None
    qa: SentenceQA | None = None  # the sentence's checks (from the cache when it was not synthesized now)


class JobResult(BaseModel):
    """Describes the uploaded audio; sent with the final `succeeded` update."""

    duration_s: float = Field(ge=0)
    sample_rate: int
    channels: int = 1
    format: OutputFormat
    size_bytes: int = Field(ge=0)
    sha256: str = Field(min_length=64, max_length=64)
    chunk_durations_s: list[float] = Field(default_factory=list)
    segments: list[Segment] = Field(
        default_factory=list,
        description="Sentence start/end times (from chunk durations; sentences inside a chunk split by characters).",
    )
    warnings: list[str] = Field(default_factory=list)
    sentence_keys: list[str] = Field(
        default_factory=list,
        description="Chapter jobs: every sentence-cache key the chapter was assembled from (the cache keeps them).",
    )
    audio_report: AudioReport | None = Field(
        default=None, description="The output measured against its mastering preset (chapters: after mastering)."
    )
    voice_stats: VoiceStats | None = None


class JobStatusUpdate(BaseModel):
    """Body of POST /api/v1/jobs/{id}/status, sent by the worker running the job."""

    worker_id: str
    status: JobStatus
    progress: float = Field(default=0.0, ge=0.0, le=100.0)
    stage: str | None = Field(default=None, max_length=100)
    message: str | None = Field(default=None, max_length=2000)
    attempt: int = Field(default=1, ge=1)
    result: JobResult | None = None
    metrics: JobMetrics | None = None
    error: ErrorDetail | None = None
    data: dict[str, Any] | None = None


class JobStatusAck(BaseModel):
    """The API's answer to a status update: whether the worker should keep going."""

    accepted: bool
    status: JobStatus
    cancel_requested: bool = False


class JobLinks(BaseModel):
    self: str
    events: str
    audio: str
    cancel: str


class JobPublic(BaseModel):
    id: str
    status: JobStatus
    progress: float
    stage: str | None = None
    priority: Priority
    text_chars: int
    text: str | None = Field(default=None, description="The submitted text; only on single-job reads.")
    params: JobParams
    callback_url: str | None = None
    metadata: dict[str, Any] | None = None
    result: JobResult | None = None
    metrics: JobMetrics | None = None
    error: ErrorDetail | None = None
    worker_id: str | None = None
    attempts: int = 0
    cancel_requested: bool = False
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    links: JobLinks


class JobList(BaseModel):
    items: list[JobPublic]
    next_cursor: str | None = None


class JobEvent(BaseModel):
    """One row of a job's event log; also the SSE `data` payload (SSE id = seq)."""

    seq: int
    job_id: str
    type: str
    status: JobStatus
    progress: float
    stage: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None
    created_at: datetime
