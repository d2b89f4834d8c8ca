import numpy as np
import pytest
from vocalio_audio.metrics import integrated_loudness_lufs
from vocalio_worker.audio.crossfade import crossfade
from vocalio_worker.audio.loudness import limit_peaks
from vocalio_worker.audio.postprocess import postprocess
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.audio.silence import shorten_silences

RATE_HZ = 22050


def peak_dbfs(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.abs(audio).max()))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE_HZ), np.float32)


def test_settings_defaults_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.crossfade_s == 0.15 and defaults.target_lufs == -20.0 and defaults.peak_limit_dbfs == -3.0
    monkeypatch.setenv("VOCALIO_TARGET_LUFS", "-18")
    assert AudioSettings(_env_file=None).target_lufs == -18.0  # type: ignore[call-arg]


@pytest.mark.parametrize("target_lufs", [-23.0, -20.0, -16.0])
@pytest.mark.parametrize("input_gain", [0.1, 1.0])
def test_speech_reaches_target_loudness_under_the_peak_limit(
    speech: np.ndarray, target_lufs: float, input_gain: float
) -> None:
    settings = AudioSettings(_env_file=None, target_lufs=target_lufs)  # type: ignore[call-arg]
    result = postprocess(speech * np.float32(input_gain), RATE_HZ, settings)
    assert integrated_loudness_lufs(result.audio, RATE_HZ) == pytest.approx(target_lufs, abs=1.0)
    assert result.output_lufs == pytest.approx(target_lufs, abs=1.0)
    assert peak_dbfs(result.audio) <= settings.peak_limit_dbfs
    assert result.audio.dtype == np.float32


def test_long_silences_are_shortened_and_spans_follow(speech_chunks: list[np.ndarray]) -> None:
    settings = AudioSettings(_env_file=None, max_silence_s=0.5, edge_silence_s=0.1)  # type: ignore[call-arg]
    padded = [np.concatenate([silence(1.0), speech_chunks[0], silence(3.0)]), *speech_chunks[1:]]
    joined = crossfade(padded, RATE_HZ)
    result = postprocess(joined.audio, RATE_HZ, settings, joined.chunk_spans_samples)
    assert result.removed_silence_s > 3.0  # ~0.9 s at the start, ~2.5 s in the middle
    assert result.duration_s == pytest.approx(joined.duration_s - result.removed_silence_s)
    assert sum(result.chunk_durations_s) == pytest.approx(result.duration_s)
    # the middle chunk kept its length: the cuts were in the first chunk's silences (and the end)
    assert result.chunk_durations_s[1] == pytest.approx(joined.chunk_durations_s[1], abs=0.02)
    assert result.chunk_durations_s[0] < joined.chunk_durations_s[0] - 3.0


def test_silence_rules_in_detail() -> None:
    tone = (0.5 * np.sin(np.arange(RATE_HZ) * 2 * np.pi * 200 / RATE_HZ)).astype(np.float32)
    audio = np.concatenate([silence(0.5), tone, silence(2.0), tone, silence(0.05)])
    shortened, cut = shorten_silences(audio, RATE_HZ, max_silence_s=0.8, edge_silence_s=0.1, threshold_db=-45)
    assert len(shortened) / RATE_HZ == pytest.approx(0.1 + 1.0 + 0.8 + 1.0 + 0.05, abs=0.03)
    assert cut.map_position(0) == 0 and cut.map_position(len(audio)) == len(shortened)
    # the leading cut is 0.4 s (to the 10 ms frame); a sample inside the tone moves back by exactly it
    leading_cut = cut.kept_ranges_samples[0][0]
    assert abs(leading_cut - 0.4 * RATE_HZ) <= 0.01 * RATE_HZ
    assert cut.map_position(round(0.75 * RATE_HZ)) == round(0.75 * RATE_HZ) - leading_cut
    untouched, _ = shorten_silences(tone, RATE_HZ, 0.8, 0.1, -45)
    assert np.array_equal(untouched, tone)


def test_peak_limiter_is_smooth_and_keeps_timing() -> None:
    rng = np.random.default_rng(3)
    audio = (rng.normal(0, 0.1, RATE_HZ)).astype(np.float32)
    audio[5000] = 1.0  # one loud click
    limited = limit_peaks(audio, RATE_HZ, -6.0)
    assert len(limited) == len(audio)
    assert peak_dbfs(limited) <= -6.0
    far_from_click = np.r_[0:4000, 6000:RATE_HZ]
    assert np.array_equal(limited[far_from_click], audio[far_from_click])  # only the click's neighbourhood


def test_short_and_silent_audio(speech_chunks: list[np.ndarray]) -> None:
    settings = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    blip = speech_chunks[0][RATE_HZ : RATE_HZ + round(0.25 * RATE_HZ)] * np.float32(0.1)  # 0.25 s < one block
    short = postprocess(blip, RATE_HZ, settings)
    assert np.isfinite(short.input_lufs)
    assert short.output_lufs == pytest.approx(settings.target_lufs, abs=1.5)
    quiet = postprocess(silence(1.0), RATE_HZ, settings)
    assert quiet.warnings and quiet.gain_db == 0.0 and not np.any(quiet.audio)
    empty = postprocess(np.zeros(0, np.float32), RATE_HZ, settings)
    assert empty.audio.size == 0
