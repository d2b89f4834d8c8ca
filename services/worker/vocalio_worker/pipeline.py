"""The blocking steps of a job, in data-path order: text → chunks → audio per batch → finished file.

Every function here is synchronous and CPU/GPU bound; the runtime calls them from a worker thread
(`jobs.py`) so the event loop keeps heartbeating. Nothing here talks to the network.
"""

import re
import time
from dataclasses import dataclass, field

import numpy as np
from vocalio_audio.metrics import QualityMetrics, measure_quality
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobParams, OutputFormat, Segment
from vocalio_shared.schemas.quality import AudioReport, VoiceStats
from vocalio_text import TextAnalysis, analyze
from vocalio_text.sentences import split_sentences

from vocalio_worker.audio.crossfade import StreamingCrossfader
from vocalio_worker.audio.encode import EncodedAudio, encode_audio
from vocalio_worker.audio.pcm16 import from_pcm16, to_pcm16
from vocalio_worker.audio.postprocess import Postprocessor
from vocalio_worker.audio.resample import resample
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.engines.base import TTSEngine, VoiceRef
from vocalio_worker.segments import sentence_segments


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


def batches(chunks: list[str], batch_size: int) -> list[list[str]]:
    size = max(1, batch_size)
    return [chunks[start : start + size] for start in range(0, len(chunks), size)]


# A first clause worth its own chunk: at least this many words before the mark and after it.
MIN_CLAUSE_WORDS = 2
_CLAUSE_MARK = re.compile(r"[,;:—](?=\s)")


def first_clause(sentence: str) -> tuple[str, str] | None:
    """(the sentence up to and with its first clause mark, the rest), or None without a cut worth making."""
    for mark in _CLAUSE_MARK.finditer(sentence):
        head, rest = sentence[: mark.end()].strip(), sentence[mark.end() :].strip()
        if len(head.split()) >= MIN_CLAUSE_WORDS:
            return (head, rest) if len(rest.split()) >= MIN_CLAUSE_WORDS else None
    return None


def stream_chunks(chunks: list[str], first_clause_alone: bool = False) -> list[str]:
    """A streamed job's first chunk is its first sentence alone, so the first audio comes quickly; with
    `first_clause_alone` (the engine's `stream_first_clause`), that sentence's first clause alone."""
    sentences = [sentence.strip() for sentence in split_sentences(chunks[0]) if sentence.strip()]
    head = sentences[:1]
    if first_clause_alone and sentences and (cut := first_clause(sentences[0])) is not None:
        head, sentences = [cut[0]], [cut[0], cut[1], *sentences[1:]]
    if len(sentences) < 2:
        return chunks
    return [*head, " ".join(sentences[1:]), *chunks[1:]]


def stream_batches(chunks: list[str], batch_size: int) -> list[list[str]]:
    """The first chunk alone, then the rest in batches: first audio fast, throughput after."""
    return [chunks[:1], *batches(chunks[1:], batch_size)] if chunks else []


@dataclass(frozen=True)
class BatchAudio:
    audio: list[FloatAudio]  # one per chunk, already at the job's rate
    engine_s: float
    resample_s: float = 0.0


def synthesize_batch(
    engine: TTSEngine,
    chunks: list[str],
    voice: VoiceRef,
    params: JobParams,
    region: Region,
    simulated_delay_s: float = 0.0,
    seeds: list[int] | None = None,
) -> BatchAudio:
    """Engine call plus per-chunk resampling to the job's rate (so crossfade works at that rate)."""
    started = time.perf_counter()
    native = engine.synthesize_batch(chunks, voice, params.speed, params.nfe_step, region, seeds)
    if simulated_delay_s:
        time.sleep(simulated_delay_s * len(chunks))  # blocking on purpose: stands in for a slow GPU call
    engine_s = time.perf_counter() - started
    native_rate = engine.capabilities().sample_rate_hz
    audio = [resample(chunk, native_rate, params.sample_rate) for chunk in native]
    return BatchAudio(audio, engine_s, time.perf_counter() - started - engine_s)


@dataclass(frozen=True)
class ProcessedAudio:
    """A job's finished samples and what is known about them, before the one encode."""

    samples: FloatAudio
    mix: FloatAudio  # the crossfaded engine audio before post-processing: quality is measured on it
    sample_rate_hz: int
    chunk_durations_s: list[float]
    segments: list[Segment]
    warnings: list[str]
    chunk_spans_samples: list[tuple[int, int]] = field(default_factory=list)  # exact, contiguous [start, end)
    audio_report: AudioReport | None = None  # chapter jobs: the mastering's report (`vocalio_worker.mastering`)


