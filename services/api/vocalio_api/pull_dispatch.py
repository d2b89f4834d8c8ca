"""The pull half of a heartbeat: renew the worker's leases, then lease it a job (a short long poll).

A pull worker never reaches Redis; this is where its heartbeat meets the queue (`job_leases`).
The registry's half (state, metrics, commands) has already been written by `workers_service`.
"""

import asyncio
import time

import structlog
from vocalio_shared.schemas.workers import Heartbeat, HeartbeatAnswer, PendingJob, WorkerCommand, WorkerState

from vocalio_api.job_leases import lease_job, renew_leases
from vocalio_api.state import AppState

log = structlog.get_logger("api.pull")

# While a heartbeat is held open, the queue is looked at this often: the added dispatch latency.
POLL_STEP_S = 0.25
_TAKING_STATES = frozenset({WorkerState.IDLE, WorkerState.BUSY})


def is_pull(beat: Heartbeat) -> bool:
    return beat.wants_jobs > 0 or bool(beat.leases)


async def answer_pull(state: AppState, worker_id: str, beat: Heartbeat, answer: HeartbeatAnswer) -> HeartbeatAnswer:
    settings = state.settings
    check = await renew_leases(state.redis, worker_id, settings.job_lease_ttl_s, beat.leases)
    answer.lost_job_ids, answer.cancel_job_ids = check.lost, check.cancelled
    if check.lost:
        log.warning("leases_lost", worker_id=worker_id, jobs=check.lost)
    if beat.wants_jobs < 1 or beat.status not in _TAKING_STATES or answer.command == WorkerCommand.DRAIN:
        return answer
    # Never held past the interval: the registry must hear from a worker at least that often.
    wait_s = min(beat.wait_s, settings.pull_wait_max_s, settings.heartbeat_interval_s)
    deadline = time.monotonic() + wait_s
    while True:
        lease = await lease_job(state.redis, worker_id, settings.job_lease_ttl_s)
        if lease is not None:
            log.info("job_leased", worker_id=worker_id, job_id=lease.job_id, attempt=lease.attempt)
            answer.pending_job = PendingJob(
                job_id=lease.job_id,
                attempt=lease.attempt,
                enqueued_at_ms=lease.enqueued_at_ms,
                spec=lease.spec,
                lease_ttl_s=settings.job_lease_ttl_s,
                status_path=f"/api/v1/jobs/{lease.job_id}/status",
                audio_path=f"/api/v1/jobs/{lease.job_id}/audio",
                release_path=f"/api/v1/workers/{worker_id}/leases/{lease.job_id}/release",
            )
            return answer
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return answer
        await asyncio.sleep(min(POLL_STEP_S, remaining))
