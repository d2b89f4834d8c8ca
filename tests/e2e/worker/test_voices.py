"""The worker's voice library against a real API: id or region default, downloads cached by sha256."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_worker.api_client import ApiClient
from vocalio_worker.metrics import WorkerMetricsRegistry
from vocalio_worker.voices import VoiceLibrary

from tests.e2e.api.test_voices import TRANSCRIPT, speechlike, upload, wav_bytes
from tests.support.processes import ApiProcess


def test_reference_voices_are_fetched_through_the_api_and_cached(
    api: ApiProcess, client: httpx.Client, tmp_path: Path
) -> None:
    voice = upload(client, wav_bytes(speechlike()), name="Sofía", region="chilean").json()
    client.put("/api/v1/regions/colombian/default-voice", json={"voice_id": voice["id"]})
    cache = tmp_path / "voice-cache"
    stored_audio = client.get(voice["audio_url"]).content

    async def scenario() -> None:
        api_client = ApiClient(api.base_url, api.worker_token, WorkerMetricsRegistry())
        try:
            cloning = VoiceLibrary(api_client, cache, needs_reference=True)
            by_id = await cloning.voice_for(voice["id"], Region.CHILEAN)
            assert by_id.reference_transcript == TRANSCRIPT
            assert by_id.reference_audio_path == cache / f"{voice['sha256']}.wav"
            assert by_id.reference_audio_path.read_bytes() == stored_audio
            by_default = await cloning.voice_for(None, Region.COLOMBIAN)
            assert by_default.voice_id == voice["id"] and by_default.reference_audio_path == by_id.reference_audio_path
            assert await cloning.voice_for("espeak:es", Region.NEUTRAL) == by_id.__class__("espeak:es", Region.NEUTRAL)
            with pytest.raises(VocalioError) as missing:
                await cloning.voice_for(None, Region.ANDEAN)  # no andean or neutral default
            assert missing.value.code == ErrorCode.UNKNOWN_VOICE
            with pytest.raises(VocalioError):
                await cloning.voice_for("no-such-voice", Region.NEUTRAL)

            # an engine that needs no reference never downloads
            reading = VoiceLibrary(api_client, tmp_path / "other-cache", needs_reference=False)
            plain = await reading.voice_for(None, Region.ANDEAN)
            assert plain.voice_id == "default:andean" and not plain.has_reference
            assert not (tmp_path / "other-cache").exists()
        finally:
            await api_client.aclose()

    # its own thread and loop: async tests elsewhere in the session may leave a loop current here
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
    assert len(list(cache.iterdir())) == 1  # one file per sha256, however often it was asked for


def test_a_region_default_is_remembered_for_its_ttl_only(api: ApiProcess, client: httpx.Client, tmp_path: Path) -> None:
    first = upload(client, wav_bytes(speechlike(seed=3)), name="Primera", region="mexican").json()
    second = upload(client, wav_bytes(speechlike(seed=4)), name="Segunda", region="mexican").json()
    client.put("/api/v1/regions/mexican/default-voice", json={"voice_id": first["id"]})

    async def scenario() -> None:
        api_client = ApiClient(api.base_url, api.worker_token, WorkerMetricsRegistry())
        try:
            remembering = VoiceLibrary(api_client, tmp_path / "a", needs_reference=False, defaults_ttl_s=3.0)
            asking = VoiceLibrary(api_client, tmp_path / "b", needs_reference=False, defaults_ttl_s=0.0)
            assert (await remembering.voice_for(None, Region.MEXICAN)).voice_id == first["id"]
            assert (await asking.voice_for(None, Region.MEXICAN)).voice_id == first["id"]
            changed = await asyncio.to_thread(
                client.put, "/api/v1/regions/mexican/default-voice", json={"voice_id": second["id"]}
            )
            assert changed.status_code == 200, changed.text
            assert (await remembering.voice_for(None, Region.MEXICAN)).voice_id == first["id"]  # within its TTL
            assert (await asking.voice_for(None, Region.MEXICAN)).voice_id == second["id"]
            await asyncio.sleep(3.1)
            assert (await remembering.voice_for(None, Region.MEXICAN)).voice_id == second["id"]
        finally:
            await api_client.aclose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def test_jobs_speak_with_the_named_voice_or_the_region_default(
    client: httpx.Client,
    worker_factory,  # type: ignore[no-untyped-def]
) -> None:
    from tests.e2e.worker.conftest import submit, wait_for

    named = upload(client, wav_bytes(speechlike()), name="Narradora", region="mexican").json()
    default = upload(client, wav_bytes(speechlike(seed=2)), name="Porteña", region="rioplatense").json()
    client.put("/api/v1/regions/rioplatense/default-voice", json={"voice_id": default["id"]})
    worker_factory()
    by_name = submit(client, "Hola, ¿cómo estás?", voice="Narradora")
    by_region = submit(client, "Che, ¿vos sabés dónde queda?", region="auto")
    none_set = submit(client, "Buenos días.", region="andean")
    assert wait_for(client, by_name)["metrics"]["voice_id"] == named["id"]
    assert wait_for(client, by_region)["metrics"]["voice_id"] == default["id"]
    # the CPU engine needs no reference: a region without a default still speaks (with eSpeak's voice)
    assert wait_for(client, none_set)["metrics"]["voice_id"] == "default:andean"


def test_auto_engine_fallback_is_reported_for_the_dashboard(
    client: httpx.Client,
    worker_factory,  # type: ignore[no-untyped-def]
) -> None:
    worker_factory(worker_id="auto-worker", engine="auto")
    worker = client.get("/api/v1/workers/auto-worker").json()
    assert worker["capabilities"]["engine"] == "espeak"
    assert any("fell back to eSpeak" in warning for warning in worker["capabilities"]["warnings"])
