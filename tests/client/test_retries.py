"""Retries against a real server that fails the first calls: same Idempotency-Key on every try,
Retry-After honoured, validation errors never retried, clear errors from the error body."""

import socket

import pytest
from vocalio_client import Client, VocalioApiError, VocalioConnectionError
from vocalio_shared.errors import ErrorCode

from tests.client.contract_server import ContractServer


def test_a_retried_submit_sends_one_idempotency_key_and_makes_one_job(
    client: Client, contract: ContractServer, sleeps: list[float]
) -> None:
    contract.fail_next("POST", "/api/v1/jobs", 2, status=503)  # a proxy's bare 503 page, twice
    job = client.create_job("Hola, mundo.", priority="bulk")
    tries = contract.requests("POST", "/api/v1/jobs")
    assert len(tries) == 3 and contract.jobs_created == 1
    keys = {headers["idempotency-key"] for headers in tries}
    assert len(keys) == 1 and len(keys.pop()) == 36  # one uuid4 for the logical call
    assert job.status == "queued" and job.priority == "bulk"
    assert len(sleeps) == 2 and all(0 < s <= client.max_backoff_s for s in sleeps)


def test_each_logical_call_gets_its_own_key_unless_given(client: Client, contract: ContractServer) -> None:
    client.create_job("Uno.")
    client.create_job("Dos.")
    client.create_job("Tres.", idempotency_key="pipeline-chapter-3")
    keys = [headers["idempotency-key"] for headers in contract.requests("POST", "/api/v1/jobs")]
    assert len(set(keys)) == 3 and keys[2] == "pipeline-chapter-3"


def test_retry_after_is_honoured(client: Client, contract: ContractServer, sleeps: list[float]) -> None:
    contract.fail_next("POST", "/api/v1/jobs", 1, code=ErrorCode.RATE_LIMITED, retry_after=7)
    client.create_job("Hola.")
    assert sleeps == [7.0]


def test_errors_the_body_marks_retryable_are_retried(
    client: Client, contract: ContractServer, sleeps: list[float]
) -> None:
    contract.fail_next("GET", "/api/v1/books/missing", 1, code=ErrorCode.ENGINE_UNAVAILABLE)
    with pytest.raises(VocalioApiError) as raised:
        client.get_book("missing")  # retried once, then the real answer: 404, not retried
    assert raised.value.code == "BOOK_NOT_FOUND" and raised.value.status == 404
    assert len(contract.requests("GET", "/api/v1/books/missing")) == 2 and len(sleeps) == 1


def test_validation_errors_are_raised_at_once(client: Client, contract: ContractServer, sleeps: list[float]) -> None:
    contract.fail_next("POST", "/api/v1/jobs", 1, code=ErrorCode.VALIDATION_ERROR)
    with pytest.raises(VocalioApiError) as raised:
        client.create_job("Hola.")
    error = raised.value
    assert (error.status, error.code, error.message) == (422, "VALIDATION_ERROR", "injected failure")
    assert not error.retryable and sleeps == [] and len(contract.requests("POST", "/api/v1/jobs")) == 1


def test_retries_give_up_with_the_last_error(client: Client, contract: ContractServer, sleeps: list[float]) -> None:
    contract.fail_next("POST", "/api/v1/jobs", 10, status=502)
    with pytest.raises(VocalioApiError) as raised:
        client.create_job("Hola.")
    assert raised.value.status == 502 and raised.value.code == "HTTP_502" and "bad gateway" in raised.value.message
    assert len(contract.requests("POST", "/api/v1/jobs")) == client.retries + 1 and len(sleeps) == client.retries


def test_a_wrong_key_is_a_clear_auth_error(contract: ContractServer) -> None:
    with Client(contract.base_url, "wrong", retries=3) as client, pytest.raises(VocalioApiError) as raised:
        client.list_books()
    assert raised.value.status == 401 and raised.value.code == "UNAUTHENTICATED"
    assert len(contract.requests("GET", "/api/v1/books")) == 1


def test_an_unreachable_api_is_retried_then_reported(sleeps: list[float]) -> None:
    with socket.socket() as holder:  # a port that is bound but never listens: connection refused
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        with Client(f"http://127.0.0.1:{port}", "k", retries=2) as client:
            client.sleep = sleeps.append
            with pytest.raises(VocalioConnectionError) as raised:
                client.get_job("job_x")
    assert raised.value.code == "API_UNREACHABLE" and raised.value.status is None and len(sleeps) == 2
