"""Book API fixtures: a real API process per test (SQLite, or PostgreSQL where marked), as the API
suite's, given more time to start (a shared machine under load imports slowly)."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ApiProcess

START_TIMEOUT_S = 120.0


@pytest.fixture
def api_factory(tmp_path: Path, redis_url: str) -> Iterator:
    started: list[ApiProcess] = []

    def start(extra_env: dict[str, str] | None = None) -> ApiProcess:
        api = ApiProcess(tmp_path / f"api{len(started)}", redis_url, extra_env)
        api.data_dir.mkdir(parents=True, exist_ok=True)
        started.append(api)
        api.start(timeout_s=START_TIMEOUT_S)
        return api

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def api(api_factory) -> ApiProcess:  # type: ignore[no-untyped-def]
    return api_factory()


@pytest.fixture
def admin(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=30) as c:
        yield c


@pytest.fixture
def worker_client(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}, timeout=30) as c:
        yield c
