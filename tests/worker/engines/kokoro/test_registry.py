"""VOCALIO_ENGINE with Kokoro: `auto` = F5 on a GPU, else Kokoro, else eSpeak, each time saying why."""

from pathlib import Path

import pytest
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.engines.kokoro import KokoroEngine
from vocalio_worker.engines.registry import fallback_engine, gpu_available, select_engine, select_engine_with_reason

from tests.worker.engines.kokoro.conftest import KokoroModel

pytestmark = pytest.mark.skipif(gpu_available(), reason="these cases are about a host without an NVIDIA GPU")


def test_auto_takes_kokoro_on_a_cpu_and_says_why(kokoro_model: KokoroModel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOCALIO_KOKORO_MODEL_PATH", str(kokoro_model.model))
    monkeypatch.setenv("VOCALIO_KOKORO_VOICES_PATH", str(kokoro_model.voices))
    engine, reason = select_engine_with_reason("auto")
    assert isinstance(engine, KokoroEngine)
    assert reason is not None and "chose Kokoro" in reason and "F5 cannot run" in reason
    assert isinstance(select_engine("kokoro"), KokoroEngine)
    assert select_engine_with_reason("kokoro")[1] is None  # asked for by name: nothing to explain


def test_offline_without_files_auto_falls_back_to_espeak_and_kokoro_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOCALIO_KOKORO_OFFLINE", "1")
    monkeypatch.setenv("VOCALIO_DATA_DIR", str(tmp_path))
    engine, reason = select_engine_with_reason("auto")
    assert isinstance(engine, EspeakEngine)
    assert reason is not None and "fell back to eSpeak" in reason and "Kokoro cannot run" in reason
    assert "offline" in reason and "kokoro-v1.0.int8.onnx" in reason
    with pytest.raises(VocalioError) as raised:
        select_engine("kokoro")
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE and "VOCALIO_ENGINE=kokoro" in raised.value.message


def test_a_kokoro_that_fails_to_load_leaves_espeak_with_the_reason() -> None:
    error = VocalioError(ErrorCode.ENGINE_UNAVAILABLE, "cannot download http://x/kokoro-v1.0.int8.onnx: no route")
    chose = "VOCALIO_ENGINE=auto chose Kokoro on the CPU: F5 cannot run: no GPU"
    engine, reason = fallback_engine(KokoroEngine(), chose, error)
    assert isinstance(engine, EspeakEngine)
    assert reason == (
        "VOCALIO_ENGINE=auto fell back to eSpeak: F5 cannot run: no GPU; Kokoro failed to load: "
        "cannot download http://x/kokoro-v1.0.int8.onnx: no route"
    )
