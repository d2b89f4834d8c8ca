"""Finds silence in 10 ms frames and shortens it as the audio flows, keeping a map of what it kept
so chunk spans (captions) can follow the cuts.

Rules, the same for every job:
- a frame is silent when its RMS is below an absolute level (dBFS), which the job sets from its first
  chunk (its loudest frame plus `silence_threshold_db`), so the decision never waits for later audio;
- leading silence is trimmed to `edge_silence_s` (its end is kept), trailing silence likewise (its
  start is kept), internal runs longer than `max_silence_s` keep their two ends (half each), so speech
  is never cut into and the join sits in near-silence;
- audio that is nothing but silence is left as it is.
A silent run is held back until the next voiced frame (or the end) says how much of it to keep;
voiced frames are final at once.
"""

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from vocalio_audio.types import FloatAudio

FRAME_S = 0.010
SILENT_DB = -200.0  # the level of digital silence (and of no frame at all)


def frame_rms_db(audio: FloatAudio, frame_samples: int) -> npt.NDArray[np.float64]:
    """RMS level of consecutive frames in dBFS (the last, partial frame measured zero-padded)."""
    samples = np.asarray(audio, dtype=np.float32)
    whole = len(samples) // frame_samples
    frames = samples[: whole * frame_samples].reshape(whole, frame_samples)
    energy = np.einsum("ij,ij->i", frames, frames).astype(np.float64)  # no float64 copy of the audio
    if len(samples) > whole * frame_samples:
        rest = samples[whole * frame_samples :].astype(np.float64)
        energy = np.append(energy, np.dot(rest, rest))
    return 10 * np.log10(np.maximum(energy / frame_samples, 1e-20))


def loudest_frame_db(audio: FloatAudio, sample_rate_hz: int) -> float:
    levels = frame_rms_db(np.asarray(audio, dtype=np.float32), frame_samples_at(sample_rate_hz))
    return float(levels.max()) if len(levels) else SILENT_DB


def frame_samples_at(sample_rate_hz: int) -> int:
    return max(1, round(FRAME_S * sample_rate_hz))


@dataclass(frozen=True)
class SilenceCut:
    """What the shortener kept: [start, end) ranges of its input, in order."""

    kept_ranges_samples: list[tuple[int, int]]

    def map_position(self, input_position: int) -> int:
        """Where an input sample position lands in the output (a removed position maps to the cut)."""
        output_position = 0
        for start, end in self.kept_ranges_samples:
            if input_position <= start:
                break
            output_position += min(input_position, end) - start
        return output_position

    def map_spans(self, spans_samples: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(self.map_position(start), self.map_position(end)) for start, end in spans_samples]


def _empty() -> FloatAudio:
    return np.zeros(0, dtype=np.float32)


class SilenceShortener:
    """Feed audio in order with `push`, then `finish`; each call returns the samples now final."""

    def __init__(self, sample_rate_hz: int, max_silence_s: float, edge_silence_s: float, threshold_dbfs: float):
        self.frame_samples = frame_samples_at(sample_rate_hz)
        self.max_silence_samples = round(max_silence_s * sample_rate_hz)
        self.edge_samples = round(edge_silence_s * sample_rate_hz)
        self.threshold_dbfs = threshold_dbfs
        self._unframed: FloatAudio = _empty()
        self._position = 0  # input position of the first unframed sample
        self._run: list[FloatAudio] = []  # the silent run in progress
        self._run_start = 0
        self._seen_voice = False
        self.kept_ranges_samples: list[tuple[int, int]] = []

    @property
    def cut(self) -> SilenceCut:
        return SilenceCut(list(self.kept_ranges_samples))

    def push(self, samples: FloatAudio) -> FloatAudio:
        audio = np.concatenate([self._unframed, np.asarray(samples, dtype=np.float32)])
        whole = len(audio) // self.frame_samples * self.frame_samples
        self._unframed = audio[whole:]
        return self._frames(audio[:whole])

    def finish(self) -> FloatAudio:
        """The last partial frame and the trailing silence (trimmed to the edge)."""
        out = [self._frames(self._unframed)]
        self._unframed = _empty()
        run = np.concatenate(self._run) if self._run else _empty()
        self._run = []
        keep = min(self.edge_samples, len(run)) if self._seen_voice else len(run)  # all silence: left alone
        out.append(self._keep(run, self._run_start, [(0, keep)]))
        return np.concatenate(out)

    def _frames(self, audio: FloatAudio) -> FloatAudio:
        """Whole runs of frames at a time: one level per frame, then one step per silent/voiced run."""
        if len(audio) == 0:
            return _empty()
        silent = frame_rms_db(audio, self.frame_samples) < self.threshold_dbfs
        edges = [0, *(np.flatnonzero(np.diff(silent)) + 1).tolist(), len(silent)]
        out: list[FloatAudio] = []
        for first, last in itertools.pairwise(edges):
            start, end = first * self.frame_samples, min(len(audio), last * self.frame_samples)
            if silent[first]:
                if not self._run:
                    self._run_start = self._position + start
                self._run.append(audio[start:end])
                continue
            out.append(self._close_run())
            out.append(self._keep(audio[start:end], self._position + start, [(0, end - start)]))
            self._seen_voice = True
        self._position += len(audio)
        return np.concatenate(out) if out else _empty()

    def _close_run(self) -> FloatAudio:
        """A voiced frame ends the silent run: keep its end (leading) or both ends (internal)."""
        if not self._run:
            return _empty()
        run = np.concatenate(self._run)
        self._run = []
        length = len(run)
        if not self._seen_voice:
            keep = [(max(0, length - self.edge_samples), length)]
        elif length > self.max_silence_samples:
            head = self.max_silence_samples // 2
            keep = [(0, head), (length - (self.max_silence_samples - head), length)]
        else:
            keep = [(0, length)]
        return self._keep(run, self._run_start, keep)

    def _keep(self, audio: FloatAudio, input_start: int, ranges: list[tuple[int, int]]) -> FloatAudio:
        pieces = []
        for start, end in ranges:
            if end <= start:
                continue
            pieces.append(audio[start:end])
            absolute = (input_start + start, input_start + end)
            if self.kept_ranges_samples and self.kept_ranges_samples[-1][1] == absolute[0]:
                self.kept_ranges_samples[-1] = (self.kept_ranges_samples[-1][0], absolute[1])
            else:
                self.kept_ranges_samples.append(absolute)
        return np.concatenate(pieces) if pieces else _empty()
