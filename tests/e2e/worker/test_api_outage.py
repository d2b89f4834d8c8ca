"""The API goes away for 20 s in the middle of a job: the worker backs off behind its circuit
breaker, then delivers every update in order once the API is back."""

import re
import time

import httpx

from tests.e2e.worker.conftest import SLOW_TEXT, SLOW_WORKER, events, submit, wait_for, wait_progress, wait_until
from tests.support.processes import ApiProcess, WorkerProcess

OUTAGE_S = 20.0


def metric(worker: WorkerProcess, name: str) -> float:
    total = 0.0
    for line in worker.metrics_text().splitlines():
        match = re.match(rf"^{name}(\{{.*\}})? ([0-9.e+-]+)$", line)
        if match:
            total += float(match.group(2))
    return total


def test_api_down_for_20_s_mid_job(client: httpx.Client, api: ApiProcess, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker = worker_factory(api_breaker_recovery_s="4", api_retry_max_wait_s="2", **SLOW_WORKER)
    job_id = submit(client, SLOW_TEXT)
    wait_progress(client, job_id, 30)

    api.stop()
    down_at = time.monotonic()
    states: set[float] = set()
    while time.monotonic() - down_at < OUTAGE_S:
        states.add(metric(worker, "vocalio_worker_api_circuit_state"))
        time.sleep(0.25)
    assert 2.0 in states, states  # the breaker opened during the outage
    assert metric(worker, "vocalio_worker_api_call_failures_total") >= 5
    api.start()

    job = wait_for(client, job_id, timeout_s=60)
    assert job["status"] == "succeeded", job
    wait_until(lambda: metric(worker, "vocalio_worker_api_circuit_state") == 0.0, 20, "circuit closed again")

    history = events(client, job_id)
    progress = [e["progress"] for e in history if e["type"] in ("job.status", "job.progress", "job.succeeded")]
    assert progress == sorted(progress), progress
    stages = [e["stage"] for e in history]
    # every per-chunk update arrived, including those held back during the outage
    assert {"chunk 1/3", "chunk 2/3", "chunk 3/3"} <= set(stages), stages
    assert [e["type"] for e in history].count("job.succeeded") == 1
    assert client.get(f"/api/v1/jobs/{job_id}/audio").status_code == 200
