"""/ready reports whether Ollama answers and lists the model; pull on start fetches a missing model."""

import asyncio
import time

import httpx

from .conftest import AUTH, BridgeFactory
from .ollama_double import MODEL, OllamaDouble, ServerThread


async def ready(bridge: ServerThread) -> httpx.Response:
    async with httpx.AsyncClient(base_url=bridge.url, headers=AUTH, timeout=10) as client:
        return await client.get("/ready")


async def test_ready_with_model_present(llm_bridge: ServerThread) -> None:
    response = await ready(llm_bridge)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready" and body["redis"] is True
    assert body["ollama"]["reachable"] is True and body["ollama"]["model_present"] is True


async def test_ready_without_ollama_is_rules_only(make_bridge: BridgeFactory) -> None:
    body = (await ready(make_bridge())).json()
    assert body["status"] == "ready" and body["ollama"] == {"enabled": False}


async def test_not_ready_when_model_missing(make_bridge: BridgeFactory, ollama: OllamaDouble) -> None:
    bridge = make_bridge(ollama_url=ollama.url, ollama_model="llama-absent")
    response = await ready(bridge)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "NOT_READY" and error["retry_suggested"] is True
    assert error["context"]["ollama"]["reachable"] is True
    assert error["context"]["ollama"]["model_present"] is False


async def test_not_ready_when_ollama_down(make_bridge: BridgeFactory, dead_url: str) -> None:
    response = await ready(make_bridge(ollama_url=dead_url, ollama_model=MODEL))
    assert response.status_code == 503
    assert response.json()["error"]["context"]["ollama"]["reachable"] is False


async def test_untagged_model_name_matches_latest(make_bridge: BridgeFactory, ollama: OllamaDouble) -> None:
    bridge = make_bridge(ollama_url=ollama.url, ollama_model=MODEL.removesuffix(":latest"))
    assert (await ready(bridge)).status_code == 200


async def test_pull_on_start_fetches_the_model(make_bridge: BridgeFactory, ollama: OllamaDouble) -> None:
    bridge = make_bridge(ollama_url=ollama.url, ollama_model="fresh-model:3b", ollama_pull_on_start=True)
    deadline = time.monotonic() + 10
    while (await ready(bridge)).status_code != 200:
        assert time.monotonic() < deadline, "the model never became ready"
        await asyncio.sleep(0.05)
    assert [request["model"] for request in ollama.state.pull_requests] == ["fresh-model:3b"]
    assert ollama.state.pull_requests[0]["stream"] is True
    assert "fresh-model:3b" in ollama.state.models


async def test_pull_waits_for_a_late_ollama(make_bridge: BridgeFactory, dead_url: str) -> None:
    port = int(dead_url.rsplit(":", 1)[1])
    bridge = make_bridge(ollama_url=dead_url, ollama_model="late:1b", ollama_pull_on_start=True)
    await asyncio.sleep(0.3)
    assert (await ready(bridge)).status_code == 503
    late = OllamaDouble(port=port).start()  # Ollama finishes starting after the bridge
    try:
        deadline = time.monotonic() + 15
        while (await ready(bridge)).status_code != 200:
            assert time.monotonic() < deadline, "the bridge never pulled from the late Ollama"
            await asyncio.sleep(0.1)
        assert [request["model"] for request in late.state.pull_requests] == ["late:1b"]
    finally:
        late.stop()
