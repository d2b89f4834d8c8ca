"""Fixtures: a real Ollama double, real bridges (uvicorn on free ports), real Redis."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from vocalio_cli.embedded_redis import free_port
from vocalio_llm_bridge.app import create_app
from vocalio_llm_bridge.config import LlmBridgeSettings

from .ollama_double import MODEL, OllamaDouble, ServerThread

TOKEN = "test-bridge-token-0123456789"


@pytest.fixture(scope="session")
def ollama_server() -> Iterator[OllamaDouble]:
    double = OllamaDouble().start()
    yield double  # type: ignore[misc]
    double.stop()


@pytest.fixture
def ollama(ollama_server: OllamaDouble) -> OllamaDouble:
    ollama_server.state.reset()
    return ollama_server


def bridge_settings(redis_url: str, **overrides: Any) -> LlmBridgeSettings:
    values: dict[str, Any] = {
        "llm_bridge_token": TOKEN,
        "redis_url": redis_url,
        "ollama_url": None,
        "ollama_model": None,
        "ollama_timeout_s": 5.0,
        "ollama_connect_timeout_s": 1.0,
    }
    values.update(overrides)
    # _env_file=None: a developer's .env must not leak into tests.
    return LlmBridgeSettings(_env_file=None, **values)  # type: ignore[call-arg]


BridgeFactory = Callable[..., ServerThread]


@pytest.fixture
def make_bridge(redis_url: str) -> Iterator[BridgeFactory]:
    started: list[ServerThread] = []

    def make(port: int | None = None, **overrides: Any) -> ServerThread:
        settings = bridge_settings(**{"redis_url": redis_url, **overrides})
        server = ServerThread(create_app(settings), port=port).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def llm_bridge(make_bridge: BridgeFactory, ollama: OllamaDouble) -> ServerThread:
    """A bridge wired to the Ollama double with its model present."""
    return make_bridge(ollama_url=ollama.url, ollama_model=MODEL)


@pytest.fixture
def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


AUTH = {"Authorization": f"Bearer {TOKEN}"}
