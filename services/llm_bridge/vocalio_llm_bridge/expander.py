"""One expansion, top-down: rules → cache → Ollama → guard → answer (rules win on any doubt)."""

import asyncio
import time

import structlog
from vocalio_shared.regions import Region, RegionChoice
from vocalio_text import normalize

from vocalio_llm_bridge import guard
from vocalio_llm_bridge.cache import ExpandCache, cache_key
from vocalio_llm_bridge.metrics import BridgeMetrics
from vocalio_llm_bridge.ollama_backend import BackendFailure, OllamaBackend
from vocalio_llm_bridge.prompt import Prompt
from vocalio_llm_bridge.schemas import ExpandRequest, ExpandResponse

log = structlog.get_logger("llm_bridge.expand")


def region_of(choice: RegionChoice) -> Region | None:
    """`auto` leaves the variant to the rules' own handling (None); the prompt then says neutral."""
    return None if choice == RegionChoice.AUTO else Region(choice.value)


class Expander:
    def __init__(
        self,
        backend: OllamaBackend | None,
        cache: ExpandCache,
        prompt: Prompt,
        bounds: guard.LengthBounds,
        metrics: BridgeMetrics,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.prompt = prompt
        self.bounds = bounds
        self.metrics = metrics

    async def expand(self, request: ExpandRequest) -> ExpandResponse:
        started = time.perf_counter()
        response = await self._expand(request)
        self.metrics.requests.labels(source=response.source).inc()
        self.metrics.latency.labels(source=response.source).observe(time.perf_counter() - started)
        return response

    async def _expand(self, request: ExpandRequest) -> ExpandResponse:
        region = region_of(request.region)
        # Rules first, always: they are the answer whenever the LLM is off, fails or is rejected.
        rules_text = await asyncio.to_thread(normalize, request.text, region)
        if self.backend is None:
            return self._answer(request, rules_text, "rules")

        model, version = self.backend.model, self.prompt.version
        key = cache_key(model, version, request.region.value, request.style, request.text)
        cached = await self.cache.get(key)
        if cached is not None:
            self.metrics.cache_hits.inc()
            return self._answer(request, cached, "cache", model=model)

        call_started = time.perf_counter()
        try:
            candidate = await self.backend.rewrite(self.prompt.messages(request.text, region, request.style))
        except BackendFailure as failure:
            elapsed_s = time.perf_counter() - call_started
            self.metrics.ollama_latency.labels(outcome=failure.reason).observe(elapsed_s)
            return self._fallback(request, rules_text, failure.reason, failure.detail)
        self.metrics.ollama_latency.labels(outcome="ok").observe(time.perf_counter() - call_started)

        verdict = guard.check(request.text, candidate, rules_text, self.bounds)
        if not verdict.accepted:
            return self._fallback(request, rules_text, verdict.reason or "rejected", verdict.detail)
        await self.cache.put(key, candidate)
        return self._answer(request, candidate, "ollama", model=model)

    def _fallback(self, request: ExpandRequest, rules_text: str, reason: str, detail: str) -> ExpandResponse:
        self.metrics.fallbacks.labels(reason=reason).inc()
        log.warning("expand_fallback_to_rules", reason=reason, detail=detail, chars=len(request.text))
        warning = f"llm output not used ({reason}: {detail}); rules output served"
        return self._answer(request, rules_text, "rules", warnings=[warning], fallback_reason=reason)

    def _answer(
        self,
        request: ExpandRequest,
        text: str,
        source: str,
        model: str | None = None,
        warnings: list[str] | None = None,
        fallback_reason: str | None = None,
    ) -> ExpandResponse:
        return ExpandResponse(
            text=text,
            source=source,  # type: ignore[arg-type]
            model=model,
            prompt_version=self.prompt.version if model else None,
            changed=text != request.text,
            warnings=warnings or [],
            fallback_reason=fallback_reason,
        )
