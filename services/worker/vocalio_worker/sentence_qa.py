"""The checks on one synthesized sentence, before it enters the sentence cache.

Each check is named (the names are stable: scripts and the dashboard read them in
`SentenceQA.failures` and `SentenceQA.scores`), measures one figure and compares it with a
threshold from `SentenceQASettings`:

- `near_silence`: the loudest 10 ms frame in dBFS; fails below `qa_min_level_dbfs`.
- `duration`: seconds of speech (first to last non-silent frame) over the expected duration,
  letters and digits of the spoken text / (`qa_chars_per_s[engine]` × speed). The rate is data per
  engine (not learned per chapter, so the first sentence of a chapter is judged like the last);
  fails outside [min_ratio × expected − slack, max_ratio × expected + slack], in ratio terms.
- `leading_silence`, `trailing_silence`: seconds before the first / after the last speech frame.
- `internal_silence`: the longest silence between the first and last speech frame, seconds.
- `clipping`: the fraction of samples at or above `qa_clip_level`.
- `loop`: seconds of the longest stretch that repeats the audio just before it (a word or phrase
  said again). Frames of 40 ms every 20 ms are described by their log spectrum in 24 bands, mean
  removed (the spectral shape, not the level); at each lag from 0.2 to 3 s, consecutive speech frames
  whose shape matches the frame one lag earlier (cosine ≥ `qa_loop_similarity`) form a run; a run
  that lasts at least its lag has said the same thing twice in a row. Fails above `qa_max_loop_s`.
- `ends_mid_word`: the level of the last 20 ms, dB below the loudest frame; speech that has not
  decayed by the end of the audio was cut off. Fails above `qa_max_end_level_db`.
- `asr_cer` (only with an ASR backend, see `asr`): character error rate of the transcription.

Silence here is relative to the sentence's loudest frame (`qa_silence_db`), so it is the same
for a quiet and a loud engine. The audio checked is the sentence as it is stored (at the job's
rate, before the chapter's post-processing).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from vocalio_audio.types import FloatAudio

from vocalio_worker.audio.resample import resample
from vocalio_worker.audio.silence import SILENT_DB, frame_rms_db, frame_samples_at
from vocalio_worker.qa_settings import SentenceQASettings

FRAME_S = 0.010  # level frames (silence, edges)
END_S = 0.020  # the stretch whose level says whether the speech decayed
LOOP_WINDOW_S, LOOP_HOP_S, LOOP_BANDS, LOOP_RATE_HZ = 0.040, 0.020, 24, 16000
LOOP_MIN_LAG_S = 0.2  # shorter lags are one sustained sound, not a repeat
LOOP_MAX_LAG_S = 3.0  # a repeat of a word or phrase; longer ones would cost more than they find
LOOP_MIN_RUN_OF_LAG = 0.8  # a repeat spans (almost) its whole lag; its edges blur a frame or two
LOOP_BAND_HZ = (80.0, 8000.0)
FLOOR_DB = -120.0  # a figure below this says "silence" and no more

NEAR_SILENCE, DURATION, LEADING_SILENCE, TRAILING_SILENCE = (
    "near_silence",
    "duration",
    "leading_silence",
    "trailing_silence",
)
INTERNAL_SILENCE, CLIPPING, LOOP, ENDS_MID_WORD, ASR_CER = (
    "internal_silence",
    "clipping",
    "loop",
    "ends_mid_word",
    "asr_cer",
)
CHECK_NAMES = (
    NEAR_SILENCE,
    DURATION,
    LEADING_SILENCE,
    TRAILING_SILENCE,
    INTERNAL_SILENCE,
    CLIPPING,
    LOOP,
    ENDS_MID_WORD,
    ASR_CER,
)


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    low: float | None  # the allowed band; None: no bound on that side
    high: float | None

    @property
    def passed(self) -> bool:
        return (self.low is None or self.value >= self.low) and (self.high is None or self.value <= self.high)

    @property
    def excess(self) -> float:
        """How far past its bound, relative to the bound (0 when it passes): the draws' tiebreak."""
        if self.low is not None and self.value < self.low:
            return (self.low - self.value) / max(abs(self.low), 1e-3)
        if self.high is not None and self.value > self.high:
            return (self.value - self.high) / max(abs(self.high), 1e-3)
        return 0.0


