"""Ollama behind one small interface, through the official `ollama` AsyncClient.

Every way a call can fail becomes a `BackendFailure` with a stable reason, because the caller's only
decision is "use the rules output instead" and the reason is what the metric and the warning carry.
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pydantic
import structlog
from ollama import AsyncClient, ResponseError

from vocalio_llm_bridge.prompt import RESPONSE_SCHEMA

log = structlog.get_logger("llm_bridge.ollama")

REASON_TIMEOUT = "timeout"
REASON_UNREACHABLE = "unreachable"
REASON_MODEL_NOT_FOUND = "model_not_found"
REASON_UPSTREAM = "upstream_error"
REASON_MALFORMED = "malformed"

BACKEND_REASONS = (REASON_TIMEOUT, REASON_UNREACHABLE, REASON_MODEL_NOT_FOUND, REASON_UPSTREAM, REASON_MALFORMED)


class BackendFailure(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class OllamaStatus:
    reachable: bool
    model_present: bool
    models: tuple[str, ...] = ()
    error: str | None = None


def same_model(configured: str, listed: str) -> bool:
    """Ollama lists `llama3.2` as `llama3.2:latest`; both spellings name the same model."""
    with_tag = configured if ":" in configured else f"{configured}:latest"
    return listed in (configured, with_tag)


class OllamaBackend:
    def __init__(self, url: str, model: str, timeout_s: float, connect_timeout_s: float, temperature: float) -> None:
        self.url = url
        self.model = model
        self.timeout_s = timeout_s
        self.temperature = temperature
        # The client's own default timeout is none at all: a hung model would hang the request forever.
        self._client = AsyncClient(host=url, timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s))
        self._connect_timeout_s = connect_timeout_s

    async def rewrite(self, messages: list[dict[str, str]]) -> str:
        """The model's rewrite, or BackendFailure. `timeout_s` bounds the whole call, not each read."""
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.chat(
                    model=self.model,
                    messages=messages,
                    format=RESPONSE_SCHEMA,
                    options={"temperature": self.temperature},
                    stream=False,
                )
        except (TimeoutError, httpx.TimeoutException) as error:
            raise BackendFailure(REASON_TIMEOUT, f"no answer within {self.timeout_s}s") from error
        except ResponseError as error:
            if error.status_code == 404:
                raise BackendFailure(REASON_MODEL_NOT_FOUND, f"model {self.model!r} not found") from error
            raise BackendFailure(REASON_UPSTREAM, str(error)[:300]) from error
        except (ConnectionError, httpx.TransportError) as error:
            raise BackendFailure(REASON_UNREACHABLE, str(error)[:300] or type(error).__name__) from error
        except (json.JSONDecodeError, pydantic.ValidationError, TypeError, ValueError) as error:
            # The HTTP body was not an Ollama chat answer at all.
            raise BackendFailure(REASON_MALFORMED, f"unreadable answer: {type(error).__name__}") from error
        return _text_of(response.message.content)

    async def status(self) -> OllamaStatus:
        """Whether Ollama answers and lists our model (GET /api/tags)."""
        try:
            async with asyncio.timeout(self._connect_timeout_s + 2):
                listed = await self._client.list()
        except Exception as error:
            return OllamaStatus(reachable=False, model_present=False, error=type(error).__name__)
        names = tuple(entry.model or "" for entry in listed.models)
        return OllamaStatus(
            reachable=True, model_present=any(same_model(self.model, name) for name in names), models=names
        )

    async def ensure_model(self, attempts: int = 6, first_delay_s: float = 2.0) -> bool:
        """Pull the model unless Ollama already has it, retrying while Ollama is still starting."""
        delay_s = first_delay_s
        for attempt in range(1, attempts + 1):
            status = await self.status()
            if status.model_present:
                log.info("ollama_model_present", model=self.model)
                return True
            if status.reachable and await self.pull():
                return True
            if attempt < attempts:
                log.info("ollama_pull_retry", model=self.model, attempt=attempt, in_s=delay_s, error=status.error)
                await asyncio.sleep(delay_s)
                delay_s = min(delay_s * 2, 60.0)
        log.error("ollama_model_unavailable", model=self.model, attempts=attempts)
        return False

    async def pull(self) -> bool:
        """Pull the model, logging progress every 10 % and at each stage. True when it succeeded."""
        # A pull of several GB streams for minutes: no whole-call limit, only one per read.
        client = AsyncClient(host=self.url, timeout=httpx.Timeout(300.0, connect=self._connect_timeout_s))
        last_status, last_decile = "", -1
        try:
            log.info("ollama_pull_started", model=self.model, url=self.url)
            async for progress in await client.pull(self.model, stream=True):
                status = progress.status or ""
                decile = -1
                if progress.total and progress.completed is not None:
                    decile = int(progress.completed * 10 / progress.total)
                new_stage = status != last_status
                if new_stage or decile > last_decile:
                    log.info(
                        "ollama_pull_progress",
                        model=self.model,
                        status=status,
                        completed=progress.completed,
                        total=progress.total,
                        percent=decile * 10 if decile >= 0 else None,
                    )
                last_decile = decile if new_stage else max(decile, last_decile)
                last_status = status
            log.info("ollama_pull_finished", model=self.model)
            return True
        except Exception as error:
            log.warning("ollama_pull_failed", model=self.model, error=str(error)[:300])
            return False
        finally:
            await client.close()

    async def close(self) -> None:
        await self._client.close()


def _text_of(content: Any) -> str:
    """Read {"text": "..."} out of the model's message; anything else is malformed."""
    if not isinstance(content, str) or not content.strip():
        raise BackendFailure(REASON_MALFORMED, "empty message")
    try:
        parsed = json.loads(content)
    except json.JSONDecodeError as error:
        raise BackendFailure(REASON_MALFORMED, "message is not the JSON object asked for") from error
    if not isinstance(parsed, dict) or not isinstance(parsed.get("text"), str):
        raise BackendFailure(REASON_MALFORMED, 'message lacks a "text" string')
    return str(parsed["text"]).strip()
