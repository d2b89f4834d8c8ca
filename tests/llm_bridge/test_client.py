"""ExpandClient, what the worker uses: through the real bridge, and falling back locally when it cannot."""

from prometheus_client import CollectorRegistry
from vocalio_llm_bridge.client import ExpandClient
from vocalio_runtime.breaker import CircuitState
from vocalio_shared.regions import Region
from vocalio_text import normalize

from .conftest import TOKEN, BridgeFactory
from .ollama_double import MODEL, OllamaDouble, ServerThread
from .test_expand import GOOD, SOURCE


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_expands_through_the_bridge(llm_bridge: ServerThread, ollama: OllamaDouble) -> None:
    ollama.state.rewrite = lambda _: GOOD
    async with ExpandClient(llm_bridge.url, TOKEN, timeout_s=10) as client:
        outcome = await client.expand(SOURCE, Region.RIOPLATENSE)
    assert outcome.text == GOOD and outcome.source == "ollama" and outcome.model == MODEL
    assert outcome.local is False and outcome.warnings == [] and outcome.changed is True
    assert client.breaker.state == CircuitState.CLOSED


async def test_bridge_fallback_warnings_reach_the_caller(llm_bridge: ServerThread, ollama: OllamaDouble) -> None:
    ollama.state.rewrite = lambda _: GOOD.replace("García", "Gómez")
    async with ExpandClient(llm_bridge.url, TOKEN, timeout_s=10) as client:
        outcome = await client.expand(SOURCE, "rioplatense")
    assert outcome.source == "rules" and outcome.fallback_reason == "names_missing" and not outcome.local
    assert outcome.warnings and "names_missing" in outcome.warnings[0]


async def test_dead_bridge_gives_local_rules_with_a_warning(dead_url: str) -> None:
    async with ExpandClient(dead_url, TOKEN, timeout_s=2) as client:
        outcome = await client.expand(SOURCE, Region.MEXICAN)
    assert outcome.local is True and outcome.source == "rules"
    assert outcome.text == normalize(SOURCE, Region.MEXICAN)
    assert outcome.fallback_reason == "bridge_unreachable"
    assert "llm_bridge unavailable" in outcome.warnings[0]


async def test_callers_rules_text_is_used_as_is(dead_url: str) -> None:
    async with ExpandClient(dead_url, TOKEN, timeout_s=2) as client:
        outcome = await client.expand(SOURCE, "neutral", rules_text="ya normalizado")
    assert outcome.text == "ya normalizado" and outcome.local


async def test_wrong_token_falls_back_without_opening_the_circuit(llm_bridge: ServerThread) -> None:
    async with ExpandClient(llm_bridge.url, "not-the-token-at-all", timeout_s=5, fail_max=1) as client:
        for _ in range(3):
            outcome = await client.expand("Hola.", "neutral")
            assert outcome.local and outcome.fallback_reason == "bridge_rejected"
        assert client.breaker.state == CircuitState.CLOSED


async def test_circuit_opens_after_five_failures_then_recovers(make_bridge: BridgeFactory, dead_url: str) -> None:
    clock = FakeClock()
    registry = CollectorRegistry()
    port = int(dead_url.rsplit(":", 1)[1])
    async with ExpandClient(dead_url, TOKEN, timeout_s=2, clock=clock, registry=registry) as client:
        reasons = [(await client.expand("Hola.", "neutral")).fallback_reason for _ in range(6)]
        assert reasons == ["bridge_unreachable"] * 5 + ["circuit_open"]
        assert client.breaker.state == CircuitState.OPEN
        assert registry.get_sample_value("vocalio_worker_llm_bridge_circuit_state") == 2
        assert registry.get_sample_value("vocalio_worker_llm_bridge_fallbacks_total", {"reason": "circuit_open"}) == 1

        clock.now += 29
        assert (await client.expand("Hola.", "neutral")).fallback_reason == "circuit_open"
        clock.now += 1  # 30 s: half-open, one probe; still down, so open again
        assert client.breaker.state == CircuitState.HALF_OPEN
        assert (await client.expand("Hola.", "neutral")).fallback_reason == "bridge_unreachable"
        assert client.breaker.state == CircuitState.OPEN

        make_bridge(port=port)  # the bridge comes back on that address
        clock.now += 30
        outcome = await client.expand("Hola.", "neutral")
        assert not outcome.local and outcome.source == "rules"
        assert client.breaker.state == CircuitState.CLOSED
        assert registry.get_sample_value("vocalio_worker_llm_bridge_circuit_state") == 0


async def test_bridge_server_errors_count_as_failures(make_bridge: BridgeFactory) -> None:
    # A bridge whose Redis URL is fine but whose answers are 5xx: simulate with a server that only 500s.
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    broken = FastAPI()

    @broken.post("/v1/expand")
    async def _fail() -> JSONResponse:
        return JSONResponse({"error": "boom"}, status_code=503)

    server = ServerThread(broken).start()
    try:
        async with ExpandClient(server.url, TOKEN, timeout_s=2, fail_max=2) as client:
            first = await client.expand("Hola.", "neutral")
            second = await client.expand("Hola.", "neutral")
            third = await client.expand("Hola.", "neutral")
    finally:
        server.stop()
    assert first.fallback_reason == second.fallback_reason == "bridge_error"
    assert third.fallback_reason == "circuit_open"


async def test_slow_bridge_times_out_locally(make_bridge: BridgeFactory, ollama: OllamaDouble) -> None:
    bridge = make_bridge(ollama_url=ollama.url, ollama_model=MODEL, ollama_timeout_s=5)
    ollama.state.delay_s = 2.0
    async with ExpandClient(bridge.url, TOKEN, timeout_s=0.5) as client:
        outcome = await client.expand("Hola.", "neutral")
    assert outcome.local and outcome.fallback_reason == "bridge_timeout"
