"""POST /v1/expand end to end: real bridge → official ollama client → Ollama double; real Redis."""

import json

import httpx
import pytest
import redis
from vocalio_llm_bridge.cache import KEY_PREFIX
from vocalio_shared.regions import Region
from vocalio_text import normalize

from .conftest import AUTH, BridgeFactory
from .ollama_double import MODEL, OllamaDouble, ServerThread

SOURCE = "El Sr. García pagó 1.500 € el 12/10/1492 en Buenos Aires, un 50% más que Ana."
GOOD = (
    "El señor García pagó mil quinientos euros el doce de octubre de mil cuatrocientos noventa y dos "
    "en Buenos Aires, un cincuenta por ciento más que Ana."
)


async def expand(bridge: ServerThread, text: str = SOURCE, **extra: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=bridge.url, headers=AUTH, timeout=20) as client:
        return await client.post("/v1/expand", json={"text": text, "region": "rioplatense", **extra})


async def metrics_text(bridge: ServerThread) -> str:
    async with httpx.AsyncClient(base_url=bridge.url, headers=AUTH) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_accepted_expansion_comes_from_ollama(llm_bridge: ServerThread, ollama: OllamaDouble) -> None:
    ollama.state.rewrite = lambda _: GOOD
    response = await expand(llm_bridge, style="narrativo, pausado")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"] == GOOD
    assert body["source"] == "ollama" and body["model"] == MODEL and body["prompt_version"] == "v1"
    assert body["changed"] is True and body["warnings"] == [] and body["fallback_reason"] is None
    # What reached Ollama: our model, the versioned prompt for the region, structured output, temperature.
    sent = ollama.state.chat_requests[-1]
    assert sent["model"] == MODEL and sent["stream"] is False
    system, user = sent["messages"]
    assert "rioplatense" in system["content"] and "narrativo, pausado" in system["content"]
    assert user == {"role": "user", "content": SOURCE}
    assert sent["format"]["required"] == ["text"] and "temperature" in sent["options"]
    assert 'vocalio_llm_expand_requests_total{source="ollama"} 1.0' in await metrics_text(llm_bridge)


@pytest.mark.parametrize(
    ("rewrite", "reason"),
    [
        (lambda _: GOOD.replace("mil quinientos", "mil seiscientos"), "numbers_changed"),
        (lambda _: GOOD.replace("doce de octubre", "once de octubre"), "numbers_changed"),
        (lambda _: GOOD.replace("García", "Gómez"), "names_missing"),
        (lambda _: GOOD.replace("Buenos Aires", "la capital"), "names_missing"),
        (lambda _: GOOD + " Y además fue un día soleado con muchos pájaros en el cielo azul. " * 4, "length_ratio"),
        (lambda _: "   ", "empty_output"),
    ],
    ids=["number-changed", "date-changed", "name-changed", "place-dropped", "too-long", "empty"],
)
async def test_guard_rejections_serve_rules_with_warning_and_metric(
    llm_bridge: ServerThread, ollama: OllamaDouble, rewrite: object, reason: str
) -> None:
    ollama.state.rewrite = rewrite  # type: ignore[assignment]
    body = (await expand(llm_bridge)).json()
    assert body["source"] == "rules" and body["text"] == normalize(SOURCE, Region.RIOPLATENSE)
    assert body["fallback_reason"] == reason
    assert len(body["warnings"]) == 1 and reason in body["warnings"][0]
    assert f'vocalio_llm_expand_fallbacks_total{{reason="{reason}"}} 1.0' in await metrics_text(llm_bridge)


