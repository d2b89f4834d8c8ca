"""Pull-mode workers (VOCALIO_WORKER_MODE=pull): real API, Redis and worker processes, the workers
with no Redis URL at all, taking their jobs from heartbeat answers."""

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from vocalio_shared.queue import QUEUE_NAME

from tests.e2e.books.flows import create_book
from tests.e2e.books.test_book_api import job_ids, render
from tests.e2e.worker.conftest import (
    SLOW_TEXT,
    SLOW_WORKER,
    decode,
    events,
    get_job,
    submit,
    wait_for,
    wait_progress,
)
from tests.support.processes import ApiProcess, WorkerProcess

LEASE_TTL_S = 3  # the API's lease; heartbeats every 1 s renew it
PULL_API_ENV = {"VOCALIO_HEARTBEAT_INTERVAL_S": "1", "VOCALIO_JOB_LEASE_TTL_S": str(LEASE_TTL_S)}


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    data_dir = tmp_path / "api"
    data_dir.mkdir()
    process = ApiProcess(data_dir, redis_url, PULL_API_ENV)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def pull_worker(api: ApiProcess, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(worker_id: str = "pull-1", **env: str) -> WorkerProcess:
        extra = {"VOCALIO_WORKER_MODE": "pull"} | {f"VOCALIO_{k.upper()}": v for k, v in env.items()}
        worker = WorkerProcess(api, "", tmp_path, worker_id, extra)
        del worker.env["VOCALIO_REDIS_URL"]  # it must not need one
        assert "VOCALIO_REDIS_URL" not in os.environ
        started.append(worker)
        worker.start(timeout_s=60)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout_s=30)


def test_a_pull_worker_without_redis_renders_jobs_end_to_end(
    client: httpx.Client, pull_worker: Callable[..., WorkerProcess], api: ApiProcess, redis_url: str
) -> None:
    worker = pull_worker()
    started = time.monotonic()
    job_id = submit(client, "Hola, esto es una prueba del modo pull.", output_format="mp3")
    job = wait_for(client, job_id, timeout_s=60)
    assert job["status"] == "succeeded" and job["attempts"] == 1 and job["worker_id"] == "pull-1", job
    # idle, the worker waits in a long poll at the API: dispatch is not a whole heartbeat interval
    assert job["metrics"]["queue_wait_ms"] < 1000, job["metrics"]
    assert time.monotonic() - started < 30
    audio = client.get(f"/api/v1/jobs/{job_id}/audio")
    assert audio.status_code == 200 and len(audio.content) == job["result"]["size_bytes"]
    assert decode(audio.content)[1] > 1.0
    # the job left arq's queue as arq's own worker would leave it
    queue = redis.Redis.from_url(redis_url)
    assert queue.zscore(QUEUE_NAME, job_id) is None and queue.exists(f"arq:result:{job_id}")
    # a streamed /v1/audio/speech job: its pieces reach the listener through the API, not Redis
    body = {"model": "tts-1", "voice": "alloy", "input": "Hola, esto llega en partes.", "response_format": "pcm"}
    with client.stream("POST", "/v1/audio/speech", json=body | {"stream": True}, timeout=60) as response:
        assert response.status_code == 200
        pcm = b"".join(response.iter_bytes())
        speech_id = response.headers["x-vocalio-job-id"]
    speech = wait_for(client, speech_id, timeout_s=30)
    assert speech["status"] == "succeeded" and speech["worker_id"] == "pull-1", speech
    assert abs(len(pcm) / 2 / 24000 - speech["result"]["duration_s"]) < 0.05
    # a book's chapter job: the sentence cache over HTTP, a FLAC master
    chapters = [{"title": "Capítulo 1", "text": "Era una mañana fría. El viento soplaba."}]
    book = create_book(client, chapters=chapters)
    chapter_job = job_ids(render(client, book["id"]))[0]
    assert chapter_job is not None
    chapter = wait_for(client, chapter_job, timeout_s=60)
    assert chapter["status"] == "succeeded" and chapter["worker_id"] == "pull-1", chapter
    assert chapter["result"]["format"] == "flac" and chapter["result"]["sentence_keys"]
    assert '"mode": "pull"' in worker.logs() and "redis" not in worker.logs().lower()


def test_two_pull_workers_never_run_the_same_job_and_high_goes_first(
    client: httpx.Client, pull_worker: Callable[..., WorkerProcess]
) -> None:
    bulk = [submit(client, f"Trabajo de fondo número {n}.", priority="bulk") for n in range(4)]
    high = [submit(client, f"Trabajo urgente número {n}.", priority="high") for n in range(2)]
    pull_worker("pull-1")
    pull_worker("pull-2")
    jobs = {job_id: wait_for(client, job_id, timeout_s=90) for job_id in bulk + high}
    for job_id, job in jobs.items():
        assert job["status"] == "succeeded" and job["attempts"] == 1, job
        types = [e["type"] for e in events(client, job_id)]
        assert types.count("job.succeeded") == 1 and "job.retrying" not in types, types
    assert {job["worker_id"] for job in jobs.values()} <= {"pull-1", "pull-2"}
    # every high job started before any bulk job did
    assert max(jobs[j]["started_at"] for j in high) <= min(jobs[j]["started_at"] for j in bulk)


def test_sigterm_requeues_at_once_and_a_killed_pull_worker_s_job_re_runs_once_its_lease_lapses(
    client: httpx.Client, pull_worker: Callable[..., WorkerProcess], api: ApiProcess
) -> None:
    first = pull_worker("pull-1", shutdown_grace_s="0.5", **SLOW_WORKER)
    job_id = submit(client, SLOW_TEXT, output_format="flac")
    wait_progress(client, job_id, 30)
    assert first.stop(signal.SIGTERM, timeout_s=30) == 0  # past its grace: the lease is released, not left to lapse
    assert get_job(client, job_id)["status"] == "queued"
    second = pull_worker("pull-2", **SLOW_WORKER)
    assert wait_progress(client, job_id, 30)["attempts"] == 2
    second.kill()
    killed_at = time.monotonic()
    pull_worker("pull-3")
    job = wait_for(client, job_id, timeout_s=60)
    assert job["status"] == "succeeded" and job["attempts"] == 3 and job["worker_id"] == "pull-3", job
    assert time.monotonic() - killed_at < 30  # the lease TTL, not the job timeout
    types = [e["type"] for e in events(client, job_id)]
    assert types.count("job.succeeded") == 1 and types.count("job.retrying") >= 1, types
    stored = [p for p in Path(api.data_dir, "audio").rglob("*") if p.is_file() and job_id in p.name]
    assert len(stored) == 1, stored
