"""The post-processing rules of the one audio path: loudness, silences, peaks."""

import io

import numpy as np
import pytest
import soundfile
from vocalio_audio.metrics import integrated_loudness_lufs
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import OutputFormat
from vocalio_worker.audio.crossfade import crossfade
from vocalio_worker.audio.loudness import limit_peaks, normalize_loudness
from vocalio_worker.audio.postprocess import Postprocessor
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.audio.silence import SilenceShortener
from vocalio_worker.pipeline import JobAudio, encode

RATE_HZ = 22050


def peak_dbfs(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.abs(audio).max()))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE_HZ), np.float32)


def stored_file(chunks: list[np.ndarray], settings: AudioSettings, live: bool = False) -> np.ndarray:
    """A job's stored file: its chunks through the one path in two batches, encoded, decoded."""
    audio = JobAudio(RATE_HZ, settings, live=live)
    audio.push(chunks[:1])
    audio.push(chunks[1:])
    _, processed = audio.finish()
    data = encode(processed, OutputFormat.FLAC).data
    decoded, rate_hz = soundfile.read(io.BytesIO(data), dtype="float32")
    assert rate_hz == RATE_HZ
    return np.asarray(decoded, np.float32)


def test_settings_defaults_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.crossfade_s == 0.15 and defaults.target_lufs == -20.0 and defaults.peak_limit_dbfs == -3.0
    monkeypatch.setenv("VOCALIO_TARGET_LUFS", "-18")
    assert AudioSettings(_env_file=None).target_lufs == -18.0  # type: ignore[call-arg]


@pytest.mark.parametrize("target_lufs", [-23.0, -20.0, -16.0])
@pytest.mark.parametrize("first_chunk_gain", [0.1, 1.0, 3.0])
def test_an_unstreamed_jobs_file_meets_the_target_over_the_whole_file(
    speech_chunks: list[np.ndarray], target_lufs: float, first_chunk_gain: float
) -> None:
    """Measured on the decoded file, whatever the first chunk's level: the gain is the whole file's."""
    settings = AudioSettings(_env_file=None, target_lufs=target_lufs)  # type: ignore[call-arg]
    chunks = [speech_chunks[0] * np.float32(first_chunk_gain), *speech_chunks[1:]]
    stored = stored_file(chunks, settings)
    assert integrated_loudness_lufs(stored, RATE_HZ) == pytest.approx(target_lufs, abs=0.5)
    assert peak_dbfs(stored) <= settings.peak_limit_dbfs + 0.01


@pytest.mark.parametrize("input_gain", [0.05, 1.0, 4.0])
def test_normalize_loudness_reaches_the_target_under_the_ceiling(speech: np.ndarray, input_gain: float) -> None:
    audio, gain_db, warnings = normalize_loudness(speech * np.float32(input_gain), RATE_HZ, -16.0, -3.0)
    assert integrated_loudness_lufs(audio, RATE_HZ) == pytest.approx(-16.0, abs=0.35)
    assert peak_dbfs(audio) <= -3.0 and audio.dtype == np.float32 and not warnings
    assert input_gain >= 1 or gain_db > 0  # a quiet input is turned up
    assert limit_peaks(audio, RATE_HZ, -3.0) is audio  # limited once is final: no second pass is needed


def test_normalize_loudness_limits_an_input_already_at_the_target(speech: np.ndarray) -> None:
    """No gain pass runs, so the one limiter run is the final one; peaks still come down."""
    peaky = speech * np.float32(10 ** (-3.0 / 20) / np.max(np.abs(speech)))  # peak at exactly -3 dBFS
    peaky[1000] = np.float32(0.99)  # one peak over the ceiling, barely moving the loudness
    target = integrated_loudness_lufs(peaky, RATE_HZ)
    audio, gain_db, _ = normalize_loudness(peaky, RATE_HZ, target, -3.0)
    assert gain_db == 0.0 and peak_dbfs(audio) <= -3.0
    assert np.array_equal(audio, limit_peaks(peaky, RATE_HZ, -3.0))


