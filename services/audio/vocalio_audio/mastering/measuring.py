"""Measuring a file as delivery specs do: whole-file RMS, sample peak, true peak, noise floor,
head and tail room tone, integrated and short-term loudness.

- RMS: over every sample of the file, silences included (ACX's definition; ACX Check does the same).
- True peak: the signal oversampled 4x with a polyphase FIR as BS.1770 Annex 2 describes, its largest
  magnitude; only the points next to samples within `TRUE_PEAK_SEARCH_DB` of the sample peak are
  interpolated (an inter-sample peak 6 dB over the samples around it does not occur in audio).
- Noise floor: RMS of the quietest 500 ms of the file (`NOISE_WINDOW_S`): ACX measures the floor
  on room tone, and the quietest half second of a narration is a pause.
- Speech: a 10 ms frame is speech when its RMS is within `SPEECH_BELOW_LOUDEST_DB` of the loudest
  frame and `SPEECH_OVER_FLOOR_DB` over the noise floor; head room tone is the time before the first
  speech frame, tail room tone the time after the last one.
- Loudness: ITU-R BS.1770 (`vocalio_audio.bs1770`, pyloudnorm's filters and gates): integrated, and
  short-term (3 s windows) every `timeline_step` for the loudness plot; None where a window is under
  the -70 LUFS absolute gate. Both come from one K-weighting pass over the file.

Levels are dBFS; digital silence reads `SILENCE_DBFS` (-120), never -inf, so reports stay JSON.
"""

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.signal import firwin
from vocalio_shared.schemas.quality import AudioMeasurements

from vocalio_audio import bs1770
from vocalio_audio.metrics import integrated_loudness_lufs
from vocalio_audio.types import FloatAudio

SILENCE_DBFS = -120.0
FRAME_S = 0.010
NOISE_WINDOW_S = 0.5
SPEECH_BELOW_LOUDEST_DB = 40.0
SPEECH_OVER_FLOOR_DB = 6.0
TRUE_PEAK_OVERSAMPLING = 4
TRUE_PEAK_TAPS = 97  # odd: a whole delay of 48 output samples, 12 input samples
TRUE_PEAK_REACH = (TRUE_PEAK_TAPS - 1) // (2 * TRUE_PEAK_OVERSAMPLING)
TRUE_PEAK_BATCH = 1 << 18
TRUE_PEAK_KAISER_BETA = 8.0  # within 0.03 dB of scipy's resample_poly on full-band noise
TRUE_PEAK_SEARCH_DB = 6.0
SHORT_TERM_S = 3.0
TIMELINE_STEP_S = 1.0
TIMELINE_MAX_POINTS = 1200  # a long chapter's plot is spaced wider instead of growing
ABSOLUTE_GATE_LUFS = -70.0
DECIMALS = 2
RMS_BLOCK = 1 << 20  # samples summed in float32 at a time, the blocks added in float64


def to_db(value: float) -> float:
    """A linear level (RMS or magnitude) in dBFS, silence at SILENCE_DBFS."""
    return max(SILENCE_DBFS, 20 * math.log10(value)) if value > 0 else SILENCE_DBFS


def rms_dbfs(audio: FloatAudio) -> float:
    if audio.size == 0:
        return SILENCE_DBFS
    # no float64 copy of the whole file: a million float32 products lose nothing a dB figure shows
    flat = audio.reshape(-1)
    blocks = (flat[start : start + RMS_BLOCK] for start in range(0, flat.size, RMS_BLOCK))
    total = math.fsum(float(np.dot(block, block)) for block in blocks)
    return to_db(math.sqrt(total / flat.size))


def peak_dbfs(audio: FloatAudio) -> float:
    return to_db(float(np.max(np.abs(audio)))) if audio.size else SILENCE_DBFS


