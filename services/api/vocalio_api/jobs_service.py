"""A job's life on the API side: create, accept worker updates, cancel. Each change is one
transaction that updates the job row and appends its event (and webhook delivery when terminal)."""

import hashlib
import json
import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.events import EventType
from vocalio_shared.schemas.jobs import (
    JobCreate,
    JobParams,
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
from vocalio_api.metrics import AUDIO_SECONDS, JOB_DURATION, JOBS_CREATED, JOBS_FINISHED, RATE_LIMITED
from vocalio_api.models import Job, as_utc
from vocalio_api.public import job_public
from vocalio_api.rate_limits import CharacterReservation, reserve_characters
from vocalio_api.state import AppState
from vocalio_api.usage import add_usage
from vocalio_api.webhooks import delivery_row, validate_callback_url

log = structlog.get_logger("api.jobs")

_STATUS_EVENT = {
    JobStatus.SUCCEEDED: EventType.SUCCEEDED,
    JobStatus.FAILED: EventType.FAILED,
    JobStatus.CANCELLED: EventType.CANCELLED,
    JobStatus.QUEUED: EventType.RETRYING,
}


def request_hash(body: JobCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def job_spec(job: Job) -> JobSpec:
    return JobSpec(
        **JobParams.model_validate(job.params).model_dump(),
        job_id=job.id,
        text=job.text,
        priority=Priority(job.priority),
        attempt=max(job.attempts, 1),
    )


async def lock_job(session: AsyncSession, job_id: str) -> Job | None:
    """Load a job for update (row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes)."""
    return (await session.exec(select(Job).where(Job.id == job_id).with_for_update())).first()


async def _find_idempotent(session: AsyncSession, key_id: str, idempotency_key: str) -> Job | None:
    query = select(Job).where(Job.api_key_id == key_id, Job.idempotency_key == idempotency_key)
    return (await session.exec(query)).first()


def _replay_or_conflict(existing: Job, body_hash: str) -> Job:
    if existing.request_hash != body_hash:
        raise VocalioError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Idempotency-Key was already used with a different request body",
            {"job_id": existing.id},
        )
    return existing


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
) -> tuple[Job, bool]:
    """Returns (job, created). Nothing is stored or counted when any check fails: `reservation`
    (characters counted at admission) is kept only once the job is stored; the caller releases it
    otherwise."""
    settings = state.settings
    if len(body.text) > settings.max_text_chars:
        raise VocalioError(
            ErrorCode.TEXT_TOO_LONG,
            f"text has {len(body.text)} characters; the limit is {settings.max_text_chars}",
            {"text_chars": len(body.text), "max_text_chars": settings.max_text_chars},
        )
    body_hash = request_hash(body)
    if idempotency_key:
        existing = await _find_idempotent(session, caller.key_id, idempotency_key)
        if existing is not None:
            return _replay_or_conflict(existing, body_hash), False
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
        params=JobParams.model_validate(body.model_dump(include=set(JobParams.model_fields))).model_dump(mode="json"),
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
            existing = await _find_idempotent(session, caller.key_id, idempotency_key)
            if existing is not None:
                return _replay_or_conflict(existing, body_hash), False
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


def finish_job(job: Job, status: JobStatus, now: datetime) -> None:
    job.status = status.value
    job.finished_at = now
    JOBS_FINISHED.labels(status=status.value).inc()
    created = as_utc(job.created_at)
    if created:
        JOB_DURATION.labels(status=status.value).observe((now - created).total_seconds())


def queue_webhook(session: AsyncSession, job: Job, event_type: EventType, now: datetime) -> None:
    if job.callback_url:
        payload = {"type": event_type.value, "job": job_public(job).model_dump(mode="json")}
        session.add(delivery_row(job.id, job.callback_url, event_type.value, payload, now))


