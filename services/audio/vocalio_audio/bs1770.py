"""ITU-R BS.1770 loudness with one K-weighting pass per file, for mono audio.

pyloudnorm's `Meter` filters the whole signal again for every figure it gives (two `lfilter`
calls in float64 each time) and averages each gating block in a Python loop. A chapter's report
needs the integrated loudness and the 3 s short-term timeline of the same audio, so that was two
full passes over an hour of samples, plus one more for the figure before mastering. Here the
signal is K-weighted once (pyloudnorm's own two biquads, run as one `sosfilt` cascade) and every
block's mean square comes from one cumulative sum: the blocks, the gates and the figures are
pyloudnorm's to float64 rounding (tests/audio/test_bs1770.py holds them to 1e-6 LU).
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyloudnorm
from scipy.signal import sosfilt

from vocalio_audio.types import FloatAudio

BLOCK_S = 0.4  # the gating block
BLOCK_OVERLAP = 0.75
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LOUDNESS_OFFSET = -0.691  # BS.1770's constant between a K-weighted mean square and LKFS


@lru_cache(maxsize=8)
def _k_weighting_sos(sample_rate_hz: int) -> npt.NDArray[np.float64]:
    """pyloudnorm's K-weighting stages (high shelf, then high pass) as second-order sections,
    each stage's passband gain folded into its numerator."""
    sections = []
    for stage in pyloudnorm.Meter(sample_rate_hz)._filters.values():
        b = np.asarray(stage.b, dtype=np.float64) * stage.passband_gain
        a = np.asarray(stage.a, dtype=np.float64)
        sections.append(np.concatenate([b / a[0], a / a[0]]))
    return np.array(sections)


@dataclass(frozen=True)
class KWeighted:
    """A mono signal K-weighted once; `cumulative[i]` is the sum of squares of its first i + 1
    samples (the weighted signal itself is not kept: a long chapter holds one float64 array)."""

    sample_rate_hz: int
    cumulative: npt.NDArray[np.float64]

    @property
    def size(self) -> int:
        return self.cumulative.size

    def _energy_before(self, index: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Sum of squares of the samples before each index."""
        return np.where(index > 0, self.cumulative[np.maximum(index - 1, 0)], 0.0)

    def block_mean_squares(self, block_s: float, overlap: float) -> npt.NDArray[np.float64]:
        """Mean square of each block, laid out and normalised exactly as pyloudnorm's Meter does
        (its block count, its int() bounds, divided by the nominal block length)."""
        rate = self.sample_rate_hz
        step = 1.0 - overlap
        duration_s = self.size / rate
        count = int(np.round((duration_s - block_s) / (block_s * step))) + 1
        if count <= 0:
            return np.zeros(0)
        index = np.arange(count)
        lower = (block_s * (index * step) * rate).astype(np.int64)
        upper = np.minimum((block_s * (index * step + 1) * rate).astype(np.int64), self.size)
        lower = np.minimum(lower, upper)
        return (self._energy_before(upper) - self._energy_before(lower)) * (1.0 / (block_s * rate))


def k_weight(audio: FloatAudio, sample_rate_hz: int) -> KWeighted:
    samples = np.asarray(audio, dtype=np.float64).reshape(-1)
    weighted = sosfilt(_k_weighting_sos(sample_rate_hz), samples)
    np.square(weighted, out=weighted)
    np.cumsum(weighted, out=weighted)  # in place: the one array a long chapter costs
    return KWeighted(sample_rate_hz, weighted)


def block_loudness(mean_squares: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        return LOUDNESS_OFFSET + 10.0 * np.log10(np.maximum(mean_squares, 0.0))


def integrated(weighted: KWeighted) -> float:
    """Gated integrated loudness (LUFS): the absolute gate, then the relative one; -inf when no
    block passes (silence, or audio shorter than one block)."""
    mean_squares = weighted.block_mean_squares(BLOCK_S, BLOCK_OVERLAP)
    loudness = block_loudness(mean_squares)
    above_absolute = loudness >= ABSOLUTE_GATE_LUFS
    if not above_absolute.any():
        return float("-inf")
    relative_gate = float(block_loudness(np.array([mean_squares[above_absolute].mean()]))[0]) + RELATIVE_GATE_LU
    gated = (loudness > relative_gate) & (loudness > ABSOLUTE_GATE_LUFS)
    if not gated.any():
        return float("-inf")
    return float(block_loudness(np.array([mean_squares[gated].mean()]))[0])


def integrated_loudness(audio: FloatAudio, sample_rate_hz: int) -> float:
    return integrated(k_weight(audio, sample_rate_hz))
