"""A real worker process with VOCALIO_ENGINE=auto on this GPU-less host, against the real API.

With the Kokoro files reachable (a loopback server standing in for the release: the real int8 model and
test voices, pinned by an assets file) it downloads them on first start and speaks with Kokoro; with the
release unreachable it falls back to eSpeak. Either way /ready and the registration say which and why.
"""

import os
from pathlib import Path

import httpx
import pytest
from vocalio_worker.engines.registry import gpu_available

from tests.e2e.api.test_voices import speechlike, upload, wav_bytes
from tests.e2e.worker.conftest import decode, submit, wait_for
from tests.worker.engines.kokoro.conftest import KokoroModel
from tests.worker.engines.kokoro.http_files import assets_file, serve_folder

pytestmark = pytest.mark.skipif(gpu_available(), reason="on a GPU host `auto` takes F5")


def test_auto_downloads_kokoro_speaks_with_it_and_lists_its_voices(
    kokoro_model: KokoroModel,
    client: httpx.Client,
    worker_factory,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    release = tmp_path / "release"
    release.mkdir()
    os.symlink(kokoro_model.model, release / "kokoro-v1.0.int8.onnx")
    os.symlink(kokoro_model.voices, release / "voices-v1.0.bin")
    pins = assets_file(tmp_path / "assets.toml", release / "kokoro-v1.0.int8.onnx", release / "voices-v1.0.bin")
    with serve_folder(release) as server:
        worker = worker_factory(
            worker_id="kokoro-worker",
            engine="auto",
            kokoro_offline="0",
            kokoro_base_url=server.url,
            kokoro_assets_file=str(pins),
            kokoro_weights_dir=str(tmp_path / "weights"),
            kokoro_threads="2",
        )
    assert server.requests == {"kokoro-v1.0.int8.onnx": 1, "voices-v1.0.bin": 1}
    ready = httpx.get(f"{worker.base_url}/ready", timeout=5).json()
    assert ready["engine"] == "kokoro" and "chose Kokoro" in ready["engine_warnings"][0]
    capabilities = client.get("/api/v1/workers/kokoro-worker").json()["capabilities"]
    assert capabilities["engine"] == "kokoro" and "kokoro:ef_dora" in capabilities["voices"]
    listed = client.get("/api/v1/voices").json()["engine_voices"]
    assert {voice["id"] for voice in listed} == {"kokoro:ef_dora", "kokoro:em_alex", "kokoro:em_santa"}
    assert all(voice["engine"] == "kokoro" and voice["workers"] == ["kokoro-worker"] for voice in listed)

    # A mix named without its prefix (no library voice has that name), and an uploaded reference (F5-only).
    refused = client.post("/api/v1/jobs", json={"text": "Hola.", "voice": "Nadie"})  # neither a library voice
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "UNKNOWN_VOICE"  # nor Kokoro's
    mixed = submit(client, "Hola, buenos días.", voice="ef_dora*0.7+em_alex*0.3")
    reference = upload(client, wav_bytes(speechlike()), name="Narradora").json()
    uploaded = submit(client, "Sí.", voice=reference["id"])
    job = wait_for(client, mixed, timeout_s=120)
    assert job["status"] == "succeeded", job
    assert job["metrics"]["engine"] == "kokoro" and job["metrics"]["voice_id"] == "kokoro:ef_dora*0.7+em_alex*0.3"
    _, seconds = decode(client.get(f"/api/v1/jobs/{mixed}/audio").content)
    assert 0.5 < seconds < 5.0
    other = wait_for(client, uploaded, timeout_s=120)
    assert other["status"] == "succeeded", other
    assert any("F5" in warning and reference["id"] in warning for warning in other["result"]["warnings"])


def test_auto_falls_back_to_espeak_when_the_release_is_unreachable(
    client: httpx.Client,
    worker_factory,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    worker = worker_factory(
        worker_id="cut-off-worker",
        engine="auto",
        kokoro_offline="0",
        kokoro_base_url="http://127.0.0.1:9",  # nothing listens there
        kokoro_weights_dir=str(tmp_path / "weights"),
    )
    ready = httpx.get(f"{worker.base_url}/ready", timeout=5).json()
    assert ready["engine"] == "espeak"
    [reason] = ready["engine_warnings"]
    assert "fell back to eSpeak" in reason and "Kokoro failed to load" in reason and "cannot download" in reason
    registered = client.get("/api/v1/workers/cut-off-worker").json()["capabilities"]
    assert registered["engine"] == "espeak" and registered["warnings"] == [reason] and registered["voices"] == []
    assert not list((tmp_path / "weights").glob("*"))
