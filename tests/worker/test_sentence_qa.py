"""Each sentence check fires on a signal with the defect it names, and none fires on normal eSpeak speech."""

import numpy as np
import numpy.typing as npt
import pytest
from vocalio_shared.regions import Region
from vocalio_shared.schemas.quality import SentenceQA
from vocalio_worker.asr import character_error_rate, normalized_for_cer
from vocalio_worker.chapters import worst_qa
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.qa_settings import SentenceQASettings
from vocalio_worker.sentence_cache import decode_sentence, encode_sentence, sentence_qa_of
from vocalio_worker.sentence_qa import CHECK_NAMES, check_sentence
from vocalio_worker.voice_stats import chapter_voice_stats, f0_track

RATE = 22050  # eSpeak's own rate: no resampling in these tests
SETTINGS = SentenceQASettings()
LONG = "Al amanecer, Tomás salió a buscar a su hermano, que no había vuelto desde el martes."
NORMAL = [
    LONG,
    "Llovía sobre el puerto.",
    "Sí.",
    "¿Saldremos hoy? dijo al fin el más viejo.",
    "La lluvia caía sobre el puerto desde la madrugada, y los pescadores miraban el cielo sin decir nada.",
    "Capítulo uno",
]

Audio = npt.NDArray[np.float32]


@pytest.fixture(scope="module")
def spoken_audio(espeak_engine: EspeakEngine) -> list[Audio]:
    return espeak_engine.synthesize_batch(NORMAL, VoiceRef("espeak:es-419"), 1.0, 16, Region.NEUTRAL)


@pytest.fixture(scope="module")
def long_sentence(spoken_audio: list[Audio]) -> Audio:
    return spoken_audio[0]


def failures(audio: Audio, text: str = LONG) -> list[str]:
    return check_sentence(audio, RATE, text, engine="espeak", speed=1.0, settings=SETTINGS).failures


def seconds(value: float) -> int:
    return round(value * RATE)


def silence(duration_s: float) -> Audio:
    return np.zeros(seconds(duration_s), np.float32)


def test_normal_espeak_speech_passes_every_check(spoken_audio: list[Audio]) -> None:
    for text, audio in zip(NORMAL, spoken_audio, strict=True):
        checks = check_sentence(audio, RATE, text, engine="espeak", speed=1.0, settings=SETTINGS)
        assert checks.passed, (text, checks.scores)
        assert list(checks.scores) == list(CHECK_NAMES[:-1])  # every signal check, in its stable order


def test_leading_trailing_and_internal_silence_fire_past_their_lengths(long_sentence: Audio) -> None:
    middle = seconds(2.0)
    assert failures(np.concatenate([silence(1.0), long_sentence])) == ["leading_silence"]
    assert failures(np.concatenate([silence(0.4), long_sentence])) == []
    assert failures(np.concatenate([long_sentence, silence(1.2)])) == ["trailing_silence"]
    gap = np.concatenate([long_sentence[:middle], silence(1.5), long_sentence[middle:]])
    assert failures(gap) == ["internal_silence"]
    short_gap = np.concatenate([long_sentence[:middle], silence(0.8), long_sentence[middle:]])
    assert failures(short_gap) == []
    checks = check_sentence(gap, RATE, LONG, engine="espeak", speed=1.0, settings=SETTINGS)
    assert checks.scores["internal_silence"] == pytest.approx(1.5, abs=0.03)


def test_clipping_fires_on_clipped_speech_and_a_clipped_tone(long_sentence: Audio) -> None:
    assert "clipping" in failures(np.clip(long_sentence * 6, -1.0, 1.0))
    assert "clipping" not in failures(long_sentence / np.abs(long_sentence).max() * 0.99)
    tone = np.sin(2 * np.pi * 220 * np.arange(seconds(1.0)) / RATE).astype(np.float32)
    clipped = check_sentence(np.clip(1.5 * tone, -1, 1), RATE, "Sí.", engine="espeak", speed=1.0, settings=SETTINGS)
    assert "clipping" in clipped.failures and clipped.scores["clipping"] > 0.3
    clean = check_sentence(0.5 * tone, RATE, "Sí.", engine="espeak", speed=1.0, settings=SETTINGS)
    assert "clipping" not in clean.failures


