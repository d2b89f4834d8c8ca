"""Loops every API process runs: lost workers, webhooks, queue reconciliation, the sentence-cache sweep.

Several API processes may share one database and Redis (uvicorn workers, replicas). Each loop is
either run once per interval across all of them (`ONE_REPLICA`: a Redis turn, replica_locks) or is
safe, and needed, in every one:

- lost workers, queue reconciliation, sentence-cache sweep: one replica per interval (each replica
  would do the same work; the reconciler's re-enqueue and orphan failure are idempotent anyway);
- webhooks: every replica; a delivery row is claimed with SELECT ... FOR UPDATE SKIP LOCKED on
  PostgreSQL (SQLite has a single writer), so replicas share the rows and none is sent twice;
- abandoned uploads and book files: every replica, because temp files are per host; the sweeps only
  remove files of processes that are gone (temp_files), never a live sibling's.
"""

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
from vocalio_api.books import delivery, sentence_cache
from vocalio_api.jobs_service import job_spec
from vocalio_api.lifecycle import lock_job, transition
from vocalio_api.metrics import BACKGROUND_RUNS
from vocalio_api.models import Job
from vocalio_api.replica_locks import claim_turn
from vocalio_api.state import AppState

log = structlog.get_logger("api.background")


LOST_WORKERS = "lost-workers"
WEBHOOKS = "webhooks"
RECONCILE_QUEUE = "reconcile-queue"
ABANDONED_UPLOADS = "abandoned-uploads"
ABANDONED_BOOK_FILES = "abandoned-book-files"
SENTENCE_CACHE = "sentence-cache"
RECONCILE_EVERY_S = 15.0
# run once per interval across replicas; the others run in every replica (see above)
ONE_REPLICA = frozenset({LOST_WORKERS, RECONCILE_QUEUE, SENTENCE_CACHE})


def _always() -> bool:
    return True


async def every(
    state: AppState,
    interval_s: float,
    name: str,
    task: Callable[[], Awaitable[object]],
    due: Callable[[], bool] = _always,
) -> None:
    """Run `task` every `interval_s` while `due()`; a ONE_REPLICA task only in the replica that
    claims the interval's turn (asked after `due`, so a replica not yet due takes no turn)."""
    while True:
        try:
            if due() and (name not in ONE_REPLICA or await claim_turn(state.redis, name, interval_s)):
                await task()
                BACKGROUND_RUNS.labels(task=name).inc()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("background task failed", task=name, error=repr(error))
        await asyncio.sleep(interval_s)


async def sweep_lost_workers(state: AppState) -> None:
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
    settings = state.settings
    sweep_every = max(0.5, settings.heartbeat_interval_s / 2)
    started_at = time.monotonic()

    def workers_had_a_window() -> bool:
        # Right after an API restart every worker looks silent; give them one full window to check in.
        return time.monotonic() - started_at >= settings.worker_lost_after_s

    loops: list[tuple[float, str, Callable[[], Awaitable[object]], Callable[[], bool]]] = [
        (sweep_every, LOST_WORKERS, lambda: sweep_lost_workers(state), workers_had_a_window),
        (1.0, WEBHOOKS, lambda: webhooks.deliver_due(state), _always),
        (RECONCILE_EVERY_S, RECONCILE_QUEUE, lambda: reconcile_queue(state), _always),
        # its first run is at start, the moment after a crash: a killed predecessor's part files go then
        (upload_temps.SWEEP_EVERY_S, ABANDONED_UPLOADS, lambda: sweep_abandoned_uploads(state), _always),
        (upload_temps.SWEEP_EVERY_S, ABANDONED_BOOK_FILES, lambda: delivery.sweep_abandoned_files(state), _always),
    ]
    if (sentences_every := settings.sentence_cache_sweep_interval_s) > 0:
        loops.append((sentences_every, SENTENCE_CACHE, lambda: sweep_sentence_cache(state), _always))
    return [asyncio.create_task(every(state, *loop)) for loop in loops]
