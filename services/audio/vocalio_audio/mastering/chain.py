"""`master`: measure, fix, measure again, for one chapter.

1. Edges: a head or tail room tone outside the preset's range is trimmed or padded to the preset's
   target (speech is never cut: only what lies before the first / after the last speech frame).
2. Gain to the preset's loudness (whole-file RMS or integrated LUFS), then the limiter
   (`vocalio_audio.limiter.limit_peaks`) holding true peaks at the preset's ceiling; the gain is
   corrected for what the limiter took (a few passes).
3. Gate: when the floor between speech is over the preset's target, the non-speech stretches are
   attenuated by the difference (a 10 ms-ramped gain, speech held 150 ms after its last frame and
   50 ms before its first, so word tails and onsets are untouched).
4. Room tone: audio whose pauses are digital silence (a synthesized narration) gets low-level,
   seeded noise at the preset's `room_tone_dbfs` over the whole file; padding added to a recording
   with its own room tone is filled with noise at that room tone's level. Digital silence reads as
   a drop-out on headphones, and ACX asks for room tone, not silence, at the edges.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from vocalio_shared.schemas.quality import AudioReport

from vocalio_audio.limiter import db_to_gain, limit_peaks
from vocalio_audio.mastering import rules
from vocalio_audio.mastering.measuring import (
    FRAME_S,
    SILENCE_DBFS,
    Measurement,
    frame_db,
    measure,
    noise_floor_dbfs,
    rms_dbfs,
    speech_mask,
    true_peak_dbfs,
)
from vocalio_audio.mastering.preset import Preset
from vocalio_audio.metrics import integrated_loudness_lufs
from vocalio_audio.types import FloatAudio

GAIN_PASSES = 4
GAIN_TOLERANCE_DB = 0.1
TRUE_PEAK_PASSES = 4
TRUE_PEAK_CHECK_DB = 1.5  # after limiting, only stretches this near the ceiling can overshoot it
MAX_GAIN_DB = 40.0
GATE_HOLD_AFTER_S = 0.15
GATE_HOLD_BEFORE_S = 0.05
GATE_RAMP_S = 0.010
ROOM_TONE_SEED = 0x524F4F4D  # fixed: the same chapter masters to the same samples
ROOM_TONE_BELOW_DB = 6.0  # a floor this far under the room tone level is "no room tone of its own"


@dataclass(frozen=True)
class Mastered:
    samples: FloatAudio
    report: AudioReport
    head_shift: int  # samples added at the head (negative: trimmed); moves every time point by this

    def moved(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Sample spans of the input as spans of the master (clamped to it)."""
        size = self.samples.size
        return [
            (min(size, max(0, start + self.head_shift)), min(size, max(0, end + self.head_shift)))
            for start, end in spans
        ]


def master(samples: FloatAudio, sample_rate_hz: int, preset: Preset) -> tuple[FloatAudio, AudioReport]:
    mastered = master_audio(samples, sample_rate_hz, preset)
    return mastered.samples, mastered.report


def master_audio(samples: FloatAudio, sample_rate_hz: int, preset: Preset) -> Mastered:
    audio = np.asarray(samples, dtype=np.float32)
    before = measure(audio, sample_rate_hz, timeline=False)
    changes: list[str] = []
    if before.speech_frames is None:
        after = measure(audio, sample_rate_hz)
        report = rules.report(after, preset).model_copy(
            update={"before": before.figures, "changes": ["nothing mastered: no speech found"]}
        )
        return Mastered(audio, report, 0)

    audio, head_pad, tail_pad, shift = _edges(audio, sample_rate_hz, before, preset, changes)
    audio = _loudness(audio, sample_rate_hz, preset, head_pad + tail_pad, changes)
    audio = _gate(audio, sample_rate_hz, preset, changes)
    audio = _pad_with_room_tone(audio, sample_rate_hz, preset, head_pad, tail_pad, changes)

    after = measure(audio, sample_rate_hz)
    report = rules.report(after, preset).model_copy(update={"before": before.figures, "changes": changes})
    return Mastered(audio, report, shift)


def _edges(
    audio: FloatAudio, rate: int, before: Measurement, preset: Preset, changes: list[str]
) -> tuple[FloatAudio, int, int, int]:
    """(audio trimmed, head padding, tail padding, head shift): each edge inside its rule once padded.
    The padding is added last (`_pad_with_room_tone`), so the gate and the room tone measure the
    file's own floor, not the padding's."""
    assert before.speech_frames is not None
    first, last = before.speech_frames
    speech_start = first * before.frame_samples
    speech_end = min(audio.size, (last + 1) * before.frame_samples)
    head_s, tail_s = speech_start / rate, (audio.size - speech_end) / rate
    bounds = preset.rules
    new_head = _edge_target(head_s, bounds.head_room_tone_s, preset.master.head_room_tone_s)
    new_tail = _edge_target(tail_s, bounds.tail_room_tone_s, preset.master.tail_room_tone_s)
    head_samples = speech_start if new_head is None else round(new_head * rate)
    tail_samples = audio.size - speech_end if new_tail is None else round(new_tail * rate)
    if new_head is not None:
        changes.append(f"head room tone {head_s:.2f} s → {new_head:.2f} s ({_verb(head_samples, speech_start)})")
    if new_tail is not None:
        tail_now = audio.size - speech_end
        changes.append(f"tail room tone {tail_s:.2f} s → {new_tail:.2f} s ({_verb(tail_samples, tail_now)})")
    head_pad, tail_pad = max(0, head_samples - speech_start), max(0, tail_samples - (audio.size - speech_end))
    body = audio[max(0, speech_start - head_samples) : min(audio.size, speech_end + tail_samples)]
    return body, head_pad, tail_pad, head_samples - speech_start