@dataclass(frozen=True)
class RenderedAudio:
    """A job's audio before the encode, with what the result's metrics say about how it was made."""

    processed: ProcessedAudio
    engine_s: float
    voice: VoiceRef
    detected_region: Region
    region_confidence: float
    markers: list[str]
    chunks: int
    sentences_synthesized: int | None = None  # chapter jobs only (sentence cache)
    sentences_cached: int | None = None
    sentence_keys: list[str] = field(default_factory=list)  # chapter jobs: the keys it was assembled from
    sentences_redrawn: int | None = None  # chapter jobs: sentence QA (`sentence_draws`)
    sentences_flagged: int | None = None
    voice_stats: VoiceStats | None = None


@dataclass(frozen=True)
class FinishedAudio:
    encoded: EncodedAudio
    quality: QualityMetrics
    chunk_durations_s: list[float]
    warnings: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


class JobAudio:
    """A job's audio path, batch by batch: crossfade → post-process (→ PCM16 pieces when live).

    `live` (the job is streamed): `push` returns the PCM16 piece that is final now, to publish, and
    the stored file is the concatenation of exactly those pieces, so stream and file hold the same
    samples. Not live: nobody listens, `push` returns nothing and `finish` brings the whole file to
    the loudness target (see `audio.postprocess`).
    """

    def __init__(self, sample_rate_hz: int, settings: AudioSettings, live: bool, level: bool = True) -> None:
        self.sample_rate_hz = sample_rate_hz
        self.live = live
        self._fader = StreamingCrossfader(sample_rate_hz, settings.crossfade_s, settings.crossfade_curve)
        self._post = Postprocessor(sample_rate_hz, settings, live, level)
        self._joined: list[FloatAudio] = []  # the mix, kept for the quality figures
        self._pcm: list[bytes] = []  # live only: the pieces sent

    def push(self, chunk_audio: list[FloatAudio]) -> bytes:
        if chunk_audio and not self._post.calibrated:
            self._post.calibrate(chunk_audio[0])
        joined = [self._fader.push(chunk) for chunk in chunk_audio]
        self._joined.extend(joined)
        return self._emit(self._post.push(np.concatenate(joined)) if joined else np.zeros(0, np.float32))

    def finish(self, chunk_texts: list[str] | None = None) -> tuple[bytes, ProcessedAudio]:
        """(the last live piece, the finished audio); segments need the chunks' texts."""
        tail = self._fader.finish()
        self._joined.append(tail)
        mix = np.concatenate(self._joined)
        self._joined = []
        if mix.size == 0 or not np.any(mix):  # the one check: every job comes through here
            raise VocalioError(ErrorCode.SYNTHESIS_FAILED, "the engine produced no audio")
        if not self._post.calibrated:
            self._post.calibrate(tail)
        last = np.concatenate([self._post.push(tail), self._post.finish()])
        piece = self._emit(last)
        spans = self._post.cut.map_spans(self._fader.chunk_spans_samples)
        durations_s = [(end - start) / self.sample_rate_hz for start, end in spans]
        processed = ProcessedAudio(
            samples=from_pcm16(b"".join(self._pcm)) if self.live else last,
            mix=mix,
            sample_rate_hz=self.sample_rate_hz,
            chunk_durations_s=[round(d, 3) for d in durations_s],
            segments=sentence_segments(chunk_texts, durations_s) if chunk_texts else [],
            warnings=list(self._post.warnings),
            chunk_spans_samples=spans,
        )
        return piece, processed

    def _emit(self, audio: FloatAudio) -> bytes:
        if not self.live:
            return b""
        piece = to_pcm16(audio)
        self._pcm.append(piece)
        return piece


def encode(processed: ProcessedAudio, output_format: OutputFormat) -> EncodedAudio:
    """The job's one encode."""
    return encode_audio(processed.samples, processed.sample_rate_hz, output_format)


def quality(processed: ProcessedAudio) -> QualityMetrics:
    """Figures of the engine's mix, before the limiter, so clipping shows; needed only for the result."""
    return measure_quality(processed.mix, processed.sample_rate_hz)


def finish_audio(
    chunk_audio: list[FloatAudio],
    sample_rate_hz: int,
    output_format: OutputFormat,
    settings: AudioSettings,
    chunk_texts: list[str] | None = None,
) -> FinishedAudio:
    """All chunks through the same machine at once, nobody listening (the worker's /tts)."""
    audio = JobAudio(sample_rate_hz, settings, live=False)
    audio.push(chunk_audio)
    _, processed = audio.finish(chunk_texts)
    encoded = encode(processed, output_format)
    return FinishedAudio(
        encoded=encoded,
        quality=quality(processed),
        chunk_durations_s=processed.chunk_durations_s,
        warnings=[*processed.warnings, *encoded.warnings],
        segments=processed.segments,
    )