def test_near_silence_fires_on_a_quiet_sentence_and_on_nothing(long_sentence: Audio) -> None:
    quiet = long_sentence * 10 ** (-45 / 20)  # its loudest frame near -54 dBFS
    assert failures(quiet) == ["near_silence"]
    assert "near_silence" in failures(silence(3.0))
    assert failures(long_sentence * 10 ** (-20 / 20)) == []  # quiet but clearly there


def test_duration_fires_when_the_speech_is_far_shorter_or_longer_than_its_text(spoken_audio: list[Audio]) -> None:
    long_text_audio, short_text_audio = spoken_audio[0], spoken_audio[1]
    assert failures(short_text_audio, text=LONG) == ["duration"]  # a sentence swallowed
    assert failures(long_text_audio, text="Llovía sobre el puerto.") == ["duration"]  # far too long
    assert failures(long_text_audio) == []


def test_loop_fires_on_a_segment_said_again_and_not_on_a_sustained_sentence(long_sentence: Audio) -> None:
    start, length = seconds(1.5), seconds(0.5)
    piece = long_sentence[start : start + length]
    looped = np.concatenate([long_sentence[:start], piece, piece, piece, long_sentence[start + length :]])
    checks = check_sentence(looped, RATE, LONG, engine="espeak", speed=1.0, settings=SETTINGS)
    assert checks.failures == ["loop"]
    assert checks.scores["loop"] == pytest.approx(1.0, abs=0.1)  # two repeats of 0.5 s
    once = np.concatenate([long_sentence[:start], piece, long_sentence[start:]])  # 0.5 s said twice
    assert failures(once) == ["loop"]


def test_ends_mid_word_fires_on_speech_cut_off(long_sentence: Audio) -> None:
    levels = np.abs(long_sentence[: seconds(3.0)])
    loud = int(np.argmax(levels))  # cut right at the loudest sample: inside a vowel
    checks = check_sentence(long_sentence[: loud + 100], RATE, LONG, engine="espeak", speed=1.0, settings=SETTINGS)
    assert "ends_mid_word" in checks.failures and checks.scores["ends_mid_word"] > -10
    assert "ends_mid_word" not in failures(long_sentence)


def test_the_stored_flac_carries_the_qa_and_the_same_samples(long_sentence: Audio) -> None:
    qa = SentenceQA(passed=False, failures=["loop"], draws=3, draw=2, seed=1234, scores={"loop": 0.9}, cer=0.1)
    data = encode_sentence(long_sentence, RATE, qa)
    assert sentence_qa_of(data) == qa
    assert np.array_equal(decode_sentence(data, RATE), decode_sentence(encode_sentence(long_sentence, RATE), RATE))
    assert sentence_qa_of(encode_sentence(long_sentence, RATE)) is None  # stored before QA


def test_a_sentence_of_several_chunks_reports_its_worst_chunk() -> None:
    good = SentenceQA(passed=True, draws=1, draw=0, seed=1)
    redrawn = SentenceQA(passed=True, draws=2, draw=1, seed=2)
    flagged = SentenceQA(passed=False, failures=["loop"], draws=3, draw=0, seed=3)
    assert worst_qa([good, redrawn]) == redrawn
    assert worst_qa([good, flagged, redrawn]) == flagged
    assert worst_qa([None, good]) == good and worst_qa([None]) is None


def test_cer_ignores_case_accents_and_punctuation() -> None:
    assert normalized_for_cer("¡Sí, señor García!") == "si senor garcia"
    assert character_error_rate("¡Sí, señor García!", "si señor garcia") == 0.0
    assert character_error_rate("el mar", "el mal") == pytest.approx(1 / 6)
    assert character_error_rate("hola", "") == 1.0