def _interpolator() -> npt.NDArray[np.float64]:
    """(4 phases, taps) of a 4x low-pass FIR (97 taps, cut at the input's Nyquist): row p gives the
    value p/4 of a sample after each input sample, from the input samples around it."""
    taps = (
        firwin(TRUE_PEAK_TAPS, 1 / TRUE_PEAK_OVERSAMPLING, window=("kaiser", TRUE_PEAK_KAISER_BETA))
        * TRUE_PEAK_OVERSAMPLING
    )
    phases = np.zeros((TRUE_PEAK_OVERSAMPLING, TRUE_PEAK_REACH * 2 + 1))
    for phase in range(TRUE_PEAK_OVERSAMPLING):
        row = taps[phase::TRUE_PEAK_OVERSAMPLING]
        phases[phase, : row.size] = row
    return phases


_INTERPOLATOR = _interpolator()


def true_peak_dbfs(audio: FloatAudio, search_db: float = TRUE_PEAK_SEARCH_DB) -> float:
    """The 4x oversampled peak (BS.1770's method: a polyphase FIR, here 97 taps). Only the points
    around local maxima within `search_db` of the sample peak are interpolated: an inter-sample peak
    that far over its neighbours does not occur in real audio. Never under the sample peak."""
    magnitude = np.abs(audio)
    if magnitude.size == 0 or float(magnitude.max()) <= 0:
        return SILENCE_DBFS
    sample_peak = float(magnitude.max())
    # candidates: local maxima of |x| within search_db of the peak (a band-limited signal peaks next
    # to the largest sample around it); the points after such a sample and after the one before it
    near = magnitude >= sample_peak * 10 ** (-search_db / 20)
    near[1:] &= magnitude[1:] >= magnitude[:-1]
    near[:-1] &= magnitude[:-1] >= magnitude[1:]
    near[:-1] |= near[1:]
    starts = np.flatnonzero(near)
    padded = np.concatenate([np.zeros(TRUE_PEAK_REACH, np.float32), audio, np.zeros(TRUE_PEAK_REACH + 1, np.float32)])
    offsets = TRUE_PEAK_REACH * 2 - np.arange(_INTERPOLATOR.shape[1])
    phases = _INTERPOLATOR[1:].T.astype(np.float32)
    best = sample_peak
    for first in range(0, starts.size, TRUE_PEAK_BATCH):  # batches bound the memory of a long chapter
        # the value at start + p/4 is the sum over q of phases[p, q] * x[start + REACH - q]
        window = padded[starts[first : first + TRUE_PEAK_BATCH, None] + offsets[None, :]]
        best = max(best, float(np.max(np.abs(window @ phases))))
    return to_db(best)


def frame_db(audio: FloatAudio, sample_rate_hz: int) -> npt.NDArray[np.float64]:
    """RMS of each whole 10 ms frame, in dBFS (the last partial frame is left out)."""
    size = max(1, round(FRAME_S * sample_rate_hz))
    count = audio.size // size
    if count == 0:
        return np.array([rms_dbfs(audio)]) if audio.size else np.zeros(0)
    frames = audio[: count * size].reshape(count, size)
    power = np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / size
    with np.errstate(divide="ignore"):
        return np.maximum(SILENCE_DBFS, 10 * np.log10(power))


def noise_floor_dbfs(frames_db: npt.NDArray[np.float64]) -> float:
    """RMS of the quietest NOISE_WINDOW_S (the whole file when shorter), from the 10 ms frames."""
    if frames_db.size == 0:
        return SILENCE_DBFS
    power = 10 ** (frames_db / 10)
    width = min(frames_db.size, round(NOISE_WINDOW_S / FRAME_S))
    sums = np.convolve(power, np.ones(width), mode="valid") / width
    return max(SILENCE_DBFS, 10 * math.log10(float(sums.min()))) if sums.min() > 0 else SILENCE_DBFS


def speech_threshold_db(frames_db: npt.NDArray[np.float64], floor_dbfs: float) -> float:
    return max(float(frames_db.max()) - SPEECH_BELOW_LOUDEST_DB, floor_dbfs + SPEECH_OVER_FLOOR_DB)


