"""One real API process (SQLite, its own redis-server) per test module: the hostile suites send
hundreds of requests, and a process per test would spend their budget on start-ups."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from vocalio_cli.embedded_redis import EmbeddedRedis

from tests.support.processes import ApiProcess

# Fuzzing and the isolation sweep send far more than the default 600 requests a minute per key.
# An API's first start (migrations, default voices) on a busy 2-core machine can pass the usual 30 s.
START_TIMEOUT_S = 90.0
HOSTILE_API_ENV = {"VOCALIO_RATE_REQUESTS_PER_MIN": "1000000", "VOCALIO_LOG_FORMAT": "json"}


@pytest.fixture(scope="module")
def hostile_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("hostile-redis")).start()
    yield f"redis://{server.host}:{server.port}/0"
    server.stop()


@pytest.fixture(scope="module")
def hostile_api(tmp_path_factory: pytest.TempPathFactory, hostile_redis: str) -> Iterator[ApiProcess]:
    data_dir = Path(tmp_path_factory.mktemp("hostile-api"))
    api = ApiProcess(data_dir, hostile_redis, HOSTILE_API_ENV)
    api.start(timeout_s=START_TIMEOUT_S)
    yield api
    api.stop()


def client_for(api: ApiProcess, key: str) -> httpx.Client:
    return httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=15)


def create_key(api: ApiProcess, role: str, name: str) -> str:
    with client_for(api, api.admin_key) as admin:
        response = admin.post("/api/v1/keys", json={"name": name, "role": role})
    assert response.status_code == 201, response.text
    return str(response.json()["key"])
