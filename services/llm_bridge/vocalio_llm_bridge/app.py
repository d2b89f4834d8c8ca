"""The FastAPI app: POST /v1/expand, /health, /ready, /metrics. Assembled by `create_app(settings)`."""

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis
from starlette.exceptions import HTTPException as StarletteHTTPException
from vocalio_shared.errors import ErrorBody, ErrorCode, VocalioError, error_detail

from vocalio_llm_bridge import guard
from vocalio_llm_bridge.cache import ExpandCache
from vocalio_llm_bridge.config import LlmBridgeSettings
from vocalio_llm_bridge.expander import Expander
from vocalio_llm_bridge.metrics import BridgeMetrics
from vocalio_llm_bridge.ollama_backend import OllamaBackend
from vocalio_llm_bridge.prompt import PROMPTS
from vocalio_llm_bridge.schemas import ExpandRequest, ExpandResponse

log = structlog.get_logger("llm_bridge.app")

_HTTP_CODES = {401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN, 404: ErrorCode.NOT_FOUND}


def _error_response(error: VocalioError) -> JSONResponse:
    body = ErrorBody(error=error.detail())
    return JSONResponse(body.model_dump(mode="json"), status_code=error.http_status, headers=error.headers)


def _install_error_handlers(app: FastAPI) -> None:
    """Every failure leaves as the one shared ErrorBody, whatever raised it."""

    @app.exception_handler(VocalioError)
    async def _vocalio(_: Request, error: VocalioError) -> JSONResponse:
        return _error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", ""))}
            for item in error.errors()
        ]
        return _error_response(
            VocalioError(ErrorCode.VALIDATION_ERROR, "request body is invalid", {"errors": problems})
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, ErrorCode.VALIDATION_ERROR)
        if error.status_code >= 500:
            code = ErrorCode.INTERNAL_ERROR
        body = ErrorBody(error=error_detail(code, str(error.detail)))
        # Keep the framework's status (405 stays 405) while the body follows the shared contract.
        return JSONResponse(body.model_dump(mode="json"), status_code=error.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(error).__name__)
        return _error_response(VocalioError(ErrorCode.INTERNAL_ERROR, "internal error"))


def _require_token(settings: LlmBridgeSettings) -> Any:
    expected = settings.llm_bridge_token.get_secret_value().encode()

    async def require_token(request: Request) -> None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        # compare_digest: the comparison time must not reveal how much of a guess was right.
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected):
            raise VocalioError(
                ErrorCode.UNAUTHENTICATED,
                "a valid service token is required (Authorization: Bearer <VOCALIO_LLM_BRIDGE_TOKEN>)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return require_token


def create_app(settings: LlmBridgeSettings) -> FastAPI:
    metrics = BridgeMetrics()
    backend = (
        OllamaBackend(
            url=settings.ollama_url or "",
            model=settings.ollama_model or "",
            timeout_s=settings.ollama_timeout_s,
            connect_timeout_s=settings.ollama_connect_timeout_s,
            temperature=settings.ollama_temperature,
        )
        if settings.ollama_enabled
        else None
    )
    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
    cache = ExpandCache(redis, settings.llm_cache_ttl_s)
    expander = Expander(
        backend=backend,
        cache=cache,
        prompt=PROMPTS[settings.llm_prompt_version],
        bounds=guard.LengthBounds(settings.llm_length_ratio_min, settings.llm_length_ratio_max),
        metrics=metrics,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pull_task: asyncio.Task[bool] | None = None
        log.info(
            "llm_bridge_starting",
            ollama_enabled=backend is not None,
            ollama_url=settings.ollama_url,
            model=settings.ollama_model,
            prompt_version=settings.llm_prompt_version,
        )
        if backend is not None and settings.ollama_pull_on_start:
            # In the background: the bridge serves rules (and /ready says not ready) while it pulls.
            pull_task = asyncio.create_task(backend.ensure_model())
        try:
            yield
        finally:
            if pull_task is not None and not pull_task.done():
                pull_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pull_task
            if backend is not None:
                await backend.close()
            await redis.aclose()

    app = FastAPI(title="Vocalio llm_bridge", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.expander = expander
    app.state.metrics = metrics
    _install_error_handlers(app)
    Authorized = Annotated[None, Depends(_require_token(settings))]

    @app.post("/v1/expand", response_model=ExpandResponse)
    async def expand(body: ExpandRequest, _: Authorized) -> ExpandResponse:
        if len(body.text) > settings.llm_max_text_chars:
            raise VocalioError(
                ErrorCode.TEXT_TOO_LONG,
                f"text has {len(body.text)} characters; the limit is {settings.llm_max_text_chars}",
                {"chars": len(body.text), "limit": settings.llm_max_text_chars},
            )
        return await expander.expand(body)

    @app.get("/health")
    async def health() -> dict[str, str]:
        # Liveness only, and open so a container healthcheck needs no secret; it reveals nothing.
        return {"status": "ok"}

    @app.get("/ready", response_model=None)
    async def ready(_: Authorized) -> JSONResponse | dict[str, Any]:
        redis_ok = await cache.ping()
        checks: dict[str, Any] = {"rules": True, "redis": redis_ok, "ollama": {"enabled": backend is not None}}
        is_ready = True
        if backend is not None:
            status = await backend.status()
            checks["ollama"] |= {
                "url": backend.url,
                "model": backend.model,
                "reachable": status.reachable,
                "model_present": status.model_present,
                "error": status.error,
            }
            is_ready = status.reachable and status.model_present
        if not is_ready:
            unavailable = VocalioError(ErrorCode.NOT_READY, "ollama or its model is not available", checks)
            return _error_response(unavailable)
        return {"status": "ready", **checks}

    @app.get("/metrics")
    async def metrics_endpoint(_: Authorized) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