def speech_mask(frames_db: npt.NDArray[np.float64], floor_dbfs: float) -> npt.NDArray[np.bool_]:
    if frames_db.size == 0:
        return np.zeros(0, dtype=bool)
    return frames_db >= speech_threshold_db(frames_db, floor_dbfs)


@dataclass(frozen=True)
class Measurement:
    figures: AudioMeasurements
    speech_frames: tuple[int, int] | None  # [first, last] speech frame; None when nothing is speech
    frame_samples: int
    timeline_step_s: float | None
    timeline_lufs: list[float | None]


def loudness_timeline(weighted: bs1770.KWeighted) -> tuple[float | None, list[float | None]]:
    """(step, short-term loudness every step); (None, []) for audio shorter than one 3 s window."""
    duration_s = weighted.size / weighted.sample_rate_hz
    if duration_s < SHORT_TERM_S:
        return None, []
    step_s = max(TIMELINE_STEP_S, math.ceil(duration_s / TIMELINE_MAX_POINTS))
    loudness = bs1770.block_loudness(weighted.block_mean_squares(SHORT_TERM_S, 1 - step_s / SHORT_TERM_S))
    points = [round(float(value), DECIMALS) if value >= ABSOLUTE_GATE_LUFS else None for value in loudness]
    return step_s, points


def measure(audio: FloatAudio, sample_rate_hz: int, *, timeline: bool = True) -> Measurement:
    """Everything a preset's rules read. `audio` is mono, or (samples, channels): levels then read
    the loudest channel's peaks and the mix for the rest."""
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    peaks_of = audio.reshape(-1) if audio.ndim == 2 else audio
    mono = audio if audio.ndim == 1 else audio.mean(axis=1, dtype=np.float32)
    mono = np.asarray(mono, dtype=np.float32)
    frames = frame_db(mono, sample_rate_hz)
    floor = noise_floor_dbfs(frames)
    mask = speech_mask(frames, floor)
    duration_s = mono.size / sample_rate_hz
    frame_samples = max(1, round(FRAME_S * sample_rate_hz))
    speech = np.flatnonzero(mask)
    if speech.size and frames.max() > SILENCE_DBFS:
        bounds: tuple[int, int] | None = (int(speech[0]), int(speech[-1]))
        head_s = bounds[0] * frame_samples / sample_rate_hz
        tail_s = max(0.0, duration_s - (bounds[1] + 1) * frame_samples / sample_rate_hz)
    else:
        bounds, head_s, tail_s = None, duration_s, duration_s
    # one K-weighting pass for both loudness figures; a clip under one block is measured looped
    long_enough = mono.size > bs1770.BLOCK_S * sample_rate_hz
    weighted = bs1770.k_weight(mono, sample_rate_hz) if long_enough and timeline else None
    if weighted is not None:
        lufs = bs1770.integrated(weighted)
    else:
        lufs = integrated_loudness_lufs(mono, sample_rate_hz) if mono.size else float("-inf")
    figures = AudioMeasurements(
        duration_s=round(duration_s, 3),
        sample_rate_hz=sample_rate_hz,
        channels=channels,
        rms_dbfs=round(rms_dbfs(mono), DECIMALS),
        peak_dbfs=round(peak_dbfs(peaks_of), DECIMALS),
        true_peak_dbfs=round(max(true_peak_dbfs(channel) for channel in _channels(audio)), DECIMALS),
        noise_floor_dbfs=round(floor, DECIMALS),
        head_room_tone_s=round(head_s, 3),
        tail_room_tone_s=round(tail_s, 3),
        integrated_lufs=round(lufs, DECIMALS) if math.isfinite(lufs) else None,
    )
    step_s, points = loudness_timeline(weighted) if weighted is not None else (None, [])
    return Measurement(figures, bounds, frame_samples, step_s, points)


def _channels(audio: FloatAudio) -> list[FloatAudio]:
    if audio.ndim == 1:
        return [audio]
    return [np.ascontiguousarray(audio[:, index]) for index in range(audio.shape[1])]