async def apply_status_update(
    state: AppState, session: AsyncSession, job_id: str, update: JobStatusUpdate
) -> JobStatusAck:
    now = datetime.now(UTC)
    job = await lock_job(session, job_id)
    if job is None:
        raise VocalioError(ErrorCode.JOB_NOT_FOUND, f"job {job_id} not found", {"job_id": job_id})
    current = JobStatus(job.status)

    if current.terminal:
        # A repeat of the update that finished the job (its answer was lost) is fine; others are late.
        repeat = current == update.status and job.attempts == update.attempt and job.worker_id == update.worker_id
        return JobStatusAck(accepted=repeat, status=current, cancel_requested=job.cancel_requested)
    if update.attempt < job.attempts:
        return JobStatusAck(accepted=False, status=current, cancel_requested=True)
    if update.attempt > job.attempts:
        job.attempts = update.attempt
    job.worker_id = update.worker_id

    new_status = update.status
    if new_status == JobStatus.SUCCEEDED:
        _check_audio(job, update.result)
    event_type = _STATUS_EVENT.get(new_status) or (
        EventType.PROGRESS if new_status == current and update.stage == job.stage else EventType.STATUS
    )
    job.status = new_status.value
    job.progress = 100.0 if new_status == JobStatus.SUCCEEDED else update.progress
    job.stage = update.stage
    job.updated_at = now
    if new_status.running and job.started_at is None:
        job.started_at = now
    if update.metrics is not None:
        job.metrics = update.metrics.model_dump(mode="json", exclude_none=True)
    if update.error is not None:
        job.error = update.error.model_dump(mode="json")
    if new_status == JobStatus.SUCCEEDED and update.result is not None:
        job.result = update.result.model_dump(mode="json")
        job.error = None
        await add_usage(session, job.api_key_id, now, audio_seconds=update.result.duration_s)
        AUDIO_SECONDS.inc(update.result.duration_s)
    if new_status.terminal:
        finish_job(job, new_status, now)
        queue_webhook(session, job, event_type, now)

    data = dict(update.data or {})
    if update.error is not None:
        data["error"] = update.error.model_dump(mode="json")
    data["attempt"] = update.attempt
    data["worker_id"] = update.worker_id
    add_event(session, job, event_type, now, message=update.message, data=data)
    await session.commit()
    await announce(state.redis, job.id, job.event_seq)
    return JobStatusAck(accepted=True, status=new_status, cancel_requested=job.cancel_requested)


def _check_audio(job: Job, result: JobResult | None) -> None:
    if result is None:
        raise VocalioError(ErrorCode.VALIDATION_ERROR, "a succeeded update must carry the result")
    if job.audio_sha256 != result.sha256 or job.audio_attempt != job.attempts:
        raise VocalioError(
            ErrorCode.AUDIO_NOT_READY,
            "upload the audio (PUT /api/v1/jobs/{id}/audio) before reporting success",
            {"job_id": job.id, "stored_sha256": job.audio_sha256, "result_sha256": result.sha256},
        )


async def cancel_job(state: AppState, session: AsyncSession, job: Job) -> Job:
    """A queued job leaves the queue now; a running one is flagged and stops at its next chunk."""
    if JobStatus(job.status).terminal:
        raise VocalioError(ErrorCode.INVALID_STATE, f"job is already {job.status}", {"status": job.status})
    # Only a job the database still calls queued may leave the queue; a running one keeps its
    # queue entry (arq's retry of a dead worker needs it) and is flagged instead.
    removed = await job_queue.cancel_if_queued(state.redis, job.id) if job.status == JobStatus.QUEUED else 0
    now = datetime.now(UTC)
    locked = await lock_job(session, job.id)
    assert locked is not None
    job = locked
    if JobStatus(job.status).terminal:
        raise VocalioError(ErrorCode.INVALID_STATE, f"job is already {job.status}", {"status": job.status})
    if removed != 0 and job.status == JobStatus.QUEUED:
        job.updated_at = now
        job.cancel_requested = True
        finish_job(job, JobStatus.CANCELLED, now)
        job.stage = None
        add_event(session, job, EventType.CANCELLED, now, message="cancelled while queued")
        queue_webhook(session, job, EventType.CANCELLED, now)
    else:
        await job_queue.request_cancel(state.redis, job.id)
        job.cancel_requested = True
        job.updated_at = now
        add_event(session, job, EventType.CANCEL_REQUESTED, now, message="cancel requested; stops at next chunk")
    await session.commit()
    await announce(state.redis, job.id, job.event_seq)
    return job
