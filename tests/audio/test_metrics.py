import numpy as np
import pytest
from vocalio_audio.metrics import clipping_rate, estimate_snr_db, integrated_loudness_lufs, measure_quality

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


def _pyloudnorm_reference(audio: np.ndarray, sample_rate_hz: int) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(sample_rate_hz).integrated_loudness(np.asarray(audio, dtype=np.float64)))


@pytest.mark.parametrize("sample_rate_hz", [16000, 22050, 24000, 44100, 48000])
def test_loudness_equals_pyloudnorm_on_speech_noise_pauses_and_quiet_passages(
    speech: np.ndarray, sample_rate_hz: int
) -> None:
    """Our vectorised gating is pyloudnorm's BS.1770 measurement, not an approximation of it."""
    rng = np.random.default_rng(sample_rate_hz)
    seconds = 7.3
    noise = (rng.standard_normal(int(seconds * sample_rate_hz)) * 0.1).astype(np.float32)
    quiet_then_loud = noise.copy()
    quiet_then_loud[: len(noise) // 2] *= 0.003  # blocks under the relative gate
    with_pauses = noise.copy()
    with_pauses[int(1.0 * sample_rate_hz) : int(3.0 * sample_rate_hz)] = 0.0  # under the absolute gate
    for audio in (noise, quiet_then_loud, with_pauses, speech[: int(5 * sample_rate_hz)]):
        expected = _pyloudnorm_reference(audio, sample_rate_hz)
        assert integrated_loudness_lufs(audio, sample_rate_hz) == pytest.approx(expected, abs=1e-6)


def test_loudness_of_audio_under_the_absolute_gate_is_minus_infinity() -> None:
    whisper = np.full(48000, 1e-6, dtype=np.float32)  # about -120 LUFS: every block below -70
    assert integrated_loudness_lufs(whisper, 48000) == float("-inf") == _pyloudnorm_reference(whisper, 48000)
