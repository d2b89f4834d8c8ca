"""Reference-free audio figures shared by the worker (every result) and the API (voice uploads).

- `integrated_loudness_lufs`: ITU-R BS.1770 (`vocalio_audio.bs1770`, pyloudnorm's filters and gates);
  clips shorter than one block are measured looped.

- `clipping_rate`: share of samples that are clipped: at full scale (|x| >= 0.999), or on a flat top
  (3+ equal consecutive magnitudes at >= 95 % of the peak, which survives a later gain change).
  Measure it on the engine's mix, before the limiter.
- `snr_db`: 20 ms frames; noise = mean power of the quietest 10 % of frames, signal = mean power of
  the frames above the median, minus noise. Digital silence gives the cap, 60 dB.
- `quality_score` (0..1) = active_gate × (0.6 × snr_term + 0.4 × clip_term), where
  snr_term = clamp((snr_db − 10) / 30) (10 dB → 0, 40 dB → 1), clip_term = clamp(1 − clipping_rate / 0.01)
  (1 % clipped → 0), active_gate = clamp(active_ratio / 0.2) (an output under 20 % speech frames is
  suspect; silence scores 0). It ranks outputs; it is not a perceptual MOS.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vocalio_audio import bs1770
from vocalio_audio.types import FloatAudio

FULL_SCALE = 0.999
FLAT_TOP_MIN_RUN = 3
FLAT_TOP_LEVEL = 0.95
SNR_FRAME_S = 0.020
SNR_CAP_DB = 60.0
ACTIVE_BELOW_PEAK_DB = 40.0
LOUDNESS_BLOCK_S = bs1770.BLOCK_S  # nothing shorter than one gating block can be measured


@dataclass(frozen=True)
class QualityMetrics:
    snr_db: float
    clipping_rate: float
    active_ratio: float
    quality_score: float


def _clamp01(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def clipping_rate(audio: FloatAudio) -> float:
    magnitude = np.abs(np.asarray(audio, dtype=np.float32))
    if magnitude.size == 0:
        return 0.0
    clipped = magnitude >= FULL_SCALE
    peak = float(magnitude.max())
    if peak > 0:
        # A flat top is a run of equal magnitudes near the peak, so all of its samples are near the
        # peak: run-length encode only those (speech has few), runs broken by index gaps too.
        near = np.flatnonzero(magnitude >= FLAT_TOP_LEVEL * peak)
        values = magnitude[near]
        continues = (np.diff(near) == 1) & (np.diff(values) == 0)
        run_starts = np.flatnonzero(np.concatenate([[True], ~continues]))
        run_lengths = np.diff(np.concatenate([run_starts, [near.size]]))
        clipped[near[np.repeat(run_lengths >= FLAT_TOP_MIN_RUN, run_lengths)]] = True
    return float(np.count_nonzero(clipped) / magnitude.size)


def _frame_powers(audio: FloatAudio, sample_rate_hz: int) -> npt.NDArray[np.float64]:
    frame_samples = max(1, round(SNR_FRAME_S * sample_rate_hz))
    frame_count = len(audio) // frame_samples
    if frame_count == 0:
        return np.array([np.mean(np.asarray(audio, np.float64) ** 2)]) if len(audio) else np.zeros(0)
    frames = np.asarray(audio[: frame_count * frame_samples], np.float64).reshape(frame_count, frame_samples)
    return np.mean(frames**2, axis=1)


def estimate_snr_db(audio: FloatAudio, sample_rate_hz: int) -> float:
    return _snr_db(_frame_powers(audio, sample_rate_hz))


def _snr_db(powers: npt.NDArray[np.float64]) -> float:
    if powers.size == 0 or powers.max() <= 0:
        return 0.0
    ordered = np.sort(powers)
    noise_power = float(np.mean(ordered[: max(1, len(ordered) // 10)]))
    loud = ordered[len(ordered) // 2 :]
    signal_power = float(np.mean(loud)) - noise_power
    if noise_power <= 0:
        return SNR_CAP_DB
    if signal_power <= 0:
        return 0.0
    return float(min(SNR_CAP_DB, max(0.0, 10 * np.log10(signal_power / noise_power))))


def active_ratio(audio: FloatAudio, sample_rate_hz: int) -> float:
    """Share of frames within 40 dB of the loudest frame."""
    return _active_ratio(_frame_powers(audio, sample_rate_hz))


def _active_ratio(powers: npt.NDArray[np.float64]) -> float:
    if powers.size == 0 or powers.max() <= 0:
        return 0.0
    return float(np.mean(powers >= powers.max() * 10 ** (-ACTIVE_BELOW_PEAK_DB / 10)))


def measure_quality(audio: FloatAudio, sample_rate_hz: int) -> QualityMetrics:
    powers = _frame_powers(audio, sample_rate_hz)  # once: the SNR and the active share read the same frames
    snr_db = _snr_db(powers)
    clip_rate = clipping_rate(audio)
    active = _active_ratio(powers)
    snr_term = _clamp01((snr_db - 10.0) / 30.0)
    clip_term = _clamp01(1.0 - clip_rate / 0.01)
    score = _clamp01(active / 0.2) * (0.6 * snr_term + 0.4 * clip_term)
    return QualityMetrics(snr_db=snr_db, clipping_rate=clip_rate, active_ratio=active, quality_score=round(score, 4))


def integrated_loudness_lufs(audio: FloatAudio, sample_rate_hz: int) -> float:
    """Integrated loudness; -inf for silence. Audio shorter than one block is measured looped."""
    if len(audio) == 0 or not np.any(audio):
        return float("-inf")
    samples = np.asarray(audio, dtype=np.float64)
    min_samples = int(LOUDNESS_BLOCK_S * sample_rate_hz) + 1
    if len(samples) < min_samples:
        # A looped short clip has the clip's loudness; better than refusing to normalise "Sí."
        samples = np.tile(samples, -(-min_samples // len(samples)))
    return bs1770.integrated_loudness(samples, sample_rate_hz)
