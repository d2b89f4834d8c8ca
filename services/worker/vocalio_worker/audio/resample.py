"""Sample-rate conversion with soxr (high quality, fast, deterministic)."""

import numpy as np
import numpy.typing as npt
import soxr
from vocalio_audio.types import FloatAudio


def resample(audio: npt.ArrayLike, from_rate_hz: int, to_rate_hz: int) -> FloatAudio:
    """float32 mono at `to_rate_hz`; the input is returned as float32 unchanged when rates match."""
    samples = np.asarray(audio, dtype=np.float32)
    if from_rate_hz <= 0 or to_rate_hz <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate_hz} → {to_rate_hz}")
    if from_rate_hz == to_rate_hz or samples.size == 0:
        return samples
    return np.asarray(soxr.resample(samples, from_rate_hz, to_rate_hz, quality="HQ"), dtype=np.float32)
