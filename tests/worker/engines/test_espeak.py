"""Engines against the real eSpeak NG library shipped by espeakng-loader."""

import threading
from pathlib import Path

import numpy as np
import pytest
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import REGIONAL_VARIANTS, Region
from vocalio_worker.engines import TTSEngine, VoiceRef, select_engine
from vocalio_worker.engines.espeak import (
    ESPEAK_VOICE_BY_REGION,
    EspeakEngine,
    espeak_voice_for,
    speed_to_rate_wpm,
)
from vocalio_worker.engines.registry import f5_unavailable_reason

SENTENCE = "El murciélago hindú comía feliz cardillo y kiwi, mientras la cigüeña tocaba el saxofón."
SAMPLE_RATE_HZ = 22050


def duration_s(audio: np.ndarray) -> float:
    return len(audio) / SAMPLE_RATE_HZ


def test_capabilities_cover_every_region(espeak_engine: EspeakEngine) -> None:
    capabilities = espeak_engine.capabilities()
    assert isinstance(espeak_engine, TTSEngine)
    assert capabilities.sample_rate_hz == SAMPLE_RATE_HZ
    assert set(capabilities.regional_variants) == set(REGIONAL_VARIANTS)
    assert capabilities.max_batch >= 1 and capabilities.max_chunk_chars >= 200


@pytest.mark.parametrize("region", list(Region))
def test_every_region_speaks_plausibly(espeak_engine: EspeakEngine, region: Region) -> None:
    [audio] = espeak_engine.synthesize_batch([SENTENCE], VoiceRef("x", region), 1.0, 16, region)
    assert audio.dtype == np.float32 and audio.ndim == 1
    # 15 words at natural pace: a few seconds, not a blip and not a minute
    assert 3.0 < duration_s(audio) < 10.0
    assert 0.05 < np.abs(audio).max() <= 1.0
    assert np.sqrt(np.mean(audio**2)) > 0.01


def test_faster_speed_is_shorter(espeak_engine: EspeakEngine) -> None:
    slow, normal, fast = (
        espeak_engine.synthesize_batch([SENTENCE], VoiceRef("x"), speed, 16, Region.MEXICAN)[0]
        for speed in (0.5, 1.0, 2.0)
    )
    assert duration_s(slow) > 1.5 * duration_s(normal)
    assert duration_s(fast) < 0.7 * duration_s(normal)


def test_speed_mapping_stays_in_espeak_range() -> None:
    assert speed_to_rate_wpm(1.0) == 175
    assert speed_to_rate_wpm(0.1) == 80 and speed_to_rate_wpm(5.0) == 450


def test_accents_punctuation_and_empty_chunks(espeak_engine: EspeakEngine) -> None:
    chunks = ["¡Ñandú! ¿Qué pasó? Pingüino, acción, camión… «comillas» — guion.", "", "   ", "Sí."]
    outputs = espeak_engine.synthesize_batch(chunks, VoiceRef("x"), 1.0, 16, Region.CHILEAN)
    assert len(outputs) == 4
    assert duration_s(outputs[0]) > 2.0
    assert len(outputs[1]) == 0 and len(outputs[2]) == 0
    assert 0.2 < duration_s(outputs[3]) < 2.0


def test_utf8_accents_are_read_as_characters(espeak_engine: EspeakEngine) -> None:
    # Read as Latin-1 bytes, "ñ" would become two symbols ("Ã±") and the word would run longer.
    [with_tilde, plain] = espeak_engine.synthesize_batch(["año", "ano"], VoiceRef("x"), 1.0, 16, Region.NEUTRAL)
    assert abs(duration_s(with_tilde) - duration_s(plain)) < 0.15


def test_region_voice_mapping_and_override() -> None:
    assert all(ESPEAK_VOICE_BY_REGION[region] == "es-419" for region in Region if region != Region.PENINSULAR)
    assert ESPEAK_VOICE_BY_REGION[Region.PENINSULAR] == "es"
    assert espeak_voice_for(VoiceRef("espeak:es"), Region.NEUTRAL) == "es"


def test_unknown_espeak_voice_is_a_clear_error(espeak_engine: EspeakEngine) -> None:
    with pytest.raises(VocalioError) as raised:
        espeak_engine.synthesize_batch(["hola"], VoiceRef("espeak:no-such-voice"), 1.0, 16, Region.NEUTRAL)
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE


def test_concurrent_calls_are_serialized(espeak_engine: EspeakEngine) -> None:
    [expected] = espeak_engine.synthesize_batch([SENTENCE], VoiceRef("x"), 1.0, 16, Region.NEUTRAL)
    results: list[np.ndarray] = []

    def speak() -> None:
        results.extend(espeak_engine.synthesize_batch([SENTENCE], VoiceRef("x"), 1.0, 16, Region.NEUTRAL))

    threads = [threading.Thread(target=speak) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    # eSpeak adds a little randomness (so no sample equality), but interleaved calls would mix
    # or steal each other's samples and change lengths far more than that.
    assert all(abs(len(result) - len(expected)) < 0.02 * len(expected) for result in results)


def test_free_then_reuse() -> None:
    engine = EspeakEngine()
    engine.load()
    engine.free()
    [audio] = engine.synthesize_batch(["Otra vez."], VoiceRef("x"), 1.0, 16, Region.ANDEAN)
    assert len(audio) > 0


def test_select_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert select_engine("espeak").name == "espeak"
    # No GPU here and no Kokoro files offline: auto falls back to eSpeak, f5 refuses with a clear error.
    monkeypatch.setenv("VOCALIO_KOKORO_OFFLINE", "1")
    monkeypatch.setenv("VOCALIO_DATA_DIR", str(tmp_path))
    assert f5_unavailable_reason() is not None
    assert select_engine("auto").name == "espeak"
    with pytest.raises(VocalioError) as raised:
        select_engine("f5")
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE
    assert "F5" in raised.value.message
