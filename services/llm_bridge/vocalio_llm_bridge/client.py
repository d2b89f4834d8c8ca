"""What the worker uses to call the bridge: `ExpandClient.expand()` never raises for a bridge problem.

If the bridge is down, slow, broken or its circuit is open, the caller gets its own rules output
(`vocalio_text.normalize`) and a warning, so a job with `expand: true` goes on without the LLM.

    async with ExpandClient(settings.llm_bridge_url, token, timeout_s=70) as bridge:
        outcome = await bridge.expand(text, region)
        job_warnings.extend(outcome.warnings)
        text = outcome.text
"""

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import pydantic
import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge
from vocalio_runtime.breaker import CircuitBreaker, CircuitOpenError
from vocalio_shared import metric_names as names
from vocalio_shared.regions import Region, RegionChoice
from vocalio_text import normalize

from vocalio_llm_bridge.schemas import ExpandResponse

log = structlog.get_logger("llm_bridge.client")

# Reasons the client served local rules; stable label values of LLM_BRIDGE_FALLBACKS_TOTAL.
LOCAL_CIRCUIT_OPEN = "circuit_open"
LOCAL_UNREACHABLE = "bridge_unreachable"
LOCAL_TIMEOUT = "bridge_timeout"
LOCAL_SERVER_ERROR = "bridge_error"
LOCAL_REJECTED = "bridge_rejected"
LOCAL_MALFORMED = "bridge_malformed"


@dataclass(frozen=True)
class ExpandOutcome:
    text: str
    source: str  # rules | ollama | cache, as the bridge said; "rules" also when served locally
    changed: bool
    warnings: list[str] = field(default_factory=list)
    model: str | None = None
    fallback_reason: str | None = None
    local: bool = False  # True when the bridge was not used at all

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ExpandClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_s: float = 70.0,
        *,
        fail_max: int = 5,
        reset_timeout_s: float = 30.0,
        registry: CollectorRegistry | None = None,
        rules: Callable[[str, Region | None], str] = normalize,
        clock: Callable[[], float] = time.monotonic,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        # The bridge's own Ollama limit is 60 s by default: give it a bit longer so its answer (a
        # rules fallback with a reason) arrives instead of our timeout.
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout_s, connect=min(3.0, timeout_s)),
            verify=verify,  # the worker's VOCALIO_CA_BUNDLE when the bridge is behind the TLS proxy
        )
        # One probe after the cool-down decides: a bridge that answers once is back.
        self.breaker = CircuitBreaker(
            fail_max, reset_timeout_s, probes_to_close=1, name="llm_bridge circuit", clock=clock
        )
        self._rules = rules
        self._state_gauge: Gauge | None = None
        self._fallbacks: Counter | None = None
        if registry is not None:
            self._state_gauge = Gauge(
                names.LLM_BRIDGE_CIRCUIT_STATE,
                "llm_bridge circuit: 0 closed, 1 half-open, 2 open.",
                registry=registry,
            )
            self._fallbacks = Counter(
                names.LLM_BRIDGE_FALLBACKS_TOTAL,
                "Expansions served by local rules, by reason.",
                ["reason"],
                registry=registry,
            )

    async def __aenter__(self) -> "ExpandClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def expand(
        self,
        text: str,
        region: Region | RegionChoice | str | None = None,
        style: str | None = None,
        rules_text: str | None = None,
    ) -> ExpandOutcome:
        """The bridge's expansion, or local rules with a warning. Raises only for programming errors."""
        region_value = str(region.value if isinstance(region, Region | RegionChoice) else region or "neutral")
        try:
            self.breaker.before_call()
        except CircuitOpenError as error:
            return await self._local(text, region_value, rules_text, LOCAL_CIRCUIT_OPEN, str(error))
        payload: dict[str, Any] = {"text": text, "region": region_value}
        if style:
            payload["style"] = style
        try:
            response = await self._http.post("/v1/expand", json=payload)
        except httpx.TimeoutException as error:
            return await self._failed(text, region_value, rules_text, LOCAL_TIMEOUT, type(error).__name__)
        except httpx.TransportError as error:
            return await self._failed(text, region_value, rules_text, LOCAL_UNREACHABLE, type(error).__name__)
        if response.status_code >= 500:
            return await self._failed(
                text, region_value, rules_text, LOCAL_SERVER_ERROR, f"HTTP {response.status_code}"
            )
        if response.status_code >= 400:
            # The bridge is up but refused this call (bad token, text too long): not an outage, so the
            # circuit is left alone; the operator sees the warning and the log line.
            self.breaker.release_probe()
            log.error("llm_bridge_rejected_request", status=response.status_code, body=response.text[:300])
            return await self._local(text, region_value, rules_text, LOCAL_REJECTED, f"HTTP {response.status_code}")
        try:
            answer = ExpandResponse.model_validate_json(response.content)
        except pydantic.ValidationError:
            return await self._failed(text, region_value, rules_text, LOCAL_MALFORMED, "unreadable answer")
        self.breaker.record_success()
        self._observe_state()
        return ExpandOutcome(
            text=answer.text,
            source=answer.source,
            changed=answer.changed,
            warnings=list(answer.warnings),
            model=answer.model,
            fallback_reason=answer.fallback_reason,
        )

    async def _failed(self, text: str, region: str, rules_text: str | None, reason: str, detail: str) -> ExpandOutcome:
        self.breaker.record_failure()
        return await self._local(text, region, rules_text, reason, detail)

    async def _local(self, text: str, region: str, rules_text: str | None, reason: str, detail: str) -> ExpandOutcome:
        self._observe_state()
        if self._fallbacks is not None:
            self._fallbacks.labels(reason=reason).inc()
        log.warning("llm_bridge_unavailable_using_rules", reason=reason, detail=detail)
        if rules_text is None:
            rules_region = None if region == RegionChoice.AUTO.value else _region_or_none(region)
            rules_text = await asyncio.to_thread(self._rules, text, rules_region)
        return ExpandOutcome(
            text=rules_text,
            source="rules",
            changed=rules_text != text,
            warnings=[f"llm_bridge unavailable ({reason}: {detail}); text expanded by rules only"],
            fallback_reason=reason,
            local=True,
        )

    def _observe_state(self) -> None:
        if self._state_gauge is not None:
            self._state_gauge.set(int(self.breaker.state))


def _region_or_none(value: str) -> Region | None:
    try:
        return Region(value)
    except ValueError:
        return None
