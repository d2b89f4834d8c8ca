"""The client's tests: a real local server that speaks the API's contract (books, job submits,
injected failures), and the real API with an eSpeak worker for jobs (tests/e2e/worker's fixtures)."""

from collections.abc import Iterator

import pytest
from vocalio_client import Client

from tests.client.contract_server import ContractServer
from tests.e2e.worker.conftest import api, worker_factory  # noqa: F401  (fixtures, reused)

API_KEY = "test-key"


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
