"""`expand: true` end to end: API → worker → llm_bridge → (Ollama double) → spoken text and captions."""

from collections.abc import Iterator

import httpx
import pytest
from vocalio_cli.embedded_redis import free_port
from vocalio_llm_bridge.app import create_app

from tests.e2e.worker.conftest import submit, wait_for
from tests.llm_bridge.conftest import TOKEN, bridge_settings
from tests.llm_bridge.ollama_double import MODEL, OllamaDouble, ServerThread

TEXT = "El Sr. García llegó tarde, como siempre."
REWRITTEN = "El señor García llegó tarde, como de costumbre."


@pytest.fixture
def ollama() -> Iterator[OllamaDouble]:
    double = OllamaDouble().start()
    double.state.rewrite = lambda text: REWRITTEN if "García" in text else text  # type: ignore[method-assign]
    yield double  # type: ignore[misc]
    double.stop()


@pytest.fixture
def bridge(ollama: OllamaDouble, redis_url: str) -> Iterator[ServerThread]:
    settings = bridge_settings(redis_url, ollama_url=ollama.url, ollama_model=MODEL)
    server = ServerThread(create_app(settings)).start()
    yield server
    server.stop()


def spoken_text(client: httpx.Client, job_id: str) -> str:
    captions = client.get(f"/api/v1/jobs/{job_id}/captions", params={"format": "json"}).json()
    segments = captions["segments"] if isinstance(captions, dict) else captions
    return " ".join(segment["text"] for segment in segments)


def test_expand_goes_through_the_bridge_and_the_model(
    client: httpx.Client,
    worker_factory,
    bridge: ServerThread,
    ollama: OllamaDouble,  # type: ignore[no-untyped-def]
) -> None:
    worker_factory(llm_bridge_url=bridge.url, llm_bridge_token=TOKEN)
    job = wait_for(client, submit(client, TEXT, expand=True))
    assert job["status"] == "succeeded", job
    assert job["metrics"]["expand_source"] == "ollama"
    assert "de costumbre" in spoken_text(client, job["id"])
    assert any(TEXT in str(request) for request in ollama.state.chat_requests)
    plain = wait_for(client, submit(client, TEXT))
    assert plain["metrics"]["expand_source"] is None and "siempre" in spoken_text(client, plain["id"])


def test_bridge_down_the_job_goes_on_with_rules_and_a_warning(
    client: httpx.Client,
    worker_factory,  # type: ignore[no-untyped-def]
) -> None:
    worker_factory(llm_bridge_url=f"http://127.0.0.1:{free_port()}", llm_bridge_token=TOKEN)
    job = wait_for(client, submit(client, TEXT, expand=True))
    assert job["status"] == "succeeded", job
    assert job["metrics"]["expand_source"] == "local"
    assert job["result"]["warnings"], "the fallback to rules must be visible in the result"
    assert "siempre" in spoken_text(client, job["id"])
