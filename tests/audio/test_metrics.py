import numpy as np
from vocalio_audio.metrics import active_ratio, clipping_rate, estimate_snr_db, measure_quality

RATE_HZ = 22050


def test_clean_speech_scores_high(speech: np.ndarray) -> None:
    metrics = measure_quality(speech, RATE_HZ)
    assert metrics.clipping_rate < 0.001
    assert metrics.snr_db > 40
    assert metrics.quality_score > 0.9


def test_clipping_is_detected_even_after_a_gain_change(speech: np.ndarray) -> None:
    clipped = np.clip(speech * 6, -1, 1).astype(np.float32)
    assert clipping_rate(clipped) > 0.01
    assert clipping_rate(clipped * np.float32(0.5)) > 0.01  # flat tops survive turning it down
    assert measure_quality(clipped, RATE_HZ).quality_score < measure_quality(speech, RATE_HZ).quality_score


def test_noise_lowers_snr_and_score(speech: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    clean = measure_quality(speech, RATE_HZ)
    light = speech + rng.normal(0, 0.003, len(speech)).astype(np.float32)
    heavy = speech + rng.normal(0, 0.05, len(speech)).astype(np.float32)
    light_snr, heavy_snr = estimate_snr_db(light, RATE_HZ), estimate_snr_db(heavy, RATE_HZ)
    assert clean.snr_db > light_snr > heavy_snr
    assert heavy_snr < 20
    assert measure_quality(heavy, RATE_HZ).quality_score < clean.quality_score


def test_silence_and_empty_score_zero() -> None:
    assert measure_quality(np.zeros(RATE_HZ, np.float32), RATE_HZ).quality_score == 0.0
    assert measure_quality(np.zeros(0, np.float32), RATE_HZ).quality_score == 0.0
    assert clipping_rate(np.zeros(0, np.float32)) == 0.0


def test_the_quality_figures_are_those_of_the_separate_measures(speech: np.ndarray) -> None:
    noisy = speech + np.random.default_rng(3).normal(0, 0.01, len(speech)).astype(np.float32)
    for audio in (speech, noisy, speech[:100], np.zeros(0, np.float32)):
        metrics = measure_quality(audio, RATE_HZ)
        assert metrics.snr_db == estimate_snr_db(audio, RATE_HZ)
        assert metrics.active_ratio == active_ratio(audio, RATE_HZ)
        assert metrics.clipping_rate == clipping_rate(audio)