@dataclass(frozen=True)
class SentenceChecks:
    checks: list[Check]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[str]:
        return [check.name for check in self.checks if not check.passed]

    @property
    def scores(self) -> dict[str, float]:
        return {check.name: round(check.value, 4) for check in self.checks}

    @property
    def badness(self) -> tuple[int, float]:
        """The draws' ranking, lower is better: failed checks first, then how far past their bounds."""
        return len(self.failures), round(sum(check.excess for check in self.checks), 6)

    def with_check(self, check: Check) -> "SentenceChecks":
        return SentenceChecks([*self.checks, check])


def expected_speech_s(spoken: str, engine: str, speed: float, settings: SentenceQASettings) -> float:
    characters = sum(1 for character in spoken if character.isalnum())
    rate = settings.qa_chars_per_s.get(engine, settings.qa_default_chars_per_s)
    return characters / (rate * speed)


def check_sentence(
    audio: FloatAudio, rate_hz: int, spoken: str, *, engine: str, speed: float, settings: SentenceQASettings
) -> SentenceChecks:
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    frame = frame_samples_at(rate_hz)
    levels = frame_rms_db(samples, frame) if samples.size else np.array([SILENT_DB])
    loudest = float(levels.max())
    speech = levels > loudest + settings.qa_silence_db
    voiced = np.flatnonzero(speech)
    first, last = (int(voiced[0]), int(voiced[-1])) if voiced.size else (0, -1)
    total_s = samples.size / rate_hz
    speech_s = (last - first + 1) * FRAME_S if voiced.size else 0.0

    expected_s = expected_speech_s(spoken, engine, speed, settings)
    ratio = speech_s / expected_s if expected_s > 0 else 1.0
    low = max(0.0, settings.qa_duration_min_ratio - settings.qa_duration_slack_s / expected_s) if expected_s else None
    high = settings.qa_duration_max_ratio + settings.qa_duration_slack_s / expected_s if expected_s else None

    end = samples[-max(1, round(END_S * rate_hz)) :]
    end_energy = float(np.mean(end.astype(np.float64) ** 2)) if end.size else 0.0
    end_db = max(10 * np.log10(max(end_energy, 1e-20)) - loudest, FLOOR_DB)
    clipped = float(np.count_nonzero(np.abs(samples) >= settings.qa_clip_level)) / max(samples.size, 1)
    return SentenceChecks(
        [
            Check(NEAR_SILENCE, loudest, settings.qa_min_level_dbfs, None),
            Check(DURATION, ratio, low, high),
            Check(
                LEADING_SILENCE, first * FRAME_S if voiced.size else total_s, None, settings.qa_max_leading_silence_s
            ),
            Check(
                TRAILING_SILENCE,
                max(0.0, total_s - (last + 1) * FRAME_S) if voiced.size else total_s,
                None,
                settings.qa_max_trailing_silence_s,
            ),
            Check(
                INTERNAL_SILENCE,
                longest_false_run(speech[first : last + 1]) * FRAME_S,
                None,
                settings.qa_max_internal_silence_s,
            ),
            Check(CLIPPING, clipped, None, settings.qa_max_clipped_fraction),
            Check(LOOP, repeated_s(samples, rate_hz, settings), None, settings.qa_max_loop_s),
            Check(ENDS_MID_WORD, float(end_db), None, settings.qa_max_end_level_db),
        ]
    )


def longest_false_run(mask: npt.NDArray[np.bool_]) -> int:
    return longest_true_run(~mask)