def _edge_target(now_s: float, bounds: tuple[float, float] | None, target_s: float | None) -> float | None:
    if bounds is None or target_s is None or bounds[0] <= round(now_s, 3) <= bounds[1]:
        return None
    return target_s


def _verb(new: int, old: int) -> str:
    return "padded" if new > old else "trimmed"


def _level(audio: FloatAudio, rate: int, preset: Preset) -> float:
    if preset.master.loudness == "rms":
        return rms_dbfs(audio)
    lufs = integrated_loudness_lufs(audio, rate)
    return lufs if np.isfinite(lufs) else SILENCE_DBFS


def _loudness(audio: FloatAudio, rate: int, preset: Preset, padding: int, changes: list[str]) -> FloatAudio:
    """Gain and limiter. `padding` samples of room tone come later: a whole-file RMS target is raised
    by what they will take off (their energy is 50 dB under speech); BS.1770's gate ignores them."""
    target, ceiling = preset.master.target, preset.master.true_peak_ceiling_dbtp
    if preset.master.loudness == "rms" and audio.size:
        target += 10 * math.log10((audio.size + padding) / audio.size)
    unit = "dBFS RMS" if preset.master.loudness == "rms" else "LUFS"
    start = _level(audio, rate, preset)
    gain_db, level = 0.0, start
    for _ in range(GAIN_PASSES):
        if abs(target - level) <= GAIN_TOLERANCE_DB or gain_db >= MAX_GAIN_DB:
            break
        gain_db = min(MAX_GAIN_DB, gain_db + target - level)
        level = _level(limit_peaks(audio * np.float32(db_to_gain(gain_db)), rate, ceiling), rate, preset)
    scaled = audio * np.float32(db_to_gain(gain_db)) if gain_db else audio
    if gain_db:
        changes.append(f"gain {gain_db:+.1f} dB to {preset.master.target:g} {unit} (the audio as it came: {start:.1f})")
    limited, sample_ceiling = _hold_true_peak(scaled, rate, ceiling)
    if limited is not scaled:
        changes.append(f"limiter: true peaks held at {ceiling:g} dBTP (sample ceiling {sample_ceiling:.2f} dBFS)")
    return limited


def _hold_true_peak(audio: FloatAudio, rate: int, ceiling_dbtp: float) -> tuple[FloatAudio, float]:
    """The limiter at a sample ceiling lowered until the true peak is under `ceiling_dbtp`."""
    sample_ceiling, current = ceiling_dbtp, limit_peaks(audio, rate, ceiling_dbtp)
    for _ in range(TRUE_PEAK_PASSES):
        over = true_peak_dbfs(current, TRUE_PEAK_CHECK_DB) - ceiling_dbtp
        if over <= 0:
            break
        sample_ceiling -= over + 0.02
        current = limit_peaks(audio, rate, sample_ceiling)
    return current, sample_ceiling


def _gate(audio: FloatAudio, rate: int, preset: Preset, changes: list[str]) -> FloatAudio:
    target = preset.master.noise_floor_dbfs
    if target is None:
        return audio
    frames = frame_db(audio, rate)
    floor = noise_floor_dbfs(frames)
    if floor <= target:
        return audio
    mask = speech_mask(frames, floor)
    # a frame is kept when speech lies up to GATE_HOLD_AFTER_S before it or GATE_HOLD_BEFORE_S after it
    hold_after, hold_before = round(GATE_HOLD_AFTER_S / FRAME_S), round(GATE_HOLD_BEFORE_S / FRAME_S)
    count = np.concatenate([[0], np.cumsum(mask)])
    index = np.arange(mask.size)
    kept = (count[index + 1] - count[np.maximum(0, index - hold_after)] > 0) | (
        count[np.minimum(mask.size, index + hold_before + 1)] - count[index] > 0
    )
    attenuation = db_to_gain(target - floor)
    frame_gain = np.where(kept, 1.0, attenuation).astype(np.float32)
    size = max(1, round(FRAME_S * rate))
    gain = np.repeat(frame_gain, size)
    gain = np.concatenate([gain, np.full(audio.size - gain.size, gain[-1] if gain.size else 1.0, np.float32)])
    gain = uniform_filter1d(gain, size=max(1, round(GATE_RAMP_S * rate)), mode="nearest")
    gated = (audio * gain).astype(np.float32)
    changes.append(f"noise gate: {target - floor:.1f} dB between speech (floor {floor:.1f} → {target:g} dBFS)")
    return gated


def _pad_with_room_tone(
    audio: FloatAudio, rate: int, preset: Preset, head_pad: int, tail_pad: int, changes: list[str]
) -> FloatAudio:
    level = preset.master.room_tone_dbfs
    own_floor = noise_floor_dbfs(frame_db(audio, rate))
    noise = np.random.default_rng(ROOM_TONE_SEED)
    if level is not None and own_floor < level - ROOM_TONE_BELOW_DB:
        padded = np.concatenate([np.zeros(head_pad, np.float32), audio, np.zeros(tail_pad, np.float32)])
        tone = noise.standard_normal(padded.size, dtype=np.float32) * np.float32(db_to_gain(level))
        changes.append(f"room tone at {level:g} dBFS under the whole file (its pauses were digital silence)")
        return padded + tone
    if head_pad + tail_pad == 0:
        return audio
    gain = np.float32(db_to_gain(own_floor)) if own_floor > SILENCE_DBFS else np.float32(0)
    head = noise.standard_normal(head_pad, dtype=np.float32) * gain
    tail = noise.standard_normal(tail_pad, dtype=np.float32) * gain
    if gain:
        changes.append(f"padding filled with room tone at the file's own floor ({own_floor:.1f} dBFS)")
    return np.concatenate([head, audio, tail])
