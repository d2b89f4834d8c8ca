"""Worker fixtures: real eSpeak speech, synthesized once per session."""

import numpy as np
import pytest
from vocalio_shared.regions import Region
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine

SPANISH_SENTENCES = [
    "Había una vez, en un pueblo pequeño junto al río, una niña que soñaba con el mar.",
    "Cada mañana caminaba hasta la colina para mirar el horizonte.",
    "¿Llegaría algún día a ver las olas? Nadie lo sabía.",
]


@pytest.fixture(scope="session")
def espeak_engine() -> EspeakEngine:
    engine = EspeakEngine()
    engine.load()
    return engine


@pytest.fixture(scope="session")
def speech_chunks(espeak_engine: EspeakEngine) -> list[np.ndarray]:
    return espeak_engine.synthesize_batch(SPANISH_SENTENCES, VoiceRef("test"), 1.0, 16, Region.NEUTRAL)


@pytest.fixture(scope="session")
def speech(speech_chunks: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(speech_chunks)
