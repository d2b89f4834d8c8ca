"""One real stack for the module: redis-server, the API and an eSpeak worker (slowed a little, so
streaming has something to overlap with), driven by the stock `openai` SDK."""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import numpy as np
import openai
import pytest
import redis
from vocalio_cli.embedded_redis import EmbeddedRedis

from tests.support.processes import ApiProcess, WorkerProcess

CHUNK_DELAY_S = 0.5  # per chunk, on top of eSpeak: the first-audio test needs time to overlap
STACK_DB = 0  # `redis_url` hands out dbs 1..15; this module-scoped stack keeps db 0 to itself


class Stack:
    def __init__(self, api: ApiProcess, worker: WorkerProcess) -> None:
        self.api = api
        self.worker = worker
        self.http = httpx.Client(
            base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=30
        )

    def sdk(self, api_key: str | None = None, **options: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.api.base_url}/v1", api_key=api_key or self.api.admin_key, **options)

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.http.get(f"/api/v1/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait(self, job_id: str, statuses: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})) -> dict:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if job["status"] in statuses:
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} never reached {statuses}: {self.job(job_id)}")


@pytest.fixture(scope="module")
def stack(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    redis_url = f"redis://{redis_server.host}:{redis_server.port}/{STACK_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    data_dir = Path(tmp_path_factory.mktemp("openai-stack"))
    api = ApiProcess(data_dir, redis_url, {"VOCALIO_HEARTBEAT_INTERVAL_S": "1"}).start(timeout_s=90)
    worker_env = {"VOCALIO_SIMULATED_CHUNK_DELAY_S": str(CHUNK_DELAY_S), "VOCALIO_BATCH_SIZE": "2"}
    worker = WorkerProcess(api, redis_url, data_dir, "openai-worker", worker_env)
    worker.start(timeout_s=90)  # a busy machine imports slowly
    stack = Stack(api, worker)
    yield stack
    stack.http.close()
    worker.stop(timeout_s=30)
    api.stop()


def decode_to_pcm(data: bytes, sample_rate_hz: int = 24000) -> np.ndarray:
    """Any container we answer with → int16 mono at `sample_rate_hz`, by ffmpeg."""
    raw = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", "pipe:0",
         "-f", "s16le", "-ac", "1", "-ar", str(sample_rate_hz), "pipe:1"],
        input=data, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<i2")
