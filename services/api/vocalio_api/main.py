"""The API application, assembled in one place."""

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator

import httpx
import structlog
from fastapi import FastAPI
from starlette.types import Scope
from vocalio_shared import __version__
from vocalio_shared.errors import ErrorCode
from vocalio_shared.schemas.books import MAX_COVER_BYTES

from vocalio_api.background import start_background
from vocalio_api.body_limit import BodyLimitMiddleware, LimitFor
from vocalio_api.config import ApiSettings
from vocalio_api.db import create_engine, session_factory, upgrade_database
from vocalio_api.default_voices import register_defaults
from vocalio_api.errors import install_error_handlers
from vocalio_api.job_queue import connect_queue
from vocalio_api.keys_service import ensure_admin_key
from vocalio_api.metrics import MetricsMiddleware
from vocalio_api.openai_compat import install_openai_compat
from vocalio_api.read_deadlines import BodyDeadlineMiddleware
from vocalio_api.routes import (
    books,
    health,
    job_audio,
    job_events,
    job_stream,
    job_updates,
    jobs,
    keys,
    preview,
    sentences,
    voices,
    workers,
)
from vocalio_api.state import AppState

log = structlog.get_logger("api")


def announce_admin_key(key: str, key_file: object) -> None:
    print(
        f"\n=== Vocalio: first start, admin API key created (shown once; also in {key_file}, mode 0600) ===\n{key}\n",
        file=sys.stdout,
        flush=True,
    )


def body_limits(settings: ApiSettings) -> LimitFor:
    """Which limit a request body gets: audio, voice, book and cover uploads, or the JSON default."""

    def limit_for(scope: Scope) -> tuple[int, ErrorCode] | None:
        method, path = scope.get("method"), scope["path"]
        if method in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return None
        if method == "PUT" and path.startswith("/api/v1/sentences/"):
            return settings.max_sentence_upload_bytes, ErrorCode.UPLOAD_TOO_LARGE
        if method == "PUT" and path.endswith("/audio"):
            return settings.max_upload_bytes, ErrorCode.UPLOAD_TOO_LARGE
        if method == "POST" and path.rstrip("/") == "/api/v1/voices":
            return settings.max_voice_upload_bytes, ErrorCode.UPLOAD_TOO_LARGE
        if method == "POST" and path.rstrip("/") == "/api/v1/books":  # EPUB/TXT uploads and JSON books
            return settings.max_book_upload_bytes, ErrorCode.BOOK_TOO_LARGE
        if method == "PUT" and path.startswith("/api/v1/books/") and path.endswith("/cover"):
            return MAX_COVER_BYTES, ErrorCode.UPLOAD_TOO_LARGE
        return settings.max_body_bytes, ErrorCode.BODY_TOO_LARGE

    return limit_for


def create_app(settings: ApiSettings) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(upgrade_database, settings)
        engine = create_engine(settings)
        redis = await connect_queue(settings.redis_url)
        state = AppState(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            redis=redis,
            http=httpx.AsyncClient(),
        )
        app.state.vocalio = state
        async with state.sessions() as session:
            admin_key = await ensure_admin_key(session, settings.resolved_admin_key_file)
        if admin_key:
            announce_admin_key(admin_key, settings.resolved_admin_key_file)
        tasks = start_background(state)
        tasks.append(asyncio.create_task(register_defaults(state, settings.default_voices_file)))
        log.info("api ready", host=settings.host, port=settings.port, database=settings.sync_database_url.split(":")[0])
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await state.http.aclose()
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(title="Vocalio API", version=__version__, lifespan=lifespan)
    install_error_handlers(app)
    for module in (health, jobs, job_events, job_audio, job_updates, workers, keys, preview, voices, books, sentences):
        app.include_router(module.router)
    app.include_router(job_stream.router)  # pull workers' streamed audio
    install_openai_compat(app)  # /v1/* (OpenAI shape errors there) and job captions
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limits(settings))
    # Outside the size limit, so its drain of an oversized body is bounded in time too.
    app.add_middleware(
        BodyDeadlineMiddleware,
        idle_timeout_s=settings.body_idle_timeout_s,
        total_timeout_s=settings.body_read_timeout_s,
    )
    app.add_middleware(MetricsMiddleware)
    return app