def test_long_silences_are_shortened_and_spans_follow(speech_chunks: list[np.ndarray]) -> None:
    settings = AudioSettings(_env_file=None, max_silence_s=0.5, edge_silence_s=0.1)  # type: ignore[call-arg]
    padded = [np.concatenate([silence(1.0), speech_chunks[0], silence(3.0)]), *speech_chunks[1:]]
    joined = crossfade(padded, RATE_HZ)
    audio = JobAudio(RATE_HZ, settings, live=False)
    audio.push(padded)
    _, processed = audio.finish()
    duration_s = len(processed.samples) / RATE_HZ
    assert joined.duration_s - duration_s > 3.0  # ~0.9 s at the start, ~2.5 s in the middle
    assert sum(processed.chunk_durations_s) == pytest.approx(duration_s, abs=0.005)
    # the middle chunk kept its length: the cuts were in the first chunk's silences (and the end)
    assert processed.chunk_durations_s[1] == pytest.approx(joined.chunk_durations_s[1], abs=0.02)
    assert processed.chunk_durations_s[0] < joined.chunk_durations_s[0] - 3.0


def test_silence_rules_in_detail() -> None:
    tone = (0.5 * np.sin(np.arange(RATE_HZ) * 2 * np.pi * 200 / RATE_HZ)).astype(np.float32)
    audio = np.concatenate([silence(0.5), tone, silence(2.0), tone, silence(0.05)])
    shortener = SilenceShortener(RATE_HZ, max_silence_s=0.8, edge_silence_s=0.1, threshold_dbfs=-50)
    shortened = np.concatenate([shortener.push(audio[:30000]), shortener.push(audio[30000:]), shortener.finish()])
    cut = shortener.cut
    assert len(shortened) / RATE_HZ == pytest.approx(0.1 + 1.0 + 0.8 + 1.0 + 0.05, abs=0.03)
    assert cut.map_position(0) == 0 and cut.map_position(len(audio)) == len(shortened)
    # the leading cut is 0.4 s (to the 10 ms frame); a sample inside the tone moves back by exactly it
    leading_cut = cut.kept_ranges_samples[0][0]
    assert abs(leading_cut - 0.4 * RATE_HZ) <= 0.01 * RATE_HZ
    assert cut.map_position(round(0.75 * RATE_HZ)) == round(0.75 * RATE_HZ) - leading_cut
    untouched = SilenceShortener(RATE_HZ, 0.8, 0.1, -50)
    assert np.array_equal(np.concatenate([untouched.push(tone), untouched.finish()]), tone)
    only_silence = SilenceShortener(RATE_HZ, 0.8, 0.1, -50)
    assert len(np.concatenate([only_silence.push(silence(3.0)), only_silence.finish()])) == 3 * RATE_HZ


def test_peak_limiter_is_smooth_and_keeps_timing() -> None:
    rng = np.random.default_rng(3)
    audio = (rng.normal(0, 0.1, RATE_HZ)).astype(np.float32)
    audio[5000] = 1.0  # one loud click
    limited = limit_peaks(audio, RATE_HZ, -6.0)
    assert len(limited) == len(audio)
    assert peak_dbfs(limited) <= -6.0
    far_from_click = np.r_[0:4000, 6000:RATE_HZ]
    assert np.array_equal(limited[far_from_click], audio[far_from_click])  # only the click's neighbourhood
    near = limited[5000 - 100 : 5000 + 100] / audio[5000 - 100 : 5000 + 100]
    assert np.all(np.abs(np.diff(near)) < 0.2)  # the gain ramps; it does not jump


def test_short_silent_and_empty_audio(speech_chunks: list[np.ndarray]) -> None:
    settings = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    blip = speech_chunks[0][RATE_HZ : RATE_HZ + round(0.25 * RATE_HZ)] * np.float32(0.1)  # 0.25 s < one block
    short = stored_file([blip], settings)
    assert integrated_loudness_lufs(short, RATE_HZ) == pytest.approx(settings.target_lufs, abs=1.5)
    quiet = Postprocessor(RATE_HZ, settings, live=False)
    quiet.calibrate(silence(1.0))
    out = np.concatenate([quiet.push(silence(1.0)), quiet.finish()])
    assert quiet.warnings and quiet.gain_db == 0.0 and len(out) == RATE_HZ and not np.any(out)
    for chunks in ([silence(1.0)], [np.zeros(0, np.float32)]):
        audio = JobAudio(RATE_HZ, settings, live=False)
        audio.push(chunks)
        with pytest.raises(VocalioError) as raised:
            audio.finish()
        assert raised.value.code == ErrorCode.SYNTHESIS_FAILED
