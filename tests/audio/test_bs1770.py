"""The one-pass BS.1770 meter gives pyloudnorm's figures: same filters, blocks and gates."""

import numpy as np
import pyloudnorm
import pytest
from vocalio_audio import bs1770
from vocalio_audio.mastering.measuring import SHORT_TERM_S, loudness_timeline


def _signals(rate: int) -> list[np.ndarray]:
    rng = np.random.default_rng(rate)
    size = int(rate * 7.3)
    noise = rng.standard_normal(size) * 0.1
    time_s = np.arange(size) / rate
    return [
        noise,
        noise * (np.sin(time_s * 3) > 0.3),  # stretches of silence: the absolute gate drops them
        noise * np.exp(-time_s * 1.5),  # fading out: the relative gate drops the tail
        0.3 * np.sin(2 * np.pi * 60 * time_s),  # low: the high-pass stage decides it
        0.2 * np.sin(2 * np.pi * 5000 * time_s),  # high: the shelf stage decides it
    ]


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100, 48000])
def test_integrated_loudness_is_pyloudnorms(rate: int) -> None:
    for signal in _signals(rate):
        expected = pyloudnorm.Meter(rate).integrated_loudness(signal)
        assert bs1770.integrated_loudness(signal, rate) == pytest.approx(expected, abs=1e-6)


def test_the_gates_change_the_figure() -> None:
    """Guards the comparison above: the gated signals really exercise both gates."""
    rate = 24000
    noise, with_silence, fading, *_ = _signals(rate)
    ungated = bs1770.block_loudness(np.array([np.mean(with_silence**2)]))[0]
    assert bs1770.integrated_loudness(with_silence, rate) > ungated + 1.0
    assert bs1770.integrated_loudness(fading, rate) < bs1770.integrated_loudness(noise, rate) - 3.0


def test_silence_and_one_block_short() -> None:
    assert bs1770.integrated_loudness(np.zeros(48000), 48000) == float("-inf")
    assert bs1770.integrated_loudness(np.full(100, 0.5), 48000) == float("-inf")  # no whole block


def test_short_term_timeline_is_pyloudnorms_blockwise_loudness() -> None:
    rate, step_s = 24000, 1.0
    signal = _signals(rate)[2]
    meter = pyloudnorm.Meter(rate, block_size=SHORT_TERM_S, overlap=1 - step_s / SHORT_TERM_S)
    meter.integrated_loudness(signal)
    step, points = loudness_timeline(bs1770.k_weight(signal, rate))
    assert step == step_s
    expected = [round(float(value), 2) if value >= -70 else None for value in meter.blockwise_loudness]
    assert points == expected
    assert len(points) == 5  # 7.3 s in 3 s windows every second
