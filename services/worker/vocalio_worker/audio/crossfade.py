"""Joins chunk audio with short overlaps, incrementally, so streaming and files get the same samples.

Rules of one join (chunk B after chunk A):
- the overlap is `min(fade, held tail of A, len(B) // 2)` samples: a chunk shorter than twice the
  fade still keeps its middle at full gain, and a chunk's fade-in and fade-out never overlap;
- A's last `overlap` samples fade out while B's first `overlap` samples fade in and are summed;
- the boundary between A and B (for captions) is the middle of their overlap.
Only the last `fade` samples of the newest chunk can still change, so `StreamingCrossfader.push`
emits everything before them at once. `crossfade()` is the same machine fed all at once, which is
why the concatenation of streamed pieces equals the one-shot output exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from vocalio_audio.types import FloatAudio

FadeCurve = Literal["equal_power", "linear"]
DEFAULT_CROSSFADE_S = 0.15


def fade_curves(length: int, curve: FadeCurve) -> tuple[FloatAudio, FloatAudio]:
    """(fade_out, fade_in) gains over `length` samples; equal_power keeps the sum's power constant."""
    position = (np.arange(length, dtype=np.float64) + 0.5) / max(length, 1)
    if curve == "equal_power":
        fade_in, fade_out = np.sin(position * np.pi / 2), np.cos(position * np.pi / 2)
    elif curve == "linear":
        fade_in, fade_out = position, 1.0 - position
    else:
        raise ValueError(f"unknown crossfade curve {curve!r}")
    return fade_out.astype(np.float32), fade_in.astype(np.float32)


class StreamingCrossfader:
    """Feed chunk arrays in order with `push`; each call returns the samples that are now final."""

    def __init__(self, sample_rate_hz: int, fade_s: float = DEFAULT_CROSSFADE_S, curve: FadeCurve = "equal_power"):
        if sample_rate_hz <= 0 or fade_s < 0:
            raise ValueError("sample_rate_hz must be positive and fade_s not negative")
        fade_curves(0, curve)  # validate the curve name now, not at the first join
        self.sample_rate_hz = sample_rate_hz
        self.fade_samples = round(fade_s * sample_rate_hz)
        self.curve: FadeCurve = curve
        self._held_tail: FloatAudio = np.zeros(0, dtype=np.float32)
        self._emitted_samples = 0
        self._chunk_starts: list[int] = []  # where each chunk's first sample lands in the output
        self._overlaps: list[int] = []  # samples shared with the previous chunk
        self._finished = False

    @property
    def total_samples(self) -> int:
        """Samples emitted so far plus those still held back."""
        return self._emitted_samples + len(self._held_tail)

    def push(self, chunk: npt.ArrayLike) -> FloatAudio:
        if self._finished:
            raise RuntimeError("push after finish")
        samples = np.asarray(chunk, dtype=np.float32).reshape(-1)
        if samples.size == 0:  # an empty chunk occupies no time and leaves the join state alone
            self._chunk_starts.append(self.total_samples)
            self._overlaps.append(0)
            return np.zeros(0, dtype=np.float32)
        tail = self._held_tail
        overlap = min(self.fade_samples, len(tail), len(samples) // 2)
        self._chunk_starts.append(self.total_samples - overlap)
        self._overlaps.append(overlap)
        fade_out, fade_in = fade_curves(overlap, self.curve)
        mixed = tail[len(tail) - overlap :] * fade_out + samples[:overlap] * fade_in
        joined = np.concatenate([tail[: len(tail) - overlap], mixed, samples[overlap:]])
        # Hold back what the next join may still fade: at most `fade` samples, none of this fade-in.
        hold = min(self.fade_samples, len(samples) - overlap)
        ready = joined[: len(joined) - hold]
        self._held_tail = joined[len(joined) - hold :].copy()
        self._emitted_samples += len(ready)
        return ready

    def finish(self) -> FloatAudio:
        """The held-back tail; after this the spans are final."""
        if self._finished:
            return np.zeros(0, dtype=np.float32)
        self._finished = True
        rest, self._held_tail = self._held_tail, np.zeros(0, dtype=np.float32)
        self._emitted_samples += len(rest)
        return rest

    @property
    def chunk_spans_samples(self) -> list[tuple[int, int]]:
        """[start, end) of each chunk in the output, split at the middle of overlaps; contiguous."""
        boundaries = [start + overlap // 2 for start, overlap in zip(self._chunk_starts, self._overlaps, strict=True)]
        if not boundaries:
            return []
        boundaries[0] = 0
        ends = [*boundaries[1:], self.total_samples]
        return list(zip(boundaries, ends, strict=True))

    @property
    def chunk_durations_s(self) -> list[float]:
        return [(end - start) / self.sample_rate_hz for start, end in self.chunk_spans_samples]


@dataclass(frozen=True)
class CrossfadeResult:
    audio: FloatAudio
    sample_rate_hz: int
    chunk_spans_samples: list[tuple[int, int]]

    @property
    def chunk_durations_s(self) -> list[float]:
        return [(end - start) / self.sample_rate_hz for start, end in self.chunk_spans_samples]

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate_hz


def crossfade(
    chunks: Iterable[npt.ArrayLike],
    sample_rate_hz: int,
    fade_s: float = DEFAULT_CROSSFADE_S,
    curve: FadeCurve = "equal_power",
) -> CrossfadeResult:
    """All chunks joined at once; identical to concatenating a StreamingCrossfader's output."""
    fader = StreamingCrossfader(sample_rate_hz, fade_s, curve)
    pieces = [fader.push(chunk) for chunk in chunks]
    pieces.append(fader.finish())
    audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    return CrossfadeResult(audio.astype(np.float32, copy=False), sample_rate_hz, fader.chunk_spans_samples)
