"""Getting the Kokoro files: pinned downloads from a real local HTTP server, the folder, offline, local paths.

The release cannot be reached here, so the server serves files made by the test and an assets file
(VOCALIO_KOKORO_ASSETS_FILE) pins them: the same code path as the real release, URL and pins as data.
"""

from pathlib import Path

import pytest
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_worker.engines.kokoro import KokoroSettings, kokoro_unavailable_reason
from vocalio_worker.engines.kokoro.assets import kokoro_assets
from vocalio_worker.engines.kokoro.weights import kokoro_files, missing_reason

from tests.worker.engines.kokoro.http_files import FileServer, assets_file, serve_folder
from tests.worker.engines.kokoro.model_parts import write_voices

MODEL_BYTES = b"\x08\x09 not really an onnx graph " * 40_000  # ~1 MB: several download blocks


@pytest.fixture
def release(tmp_path: Path) -> FileServer:
    root = tmp_path / "release"
    root.mkdir()
    (root / "kokoro-v1.0.int8.onnx").write_bytes(MODEL_BYTES)
    write_voices(root / "voices-v1.0.bin")
    with serve_folder(root) as server:
        yield server  # type: ignore[misc]


def _settings(tmp_path: Path, release: FileServer, **overrides: object) -> KokoroSettings:
    pins = assets_file(
        tmp_path / "assets.toml", release.root / "kokoro-v1.0.int8.onnx", release.root / "voices-v1.0.bin"
    )
    values: dict[str, object] = {
        "kokoro_assets_file": pins,
        "kokoro_base_url": release.url,
        "data_dir": tmp_path / "data",
    }
    values.update(overrides)
    return KokoroSettings(**values)  # type: ignore[arg-type]


def test_the_built_in_pins_name_the_release() -> None:
    assets = kokoro_assets()
    assert assets.models["int8"].sha256 == "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
    assert assets.models["int8"].url.endswith("/kokoro-v1.0.int8.onnx") and assets.models["fp32"].size_bytes > 3e8
    assert assets.spanish_voices == ("ef_dora", "em_alex", "em_santa")
    assert set(assets.region_voices.values()) <= set(assets.spanish_voices)


def test_first_start_downloads_and_verifies_then_uses_the_folder(tmp_path: Path, release: FileServer) -> None:
    settings = _settings(tmp_path, release)
    assert kokoro_unavailable_reason(settings) is None  # online: it can try
    files = kokoro_files(settings)
    folder = tmp_path / "data" / "models" / "kokoro"
    assert files.model == folder / "kokoro-v1.0.int8.onnx" and files.model.read_bytes() == MODEL_BYTES
    assert files.voices.read_bytes() == (release.root / "voices-v1.0.bin").read_bytes()
    assert not list(folder.glob("*.part"))
    assert release.requests == {"kokoro-v1.0.int8.onnx": 1, "voices-v1.0.bin": 1}
    again = kokoro_files(settings.model_copy(update={"kokoro_offline": True}))  # the folder is enough now
    assert again == files and sum(release.requests.values()) == 2
    assert kokoro_unavailable_reason(settings.model_copy(update={"kokoro_offline": True})) is None


def test_a_download_that_does_not_match_its_pin_is_deleted(tmp_path: Path, release: FileServer) -> None:
    settings = _settings(tmp_path, release)
    (release.root / "kokoro-v1.0.int8.onnx").write_bytes(MODEL_BYTES[:-1] + b"!")  # tampered after pinning
    with pytest.raises(VocalioError, match="does not match its pin") as raised:
        kokoro_files(settings)
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE
    assert not list((tmp_path / "data" / "models" / "kokoro").glob("kokoro-v1.0.int8.onnx*"))


def test_a_corrupt_file_in_the_folder_is_downloaded_again_online_and_refused_offline(
    tmp_path: Path, release: FileServer
) -> None:
    settings = _settings(tmp_path, release)
    kokoro_files(settings)
    cached = tmp_path / "data" / "models" / "kokoro" / "kokoro-v1.0.int8.onnx"
    cached.write_bytes(b"truncated")
    with pytest.raises(VocalioError, match="checksum mismatch"):
        kokoro_files(settings.model_copy(update={"kokoro_offline": True}))
    assert kokoro_files(settings).model.read_bytes() == MODEL_BYTES
    assert release.requests["kokoro-v1.0.int8.onnx"] == 2


def test_offline_without_the_files_says_why_before_loading(
    tmp_path: Path, release: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, release, kokoro_offline=True)
    reason = kokoro_unavailable_reason(settings)
    assert reason and "kokoro-v1.0.int8.onnx" in reason and "offline" in reason
    with pytest.raises(VocalioError, match="downloads are off"):
        kokoro_files(settings)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the switch operators already set means the same
    assert missing_reason(_settings(tmp_path, release)) is not None
    assert sum(release.requests.values()) == 0


def test_an_unreachable_server_is_a_start_error(tmp_path: Path, release: FileServer) -> None:
    settings = _settings(tmp_path, release, kokoro_base_url="http://127.0.0.1:9", kokoro_download_timeout_s=2)
    with pytest.raises(VocalioError, match="cannot download") as raised:
        kokoro_files(settings)
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE


def test_local_paths_are_used_as_they_are(tmp_path: Path, release: FileServer) -> None:
    model, voices = release.root / "kokoro-v1.0.int8.onnx", release.root / "voices-v1.0.bin"
    settings = KokoroSettings(kokoro_model_path=model, kokoro_voices_path=voices, kokoro_offline=True)
    files = kokoro_files(settings)
    assert (files.model, files.voices) == (model, voices) and len(files.model_sha256) == 64
    missing = KokoroSettings(kokoro_model_path=tmp_path / "nope.onnx")
    assert "VOCALIO_KOKORO_MODEL_PATH" in (kokoro_unavailable_reason(missing) or "")
    assert sum(release.requests.values()) == 0
