"""Pull mode: a worker that reaches only the API (VOCALIO_WORKER_MODE=pull), never Redis.

Its heartbeat asks for work (`wants_jobs`, free slots; `wait_s`, a short long poll) and lists the
leases it holds; the answer may carry a `pending_job` leased from the same arq queue the push
workers poll (`vocalio_api/job_leases.py`). The job then runs through the same `synthesize` as an
arq job, with arq's job_try as the attempt; progress, result and audio go over the usual HTTP
routes. `PullQueue` stands where the arq worker stands in push mode, and does what arq's
`run_job`/`finish_job` do around the function: the job timeout, the attempt limit, and telling the
queue how the attempt ended (`release`: done, retry after a deferral, or requeue).

The lease lives as long as heartbeats renew it. A lease the API says is lost (it lapsed and a
newer attempt took the job) stops the job here without a word to the API: the newer attempt owns
the job, and the API refuses this one's updates anyway.
"""

import asyncio
import contextlib
from typing import Any

import structlog
from arq import Retry
from arq.utils import ms_to_datetime, timestamp_ms
from vocalio_shared.schemas.workers import HeartbeatAnswer, LeaseRef, LeaseRelease, PendingJob

from vocalio_worker.jobs import synthesize
from vocalio_worker.runtime import Runtime

log = structlog.get_logger("worker.pull")

RELEASE_LIMIT_S = 10.0  # a release that cannot land in time is left to the lease's expiry


class PullQueue:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.max_jobs = runtime.config.max_concurrent_jobs
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.attempts: dict[str, int] = {}
        self.picking = True
        self.main_task: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()

    @property
    def active_job_ids(self) -> list[str]:
        return [job_id for job_id, task in self.tasks.items() if not task.done()]

    def free_slots(self) -> int:
        return max(0, self.max_jobs - len(self.active_job_ids)) if self.picking else 0

    def leases(self) -> list[LeaseRef]:
        return [LeaseRef(job_id=job_id, attempt=self.attempts[job_id]) for job_id in self.active_job_ids]

    def absorb(self, answer: HeartbeatAnswer) -> None:
        """Act on the pull half of a heartbeat answer: cancellations, lost leases, a new job."""
        self.runtime.cancel_flags.update(answer.cancel_job_ids)
        for job_id in answer.lost_job_ids:
            task = self.tasks.get(job_id)
            if task is not None and not task.done():
                log.warning("lease_lost_stopping_job", job_id=job_id, attempt=self.attempts.get(job_id))
                self.runtime.lost_leases.add(job_id)
                task.cancel()
        if answer.pending_job is not None:
            self.start(answer.pending_job)

    def start(self, pending: PendingJob) -> None:
        previous = self.tasks.get(pending.job_id)
        if previous is not None and not previous.done():  # our own older attempt, lease lost meanwhile
            self.runtime.lost_leases.add(pending.job_id)
            previous.cancel()
        self.attempts[pending.job_id] = pending.attempt
        task = asyncio.create_task(self._run(pending, previous), name=f"job-{pending.job_id}")
        self.tasks[pending.job_id] = task
        task.add_done_callback(lambda done: self._ended(pending.job_id, done))
        self.runtime.beat_soon.set()  # a slot was taken and another may be free: ask again now

    def _ended(self, job_id: str, task: "asyncio.Task[None]") -> None:
        if self.tasks.get(job_id) is task:  # not replaced by a newer attempt meanwhile
            del self.tasks[job_id]
            self.attempts.pop(job_id, None)
        if not task.cancelled() and task.exception() is not None:  # surfaces errors of _run itself, as arq does
            log.error("pull_job_runner_failed", job_id=job_id, error=repr(task.exception()))
        self.runtime.beat_soon.set()  # a slot is free: ask for the next job at once

    async def _run(self, pending: PendingJob, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            with contextlib.suppress(BaseException):
                await previous
        runtime, config = self.runtime, self.runtime.config
        runtime.lost_leases.discard(pending.job_id)
        started_ms = timestamp_ms()
        release = LeaseRelease(attempt=pending.attempt, outcome="done", started_at_ms=started_ms)
        # arq's function max_tries is max_attempts + 1 (see service.build_queue_worker); past it arq
        # fails the job without calling the function, and so do we.
        if pending.attempt > config.max_attempts + 1:
            log.warning("job_max_tries_exceeded", job_id=pending.job_id, attempt=pending.attempt)
            release.success, release.result = False, {"error": "max tries exceeded"}
            await self._release(pending.job_id, release)
            return
        ctx: dict[str, Any] = {
            "runtime": runtime,
            "job_id": pending.job_id,
            "job_try": pending.attempt,
            "enqueue_time": ms_to_datetime(pending.enqueued_at_ms),
            "redis": None,  # pull mode: cancellation and streamed audio go through the API
        }
        try:
            outcome = await asyncio.wait_for(
                synthesize(ctx, pending.spec.model_dump(mode="json")), config.job_timeout_s
            )
            release.result = outcome
        except Retry as retry:
            release.outcome, release.defer_ms = "retry", int(retry.defer_score or 0)
        except TimeoutError:  # the job ran past job_timeout_s: arq fails it (synthesize reported it)
            release.success, release.result = False, {"error": "job timeout"}
        except asyncio.CancelledError:
            if pending.job_id in runtime.lost_leases:
                log.info("job_stopped_lease_lost", job_id=pending.job_id, attempt=pending.attempt)
                if self.attempts.get(pending.job_id) == pending.attempt:  # no newer attempt of ours waits on it
                    runtime.lost_leases.discard(pending.job_id)
                return  # not ours to release any more
            release.outcome = "requeue"  # our shutdown's leftover: back to the queue now, not at expiry
            await asyncio.shield(self._release(pending.job_id, release))
            raise
        except Exception as error:  # arq: the function raised; the job is finished, as failed
            log.exception("job_function_failed", job_id=pending.job_id)
            release.success, release.result = False, {"error": repr(error)}
        finally:
            runtime.cancel_flags.discard(pending.job_id)
        await self._release(pending.job_id, release)

    async def _release(self, job_id: str, release: LeaseRelease) -> None:
        runtime = self.runtime
        try:
            answer = await runtime.api.release_lease(
                runtime.config.worker_id, job_id, release, max_elapsed_s=RELEASE_LIMIT_S
            )
        except Exception as error:  # the lease lapses by itself; the API fences any re-run's result
            log.warning("lease_release_failed", job_id=job_id, outcome=release.outcome, error=repr(error))
            return
        if not answer.released:
            log.warning("lease_release_refused", job_id=job_id, attempt=release.attempt)

    async def main(self) -> None:
        """Runs until `close`: the work arrives through heartbeats (`absorb`), not from here."""
        await self._closed.wait()

    async def keep_claims(self, every_s: float) -> None:
        """Nothing to do: heartbeats renew the leases (kept for the push worker's interface)."""
        await self._closed.wait()

    async def close(self) -> None:
        self._closed.set()
        leftover = self.active_job_ids
        for job_id in leftover:
            self.tasks[job_id].cancel()
        await asyncio.gather(*(self.tasks[job_id] for job_id in leftover), return_exceptions=True)
