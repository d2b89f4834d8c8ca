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


def clipping_rate_over_every_run(audio: np.ndarray) -> float:
    """The definition, run-length encoding the whole signal: full scale, or 3+ equal magnitudes >= 95 % of the peak."""
    magnitude = np.abs(audio.astype(np.float32))
    clipped = magnitude >= 0.999
    peak = float(magnitude.max())
    start = 0
    for end in range(1, len(magnitude) + 1):
        if end == len(magnitude) or magnitude[end] != magnitude[start]:
            if end - start >= 3 and peak > 0 and magnitude[start] >= np.float32(0.95 * peak):
                clipped[start:end] = True
            start = end
    return float(np.count_nonzero(clipped) / len(magnitude))


def test_clipping_rate_counts_exactly_the_flat_tops() -> None:
    rng = np.random.default_rng(11)
    peak = np.float32(0.8)
    cases = [
        np.array([0.1, peak, peak, peak, 0.2, -peak, peak, peak, 0.0], np.float32),  # a run of 3; a sign flip joins one
        np.array([peak, peak, 0.1, peak, peak], np.float32),  # runs of 2 are no flat top
        np.array([0.5, 0.5, 0.5, 0.5, peak], np.float32),  # a flat run far below the peak is no flat top
        np.array([peak, peak, peak], np.float32),  # the run is the whole signal
        np.array([1.0, 0.2, -1.0, 0.999, 0.3], np.float32),  # full scale counts alone
        np.zeros(10, np.float32),
    ]
    for _ in range(200):  # random signals with planted flat tops at random levels, lengths and places
        audio = (rng.standard_normal(400) * 0.2).astype(np.float32)
        for _ in range(rng.integers(0, 5)):
            at, length = int(rng.integers(0, 390)), int(rng.integers(1, 8))
            audio[at : at + length] = np.float32(rng.choice([0.5, 0.7, 0.9, 1.0])) * rng.choice([-1, 1])
        cases.append(audio)
    for audio in cases:
        assert clipping_rate(audio) == clipping_rate_over_every_run(audio)
