"""The client's tests: a real local server that speaks the API's contract (books, job submits,
injected failures), and the real API with an eSpeak worker for jobs (tests/e2e/worker's fixtures)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from vocalio_client import Client

from tests.client.contract_server import ContractServer
from tests.e2e.worker.conftest import HEARTBEAT_INTERVAL_S, worker_factory  # noqa: F401  (a fixture, reused)
from tests.support.processes import ApiProcess

API_KEY = "test-key"


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    """The real API, as tests/e2e/worker starts it, given longer to come up on a busy machine."""
    data_dir = tmp_path / "api"
    data_dir.mkdir()
    process = ApiProcess(data_dir, redis_url, {"VOCALIO_HEARTBEAT_INTERVAL_S": HEARTBEAT_INTERVAL_S})
    process.start(timeout_s=120)
    yield process
    process.stop()


@pytest.fixture
def contract() -> Iterator[ContractServer]:
    yield from ContractServer.running()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(contract: ContractServer, sleeps: list[float]) -> Iterator[Client]:
    """A client on the contract server whose backoff waits are recorded, not slept."""
    with Client(contract.base_url, API_KEY, timeout=10, retries=3) as c:
        c.sleep = sleeps.append
        yield c
