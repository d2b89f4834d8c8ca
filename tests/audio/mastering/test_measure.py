"""Each measurement against a signal built to give a known number."""

import time

import numpy as np
import pytest
from vocalio_audio.mastering import measure
from vocalio_audio.mastering.measuring import SILENCE_DBFS, true_peak_dbfs

from tests.audio.mastering.signals import RATE, chapter, silence, sine, voiced


def test_rms_and_peak_of_a_sine_are_its_amplitude_and_3_db_under() -> None:
    figures = measure(sine(2.0, -6.0), RATE).figures
    assert figures.peak_dbfs == pytest.approx(-6.0, abs=0.01)
    assert figures.rms_dbfs == pytest.approx(-6.0 - 3.01, abs=0.01)
    assert figures.duration_s == 2.0 and figures.sample_rate_hz == RATE and figures.channels == 1


def test_rms_counts_the_silences_as_acx_does() -> None:
    audio = np.concatenate([sine(1.0, -6.0), silence(3.0)])  # a quarter of the file: -6 dB of energy
    assert measure(audio, RATE).figures.rms_dbfs == pytest.approx(-9.01 - 6.02, abs=0.02)


def test_true_peak_finds_the_peak_between_the_samples() -> None:
    # a quarter-rate sine sampled 45° off its crests: every sample sits 3 dB under the true peak
    audio = sine(1.0, -1.0, hz=RATE / 4, phase=np.pi / 4)
    fade = np.linspace(0.0, 1.0, 441, dtype=np.float32)  # no abrupt start or end: those ring
    audio[:441] *= fade
    audio[-441:] *= fade[::-1]
    figures = measure(audio, RATE).figures
    assert figures.peak_dbfs == pytest.approx(-1.0 - 3.01, abs=0.02)
    assert figures.true_peak_dbfs == pytest.approx(-1.0, abs=0.05)
    assert true_peak_dbfs(sine(1.0, -1.0, hz=100)) == pytest.approx(-1.0, abs=0.01)


def test_noise_floor_is_the_room_tone_between_speech() -> None:
    audio = chapter(noise_dbfs=-65.0)
    assert measure(audio, RATE).figures.noise_floor_dbfs == pytest.approx(-65.0, abs=0.5)
    louder = chapter(noise_dbfs=-52.0)
    assert measure(louder, RATE).figures.noise_floor_dbfs == pytest.approx(-52.0, abs=0.5)


def test_head_and_tail_room_tone_are_the_times_around_the_speech() -> None:
    for head_s, tail_s, floor in ((0.8, 2.5, None), (0.3, 6.0, -65.0), (1.6, 0.4, -55.0)):
        figures = measure(chapter(head_s=head_s, tail_s=tail_s, noise_dbfs=floor), RATE).figures
        assert figures.head_room_tone_s == pytest.approx(head_s, abs=0.015), (head_s, floor)
        assert figures.tail_room_tone_s == pytest.approx(tail_s, abs=0.015), (tail_s, floor)


def test_integrated_loudness_is_bs1770() -> None:
    # BS.1770: a 997 Hz sine at 0 dBFS peak reads -3.01 LUFS
    assert measure(sine(5.0, -20.0), RATE).figures.integrated_lufs == pytest.approx(-23.01, abs=0.05)


def test_the_loudness_timeline_follows_the_audio_and_gates_silence() -> None:
    audio = np.concatenate([sine(6.0, -20.0), silence(6.0)])
    measured = measure(audio, RATE)
    assert measured.timeline_step_s == 1.0
    points = measured.timeline_lufs
    assert len(points) == 10  # 3 s windows every second over 12 s
    assert all(p is not None and p == pytest.approx(-23.0, abs=0.1) for p in points[:4])
    assert points[-3:] == [None, None, None]  # whole windows of digital silence are under the gate
    assert measure(sine(2.0, -20.0), RATE).timeline_lufs == []  # shorter than one window


def test_digital_silence_reads_the_floor_value_not_minus_infinity() -> None:
    measured = measure(silence(2.0), RATE)
    figures = measured.figures
    assert figures.rms_dbfs == figures.peak_dbfs == figures.noise_floor_dbfs == SILENCE_DBFS
    assert figures.integrated_lufs is None and measured.speech_frames is None
    assert figures.head_room_tone_s == figures.tail_room_tone_s == 2.0
    figures.model_dump_json()  # a report of silence is still JSON


def test_stereo_reads_the_loudest_channel_peak_and_the_mix() -> None:
    left, right = voiced(3.0, -20.0), sine(3.0, -2.0, hz=300) * np.float32(0.0)
    right[RATE] = 10 ** (-2.0 / 20)  # one loud sample, on the right only
    figures = measure(np.stack([left, right], axis=1), RATE).figures
    assert figures.channels == 2
    assert figures.peak_dbfs == pytest.approx(-2.0, abs=0.01)
    assert figures.rms_dbfs == pytest.approx(-20.0 - 6.02, abs=0.05)  # the mix: half of the left


def test_a_long_file_measures_in_a_small_part_of_its_duration() -> None:
    audio = np.concatenate([chapter(noise_dbfs=-70.0)] * 5)  # about 1.5 minutes
    started = time.monotonic()
    measure(audio, RATE)
    assert time.monotonic() - started < 0.1 * audio.size / RATE  # about 1 % on an idle core
