"""A chapter's voice in three figures (`VoiceStats`), for drift against the book's median (the API
compares chapters; the band is the API's).

- Speaking rate: letters and digits of the spoken text per second of speech, where speech is every
  10 ms frame of the chapter's mix within `SPEECH_DB` of its loudest frame (pauses between and
  inside sentences do not count: it is the articulation rate, which pauses settings do not move).
- Pitch: F0 by normalized autocorrelation. The mix is resampled to 16 kHz and cut into 40 ms
  frames every 20 ms; a speech frame is voiced when its autocorrelation, normalized by its energy,
  peaks at 0.5 or more between lags of 1/400 and 1/60 s; its F0 is the rate over the smallest lag
  whose value reaches 90 % of that peak (so a frame's period is preferred to twice its period, the
  usual octave error), refined by a parabola through the neighbours. The chapter's figures are
  the median and the interquartile range (Hz) over its voiced frames.
"""

import numpy as np
import numpy.typing as npt
from vocalio_audio.types import FloatAudio
from vocalio_shared.schemas.quality import VoiceStats

from vocalio_worker.audio.resample import resample
from vocalio_worker.audio.silence import frame_rms_db, frame_samples_at

SPEECH_DB = -40.0
FRAME_S = 0.010
PITCH_RATE_HZ = 16000
PITCH_WINDOW, PITCH_HOP = 640, 320  # 40 ms every 20 ms at 16 kHz
F0_MIN_HZ, F0_MAX_HZ = 60.0, 400.0
VOICING_MIN = 0.5
OCTAVE_GUARD = 0.9
FRAMES_PER_BLOCK = 2048  # pitch frames analysed at once (bounds memory on long chapters)


def chapter_voice_stats(mix: FloatAudio, rate_hz: int, spoken_characters: int) -> VoiceStats:
    samples = np.asarray(mix, dtype=np.float32).reshape(-1)
    if samples.size == 0:
        return VoiceStats()
    levels = frame_rms_db(samples, frame_samples_at(rate_hz))
    speech_s = float(np.count_nonzero(levels > levels.max() + SPEECH_DB)) * FRAME_S
    pitches = f0_track(samples, rate_hz)
    median = iqr = None
    if pitches.size:
        low, median_value, high = np.percentile(pitches, [25, 50, 75])
        median, iqr = round(float(median_value), 1), round(float(high - low), 1)
    return VoiceStats(
        speaking_rate_cps=round(spoken_characters / speech_s, 2) if speech_s > 0 else None,
        pitch_median_hz=median,
        pitch_iqr_hz=iqr,
    )


def spoken_characters(texts: list[str]) -> int:
    return sum(1 for text in texts for character in text if character.isalnum())


def f0_track(samples: FloatAudio, rate_hz: int) -> npt.NDArray[np.float64]:
    """F0 (Hz) of the voiced speech frames, in order."""
    audio = resample(samples, rate_hz, PITCH_RATE_HZ)
    if audio.size < PITCH_WINDOW:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(audio, PITCH_WINDOW)[::PITCH_HOP]
    energy = np.einsum("ij,ij->i", frames, frames)
    speech = energy > energy.max() * 10 ** (SPEECH_DB / 10)
    shortest, longest = int(PITCH_RATE_HZ / F0_MAX_HZ), int(np.ceil(PITCH_RATE_HZ / F0_MIN_HZ))
    window = np.hanning(PITCH_WINDOW)
    size = 2 * PITCH_WINDOW  # zero-padded: a linear, not circular, autocorrelation
    found: list[npt.NDArray[np.float64]] = []
    for start in range(0, len(frames), FRAMES_PER_BLOCK):
        block = frames[start : start + FRAMES_PER_BLOCK][speech[start : start + FRAMES_PER_BLOCK]].astype(np.float64)
        if not len(block):
            continue
        block = (block - block.mean(axis=1, keepdims=True)) * window
        spectrum = np.fft.rfft(block, n=size, axis=1)
        correlation = np.fft.irfft(np.abs(spectrum) ** 2, n=size, axis=1)[:, : longest + 2]
        normalized = correlation / np.maximum(correlation[:, :1], 1e-12)
        search = normalized[:, shortest : longest + 1]
        peak = search.max(axis=1)
        voiced = peak >= VOICING_MIN
        if not voiced.any():
            continue
        search, peak, normalized = search[voiced], peak[voiced], normalized[voiced]
        lag = np.argmax(search >= OCTAVE_GUARD * peak[:, None], axis=1)
        # the first lag past the guard may sit on the rising slope: climb to its local maximum
        for _ in range(longest - shortest):
            at = np.minimum(lag + 1, search.shape[1] - 1)
            rising = search[np.arange(len(lag)), at] > search[np.arange(len(lag)), lag]
            if not rising.any():
                break
            lag = np.where(rising, at, lag)
        absolute = lag + shortest
        rows = np.arange(len(absolute))
        left = normalized[rows, absolute - 1]
        centre = normalized[rows, absolute]
        right = normalized[rows, np.minimum(absolute + 1, normalized.shape[1] - 1)]
        curvature = left - 2 * centre + right
        shift = np.where(np.abs(curvature) > 1e-12, 0.5 * (left - right) / np.where(curvature == 0, 1, curvature), 0.0)
        found.append(PITCH_RATE_HZ / (absolute + np.clip(shift, -0.5, 0.5)))
    return np.concatenate(found) if found else np.zeros(0)
