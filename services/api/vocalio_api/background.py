"""Loops every API process runs: lost workers, webhooks, queue reconciliation, the sentence-cache sweep."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import structlog
from sqlmodel import col, select
from vocalio_shared.errors import ErrorCode, error_detail
from vocalio_shared.events import EventType
from vocalio_shared.queue import ARQ_IN_PROGRESS_KEY_PREFIX, ARQ_JOB_KEY_PREFIX
from vocalio_shared.schemas.jobs import RUNNING_STATUSES, JobStatus

from vocalio_api import job_queue, upload_temps, webhooks, workers_service
from vocalio_api.books import sentence_cache
from vocalio_api.jobs_service import job_spec
from vocalio_api.lifecycle import lock_job, transition
from vocalio_api.models import Job
from vocalio_api.state import AppState

log = structlog.get_logger("api.background")


async def every(interval_s: float, name: str, task: Callable[[], Awaitable[object]]) -> None:
    while True:
        try:
            await task()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("background task failed", task=name, error=repr(error))
        await asyncio.sleep(interval_s)


async def sweep_lost_workers(state: AppState, started_at: float) -> None:
    # Right after an API restart every worker looks silent; give them one full window to check in.
    if time.monotonic() - started_at < state.settings.worker_lost_after_s:
        return
    async with state.sessions() as session:
        lost = await workers_service.mark_lost(session, state.settings.worker_lost_after_s)
    if lost:
        log.warning("workers marked lost", count=lost)


async def sweep_sentence_cache(state: AppState) -> None:
    done = await sentence_cache.sweep(state)
    if done.removed:
        freed_mb = round(done.freed_bytes / 1e6, 1)
        log.info("sentence cache swept", removed=done.removed, kept=done.kept, freed_mb=freed_mb)


async def sweep_abandoned_uploads(state: AppState) -> None:
    settings = state.settings
    directories = [settings.audio_dir, sentence_cache.sentences_dir(settings) / sentence_cache.INCOMING_DIR]
    removed = await asyncio.to_thread(upload_temps.sweep_part_files, directories, settings.abandoned_upload_after_s)
    if removed:
        log.warning("removed abandoned uploads", count=len(removed), files=[path.name for path in removed])


async def reconcile_queue(state: AppState) -> None:
    """Heal the gap between the database (truth) and Redis (the queue): stored jobs that never
    reached Redis are enqueued; running jobs that arq dropped for good are failed."""
    grace = datetime.now(UTC) - timedelta(seconds=max(10.0, state.settings.worker_lost_after_s))
    async with state.sessions() as session:
        queued = (
            await session.exec(
                select(Job).where(Job.status == JobStatus.QUEUED.value, col(Job.updated_at) < grace).limit(200)
            )
        ).all()
        running = (
            await session.exec(
                select(Job.id)
                .where(col(Job.status).in_([s.value for s in RUNNING_STATUSES]), col(Job.updated_at) < grace)
                .limit(200)
            )
        ).all()
    for job in queued:
        if not await state.redis.exists(ARQ_JOB_KEY_PREFIX + job.id):
            await job_queue.enqueue(state.redis, job_spec(job))
            log.info("re-enqueued job missing from the queue", job_id=job.id)
    for job_id in running:
        held = await state.redis.exists(ARQ_JOB_KEY_PREFIX + job_id, ARQ_IN_PROGRESS_KEY_PREFIX + job_id)
        if not held:
            await _fail_orphan(state, job_id)


async def _fail_orphan(state: AppState, job_id: str) -> None:
    async with state.sessions() as session:
        job = await lock_job(session, job_id)
        if job is None or not JobStatus(job.status).running:
            return
        detail = error_detail(
            ErrorCode.WORKER_LOST,
            "the worker running this job was lost and no retry is left",
            {"worker_id": job.worker_id, "attempts": job.attempts},
        )
        error = detail.model_dump(mode="json")
        await transition(
            state,
            session,
            job,
            JobStatus.FAILED,
            EventType.FAILED,
            fields={"error": error},
            message=detail.message,
            data={"error": error},
        )
    log.warning("failed orphaned job", job_id=job_id)


def start_background(state: AppState) -> list[asyncio.Task[None]]:
    sweep_every = max(0.5, state.settings.heartbeat_interval_s / 2)
    started_at = time.monotonic()
    tasks = [
        asyncio.create_task(every(sweep_every, "lost-workers", lambda: sweep_lost_workers(state, started_at))),
        asyncio.create_task(every(1.0, "webhooks", lambda: webhooks.deliver_due(state))),
        asyncio.create_task(every(15.0, "reconcile-queue", lambda: reconcile_queue(state))),
        # its first run is at start, the moment after a crash: a killed predecessor's part files go then
        asyncio.create_task(
            every(upload_temps.SWEEP_EVERY_S, "abandoned-uploads", lambda: sweep_abandoned_uploads(state))
        ),
    ]
    if (sentences_every := state.settings.sentence_cache_sweep_interval_s) > 0:
        tasks.append(asyncio.create_task(every(sentences_every, "sentence-cache", lambda: sweep_sentence_cache(state))))
    return tasks
