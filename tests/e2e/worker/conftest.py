"""Real processes: a redis-server (suite fixture), the API, and `python -m vocalio_worker` (eSpeak)."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import ApiProcess, WorkerProcess

HEARTBEAT_INTERVAL_S = "1"
TERMINAL = {"succeeded", "failed", "cancelled"}


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    data_dir = tmp_path / "api"
    data_dir.mkdir()
    process = ApiProcess(data_dir, redis_url, {"VOCALIO_HEARTBEAT_INTERVAL_S": HEARTBEAT_INTERVAL_S})
    process.start()
    yield process
    process.stop()


@pytest.fixture
def client(api: ApiProcess) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with httpx.Client(base_url=api.base_url, headers=headers, timeout=15) as c:
        yield c


@pytest.fixture
def worker_factory(api: ApiProcess, redis_url: str, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(worker_id: str = "worker-1", wait: bool = True, **env: str) -> WorkerProcess:
        worker = WorkerProcess(api, redis_url, tmp_path, worker_id, {f"VOCALIO_{k.upper()}": v for k, v in env.items()})
        started.append(worker)
        return worker.start(timeout_s=60) if wait else worker  # type: ignore[return-value]

    yield start
    for worker in started:
        worker.stop(timeout_s=30)


def submit(client: httpx.Client, text: str, **fields: Any) -> str:
    response = client.post("/api/v1/jobs", json={"text": text, **fields})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def get_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for(
    client: httpx.Client, job_id: str, statuses: set[str] = TERMINAL, timeout_s: float = 60.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = get_job(client, job_id)
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {statuses}; last: {job}")


def wait_until(predicate: Callable[[], bool], timeout_s: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def events(client: httpx.Client, job_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/jobs/{job_id}/events/history")
    assert response.status_code == 200, response.text
    return list(response.json())


# Three engine chunks of eSpeak (max 1000 characters each); with SLOW_WORKER each chunk takes
# 1.5 s more, so a job spends ~5 s synthesizing: time for cancel, SIGTERM, kill -9 or an outage.
SLOW_TEXT = " ".join(
    f"Capítulo {n}. Había una vez, en un pueblo pequeño junto al río, una niña que soñaba con el mar; "
    "cada mañana caminaba hasta la colina para mirar el horizonte y contar los barcos."
    for n in range(1, 15)
)
SLOW_WORKER = {"batch_size": "1", "simulated_chunk_delay_s": "1.5", "progress_interval_s": "0"}


def decode(data: bytes) -> tuple[int, float]:
    """(sample rate, duration in s) of any format we produce, decoded by ffmpeg to WAV."""
    import io
    import subprocess

    import imageio_ffmpeg
    import soundfile

    wav = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", "pipe:0", "-f", "wav", "pipe:1"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    info = soundfile.info(io.BytesIO(wav))
    return info.samplerate, info.frames / info.samplerate


def wait_progress(client: httpx.Client, job_id: str, at_least: float, timeout_s: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = get_job(client, job_id)
        if job["status"] == "synthesizing" and job["progress"] >= at_least:
            return job
        assert job["status"] not in TERMINAL, job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {at_least} %")
