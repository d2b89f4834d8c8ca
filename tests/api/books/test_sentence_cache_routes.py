"""The sentence cache's routes on a real API process: worker auth, keys, checksums, size cap, idempotence."""

import hashlib
import io
import re
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
import soundfile
from vocalio_cli.embedded_redis import EmbeddedRedis
from vocalio_shared.books import sentence_key

from tests.support.processes import ApiProcess

SIZE_CAP_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, redis_server: EmbeddedRedis) -> Iterator[ApiProcess]:
    """One API for the module (a start costs seconds): every test uses keys of its own."""
    data_dir = tmp_path_factory.mktemp("api")
    redis_url = f"redis://{redis_server.host}:{redis_server.port}/0"  # the per-test fixtures use 1-15
    process = ApiProcess(data_dir, redis_url, {"VOCALIO_MAX_SENTENCE_UPLOAD_BYTES": str(SIZE_CAP_BYTES)})
    process.start()
    yield process
    process.stop()


@pytest.fixture
def worker(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}, timeout=10) as c:
        yield c


def key_of(text: str) -> str:
    return sentence_key(
        text,
        voice_sha256="a" * 64,
        transcript_sha256="b" * 64,
        engine="espeak",
        model="espeak-ng",
        sample_rate_hz=44100,
        speed=1.0,
        nfe_step=None,
        seed=7,
    )


def flac(seconds: float = 0.5, frequency_hz: float = 220.0) -> bytes:
    t = np.arange(int(44100 * seconds)) / 44100
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.3 * np.sin(2 * np.pi * frequency_hz * t), 44100, format="FLAC", subtype="PCM_24")
    return buffer.getvalue()


def put(client: httpx.Client, key: str, data: bytes, sha256: str | None = None) -> httpx.Response:
    headers = {"X-Audio-Sha256": sha256 or hashlib.sha256(data).hexdigest(), "Content-Type": "audio/flac"}
    return client.put(f"/api/v1/sentences/{key}", content=data, headers=headers)


def test_put_then_lookup_then_get_returns_the_same_bytes(worker: httpx.Client, api: ApiProcess) -> None:
    stored, missing = key_of("Hola."), key_of("Adiós.")
    data = flac()
    assert worker.post("/api/v1/sentences/lookup", json={"keys": [stored, missing]}).json() == {"present": []}
    response = put(worker, stored, data)
    assert response.status_code == 201, response.text
    assert response.json()["stored"] is True
    assert worker.post("/api/v1/sentences/lookup", json={"keys": [missing, stored]}).json() == {"present": [stored]}
    got = worker.get(f"/api/v1/sentences/{stored}")
    assert got.status_code == 200 and got.content == data
    assert got.headers["x-audio-sha256"] == hashlib.sha256(data).hexdigest()
    assert got.headers["content-type"] == "audio/flac"
    assert (api.data_dir / "sentences" / stored[:2] / f"{stored}.flac").read_bytes() == data


def test_a_missing_key_is_404_sentence_not_cached(worker: httpx.Client) -> None:
    response = worker.get(f"/api/v1/sentences/{key_of('Nunca subida.')}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "SENTENCE_NOT_CACHED"


def stored_total(client: httpx.Client, outcome: str) -> float:
    found = re.search(
        rf'vocalio_sentences_stored_total{{outcome="{outcome}"}} ([0-9.e+]+)', client.get("/metrics").text
    )
    return float(found.group(1)) if found else 0.0


def test_a_second_put_of_a_key_is_accepted_and_keeps_the_first_file(worker: httpx.Client, api: ApiProcess) -> None:
    key, first, second = key_of("Otra vez."), flac(frequency_hz=220), flac(frequency_hz=330)
    before = stored_total(worker, "stored"), stored_total(worker, "already_present")
    assert put(worker, key, first).status_code == 201
    again = put(worker, key, second)
    assert again.status_code == 201 and again.json()["stored"] is False
    assert worker.get(f"/api/v1/sentences/{key}").content == first
    assert stored_total(worker, "stored") == before[0] + 1
    assert stored_total(worker, "already_present") == before[1] + 1
    leftovers = [p for p in (api.data_dir / "sentences").rglob("*") if p.is_file() and p.suffix != ".flac"]
    assert leftovers == []


def test_a_checksum_mismatch_is_refused_and_nothing_is_stored(worker: httpx.Client, api: ApiProcess) -> None:
    key, data = key_of("Mal sumada."), flac()
    response = put(worker, key, data, sha256="0" * 64)
    assert response.status_code == 422 and response.json()["error"]["code"] == "UPLOAD_CHECKSUM_MISMATCH"
    assert worker.post("/api/v1/sentences/lookup", json={"keys": [key]}).json() == {"present": []}
    assert [p for p in (api.data_dir / "sentences").rglob("*") if p.is_file() and key not in p.name] == [
        p for p in (api.data_dir / "sentences").rglob("*.flac")
    ]  # nothing but committed sentences: no temporary file left behind


def test_an_upload_over_the_size_cap_is_413(worker: httpx.Client) -> None:
    key, data = key_of("Demasiado larga."), flac(seconds=5.0)
    assert len(data) > SIZE_CAP_BYTES
    response = put(worker, key, data)
    assert response.status_code == 413 and response.json()["error"]["code"] == "UPLOAD_TOO_LARGE"
    assert worker.post("/api/v1/sentences/lookup", json={"keys": [key]}).json() == {"present": []}


@pytest.mark.parametrize("bad", ["abc", "A" * 64, "g" * 64, "0" * 63])
def test_a_malformed_key_is_422(worker: httpx.Client, bad: str) -> None:
    data = flac()
    assert put(worker, bad, data).status_code == 422
    assert worker.get(f"/api/v1/sentences/{bad}").status_code == 422
    assert worker.post("/api/v1/sentences/lookup", json={"keys": [key_of("Bien."), bad]}).status_code == 422


def test_a_lookup_of_more_than_2000_keys_is_422(worker: httpx.Client) -> None:
    keys = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(2001)]
    assert worker.post("/api/v1/sentences/lookup", json={"keys": keys}).status_code == 422
    assert worker.post("/api/v1/sentences/lookup", json={"keys": keys[:2000]}).json() == {"present": []}


def test_the_routes_need_the_worker_token(api: ApiProcess) -> None:
    key = key_of("Secreto.")
    data = flac()
    headers = {"X-Audio-Sha256": hashlib.sha256(data).hexdigest()}
    for token, status in ((None, 401), (api.admin_key, 403)):
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(base_url=api.base_url, headers=auth, timeout=10) as client:
            assert client.put(f"/api/v1/sentences/{key}", content=data, headers=headers).status_code == status
            assert client.get(f"/api/v1/sentences/{key}").status_code == status
            assert client.post("/api/v1/sentences/lookup", json={"keys": [key]}).status_code == status
