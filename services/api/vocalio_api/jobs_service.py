"""The API's entry points into a job's life: create, a worker's update and upload, cancel. Every
status change among them goes through `lifecycle.transition` (table, side effects, commit)."""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.events import EventType
from vocalio_shared.schemas.jobs import (
    ChapterRender,
    JobCreate,
    JobResult,
    JobSpec,
    JobStatus,
    JobStatusAck,
    JobStatusUpdate,
    Priority,
)

from vocalio_api import job_queue, voices_service
from vocalio_api.auth import Caller
from vocalio_api.events import add_event, announce, announcements
from vocalio_api.idempotency import find_idempotent, replay_or_conflict
from vocalio_api.lifecycle import check_attempt, event_for, lock_job, transition
from vocalio_api.metrics import AUDIO_SECONDS, JOBS_CREATED, RATE_LIMITED
from vocalio_api.models import Job, job_chapter, job_params, job_streams, stored_params
from vocalio_api.rate_limits import CharacterReservation, reserve_characters
from vocalio_api.state import AppState
from vocalio_api.storage import StoredUpload, audio_path, commit_upload
from vocalio_api.usage import add_usage
from vocalio_api.webhooks import validate_callback_url

log = structlog.get_logger("api.jobs")


def request_hash(body: JobCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def job_spec(job: Job) -> JobSpec:
    """The queue payload. No attempt number: arq's job_try is the one the worker reports."""
    return JobSpec(
        **job_params(job).model_dump(),
        job_id=job.id,
        text=job.text,
        priority=Priority(job.priority),
        stream=job_streams(job),
        chapter=job_chapter(job),
    )


async def _reserve(
    state: AppState, caller: Caller, characters: int, admitted: CharacterReservation | None
) -> CharacterReservation:
    """The reservation made at admission if it is for this text, else one made now."""
    if admitted is not None and admitted.characters == characters:
        reservation = admitted
    else:
        if admitted is not None:
            await admitted.release(state.redis)
        reservation = await reserve_characters(state.redis, caller.key_id, characters, caller.rate_chars_per_day)
    if not reservation.granted:
        RATE_LIMITED.labels(reason="characters").inc()
        raise reservation.refusal()
    return reservation


async def create_job(
    state: AppState,
    session: AsyncSession,
    caller: Caller,
    body: JobCreate,
    idempotency_key: str | None,
    reservation: CharacterReservation | None = None,
    *,
    stream: bool = False,
    chapter: ChapterRender | None = None,
) -> tuple[Job, bool]:
    """Returns (job, created). Nothing is stored or counted when any check fails: `reservation`
    (characters counted at admission) is kept only once the job is stored; the caller releases it
    otherwise. `stream` (only /v1/audio/speech sets it, not a client field): the worker also
    publishes the audio to the job's Redis stream as it is made. `chapter` (only the book service
    sets it): a book chapter, rendered through the sentence cache; its text limit is the book's."""
    settings = state.settings
    if chapter is None and len(body.text) > settings.max_text_chars:
        raise VocalioError(
            ErrorCode.TEXT_TOO_LONG,
            f"text has {len(body.text)} characters; the limit is {settings.max_text_chars}",
            {"text_chars": len(body.text), "max_text_chars": settings.max_text_chars},
        )
    body_hash = request_hash(body)
    if idempotency_key:
        existing = await find_idempotent(session, Job, caller.key_id, idempotency_key)
        if existing is not None:
            return replay_or_conflict(existing, body_hash, "job_id"), False
        await session.commit()  # release the lock before DNS and Redis round trips
    if body.callback_url:
        await validate_callback_url(body.callback_url, settings.webhook_allowlist)

    voice_id = await voices_service.resolve_for_job(session, caller, body.voice) if body.voice else None
    if voice_id is not None:
        body = body.model_copy(update={"voice": voice_id})
        await session.commit()  # release the lock before the Redis round trip
    characters = len(body.text)
    reservation = await _reserve(state, caller, characters, reservation)
    now = datetime.now(UTC)
    job = Job(
        id=str(uuid.uuid4()),
        api_key_id=caller.key_id,
        status=JobStatus.QUEUED.value,
        priority=body.priority.value,
        text=body.text,
        text_chars=characters,
        params=stored_params(body, stream, chapter),
        callback_url=body.callback_url,
        job_metadata=body.metadata,
        idempotency_key=idempotency_key,
        request_hash=body_hash,
        voice_id=None if voice_id is None or voice_id.startswith(voices_service.ESPEAK_VOICE_PREFIX) else voice_id,
        created_at=now,
        updated_at=now,
    )
    try:
        session.add(job)
        add_event(session, job, EventType.CREATED, now, data={"priority": job.priority, "text_chars": characters})
        await add_usage(session, caller.key_id, now, jobs=1, characters=characters)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        await reservation.release(state.redis)
        if idempotency_key:  # a concurrent request with the same key won the race
            existing = await find_idempotent(session, Job, caller.key_id, idempotency_key)
            if existing is not None:
                return replay_or_conflict(existing, body_hash, "job_id"), False
        raise
    except BaseException:
        await reservation.release(state.redis)
        raise
    reservation.keep()
    JOBS_CREATED.labels(priority=job.priority).inc()
    try:  # the queue entry and the "created" announcement in one round trip
        await job_queue.enqueue(state.redis, job_spec(job), announcements(job.id, job.event_seq))
    except Exception as error:
        log.warning("enqueue failed; reconciler will retry", job_id=job.id, error=repr(error))
        await announce(state.redis, job.id, job.event_seq)
    return job, True


async def apply_status_update(
    state: AppState, session: AsyncSession, job_id: str, update: JobStatusUpdate
) -> JobStatusAck:
    """A worker's report. Refusals the worker expects in normal operation (the job ended, a newer
    attempt owns it) are answered with accepted=false; a move the table forbids is a 409."""
    job = await lock_job(session, job_id)
    if job is None:
        raise VocalioError(ErrorCode.JOB_NOT_FOUND, f"job {job_id} not found", {"job_id": job_id})
    current = JobStatus(job.status)
    if current.terminal:
        # A repeat of the update that finished the job (its answer was lost) is fine; others are late.
        repeat = current == update.status and job.attempts == update.attempt and job.worker_id == update.worker_id
        return JobStatusAck(accepted=repeat, status=current, cancel_requested=job.cancel_requested)
    new_attempt = update.attempt > job.attempts
    if not check_attempt(job, update.attempt):
        return JobStatusAck(accepted=False, status=current, cancel_requested=True)

    now = datetime.now(UTC)
    new = update.status
    fields: dict[str, Any] = {
        "worker_id": update.worker_id,
        "progress": 100.0 if new == JobStatus.SUCCEEDED else update.progress,
        "stage": update.stage,
    }
    if update.metrics is not None:
        fields["metrics"] = update.metrics.model_dump(mode="json", exclude_none=True)
    if update.error is not None:
        fields["error"] = update.error.model_dump(mode="json")
    if new == JobStatus.SUCCEEDED:
        _check_audio(job, update.result)
        assert update.result is not None
        fields["result"] = update.result.model_dump(mode="json")
        fields["error"] = None
    data = dict(update.data or {})
    if update.error is not None:
        data["error"] = update.error.model_dump(mode="json")
    data["attempt"] = update.attempt
    data["worker_id"] = update.worker_id
    event = event_for(current, new, stage_changed=update.stage != job.stage)
    if new == JobStatus.SUCCEEDED and update.result is not None:
        # counted in the same transaction as the success, so usage and jobs cannot disagree
        await add_usage(session, job.api_key_id, now, audio_seconds=update.result.duration_s)
        AUDIO_SECONDS.inc(update.result.duration_s)
    await transition(
        state,
        session,
        job,
        new,
        event,
        fields=fields,
        message=update.message,
        data=data,
        new_attempt=new_attempt,
        now=now,
    )
    return JobStatusAck(accepted=True, status=new, cancel_requested=job.cancel_requested)


def _check_audio(job: Job, result: JobResult | None) -> None:
    if result is None:
        raise VocalioError(ErrorCode.VALIDATION_ERROR, "a succeeded update must carry the result")
    if job.audio_sha256 != result.sha256 or job.audio_attempt != job.attempts:
        raise VocalioError(
            ErrorCode.AUDIO_NOT_READY,
            "upload the audio (PUT /api/v1/jobs/{id}/audio) before reporting success",
            {"job_id": job.id, "stored_sha256": job.audio_sha256, "result_sha256": result.sha256},
        )


async def accept_audio(
    state: AppState, session: AsyncSession, job_id: str, attempt: int, worker_id: str, upload: StoredUpload
) -> None:
    """Move a received upload into place for the job's current attempt; exactly one result is stored.
    No status changes (the worker's `succeeded` report does that), so no event and no announcement."""
    job = await lock_job(session, job_id)
    if job is None:
        raise VocalioError(ErrorCode.JOB_NOT_FOUND, f"job {job_id} not found", {"job_id": job_id})
    current = JobStatus(job.status)
    if current.terminal:
        raise VocalioError(ErrorCode.INVALID_STATE, f"job is already {job.status}", {"status": job.status})
    if not check_attempt(job, attempt):
        raise VocalioError(ErrorCode.INVALID_STATE, "a newer attempt owns this job", {"attempt": job.attempts})
    final = audio_path(state.settings.audio_dir, job.id, job_params(job).output_format)
    commit_upload(upload, final)
    job.audio_path = str(final)
    job.audio_sha256 = upload.sha256
    job.audio_size_bytes = upload.size_bytes
    job.audio_attempt = attempt
    job.worker_id = worker_id
    session.add(job)
    await session.commit()


async def cancel_job(state: AppState, session: AsyncSession, job: Job) -> Job:
    """A queued job leaves the queue now; a running one is flagged and stops at its next chunk."""
    if JobStatus(job.status).terminal:
        raise VocalioError(ErrorCode.INVALID_STATE, f"job is already {job.status}", {"status": job.status})
    # Only a job the database still calls queued may leave the queue; a running one keeps its
    # queue entry (arq's retry of a dead worker needs it) and is flagged instead.
    removed = await job_queue.cancel_if_queued(state.redis, job.id) if job.status == JobStatus.QUEUED else 0
    locked = await lock_job(session, job.id)
    assert locked is not None
    job = locked
    current = JobStatus(job.status)
    if removed != 0 and current == JobStatus.QUEUED:
        fields = {"cancel_requested": True, "stage": None}
        await transition(
            state,
            session,
            job,
            JobStatus.CANCELLED,
            EventType.CANCELLED,
            fields=fields,
            message="cancelled while queued",
        )
    else:
        if not current.terminal:  # the flag is read by the worker between chunks
            await job_queue.request_cancel(state.redis, job.id)
        message = "cancel requested; stops at next chunk"
        await transition(
            state, session, job, current, EventType.CANCEL_REQUESTED, fields={"cancel_requested": True}, message=message
        )
    return job
