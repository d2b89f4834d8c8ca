"""A real stack for chapter jobs: redis-server, the API process and eSpeak worker processes.

Chapter jobs are created the way the book service creates them, `jobs_service.create_job(...,
chapter=ChapterRender(...))`, called from the test process against the API's own database and Redis:
no route in the service exists only for tests, and the job is exactly what a book would queue.
"""

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from vocalio_api import jobs_service
from vocalio_api.auth import Caller
from vocalio_api.config import ApiSettings
from vocalio_api.db import create_engine, session_factory
from vocalio_api.job_queue import connect_queue
from vocalio_api.models import KeyRole
from vocalio_api.security import key_id_of
from vocalio_api.state import AppState
from vocalio_shared.schemas.jobs import ChapterRender, JobCreate

from tests.e2e.worker.conftest import get_job, wait_for
from tests.support.processes import ApiProcess, WorkerProcess

CHAPTER_PARAMS: dict[str, Any] = {
    "voice": "espeak:es-419",
    "region": "neutral",
    "output_format": "flac",
    "sample_rate": 44100,
    "priority": "bulk",
}


START_TIMEOUT_S = 120.0  # a shared machine under load imports slowly


@pytest.fixture
def api_factory(tmp_path: Path, redis_url: str) -> Iterator[Callable[..., ApiProcess]]:
    """API processes of this test (SQLite, or PostgreSQL where the test passes its URL)."""
    started: list[ApiProcess] = []

    def start(extra_env: dict[str, str] | None = None) -> ApiProcess:
        api = ApiProcess(tmp_path / f"api{len(started) or ''}", redis_url, extra_env)
        api.data_dir.mkdir(parents=True, exist_ok=True)
        started.append(api)
        api.start(timeout_s=START_TIMEOUT_S)
        return api

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def api(api_factory: Callable[..., ApiProcess]) -> ApiProcess:
    return api_factory({"VOCALIO_HEARTBEAT_INTERVAL_S": "1"})


@pytest.fixture
def client(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=30) as c:
        yield c


@pytest.fixture
def admin(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=30) as c:
        yield c


@pytest.fixture
def worker_client(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}, timeout=30) as c:
        yield c


@pytest.fixture
def worker_factory(api: ApiProcess, redis_url: str, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Each worker has a data dir of its own (its sentence copies), so a second worker downloads."""
    started: list[WorkerProcess] = []

    def start(worker_id: str = "worker-1", **env: str) -> WorkerProcess:
        settings = {"data_dir": str(tmp_path / worker_id)} | env
        variables = {f"VOCALIO_{key.upper()}": value for key, value in settings.items()}
        worker = WorkerProcess(api, redis_url, tmp_path, worker_id, variables)
        started.append(worker)
        worker.start(timeout_s=90)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout_s=30)


class ChapterJobs:
    """Creates chapter jobs through the API's own code, on the API process's database and Redis."""

    def __init__(self, api: ApiProcess, redis_url: str) -> None:
        self.api = api
        self.settings = ApiSettings(
            data_dir=api.data_dir,
            redis_url=redis_url,
            worker_token=api.worker_token,
            webhook_secret=api.webhook_secret,
        )

    def create(self, text: str, chapter: ChapterRender, **params: Any) -> str:
        return asyncio.run(self._create(JobCreate(text=text, **(CHAPTER_PARAMS | params)), chapter))

    async def _create(self, body: JobCreate, chapter: ChapterRender) -> str:
        engine = create_engine(self.settings)
        redis = await connect_queue(self.settings.redis_url)
        async with httpx.AsyncClient() as http:
            state = AppState(self.settings, engine, session_factory(engine), redis, http)
            key_id = key_id_of(self.api.admin_key)
            assert key_id is not None
            caller = Caller(key_id, "admin", KeyRole.ADMIN, 10_000, 100_000_000)
            try:
                async with state.sessions() as session:
                    job, created = await jobs_service.create_job(state, session, caller, body, None, chapter=chapter)
                assert created
                return job.id
            finally:
                await redis.aclose()
                await engine.dispose()


@pytest.fixture
def chapter_jobs(api: ApiProcess, redis_url: str) -> ChapterJobs:
    return ChapterJobs(api, redis_url)


def chapter(title: str | None = "Capítulo 1", **fields: Any) -> ChapterRender:
    return ChapterRender(book_id="book-1", chapter_id="chapter-1", title=title, book_seed=42, **fields)


def finished(client: httpx.Client, job_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    job = wait_for(client, job_id, timeout_s=timeout_s)
    assert job["status"] == "succeeded", job
    return job


def stored_sentences(client: httpx.Client, outcome: str) -> int:
    """What the API's sentence cache received (vocalio_sentences_stored_total)."""
    text = client.get("/metrics").text
    found = re.search(rf'vocalio_sentences_stored_total{{outcome="{outcome}"}} ([0-9.e+]+)', text)
    return int(float(found.group(1))) if found else 0


def sentence_files(api: ApiProcess) -> list[Path]:
    return sorted((api.data_dir / "sentences").rglob("*.flac"))


def sentences_done(client: httpx.Client, job_id: str) -> int:
    """k of the stage "sentence k/n (c cached)", 0 before synthesis starts."""
    stage = get_job(client, job_id).get("stage") or ""
    found = re.match(r"sentence (\d+)/\d+", stage)
    return int(found.group(1)) if found else 0
