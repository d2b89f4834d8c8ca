"""Sentence QA settings (VOCALIO_ prefix): the thresholds of `sentence_qa`, the draw loop of
`sentence_draws` and the optional ASR round trip of `asr`. `WorkerConfig` composes this class.

Levels are dB relative to the sentence's loudest 10 ms frame unless they say dBFS; times in seconds.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from vocalio_shared.settings import CommonSettings

AsrBackend = Literal["none", "faster_whisper", "http"]


class SentenceQASettings(CommonSettings):
    qa_max_draws: int = Field(
        default=3,
        ge=1,
        le=16,
        description="Chapter jobs: most draws of one sentence (1 = check and flag only); the best one is kept.",
    )
    qa_chars_per_s: dict[str, float] = Field(
        default_factory=lambda: {"espeak": 13.0, "f5": 14.0, "kokoro": 14.0},
        description="Expected speaking rate per engine at speed 1: spoken letters and digits per second of speech.",
    )
    qa_default_chars_per_s: float = Field(
        default=14.0, gt=0, description="Expected speaking rate of an engine missing from VOCALIO_QA_CHARS_PER_S."
    )
    qa_duration_min_ratio: float = Field(
        default=0.5, gt=0, le=1, description="A sentence's speech may be this fraction of its expected duration."
    )
    qa_duration_max_ratio: float = Field(
        default=2.0, ge=1, description="A sentence's speech may be this multiple of its expected duration."
    )
    qa_duration_slack_s: float = Field(
        default=0.5, ge=0, description="Added on both sides of the duration band (short sentences vary most)."
    )
    qa_silence_db: float = Field(
        default=-40.0,
        ge=-80.0,
        le=-10.0,
        description="QA: a 10 ms frame is silence when its RMS is this far below the sentence's loudest frame.",
    )
    qa_max_leading_silence_s: float = Field(default=0.6, ge=0, description="Longest silence before the speech.")
    qa_max_trailing_silence_s: float = Field(default=0.8, ge=0, description="Longest silence after the speech.")
    qa_max_internal_silence_s: float = Field(default=1.2, ge=0, description="Longest silence inside the speech.")
    qa_clip_level: float = Field(
        default=0.999, gt=0, le=1, description="A sample at or above this magnitude is clipped."
    )
    qa_max_clipped_fraction: float = Field(
        default=0.001, ge=0, le=1, description="Largest fraction of a sentence's samples that may be clipped."
    )
    qa_min_level_dbfs: float = Field(
        default=-40.0, le=0, description="A sentence whose loudest 10 ms frame is below this (dBFS) is near-silent."
    )
    qa_loop_similarity: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="Spectral similarity (cosine of mean-removed log-band spectra) at which two frames repeat.",
    )
    qa_max_loop_s: float = Field(
        default=0.4, gt=0, description="Longest repeated stretch of audio allowed (a segment said again at once)."
    )
    qa_max_end_level_db: float = Field(
        default=-30.0,
        le=0,
        description="The last 20 ms may be at most this loud (dB below the loudest frame): louder ends mid-word.",
    )
    asr_backend: AsrBackend = Field(
        default="none",
        description="ASR round trip of chapter sentences: none, faster_whisper (local weights) or http "
        "(an OpenAI-compatible /v1/audio/transcriptions endpoint).",
    )
    asr_model_path: Path | None = Field(
        default=None, description="faster_whisper: directory of a CTranslate2 Whisper model (e.g. large-v3)."
    )
    asr_device: str = Field(default="auto", description="faster_whisper: cpu, cuda or auto.")
    asr_compute_type: str = Field(default="default", description="faster_whisper: int8, float16, ... or default.")
    asr_url: str | None = Field(
        default=None, description="http: base URL of the transcription service (…/v1/audio/transcriptions is appended)."
    )
    asr_api_key: SecretStr | None = Field(default=None, description="http: bearer token, when the service wants one.")
    asr_model: str = Field(default="whisper-1", description="http: the `model` form field.")
    asr_language: str = Field(default="es", description="Language the ASR is told the sentences are in.")
    asr_timeout_s: float = Field(default=60.0, gt=0, description="http: timeout of one transcription.")
    asr_max_cer: float = Field(
        default=0.25,
        ge=0,
        description="Character error rate (after normalizing case, accents and punctuation) above which a "
        "sentence is drawn again.",
    )
