"""F5's last-resort voice: the demo reference the f5-tts package ships, read from the package itself,
used only when a job has no voice and neither its region nor neutral has a default, and said plainly
in the job's warnings. eSpeak needs no reference, so it never gets one."""

import asyncio
import hashlib
import io
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import httpx
import pytest
import soundfile
from vocalio_shared.regions import Region
from vocalio_worker.api_client import ApiClient
from vocalio_worker.engines.f5 import F5Engine
from vocalio_worker.engines.f5.demo_voice import DEMO_VOICE_WARNING, demo_voice, fallback_for, fallback_voice
from vocalio_worker.engines.registry import select_engine
from vocalio_worker.metrics import WorkerMetricsRegistry
from vocalio_worker.voices import VoiceLibrary

from tests.support.processes import ApiProcess
from tests.worker.engines.f5.conftest import REFERENCE_TEXT, TinyHub, tiny_settings

NFE = 4


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    """The worker tests' API, given longer to start: torch-loading neighbours make this machine slow."""
    process = ApiProcess(tmp_path / "api", redis_url, {"VOCALIO_HEARTBEAT_INTERVAL_S": "1"})
    process.data_dir.mkdir(parents=True)
    process.start(timeout_s=120)
    yield process
    process.stop()


def test_the_demo_voice_is_the_packages_own_example_with_a_stable_sha256() -> None:
    demo = demo_voice()
    assert demo is not None
    package = resources.files("f5_tts")  # a namespace package: no __init__, maybe several folders
    example = tomllib.loads(package.joinpath("infer/examples/basic/basic.toml").read_text())
    assert demo.audio_path == Path(str(package.joinpath(example["ref_audio"])))
    assert demo.audio_path.name == "basic_ref_en.wav"
    assert demo.transcript == example["ref_text"]
    assert demo.sample_rate_hz == soundfile.info(str(demo.audio_path)).samplerate
    assert demo.sha256 == hashlib.sha256(demo.audio_path.read_bytes()).hexdigest()
    demo_voice.cache_clear()
    again = demo_voice()
    assert again is not None and again.sha256 == demo.sha256 and again.voice_id == demo.voice_id
    assert demo.warning == DEMO_VOICE_WARNING == "demo voice, English speaker: record or upload a Spanish narrator"
    reference = demo.voice_ref(Region.CHILEAN)
    assert reference.has_reference and reference.region == Region.CHILEAN
    assert reference.reference_transcript == demo.transcript


def test_an_operators_engine_voice_comes_before_the_demo_and_espeak_has_none(tiny_hub: TinyHub) -> None:
    configured = fallback_voice(tiny_settings(tiny_hub))
    assert configured is not None and configured.audio_path == tiny_hub.reference_wav
    assert configured.transcript == REFERENCE_TEXT and configured.warning is None
    assert fallback_voice(tiny_settings(tiny_hub, f5_reference_audio=None)) == demo_voice()
    assert fallback_for(F5Engine(tiny_settings(tiny_hub, f5_reference_audio=None))) == demo_voice()
    assert fallback_for(select_engine("espeak")) is None


def test_the_library_falls_back_only_when_no_voice_or_default_exists(
    api: ApiProcess, client: httpx.Client, tmp_path: Path
) -> None:
    from tests.e2e.api.test_voices import speechlike, upload, wav_bytes

    demo = demo_voice()
    assert demo is not None
    narrator = upload(client, wav_bytes(speechlike()), name="Narradora", region="mexican").json()

    async def scenario() -> None:
        api_client = ApiClient(api.base_url, api.worker_token, WorkerMetricsRegistry())
        try:
            cloning = VoiceLibrary(api_client, tmp_path / "cache", needs_reference=True, fallback=demo)
            fallen_back = await cloning.voice_for(None, Region.ANDEAN)  # no andean, no neutral default
            assert fallen_back == demo.voice_ref(Region.ANDEAN)
            assert cloning.warnings_for(fallen_back) == [DEMO_VOICE_WARNING]
            named = await cloning.voice_for(narrator["id"], Region.ANDEAN)
            assert named.voice_id == narrator["id"] and cloning.warnings_for(named) == []
            set_default = await asyncio.to_thread(
                client.put, "/api/v1/regions/neutral/default-voice", json={"voice_id": narrator["id"]}
            )
            assert set_default.status_code == 200, set_default.text
            by_default = await cloning.voice_for(None, Region.ANDEAN)  # neutral's default now comes first
            assert by_default.voice_id == narrator["id"] and cloning.warnings_for(by_default) == []

            reading = VoiceLibrary(api_client, tmp_path / "other", needs_reference=False, fallback=demo)
            assert reading.fallback is None
            plain = await reading.voice_for(None, Region.CARIBBEAN)
            assert not plain.has_reference and reading.warnings_for(plain) == []
        finally:
            await api_client.aclose()

    with ThreadPoolExecutor(1) as pool:  # its own loop: other async tests may leave one current here
        pool.submit(asyncio.run, scenario()).result()


def test_a_first_job_on_a_fresh_install_speaks_with_the_demo_voice_and_says_so(
    tiny_hub: TinyHub,
    client,  # type: ignore[no-untyped-def]
    worker_factory,  # type: ignore[no-untyped-def]
) -> None:
    from tests.e2e.worker.conftest import submit, wait_for

    assert client.get("/api/v1/regions/defaults").json()["defaults"]["neutral"] is None  # a fresh install
    settings = tiny_settings(tiny_hub)
    worker = worker_factory(
        wait=False,
        engine="f5",
        f5_model="tiny-v0",
        f5_models_file=str(settings.f5_models_file),
        f5_vocoder=settings.f5_vocoder,
        f5_device="cpu",
        f5_seed="7",
    )  # no VOCALIO_F5_REFERENCE_AUDIO: nothing but the package's demo
    worker.start(timeout_s=240)  # torch and the model load slowly on a shared machine
    job_id = submit(client, "Había una vez un pueblo junto al río.", output_format="wav", nfe_step=NFE)
    job = wait_for(client, job_id, timeout_s=90)
    assert job["status"] == "succeeded", job
    assert DEMO_VOICE_WARNING in job["result"]["warnings"]
    samples, _rate = soundfile.read(io.BytesIO(client.get(f"/api/v1/jobs/{job_id}/audio").content))
    assert len(samples) > 0
