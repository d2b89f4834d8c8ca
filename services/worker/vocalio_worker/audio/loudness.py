"""Gain to a loudness target and a look-ahead peak limiter that never moves samples (loudness is
measured by `vocalio_audio.metrics.integrated_loudness_lufs`).

The limiter is one function, `vocalio_audio.limiter.limit_peaks` (the mastering uses it too);
`StreamingLimiter` runs that same function on a stream.
"""

import numpy as np
from vocalio_audio.limiter import db_to_gain, limit_peaks, limiter_window
from vocalio_audio.metrics import integrated_loudness_lufs
from vocalio_audio.types import FloatAudio

MAX_GAIN_DB = 40.0  # beyond this we would be amplifying noise, not speech
LOUDNESS_PASSES = 3
LOUDNESS_TOLERANCE_LU = 0.3
ESTIMATE_LIMIT_DB = 0.5  # limiter changes up to this are estimated from energy, larger ones measured
GAIN_CAPPED_WARNING = f"gain capped at +{MAX_GAIN_DB:.0f} dB; audio is quieter than the target"


class StreamingLimiter:
    """`limit_peaks` on a stream: a sample's gain depends on the input within `reach` samples of
    it, so that many samples are held back and that many already sent are kept as left context."""

    def __init__(self, sample_rate_hz: int, ceiling_dbfs: float):
        self.sample_rate_hz = sample_rate_hz
        self.ceiling_dbfs = ceiling_dbfs
        window = limiter_window(sample_rate_hz)
        self.reach = window + window // 2
        self._context: FloatAudio = np.zeros(0, dtype=np.float32)
        self._pending: FloatAudio = np.zeros(0, dtype=np.float32)

    def push(self, samples: FloatAudio) -> FloatAudio:
        self._pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        return self._emit(len(self._pending) - self.reach)

    def finish(self) -> FloatAudio:
        return self._emit(len(self._pending))

    def _emit(self, count: int) -> FloatAudio:
        if count <= 0:
            return np.zeros(0, dtype=np.float32)
        audio = np.concatenate([self._context, self._pending])
        start = len(self._context)
        ready = limit_peaks(audio, self.sample_rate_hz, self.ceiling_dbfs)[start : start + count]
        self._context = audio[: start + count][-2 * self.reach :]
        self._pending = self._pending[count:]
        return ready


def first_chunk_gain_db(first_chunk: FloatAudio, sample_rate_hz: int, target_lufs: float) -> tuple[float, list[str]]:
    """(gain, warnings) a live stream applies from its first chunk on: target − that chunk's loudness."""
    input_lufs = integrated_loudness_lufs(first_chunk, sample_rate_hz)
    if not np.isfinite(input_lufs):
        return 0.0, ["first chunk is silent; loudness not normalised"]
    gain_db = min(target_lufs - input_lufs, MAX_GAIN_DB)
    return gain_db, [GAIN_CAPPED_WARNING] if gain_db >= MAX_GAIN_DB - 1e-6 else []


def energy_change_db(before: FloatAudio, after: FloatAudio) -> float:
    """How much quieter `after` is, in dB of plain energy (0 for silence)."""
    energy_before, energy_after = float(np.dot(before, before)), float(np.dot(after, after))
    if energy_before <= 0 or energy_after <= 0:
        return 0.0
    return 10 * float(np.log10(energy_after / energy_before))


def normalize_loudness(
    audio: FloatAudio, sample_rate_hz: int, target_lufs: float, peak_limit_dbfs: float
) -> tuple[FloatAudio, float, list[str]]:
    """(audio, gain_db, warnings): the whole file's gain to the target, then the limiter.

    Loudness is measured once; gain moves it by exactly its decibels. The limiter lowers it on
    peaky audio: a small change (under ESTIMATE_LIMIT_DB) is taken from the energy the limiter
    removed (it only touches peaks, so on speech that matches a fresh BS.1770 measurement within a
    few hundredths of a LU), a larger one is measured. The gain is then corrected by the secant
    through the last two passes (the limiter eats part of each step) and the limiter run again.
    """
    input_lufs = integrated_loudness_lufs(audio, sample_rate_hz)
    if not np.isfinite(input_lufs):
        return limit_peaks(audio, sample_rate_hz, peak_limit_dbfs), 0.0, ["audio is silent; loudness not normalised"]
    gain_db, current_lufs, current = 0.0, input_lufs, audio
    # the pass nearest the target wins; (distance, gain, audio, whether the limiter has seen it)
    best = (abs(target_lufs - input_lufs), gain_db, current, False)
    slope = 1.0  # loudness per dB of gain: 1 while the limiter does nothing
    for _ in range(LOUDNESS_PASSES):
        step_db = min((target_lufs - current_lufs) / slope, MAX_GAIN_DB - gain_db)
        if abs(target_lufs - current_lufs) <= LOUDNESS_TOLERANCE_LU or step_db == 0:
            break
        previous_gain_db, previous_lufs = gain_db, current_lufs
        gain_db += step_db
        scaled = audio * np.float32(db_to_gain(gain_db))
        current = limit_peaks(scaled, sample_rate_hz, peak_limit_dbfs)
        current_lufs = input_lufs + gain_db
        if current is not scaled:
            change_db = energy_change_db(scaled, current)
            if change_db > -ESTIMATE_LIMIT_DB:
                current_lufs += change_db
            else:
                current_lufs = integrated_loudness_lufs(current, sample_rate_hz)
        best = min(best, (abs(target_lufs - current_lufs), gain_db, current, True), key=lambda candidate: candidate[0])
        slope = min(1.0, max(0.25, (current_lufs - previous_lufs) / (gain_db - previous_gain_db)))
    _, gain_db, current, limited = best
    if not limited:  # no pass ran (or none came nearer): the input itself still needs its peaks limited
        current = limit_peaks(current, sample_rate_hz, peak_limit_dbfs)
    warnings = [GAIN_CAPPED_WARNING] if gain_db >= MAX_GAIN_DB - 1e-6 else []
    return current, gain_db, warnings
