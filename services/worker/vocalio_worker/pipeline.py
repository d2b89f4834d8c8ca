"""The blocking steps of a job, in data-path order: text → chunks → audio per batch → finished file.

Every function here is synchronous and CPU/GPU bound; the runtime calls them from a worker thread
(`jobs.py`) so the event loop keeps heartbeating. Nothing here talks to the network.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobParams, OutputFormat
from vocalio_text import TextAnalysis, analyze

from vocalio_worker.audio.crossfade import crossfade
from vocalio_worker.audio.encode import EncodedAudio, encode_audio
from vocalio_worker.audio.postprocess import postprocess
from vocalio_worker.audio.quality import QualityMetrics, measure_quality
from vocalio_worker.audio.resample import resample
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.engines.base import FloatAudio, TTSEngine, VoiceRef


def analyze_text(text: str, params: JobParams, engine: TTSEngine, region: Region | None = None) -> TextAnalysis:
    """Normalize, detect the region, chunk for this engine. `region` forces one (after expansion)."""
    analysis = analyze(
        text,
        region=region or params.region,
        lexicon=params.lexicon,
        max_chunk_chars=engine.capabilities().max_chunk_chars,
    )
    if not analysis.chunks:
        raise VocalioError(ErrorCode.VALIDATION_ERROR, "the text has nothing to say once normalized")
    return analysis


def voice_for(params: JobParams, region: Region) -> VoiceRef:
    # TODO(voices): fetch reference audio + transcript from the API by voice id (cached by sha256)
    # once the F5 engine lands; espeak needs only the region (or an "espeak:<voice>" id).
    return VoiceRef(voice_id=params.voice or f"default:{region.value}", region=region)


def batches(chunks: list[str], batch_size: int) -> list[list[str]]:
    size = max(1, batch_size)
    return [chunks[start : start + size] for start in range(0, len(chunks), size)]


@dataclass(frozen=True)
class BatchAudio:
    audio: list[FloatAudio]  # one per chunk, already at the job's rate
    engine_s: float


def synthesize_batch(
    engine: TTSEngine,
    chunks: list[str],
    voice: VoiceRef,
    params: JobParams,
    region: Region,
    simulated_delay_s: float = 0.0,
) -> BatchAudio:
    """Engine call plus per-chunk resampling to the job's rate (so crossfade works at that rate)."""
    started = time.perf_counter()
    native = engine.synthesize_batch(chunks, voice, params.speed, params.nfe_step, region)
    if simulated_delay_s:
        time.sleep(simulated_delay_s * len(chunks))  # blocking on purpose: stands in for a slow GPU call
    engine_s = time.perf_counter() - started
    native_rate = engine.capabilities().sample_rate_hz
    return BatchAudio([resample(chunk, native_rate, params.sample_rate) for chunk in native], engine_s)


@dataclass(frozen=True)
class FinishedAudio:
    encoded: EncodedAudio
    quality: QualityMetrics
    chunk_durations_s: list[float]
    warnings: list[str] = field(default_factory=list)


def finish_audio(
    chunk_audio: list[FloatAudio], sample_rate_hz: int, output_format: OutputFormat, settings: AudioSettings
) -> FinishedAudio:
    """crossfade → quality (before the limiter, so clipping shows) → post-process → encode."""
    joined = crossfade(chunk_audio, sample_rate_hz, settings.crossfade_s, settings.crossfade_curve)
    if joined.audio.size == 0 or not np.any(joined.audio):
        raise VocalioError(ErrorCode.SYNTHESIS_FAILED, "the engine produced no audio")
    quality = measure_quality(joined.audio, sample_rate_hz)
    processed = postprocess(joined.audio, sample_rate_hz, settings, joined.chunk_spans_samples)
    encoded = encode_audio(processed.audio, sample_rate_hz, output_format)
    return FinishedAudio(
        encoded=encoded,
        quality=quality,
        chunk_durations_s=[round(d, 3) for d in processed.chunk_durations_s],
        warnings=[*processed.warnings, *encoded.warnings],
    )
