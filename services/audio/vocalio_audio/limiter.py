"""The look-ahead peak limiter that never moves samples: the worker's audio path and the mastering
(`vocalio_audio.mastering`) both hold peaks with it, so there is one limiter."""

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from vocalio_audio.types import FloatAudio

LIMITER_WINDOW_S = 0.005


def db_to_gain(decibels: float) -> float:
    return float(10 ** (decibels / 20))


def limiter_window(sample_rate_hz: int) -> int:
    return max(1, round(LIMITER_WINDOW_S * sample_rate_hz))


def limit_peaks(audio: FloatAudio, sample_rate_hz: int, ceiling_dbfs: float) -> FloatAudio:
    """Keep every sample's magnitude at or below the ceiling with a smooth 5 ms gain envelope.

    The gain a sample needs is spread (minimum filter over ±window) and then averaged over
    ±window/2, so at each peak the averaged gain is still at most what the peak needs, and the gain
    ramps over milliseconds instead of flattening waveforms (hard clipping). Timing is untouched.
    A sample's gain depends only on the input within `reach` of it, so the envelope is computed
    only around the samples over the ceiling (speech has few), and everything else is left exactly
    as it is. Audio already under the ceiling is returned as it is (the same array).
    """
    ceiling = db_to_gain(ceiling_dbfs)
    magnitude = np.abs(audio)
    over = np.flatnonzero(magnitude > ceiling)
    if over.size == 0:
        return audio
    window = limiter_window(sample_rate_hz)
    reach = window + window // 2
    # Regions of peaks closer than 4 reaches share one envelope; each region is computed with a
    # margin of 2 reaches, where the gain needed is 1 on both sides, so its edges are exact.
    breaks = np.flatnonzero(np.diff(over) > 4 * reach)
    starts, ends = over[np.r_[0, breaks + 1]], over[np.r_[breaks, over.size - 1]]
    limited = np.array(audio, dtype=np.float32)
    for first, last in zip(starts.tolist(), ends.tolist(), strict=True):
        low, high = max(0, first - 2 * reach), min(len(audio), last + 2 * reach + 1)
        needed_gain = np.minimum(1.0, ceiling / np.maximum(magnitude[low:high], 1e-12))
        spread = minimum_filter1d(needed_gain, size=2 * window + 1, mode="nearest")
        smooth = uniform_filter1d(spread, size=2 * (window // 2) + 1, mode="nearest")
        limited[low:high] = audio[low:high] * smooth
    # The envelope already holds the ceiling; the clip only absorbs float32 rounding.
    safe_ceiling = np.nextafter(np.float32(ceiling), np.float32(0))
    return np.clip(limited, -safe_ceiling, safe_ceiling, out=limited)
