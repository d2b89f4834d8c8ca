"""Gain helpers and a look-ahead peak limiter that never moves samples (loudness is measured by
`vocalio_audio.metrics.integrated_loudness_lufs`)."""

import numpy as np
import numpy.typing as npt
from scipy.ndimage import minimum_filter1d, uniform_filter1d

FloatAudio = npt.NDArray[np.float32]
LIMITER_WINDOW_S = 0.005


def db_to_gain(decibels: float) -> float:
    return float(10 ** (decibels / 20))


def limit_peaks(audio: FloatAudio, sample_rate_hz: int, ceiling_dbfs: float) -> FloatAudio:
    """Keep every sample's magnitude at or below the ceiling with a smooth 5 ms gain envelope.

    The gain a sample needs is spread (minimum filter over ±window) and then averaged over
    ±window/2, so at each peak the averaged gain is still at most what the peak needs, and the gain
    ramps over milliseconds instead of flattening waveforms (hard clipping). Timing is untouched.
    """
    ceiling = db_to_gain(ceiling_dbfs)
    magnitude = np.abs(audio)
    if len(audio) == 0 or magnitude.max() <= ceiling:
        return audio
    window = max(1, round(LIMITER_WINDOW_S * sample_rate_hz))
    needed_gain = np.minimum(1.0, ceiling / np.maximum(magnitude, 1e-12))
    spread = minimum_filter1d(needed_gain, size=2 * window + 1, mode="nearest")
    smooth = uniform_filter1d(spread, size=2 * (window // 2) + 1, mode="nearest")
    limited = audio * smooth
    # The envelope already holds the ceiling; the clip only absorbs float32 rounding.
    safe_ceiling = np.nextafter(np.float32(ceiling), np.float32(0))
    return np.clip(limited.astype(np.float32), -safe_ceiling, safe_ceiling)
