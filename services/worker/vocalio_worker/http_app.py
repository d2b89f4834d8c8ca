"""The worker's own HTTP surface (port 9100): health, Prometheus metrics, and two debugging tools.

`POST /tts` runs the whole job pipeline synchronously on this worker (nothing is queued or
stored) and answers the audio; `POST /analyze` shows what the text pipeline makes of a text.
Both need the worker token: they spend this worker's engine time.
"""

import hmac
import time
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from vocalio_shared.codecs import codec_spec
from vocalio_shared.errors import ErrorBody, ErrorCode, VocalioError, error_detail
from vocalio_shared.regions import Region, RegionChoice
from vocalio_shared.schemas.jobs import JobCreate, LexiconEntry
from vocalio_shared.schemas.workers import WorkerState

from vocalio_worker import pipeline
from vocalio_worker.runtime import Runtime


class AnalyzeRequest(BaseModel):
    text: str = Field(min_length=1)
    region: RegionChoice = RegionChoice.AUTO
    lexicon: list[LexiconEntry] | None = None


class AnalyzeAnswer(BaseModel):
    normalized: str
    chunks: list[str]
    region: Region
    detected_region: Region
    confidence: float
    markers: list[str]
    estimated_duration_s: float
    warnings: list[str]


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="Vocalio worker", version="1", docs_url=None, redoc_url=None)
    token = runtime.config.worker_token.get_secret_value()

    def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        presented = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(presented.encode(), token.encode()):
            raise VocalioError(ErrorCode.UNAUTHENTICATED, "worker token required (Authorization: Bearer …)")

    @app.exception_handler(VocalioError)
    async def _vocalio_error(_request: object, error: VocalioError) -> JSONResponse:
        body = ErrorBody(error=error.detail())
        return JSONResponse(body.model_dump(mode="json"), status_code=error.http_status)

    @app.get("/health")
    async def health() -> dict[str, object]:
        return {
            "status": "ok",
            "worker_id": runtime.config.worker_id,
            "state": runtime.state.value,
            "engine": runtime.engine.name,
            "active_jobs": sorted(runtime.running_jobs),
            "api_circuit": runtime.api.breaker.state.name.lower(),
        }

    @app.get("/ready")
    async def ready(response: Response) -> dict[str, object]:
        """200 once the engine is loaded and the worker is registered and taking jobs; names the engine and,
        when VOCALIO_ENGINE=auto passed one over, why."""
        state = runtime.state
        if state not in (WorkerState.IDLE, WorkerState.BUSY):
            response.status_code = 503
        return {"state": state.value, "engine": runtime.engine.name, "engine_warnings": list(runtime.engine_warnings)}

    @app.get("/metrics")
    async def metrics() -> Response:
        runtime.metrics.refresh_system()
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/analyze", response_model=AnalyzeAnswer, dependencies=[Depends(require_token)])
    async def analyze(body: AnalyzeRequest) -> AnalyzeAnswer:
        params = JobCreate(text=body.text, region=body.region, lexicon=body.lexicon)
        analysis = await runtime.in_thread(pipeline.analyze_text, body.text, params, runtime.engine)
        return AnalyzeAnswer.model_validate(analysis.model_dump())

    @app.post(
        "/tts",
        dependencies=[Depends(require_token)],
        responses={200: {"content": {"audio/wav": {}}}, 422: {"model": ErrorBody}},
    )
    async def tts(body: JobCreate) -> Response:
        """Synthesize now, on this worker, and answer the encoded audio (metrics in X- headers)."""
        started = time.monotonic()
        analysis = await runtime.in_thread(pipeline.analyze_text, body.text, body, runtime.engine)
        voice = await runtime.voice_library().voice_for(body.voice, analysis.region)
        produced = await runtime.in_thread(
            pipeline.synthesize_batch, runtime.engine, analysis.chunks, voice, body, analysis.region
        )
        try:
            finished = await runtime.in_thread(
                pipeline.finish_audio, produced.audio, body.sample_rate, body.output_format, runtime.config
            )
        except VocalioError:
            raise
        except Exception as error:  # surfaced as the structured error, like a job's
            detail = error_detail(ErrorCode.INTERNAL_ERROR, f"{type(error).__name__}: {error}")
            return JSONResponse(ErrorBody(error=detail).model_dump(mode="json"), status_code=500)
        encoded = finished.encoded
        headers = {
            "X-Duration-S": f"{encoded.duration_s:.3f}",
            "X-Sample-Rate": str(encoded.sample_rate_hz),
            "X-Engine-Time-Ms": f"{produced.engine_s * 1000:.1f}",
            "X-Latency-Ms": f"{(time.monotonic() - started) * 1000:.1f}",
            "X-Audio-Quality-Score": f"{finished.quality.quality_score:.4f}",
            "X-Detected-Region": analysis.detected_region.value,
            "X-Chunks": str(len(analysis.chunks)),
            "X-Audio-Sha256": encoded.sha256,
        }
        return Response(encoded.data, media_type=codec_spec(encoded.format).media_type, headers=headers)

    return app
