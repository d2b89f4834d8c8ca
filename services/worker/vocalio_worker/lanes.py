"""arq's Worker taught the three lanes, drain, and short job claims.

- Lanes: a job's score is its eligible time plus its lane's offset (`vocalio_shared.queue`). arq
  polls `score <= now`, which would only ever see the high lane; we poll the bands in order high →
  normal → bulk with `max = now + offset`, so a worker takes every ready high job before any normal
  one. arq's `start_jobs` also skips any job whose score is above now, so it is mirrored here with
  the lane offset taken off first.
- Drain: `picking` off means no new job is taken; running ones go on.
- Claims: arq marks a taken job with `arq:in-progress:<id>` for `in_progress_timeout_s` (the job
  timeout + 10 s), so a job whose worker died would wait hours. We set that attribute to a short
  TTL and refresh the claims while the jobs run (`keep_claims`); a killed worker's claim lapses
  within `in_progress_ttl_s` and any worker takes the job again, with arq's job_try + 1 as our
  attempt number.

arq has no setting for either lane polling or readiness inside a band, so the two methods are
copies of arq 0.28's (arq is pinned to 0.28.x; tests/api/test_arq_contract.py fails when arq's
originals change).
"""

import asyncio

import structlog
from arq.constants import in_progress_key_prefix
from arq.utils import timestamp_ms
from arq.worker import Worker
from redis.exceptions import ResponseError, WatchError
from vocalio_shared.queue import LANE_SPAN_MS
from vocalio_shared.schemas.jobs import PRIORITY_ORDER

log = structlog.get_logger("worker.lanes")


def eligible_ms(score: float) -> float:
    """A score without its lane offset: when the job may run."""
    rank = min(max(int(score // LANE_SPAN_MS), 0), len(PRIORITY_ORDER) - 1)
    return score - rank * LANE_SPAN_MS


class LaneWorker(Worker):
    def __init__(self, *args: object, claim_ttl_s: float = 30.0, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.in_progress_timeout_s = claim_ttl_s  # arq's own claim TTL, read by start_jobs
        self.claim_ttl_ms = int(claim_ttl_s * 1000)
        self.picking = True

    @property
    def active_job_ids(self) -> list[str]:
        return [job_id for job_id, task in self.tasks.items() if not task.done()]

    async def _poll_iteration(self) -> None:
        """arq 0.28's `_poll_iteration`, polling the lane bands in priority order."""
        if self.allow_pick_jobs and self.picking and self.job_counter < self.max_jobs:
            now = timestamp_ms()
            for rank in range(len(PRIORITY_ORDER)):
                if self.job_counter >= self.max_jobs:
                    break
                offset = rank * LANE_SPAN_MS
                # queue_read_limit, not the free slots: jobs running on other workers stay in the
                # band until they finish, and must not hide the ready ones behind them.
                job_ids = await self.pool.zrangebyscore(
                    self.queue_name, min=offset, max=now + offset, start=0, num=self.queue_read_limit
                )
                if job_ids:
                    await self.start_jobs(job_ids)

        if self.allow_abort_jobs:
            await self._cancel_aborted_jobs()

        for job_id, task in list(self.tasks.items()):
            if task.done():
                del self.tasks[job_id]
                task.result()  # surfaces errors of run_job itself, as arq does

        await self.heart_beat()

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq 0.28's `start_jobs` with one change: readiness ignores the lane offset."""
        for job_id_b in job_ids:
            await self.sem.acquire()
            if self.job_counter >= self.max_jobs:
                self.sem.release()
                return
            self.job_counter += 1
            job_id = job_id_b.decode()
            in_progress_key = in_progress_key_prefix + job_id
            async with self.pool.pipeline(transaction=True) as pipe:
                await pipe.watch(in_progress_key)
                ongoing_exists = await pipe.exists(in_progress_key)
                score = await pipe.zscore(self.queue_name, job_id)
                if ongoing_exists or not score or eligible_ms(score) > timestamp_ms():
                    self.job_counter -= 1
                    self.sem.release()
                    continue
                pipe.multi()
                pipe.psetex(in_progress_key, int(self.in_progress_timeout_s * 1000), b"1")
                try:
                    await pipe.execute()
                except (ResponseError, WatchError):
                    self.job_counter -= 1
                    self.sem.release()
                else:
                    task = self.loop.create_task(self.run_job(job_id, int(score)))
                    task.add_done_callback(lambda _: self._release_sem_dec_counter_on_complete())
                    self.tasks[job_id] = task

    async def keep_claims(self, every_s: float) -> None:
        """Refresh the claims of running jobs. PEXPIRE (not SET) so a claim arq already removed at
        the job's end is not brought back."""
        while True:
            await asyncio.sleep(every_s)
            job_ids = self.active_job_ids
            if not job_ids:
                continue
            try:
                async with self.pool.pipeline(transaction=False) as pipe:
                    for job_id in job_ids:
                        pipe.pexpire(in_progress_key_prefix + job_id, self.claim_ttl_ms)
                    await pipe.execute()
            except Exception as error:  # Redis hiccup: the next round tries again before the TTL ends
                log.warning("claim_refresh_failed", error=repr(error), jobs=job_ids)
