"""Storage, network and clock faults against real processes: a real redis-server (suite fixture),
API and eSpeak worker processes, a real SQLite file or PostgreSQL, a real size-limited tmpfs and a
real TCP proxy between worker and API. Each test counts its jobs, and every one must end once."""

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.worker.conftest import SLOW_TEXT as SLOW_TEXT
from tests.e2e.worker.conftest import SLOW_WORKER as SLOW_WORKER
from tests.e2e.worker.conftest import TERMINAL as TERMINAL
from tests.e2e.worker.conftest import events as events
from tests.e2e.worker.conftest import get_job as get_job
from tests.e2e.worker.conftest import submit as submit
from tests.e2e.worker.conftest import wait_for as wait_for
from tests.e2e.worker.conftest import wait_progress as wait_progress
from tests.e2e.worker.conftest import wait_until as wait_until
from tests.support.processes import ApiProcess, WorkerProcess

# Short intervals keep each fault test to seconds: a worker is LOST after 3 silent seconds.
API_ENV = {"VOCALIO_HEARTBEAT_INTERVAL_S": "1"}


@pytest.fixture
def api_factory(tmp_path: Path, redis_url: str) -> Iterator[Callable[..., ApiProcess]]:
    started: list[ApiProcess] = []

    def start(extra_env: dict[str, str] | None = None, data_dir: Path | None = None) -> ApiProcess:
        api = ApiProcess(data_dir or tmp_path / f"api{len(started)}", redis_url, API_ENV | (extra_env or {}))
        api.data_dir.mkdir(parents=True, exist_ok=True)
        started.append(api)
        return api.start(timeout_s=60)  # type: ignore[return-value]

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def worker_factory(redis_url: str, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(api: ApiProcess, worker_id: str = "worker-1", api_url: str | None = None, **env: str) -> WorkerProcess:
        extra = {f"VOCALIO_{k.upper()}": v for k, v in env.items()}
        if api_url is not None:  # through a proxy
            extra["VOCALIO_API_URL"] = api_url
        worker = WorkerProcess(api, redis_url, tmp_path, worker_id, extra)
        started.append(worker)
        return worker.start(timeout_s=60)  # type: ignore[return-value]

    yield start
    for worker in started:
        worker.stop(timeout_s=30)


def admin_client(api: ApiProcess) -> httpx.Client:
    return httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=30)


def assert_ended_once(client: httpx.Client, job_id: str) -> dict[str, Any]:
    """The job succeeded, exactly one terminal event was recorded, and its audio downloads whole."""
    job = get_job(client, job_id)
    assert job["status"] == "succeeded", job
    kinds = [e["type"] for e in events(client, job_id)]
    assert kinds.count("job.succeeded") == 1 and "job.failed" not in kinds, kinds
    audio = client.get(f"/api/v1/jobs/{job_id}/audio")
    assert audio.status_code == 200, audio.text
    assert hashlib.sha256(audio.content).hexdigest() == job["result"]["sha256"]
    return job


def worker_state(client: httpx.Client, worker_id: str) -> str:
    response = client.get(f"/api/v1/workers/{worker_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["state"])


SHORT_TEXT = "Hola, esta es una prueba corta del servicio."


def metric(worker: WorkerProcess, name: str, labels: str = "") -> float:
    """The sum of a worker metric's samples (those whose labels contain `labels`)."""
    total = 0.0
    for line in worker.metrics_text().splitlines():
        match = re.match(rf"^{name}(\{{.*\}})? ([0-9.e+-]+)$", line)
        if match and labels in (match.group(1) or ""):
            total += float(match.group(2))
    return total


TALLY = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults_io.jsonl"


def tally(test: str, faults: list[str], client: httpx.Client, jobs: list[str], failed_by_design: int = 0) -> None:
    """One line per test for the run's note: faults injected, jobs, lost (a job that did not
    succeed, the ones meant to fail excepted) and duplicates (a second success or audio rewritten)."""
    lost = duplicates = 0
    for job_id in jobs:
        kinds = [e["type"] for e in events(client, job_id)]
        lost += get_job(client, job_id)["status"] != "succeeded"
        duplicates += max(0, kinds.count("job.succeeded") - 1)
    TALLY.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "test": test,
        "faults": faults,
        "jobs": len(jobs) + failed_by_design,
        "failed_by_design": failed_by_design,
        "lost": lost,
        "duplicates": duplicates,
    }
    with TALLY.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    assert lost == 0 and duplicates == 0, line
