"""Signals, crashes, operator commands and heartbeats of a real worker process."""

import signal
import time
from pathlib import Path

import httpx
import redis
from vocalio_shared.queue import QUEUE_NAME

from tests.e2e.worker.conftest import (
    SLOW_TEXT,
    SLOW_WORKER,
    events,
    get_job,
    submit,
    wait_for,
    wait_progress,
    wait_until,
)
from tests.support.processes import ApiProcess


def worker_state(client: httpx.Client, worker_id: str) -> dict:
    response = client.get(f"/api/v1/workers/{worker_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_sigterm_finishes_active_job_keeps_queued_ones_and_deregisters(
    client: httpx.Client, worker_factory, redis_url: str
) -> None:  # type: ignore[no-untyped-def]
    worker = worker_factory(**SLOW_WORKER)
    active = submit(client, SLOW_TEXT)
    wait_progress(client, active, 30)
    waiting = [submit(client, f"Espera en la cola {n}.") for n in range(2)]
    assert worker.stop(signal.SIGTERM, timeout_s=40) == 0
    assert get_job(client, active)["status"] == "succeeded"
    queue = redis.Redis.from_url(redis_url)
    for job_id in waiting:
        job = get_job(client, job_id)
        assert job["status"] == "queued" and job["attempts"] == 0, job
        assert queue.zscore(QUEUE_NAME, job_id) is not None
    assert worker_state(client, "worker-1")["state"] == "SHUTDOWN"
    assert '"deregistered"' in worker.logs()


def test_sigterm_past_grace_requeues_the_job_for_another_worker(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker = worker_factory(shutdown_grace_s="0.5", **SLOW_WORKER)
    job_id = submit(client, SLOW_TEXT)
    wait_progress(client, job_id, 30)
    assert worker.stop(signal.SIGTERM, timeout_s=30) == 0
    job = get_job(client, job_id)
    assert job["status"] == "queued" and job["error"]["code"] == "WORKER_LOST", job
    worker_factory("worker-2")
    job = wait_for(client, job_id)
    assert job["status"] == "succeeded" and job["attempts"] == 2 and job["worker_id"] == "worker-2"
    assert "job.retrying" in [e["type"] for e in events(client, job_id)]


def test_kill_9_mid_job_is_retried_by_another_worker(client: httpx.Client, worker_factory, api: ApiProcess) -> None:  # type: ignore[no-untyped-def]
    first = worker_factory(**SLOW_WORKER)
    job_id = submit(client, SLOW_TEXT, output_format="flac")
    wait_progress(client, job_id, 30)
    first.kill()
    killed_at = time.monotonic()
    worker_factory("worker-2")
    job = wait_for(client, job_id, timeout_s=60)
    assert job["status"] == "succeeded" and job["attempts"] == 2 and job["worker_id"] == "worker-2", job
    assert time.monotonic() - killed_at < 30  # the claim TTL (3 s here), not arq's job timeout
    assert [e["type"] for e in events(client, job_id)].count("job.succeeded") == 1
    stored = [p for p in Path(api.data_dir, "audio").rglob("*") if p.is_file() and job_id in p.name]
    assert len(stored) == 1, stored
    audio = client.get(f"/api/v1/jobs/{job_id}/audio")
    assert audio.status_code == 200 and len(audio.content) == job["result"]["size_bytes"]


def test_heartbeats_continue_during_a_long_blocking_synthesis(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    # One engine call for all three chunks, blocking its thread for ~6 s.
    worker_factory(batch_size="0", simulated_chunk_delay_s="2")
    job_id = submit(client, SLOW_TEXT)
    wait_progress(client, job_id, 30)
    wait_until(lambda: worker_state(client, "worker-1")["state"] == "BUSY", 5, "a BUSY heartbeat")
    beats: set[str] = set()
    while get_job(client, job_id)["status"] == "synthesizing":
        worker = worker_state(client, "worker-1")
        assert worker["state"] == "BUSY" and worker["active_job_ids"] == [job_id]
        beats.add(worker["last_heartbeat_at"])
        time.sleep(0.2)
    assert len(beats) >= 3, beats  # interval 1 s over ~6 s of blocking inference
    assert wait_for(client, job_id)["status"] == "succeeded"


def test_drain_and_resume_from_the_heartbeat_answer(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    assert client.post("/api/v1/workers/worker-1/drain").status_code == 202
    wait_until(lambda: worker_state(client, "worker-1")["state"] == "DRAINING", 10, "DRAINING")
    job_id = submit(client, "Una frase que espera.")
    time.sleep(2.0)
    assert get_job(client, job_id)["status"] == "queued"
    assert client.post("/api/v1/workers/worker-1/resume").status_code == 202
    assert wait_for(client, job_id, timeout_s=20)["status"] == "succeeded"
    # the API clears the command once a heartbeat reports the state that obeys it
    wait_until(lambda: worker_state(client, "worker-1")["pending_command"] is None, 5, "command cleared")


def test_a_job_past_its_timeout_fails_with_a_reason(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker_factory(job_timeout_s="2", **SLOW_WORKER)
    job_id = submit(client, SLOW_TEXT)
    job = wait_for(client, job_id, timeout_s=20)
    assert job["status"] == "failed" and "VOCALIO_JOB_TIMEOUT_S" in job["error"]["message"], job
