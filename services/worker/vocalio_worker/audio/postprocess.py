"""Post-processing after crossfade: shorten silences, normalise loudness, limit peaks.

Order: silences first (so the chunk spans are remapped once), then gain to the target, then the
limiter; the limiter lowers loudness a little on peaky audio, so
the gain is corrected and the limiter run once more. Chunk spans are carried through the silence
cuts so captions still line up.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from vocalio_audio.metrics import integrated_loudness_lufs

from vocalio_worker.audio.loudness import db_to_gain, limit_peaks
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.audio.silence import shorten_silences

FloatAudio = npt.NDArray[np.float32]
MAX_GAIN_DB = 40.0  # beyond this we would be amplifying noise, not speech
LOUDNESS_PASSES = 3
LOUDNESS_TOLERANCE_LU = 0.3


@dataclass(frozen=True)
class PostprocessResult:
    audio: FloatAudio
    sample_rate_hz: int
    chunk_spans_samples: list[tuple[int, int]]
    input_lufs: float
    output_lufs: float
    gain_db: float
    removed_silence_s: float
    warnings: list[str] = field(default_factory=list)

    @property
    def chunk_durations_s(self) -> list[float]:
        return [(end - start) / self.sample_rate_hz for start, end in self.chunk_spans_samples]

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate_hz


def normalize_loudness(
    audio: FloatAudio, sample_rate_hz: int, target_lufs: float, peak_limit_dbfs: float
) -> tuple[FloatAudio, float, float, list[str]]:
    """(audio, input_lufs, total_gain_db, warnings): gain to the target with peaks under the ceiling."""
    warnings: list[str] = []
    input_lufs = integrated_loudness_lufs(audio, sample_rate_hz)
    if not np.isfinite(input_lufs):
        warnings.append("audio is silent; loudness not normalised")
        return limit_peaks(audio, sample_rate_hz, peak_limit_dbfs), input_lufs, 0.0, warnings
    total_gain_db = 0.0
    current, current_lufs = audio, input_lufs
    for _ in range(LOUDNESS_PASSES):
        step_db = min(target_lufs - current_lufs, MAX_GAIN_DB - total_gain_db)
        if abs(step_db) <= LOUDNESS_TOLERANCE_LU:
            break
        total_gain_db += step_db
        current = limit_peaks(audio * np.float32(db_to_gain(total_gain_db)), sample_rate_hz, peak_limit_dbfs)
        current_lufs = integrated_loudness_lufs(current, sample_rate_hz)
    if total_gain_db >= MAX_GAIN_DB - 1e-6:
        warnings.append(f"gain capped at +{MAX_GAIN_DB:.0f} dB; audio is quieter than the target")
    current = limit_peaks(current, sample_rate_hz, peak_limit_dbfs)
    return current.astype(np.float32, copy=False), input_lufs, total_gain_db, warnings


def postprocess(
    audio: FloatAudio,
    sample_rate_hz: int,
    settings: AudioSettings,
    chunk_spans_samples: list[tuple[int, int]] | None = None,
) -> PostprocessResult:
    """The whole post-processing stage; `chunk_spans_samples` (from crossfade) are remapped."""
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    shortened, cut = shorten_silences(
        samples,
        sample_rate_hz,
        max_silence_s=settings.max_silence_s,
        edge_silence_s=settings.edge_silence_s,
        threshold_db=settings.silence_threshold_db,
    )
    spans = cut.map_spans(chunk_spans_samples) if chunk_spans_samples else []
    normalized, input_lufs, gain_db, warnings = normalize_loudness(
        shortened, sample_rate_hz, settings.target_lufs, settings.peak_limit_dbfs
    )
    return PostprocessResult(
        audio=normalized,
        sample_rate_hz=sample_rate_hz,
        chunk_spans_samples=spans,
        input_lufs=input_lufs,
        output_lufs=integrated_loudness_lufs(normalized, sample_rate_hz),
        gain_db=gain_db,
        removed_silence_s=(len(samples) - len(shortened)) / sample_rate_hz,
        warnings=warnings,
    )