def test_pitch_of_harmonic_tones_and_the_speaking_rate(long_sentence: Audio) -> None:
    time_s = np.arange(seconds(2.0)) / RATE
    for f0 in (95.0, 180.0, 300.0):
        voiced = sum(np.sin(2 * np.pi * f0 * k * time_s) / k for k in range(1, 8)).astype(np.float32)
        assert float(np.median(f0_track(0.2 * voiced, RATE))) == pytest.approx(f0, rel=0.02)
    stats = chapter_voice_stats(long_sentence, RATE, sum(c.isalnum() for c in LONG))
    assert stats.speaking_rate_cps is not None and 10 < stats.speaking_rate_cps < 18
    assert stats.pitch_median_hz is not None and 70 < stats.pitch_median_hz < 250
    assert stats.pitch_iqr_hz is not None and stats.pitch_iqr_hz >= 0
    slower = chapter_voice_stats(np.concatenate([long_sentence, silence(2.0)]), RATE, sum(c.isalnum() for c in LONG))
    assert slower.speaking_rate_cps == pytest.approx(stats.speaking_rate_cps, rel=0.02)  # pauses do not count


def _repeated_s_one_lag_at_a_time(samples: Audio, rate_hz: int, settings: SentenceQASettings) -> float:
    """The loop check as first written, a lag per iteration: the vectorised one must agree with it."""
    from vocalio_worker.sentence_qa import LOOP_HOP_S, LOOP_MAX_LAG_S, LOOP_MIN_LAG_S, LOOP_MIN_RUN_OF_LAG, band_shapes

    shapes, speech = band_shapes(np.asarray(samples, dtype=np.float32), rate_hz)
    count = len(shapes)
    min_lag = max(1, round(LOOP_MIN_LAG_S / LOOP_HOP_S))
    if count < 2 * min_lag:
        return 0.0
    similar = (shapes @ shapes.T) >= settings.qa_loop_similarity
    longest = 0
    for lag in range(min_lag, min(count // 2, round(LOOP_MAX_LAG_S / LOOP_HOP_S)) + 1):
        repeats = speech[lag:] & speech[:-lag] & np.diagonal(similar, lag)
        matches = repeats | (~speech[lag:] & ~speech[:-lag])
        run_of = np.cumsum(matches & ~np.concatenate(([False], matches[:-1]))) - 1
        if run_of[-1] < 0:
            continue
        lengths = np.bincount(run_of[matches], minlength=run_of[-1] + 1)
        repeated = np.bincount(run_of[repeats], minlength=run_of[-1] + 1)
        long_enough = lengths >= LOOP_MIN_RUN_OF_LAG * lag
        if long_enough.any():
            longest = max(longest, int(repeated[long_enough].max()))
    return longest * LOOP_HOP_S


def test_the_loop_measure_is_the_one_lag_at_a_time_measure(spoken_audio: list[Audio]) -> None:
    from vocalio_worker.sentence_qa import repeated_s

    rng = np.random.default_rng(7)
    signals = list(spoken_audio)
    for audio in spoken_audio[:2]:
        for _ in range(3):  # a stretch said two or three times, at a random place and length
            length = int(rng.integers(seconds(0.2), seconds(1.2)))
            start = int(rng.integers(0, max(1, audio.size - length)))
            piece = audio[start : start + length]
            times = int(rng.integers(2, 4))
            signals.append(np.concatenate([audio[:start], *([piece] * times), audio[start + length :]]))
    signals.append((rng.standard_normal(seconds(2.0)) * 0.1).astype(np.float32))
    measured = [repeated_s(signal, RATE, SETTINGS) for signal in signals]
    assert measured == [_repeated_s_one_lag_at_a_time(signal, RATE, SETTINGS) for signal in signals]
    assert any(value > 0.3 for value in measured)  # the looped signals really repeat
