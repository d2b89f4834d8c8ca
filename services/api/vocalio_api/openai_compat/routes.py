"""OpenAI-compatible routes: POST /v1/audio/speech, GET /v1/models.

A speech request is an ordinary Vocalio job (recorded, counted, rate-limited, on the high lane,
visible in the dashboard) whose worker streams its audio; this route relays that audio stream.
The request's `stream` is the transport: true encodes on the fly and sends bytes as they come (first
audio sooner); false gathers the whole audio and answers one complete file (Content-Length, right
headers). Not given, it streams (as OpenAI's endpoint does) unless the codec table says a stream of that
format lacks what readers need (FLAC's total length): then the stock `client.audio.speech.create(...)`
still gets a file `soundfile` reads.
A client that goes away cancels its job.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from vocalio_shared.codecs import codec_spec
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import JobCreate, OutputFormat, Priority

from vocalio_api.deps import CallerDep, StateDep
from vocalio_api.jobs_service import cancel_job, create_job
from vocalio_api.models import Job
from vocalio_api.openai_compat.config import OpenAICompatSettings, openai_settings
from vocalio_api.openai_compat.encoders import encode_file, encode_stream
from vocalio_api.openai_compat.relay import AudioRelay
from vocalio_api.openai_compat.schemas import ModelCard, ModelList, SpeechFormat, SpeechRequest
from vocalio_api.state import AppState

log = structlog.get_logger("api.openai")
router = APIRouter(prefix="/v1", tags=["openai"])

# The stored file of a speech job: the same audio, in the closest format a job can store.
STORED_FORMATS: dict[SpeechFormat, OutputFormat] = {
    SpeechFormat.MP3: OutputFormat.MP3,
    SpeechFormat.OPUS: OutputFormat.OPUS,
    SpeechFormat.AAC: OutputFormat.M4A,
    SpeechFormat.FLAC: OutputFormat.FLAC,
    SpeechFormat.WAV: OutputFormat.WAV,
    SpeechFormat.PCM: OutputFormat.WAV,
}
_cleanup_tasks: set[asyncio.Task[None]] = set()  # strong references until they finish


def job_request(body: SpeechRequest, settings: OpenAICompatSettings) -> JobCreate:
    """Translate names through the tables: model → engine settings, stock voice → region default."""
    model = settings.openai_models.get(body.model)
    if model is None:
        raise VocalioError(
            ErrorCode.NOT_FOUND,
            f"model {body.model!r} does not exist; try one of {sorted(settings.openai_models)}",
            {"fields": [{"field": "body.model"}]},
        )
    stock_region = settings.openai_voices.get(body.voice.lower())
    fields: dict[str, Any] = {
        "text": body.input,
        "voice": None if stock_region else body.voice,
        "nfe_step": body.nfe_step or model.nfe_step,
        "speed": body.speed,
        "output_format": STORED_FORMATS[body.response_format],
        "sample_rate": settings.openai_sample_rate,
        "lexicon": body.lexicon,
        "priority": Priority.HIGH,
        "metadata": {"openai": {"model": body.model, "voice": body.voice, "response_format": body.response_format}},
    }
    region = body.region or stock_region
    if region is not None:
        fields["region"] = region
    return JobCreate.model_validate(fields)


@router.post("/audio/speech", response_class=Response)
async def create_speech(body: SpeechRequest, request: Request, state: StateDep, caller: CallerDep) -> Response:
    settings = openai_settings()
    async with state.sessions() as session:
        job, _ = await create_job(state, session, caller, job_request(body, settings), None, stream=True)
    log.info("speech_job_created", job_id=job.id, format=body.response_format.value, model=body.model)
    relay = AudioRelay(state, job.id, settings.openai_first_audio_timeout_s, settings.openai_idle_timeout_s)
    headers = {
        "X-Vocalio-Job-Id": job.id,
        "Link": f'</api/v1/jobs/{job.id}/captions>; rel="captions"',
        "Cache-Control": "no-store",
    }
    codec = codec_spec(body.response_format)
    streamed = body.stream if body.stream is not None else not codec.stream_needs_asking
    media_type = codec.media_type
    if not streamed:
        try:
            pcm = await _whole_audio(relay, request)
        except BaseException:
            _cancel_later(state, job.id, None)
            raise
        sample_rate_hz = relay.sample_rate_hz or settings.openai_sample_rate
        data = await encode_file(pcm, body.response_format, sample_rate_hz)
        return Response(data, media_type=media_type, headers=headers)
    try:
        await relay.wait_first_audio(request.is_disconnected)
    except BaseException:
        _cancel_later(state, job.id, None)
        raise
    sample_rate_hz = relay.sample_rate_hz or settings.openai_sample_rate
    encoded = encode_stream(relay.pieces(), body.response_format, sample_rate_hz)
    return StreamingResponse(_cancel_if_abandoned(state, job.id, encoded), media_type=media_type, headers=headers)


async def _whole_audio(relay: AudioRelay, request: Request) -> bytes:
    """Every piece up to the job's end; the job's errors raise here, before any byte is sent."""
    await relay.wait_first_audio(request.is_disconnected)
    pieces: list[bytes] = []
    async for piece in relay.pieces():
        pieces.append(piece)
        if await request.is_disconnected():
            raise VocalioError(ErrorCode.JOB_CANCELLED, "client went away before the audio was complete")
    return b"".join(pieces)


async def _cancel_if_abandoned(state: AppState, job_id: str, encoded: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Pass the bytes through; if the response stops before the end (client gone), cancel the job."""
    completed = False
    try:
        async for data in encoded:
            yield data
        completed = True
    finally:
        if not completed:
            # Cancelled by the server on disconnect: no awaiting here, so clean up in a task of its own.
            _cancel_later(state, job_id, encoded)


def _cancel_later(state: AppState, job_id: str, encoded: AsyncIterator[bytes] | None) -> None:
    task = asyncio.get_running_loop().create_task(_cancel_quietly(state, job_id, encoded))
    _cleanup_tasks.add(task)
    task.add_done_callback(_cleanup_tasks.discard)


async def _cancel_quietly(state: AppState, job_id: str, encoded: AsyncIterator[bytes] | None) -> None:
    if encoded is not None:
        with contextlib.suppress(Exception):
            await encoded.aclose()  # type: ignore[attr-defined]  # stops the ffmpeg subprocess
    try:
        async with state.sessions() as session:
            job = await session.get(Job, job_id)
            if job is not None:
                await session.commit()
                await cancel_job(state, session, job)
                log.info("speech_job_cancelled_client_gone", job_id=job_id)
    except VocalioError as error:  # already ended: nothing to cancel
        log.info("speech_job_not_cancelled", job_id=job_id, reason=error.message)
    except Exception as error:
        log.warning("speech_job_cancel_failed", job_id=job_id, error=repr(error))


@router.get("/models", response_model=ModelList)
async def list_models(caller: CallerDep) -> ModelList:
    return ModelList(data=[ModelCard(id=name) for name in openai_settings().openai_models])


@router.get("/models/{model_id}", response_model=ModelCard)
async def retrieve_model(model_id: str, caller: CallerDep) -> ModelCard:
    if model_id not in openai_settings().openai_models:
        raise VocalioError(ErrorCode.NOT_FOUND, f"model {model_id!r} does not exist", {"model": model_id})
    return ModelCard(id=model_id)
