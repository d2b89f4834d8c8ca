"""API fixtures: a real API process per test module on SQLite, and on PostgreSQL where marked."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ApiProcess


@pytest.fixture
def api_factory(tmp_path: Path, redis_url: str) -> Iterator:
    started: list[ApiProcess] = []

    def start(extra_env: dict[str, str] | None = None, data_dir: Path | None = None) -> ApiProcess:
        api = ApiProcess(data_dir or tmp_path / f"api{len(started)}", redis_url, extra_env)
        api.data_dir.mkdir(parents=True, exist_ok=True)
        started.append(api)
        return api.start()

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def api(api_factory) -> ApiProcess:  # type: ignore[no-untyped-def]
    return api_factory()


@pytest.fixture
def admin(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=10) as c:
        yield c


@pytest.fixture
def worker_client(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}, timeout=10) as c:
        yield c


def new_key(admin: httpx.Client, role: str = "client", **limits: int) -> str:
    response = admin.post("/api/v1/keys", json={"name": f"test {role}", "role": role, **limits})
    assert response.status_code == 201, response.text
    return response.json()["key"]