async def test_truncated_rewrite_is_rejected(llm_bridge: ServerThread, ollama: OllamaDouble) -> None:
    # A summary drops facts: here the numbers go first, so the guard names them.
    long_text = " ".join(f"El capítulo {n} cuenta la historia de Pedro en Lima." for n in range(1, 9))
    ollama.state.rewrite = lambda text: text[: len(text) // 3]
    body = (await expand(llm_bridge, text=long_text)).json()
    assert body["source"] == "rules" and body["fallback_reason"] == "numbers_changed"


async def test_short_rewrite_without_numbers_trips_length(llm_bridge: ServerThread, ollama: OllamaDouble) -> None:
    text = "La casa de Pedro era grande, luminosa y silenciosa, con un jardín lleno de árboles viejos y flores."
    ollama.state.rewrite = lambda _: "La casa de Pedro."
    body = (await expand(llm_bridge, text=text)).json()
    assert body["source"] == "rules" and body["fallback_reason"] == "length_ratio"


async def test_timeout_falls_back(make_bridge: BridgeFactory, ollama: OllamaDouble) -> None:
    bridge = make_bridge(ollama_url=ollama.url, ollama_model=MODEL, ollama_timeout_s=0.3)
    ollama.state.delay_s = 2.0
    body = (await expand(bridge)).json()
    assert body["source"] == "rules" and body["fallback_reason"] == "timeout"
    assert 'vocalio_llm_expand_fallbacks_total{reason="timeout"} 1.0' in await metrics_text(bridge)


async def test_missing_model_404_falls_back(make_bridge: BridgeFactory, ollama: OllamaDouble) -> None:
    bridge = make_bridge(ollama_url=ollama.url, ollama_model="not-pulled:7b")
    body = (await expand(bridge)).json()
    assert body["source"] == "rules" and body["fallback_reason"] == "model_not_found"
    assert "not-pulled:7b" in body["warnings"][0]


@pytest.mark.parametrize(
    ("knob", "value", "reason"),
    [
        ("raw_content", "Claro, aquí tienes el texto: El señor García...", "malformed"),
        ("raw_content", json.dumps({"texto": GOOD}), "malformed"),
        ("raw_body", "<html>bad gateway</html>", "malformed"),
        ("raw_body", json.dumps({"done": True}), "malformed"),
        ("fail_status", 500, "upstream_error"),
    ],
    ids=["prose-not-json", "wrong-key", "html-body", "no-message", "http-500"],
)
async def test_malformed_and_failing_answers_fall_back(
    llm_bridge: ServerThread, ollama: OllamaDouble, knob: str, value: object, reason: str
) -> None:
    setattr(ollama.state, knob, value)
    body = (await expand(llm_bridge)).json()
    assert body["source"] == "rules" and body["fallback_reason"] == reason


async def test_ollama_down_falls_back(make_bridge: BridgeFactory, dead_url: str) -> None:
    bridge = make_bridge(ollama_url=dead_url, ollama_model=MODEL)
    response = await expand(bridge)
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "rules" and body["fallback_reason"] == "unreachable"


async def test_repeat_is_a_cache_hit(llm_bridge: ServerThread, ollama: OllamaDouble, redis_url: str) -> None:
    ollama.state.rewrite = lambda _: GOOD
    first = (await expand(llm_bridge)).json()
    second = (await expand(llm_bridge)).json()
    assert first["source"] == "ollama" and second["source"] == "cache"
    assert second["text"] == GOOD and second["model"] == MODEL
    assert len(ollama.state.chat_requests) == 1
    # The key names model and prompt version; the entry expires.
    keys = redis.Redis.from_url(redis_url).keys(f"{KEY_PREFIX}:*")
    assert len(keys) == 1 and f":{MODEL}:v1:rioplatense:".encode() in keys[0]
    assert 0 < redis.Redis.from_url(redis_url).ttl(keys[0]) <= 7 * 24 * 3600
    # Another region (or style) is another prompt: not served from this entry.
    async with httpx.AsyncClient(base_url=llm_bridge.url, headers=AUTH) as client:
        other = (await client.post("/v1/expand", json={"text": SOURCE, "region": "mexican"})).json()
    assert other["source"] == "ollama" and len(ollama.state.chat_requests) == 2
    assert "vocalio_llm_expand_cache_hits_total 1.0" in await metrics_text(llm_bridge)


async def test_redis_down_does_not_fail_requests(
    make_bridge: BridgeFactory, ollama: OllamaDouble, dead_url: str
) -> None:
    dead_redis = dead_url.replace("http://", "redis://") + "/0"
    bridge = make_bridge(ollama_url=ollama.url, ollama_model=MODEL, redis_url=dead_redis)
    ollama.state.rewrite = lambda _: GOOD
    for _ in range(2):  # no cache: both go to Ollama, neither fails
        body = (await expand(bridge)).json()
        assert body["source"] == "ollama" and body["text"] == GOOD
    async with httpx.AsyncClient(base_url=bridge.url, headers=AUTH) as client:
        ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["redis"] is False


async def test_rejected_answers_are_not_cached(llm_bridge: ServerThread, ollama: OllamaDouble) -> None:
    ollama.state.rewrite = lambda _: GOOD.replace("García", "Gómez")
    assert (await expand(llm_bridge)).json()["source"] == "rules"
    ollama.state.rewrite = lambda _: GOOD
    assert (await expand(llm_bridge)).json()["source"] == "ollama"


async def test_rules_only_without_ollama(make_bridge: BridgeFactory) -> None:
    bridge = make_bridge()
    body = (await expand(bridge)).json()
    assert body["source"] == "rules" and body["model"] is None
    assert body["warnings"] == [] and body["fallback_reason"] is None
    assert body["text"] == normalize(SOURCE, Region.RIOPLATENSE)
    assert body["changed"] is (body["text"] != SOURCE)


async def test_auth_and_error_bodies(llm_bridge: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=llm_bridge.url) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": "Basic x"}):
            response = await client.post("/v1/expand", json={"text": "hola"}, headers=headers)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "UNAUTHENTICATED"
            assert response.headers["www-authenticate"] == "Bearer"
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/ready")).status_code == 401

        empty = await client.post("/v1/expand", json={"text": ""}, headers=AUTH)
        assert empty.status_code == 422 and empty.json()["error"]["code"] == "VALIDATION_ERROR"
        region = await client.post("/v1/expand", json={"text": "hola", "region": "martian"}, headers=AUTH)
        assert region.status_code == 422 and region.json()["error"]["category"] == "VALIDATION"
        missing = await client.get("/nope", headers=AUTH)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


async def test_text_too_long(make_bridge: BridgeFactory) -> None:
    bridge = make_bridge(llm_max_text_chars=50)
    response = await expand(bridge, text="palabra " * 20)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "TEXT_TOO_LONG"
