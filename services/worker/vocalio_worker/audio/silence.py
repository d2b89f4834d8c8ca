"""Finds silence in 10 ms frames and shortens it, keeping a map so chunk spans can follow the cuts."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatAudio = npt.NDArray[np.float32]
FRAME_S = 0.010


def frame_rms_db(audio: FloatAudio, frame_samples: int) -> npt.NDArray[np.float64]:
    """RMS level of consecutive frames in dBFS (the last, partial frame included)."""
    frame_count = -(-len(audio) // frame_samples)
    padded = np.zeros(frame_count * frame_samples, dtype=np.float64)
    padded[: len(audio)] = audio
    power = np.mean(padded.reshape(frame_count, frame_samples) ** 2, axis=1)
    return 10 * np.log10(np.maximum(power, 1e-20))


@dataclass(frozen=True)
class SilenceCut:
    """What `shorten_silences` kept: [start, end) ranges of the input, in order."""

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


def shorten_silences(
    audio: FloatAudio,
    sample_rate_hz: int,
    max_silence_s: float,
    edge_silence_s: float,
    threshold_db: float,
) -> tuple[FloatAudio, SilenceCut]:
    """Trim leading/trailing silence to `edge_silence_s` and internal runs to `max_silence_s`.

    A frame is silent when it sits `threshold_db` (negative) below the loudest frame, so the rule
    works before loudness normalisation. Internal runs keep their two ends (half each), so speech
    never gets cut into and the join sits in near-silence.
    """
    if len(audio) == 0:
        return audio, SilenceCut([])
    frame_samples = max(1, round(FRAME_S * sample_rate_hz))
    levels_db = frame_rms_db(audio, frame_samples)
    silent = levels_db < levels_db.max() + threshold_db
    if silent.all():  # nothing but silence: keep it as is, there is no speech to measure against
        return audio, SilenceCut([(0, len(audio))])
    voiced = np.flatnonzero(~silent)
    first_voiced_sample = int(voiced[0]) * frame_samples
    end_voiced_sample = min(len(audio), (int(voiced[-1]) + 1) * frame_samples)
    edge_samples = round(edge_silence_s * sample_rate_hz)
    max_silence_samples = round(max_silence_s * sample_rate_hz)
    removed: list[tuple[int, int]] = []
    if first_voiced_sample > edge_samples:
        removed.append((0, first_voiced_sample - edge_samples))
    # internal silent runs between voiced frames
    gaps = np.flatnonzero(np.diff(voiced) > 1)
    for gap in gaps:
        run_start = (voiced[gap] + 1) * frame_samples
        run_end = voiced[gap + 1] * frame_samples
        excess = (run_end - run_start) - max_silence_samples
        if excess > 0:
            cut_start = int(run_start + max_silence_samples // 2)
            removed.append((cut_start, cut_start + int(excess)))
    if len(audio) - end_voiced_sample > edge_samples:
        removed.append((end_voiced_sample + edge_samples, len(audio)))
    kept: list[tuple[int, int]] = []
    position = 0
    for start, end in removed:
        if start > position:
            kept.append((position, start))
        position = end
    if position < len(audio):
        kept.append((position, len(audio)))
    shortened = np.concatenate([audio[start:end] for start, end in kept]).astype(np.float32, copy=False)
    return shortened, SilenceCut(kept)