def band_shapes(samples: FloatAudio, rate_hz: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """(frames × bands unit vectors of the mean-removed log band energies, which frames are speech),
    analysed at 16 kHz whatever the job's rate (the bands stop at 8 kHz)."""
    samples, rate_hz = resample(samples, rate_hz, LOOP_RATE_HZ), LOOP_RATE_HZ
    window, hop = round(LOOP_WINDOW_S * rate_hz), round(LOOP_HOP_S * rate_hz)
    if samples.size < window:
        return np.zeros((0, LOOP_BANDS)), np.zeros(0, dtype=bool)
    count = 1 + (samples.size - window) // hop
    frames = np.lib.stride_tricks.sliding_window_view(samples, window)[::hop][:count]
    size = 1 << (window - 1).bit_length()  # zero-padded to a power of two: the fast FFT size
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(window).astype(np.float32), n=size, axis=1)) ** 2
    frequencies = np.fft.rfftfreq(size, 1 / rate_hz)
    top = min(LOOP_BAND_HZ[1], rate_hz / 2)
    edges = np.geomspace(LOOP_BAND_HZ[0], top, LOOP_BANDS + 1)
    band_of = np.searchsorted(edges, frequencies, side="right") - 1
    bands = (band_of[:, None] == np.arange(LOOP_BANDS)[None, :]).astype(np.float32)  # bins × bands, 0/1
    energies = spectrum.astype(np.float32) @ bands
    frame_energy = energies.sum(axis=1)
    speech = 10 * np.log10(np.maximum(frame_energy, 1e-20)) > 10 * np.log10(max(frame_energy.max(), 1e-20)) - 30
    shapes = np.log(energies.astype(np.float64) + 1e-12)
    shapes -= shapes.mean(axis=1, keepdims=True)
    shapes /= np.maximum(np.linalg.norm(shapes, axis=1, keepdims=True), 1e-9)
    return shapes, speech


def repeated_s(samples: FloatAudio, rate_hz: int, settings: SentenceQASettings) -> float:
    """Seconds of repeated speech in the longest run of frames that repeat the frames one lag
    earlier, among runs at least as long as their lag (the same stretch twice in a row). A pause
    inside the repeated stretch repeats too: two silent frames match, without counting as speech.
    Every lag at once: row k of the (lags × frames) arrays compares frame i with frame i + lag_k."""
    shapes, speech = band_shapes(np.asarray(samples, dtype=np.float32), rate_hz)
    count = len(shapes)
    min_lag = max(1, round(LOOP_MIN_LAG_S / LOOP_HOP_S))
    max_lag = min(count // 2, round(LOOP_MAX_LAG_S / LOOP_HOP_S))
    if count < 2 * min_lag or max_lag < min_lag:
        return 0.0
    similar = (shapes @ shapes.T) >= settings.qa_loop_similarity  # frames × frames, a few hundred a side
    lags = np.arange(min_lag, max_lag + 1)
    frame = np.arange(count)
    later = frame[None, :] + lags[:, None]
    inside = later < count  # row k holds count - lag_k comparisons
    later = np.minimum(later, count - 1)
    speech_now, speech_later = speech[None, :], speech[later]
    repeats = speech_now & speech_later & similar[frame[None, :], later] & inside
    matches = (repeats | (~speech_now & ~speech_later)) & inside
    # runs of matches, each row closed by a False column so that no run spans two lags
    closed = np.zeros((lags.size, count + 1), dtype=bool)
    closed[:, :count] = matches
    flat = closed.ravel()
    starts = flat & ~np.concatenate(([False], flat[:-1]))
    if not starts.any():
        return 0.0
    run_of = np.cumsum(starts) - 1
    runs = int(run_of[-1]) + 1
    lengths = np.bincount(run_of[flat], minlength=runs)
    repeated_flat = np.zeros_like(flat)
    repeated_flat.reshape(lags.size, count + 1)[:, :count] = repeats
    repeated = np.bincount(run_of[repeated_flat], minlength=runs)
    lag_of_run = lags[np.flatnonzero(starts) // (count + 1)]
    long_enough = lengths >= LOOP_MIN_RUN_OF_LAG * lag_of_run
    longest = int(repeated[long_enough].max()) if long_enough.any() else 0
    return longest * LOOP_HOP_S


def longest_true_run(mask: npt.NDArray[np.bool_]) -> int:
    if not mask.any():
        return 0
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    changes = np.flatnonzero(np.diff(padded))
    return int((changes[1::2] - changes[::2]).max())
