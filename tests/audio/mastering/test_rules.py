"""Each ACX rule fires on the signal that breaks it, and only that rule; and at its exact bounds."""

from collections.abc import Callable

import numpy as np
import pytest
from vocalio_audio.mastering import RULE_NAMES, Mp3Stream, evaluate, load_preset, measure, report
from vocalio_audio.types import FloatAudio
from vocalio_shared.schemas.quality import AudioMeasurements

from tests.audio.mastering.signals import RATE, chapter, noise

ACX = load_preset("acx")


def _clipped() -> FloatAudio:
    audio = chapter()
    audio[RATE * 3 : RATE * 3 + 200] = 0.99  # a clipped run at full scale: the peak rule, nothing else
    return audio


def _noisy() -> FloatAudio:
    audio = chapter()
    return audio + noise(audio.size / RATE, -55.0)


BROKEN: dict[str, tuple[Callable[[], FloatAudio], int, int]] = {
    "rms": (lambda: chapter(speech_dbfs=-27.0), RATE, 1),
    "peak": (_clipped, RATE, 1),
    "noise_floor": (_noisy, RATE, 1),
    "head_room_tone": (lambda: chapter(head_s=0.3), RATE, 1),
    "tail_room_tone": (lambda: chapter(tail_s=6.0), RATE, 1),
    "sample_rate": (lambda: chapter(rate=48000), 48000, 1),
    "channels": (lambda: chapter(), RATE, 2),
}


def _measured(audio: FloatAudio, rate: int, channels: int) -> AudioMeasurements:
    if channels == 2:
        audio = np.stack([audio, audio], axis=1)
    return measure(audio, rate, timeline=False).figures


def test_a_clean_chapter_passes_every_rule() -> None:
    checked = report(measure(chapter(), RATE), ACX, Mp3Stream(bitrate_kbps=192, cbr=True))
    assert checked.passed and checked.failures == []
    assert [check.rule for check in checked.rules] == [
        "rms", "peak", "noise_floor", "head_room_tone", "tail_room_tone", "sample_rate", "channels",
        "mp3_bitrate", "mp3_cbr",
    ]  # fmt: skip
    assert {check.rule for check in checked.rules} <= set(RULE_NAMES)


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_each_rule_fires_on_its_signal_and_only_it(rule: str) -> None:
    make, rate, channels = BROKEN[rule]
    checks = evaluate(_measured(make(), rate, channels), ACX)
    assert [check.rule for check in checks if not check.passed] == [rule]


@pytest.mark.parametrize(
    ("field", "passing", "failing", "rule"),
    [
        ("rms_dbfs", (-23.0, -18.0), (-23.01, -17.99), "rms"),
        ("peak_dbfs", (-3.0,), (-2.99,), "peak"),
        ("noise_floor_dbfs", (-60.0,), (-59.99,), "noise_floor"),
        ("head_room_tone_s", (0.5, 1.0), (0.499, 1.001), "head_room_tone"),
        ("tail_room_tone_s", (1.0, 5.0), (0.999, 5.001), "tail_room_tone"),
    ],
)
def test_the_bounds_are_inclusive_and_exact(
    field: str, passing: tuple[float, ...], failing: tuple[float, ...], rule: str
) -> None:
    base = measure(chapter(), RATE, timeline=False).figures
    for value in passing:
        assert rule not in _failures(base.model_copy(update={field: value})), value
    for value in failing:
        assert rule in _failures(base.model_copy(update={field: value})), value


def _failures(figures: AudioMeasurements, mp3: Mp3Stream | None = None) -> list[str]:
    return [check.rule for check in evaluate(figures, ACX, mp3) if not check.passed]


def test_mp3_rules_need_cbr_at_192_kbps_or_more() -> None:
    figures = measure(chapter(), RATE, timeline=False).figures
    assert _failures(figures, Mp3Stream(bitrate_kbps=192, cbr=True)) == []
    assert _failures(figures, Mp3Stream(bitrate_kbps=320, cbr=True)) == []
    assert _failures(figures, Mp3Stream(bitrate_kbps=160, cbr=True)) == ["mp3_bitrate"]
    assert _failures(figures, Mp3Stream(bitrate_kbps=192, cbr=False)) == ["mp3_cbr"]
    assert "mp3_cbr" not in [check.rule for check in evaluate(figures, ACX)]  # not an MP3: not checked


def test_the_podcast_preset_checks_loudness_and_true_peak() -> None:
    podcast = load_preset("podcast")
    figures = measure(chapter(), RATE, timeline=False).figures  # about -22 LUFS
    checks = {check.rule: check for check in evaluate(figures, podcast)}
    assert set(checks) == {"integrated_lufs", "true_peak"}
    assert not checks["integrated_lufs"].passed and checks["true_peak"].passed
    assert checks["integrated_lufs"].target == "-17..-15 LUFS" and checks["true_peak"].target == "<= -1 dBTP"
