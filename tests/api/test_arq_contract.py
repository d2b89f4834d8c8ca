"""Guards on the arq internals we depend on (arq is pinned to 0.28.x in pyproject.toml).

The lane worker (vocalio_worker.lanes) overrides arq's private `_poll_iteration`/`start_jobs` with
copies of arq 0.28's, and the API writes arq's queue layout itself in one Lua script
(vocalio_api.job_queue.enqueue). Pull workers' leases (vocalio_api.job_leases) re-implement what
arq's run_job/finish_job write. When arq changes any of these, these fail: re-copy the methods,
check the layout, then update the hashes here.
"""

import hashlib
import importlib.metadata
import inspect
import json

import arq.constants
import pytest
from arq.connections import ArqRedis
from arq.jobs import Job as ArqJob
from arq.jobs import JobStatus as ArqJobStatus
from arq.worker import Worker, func
from vocalio_api.job_queue import QUEUED_JOB_TTL, cancel_if_queued, connect_queue, enqueue
from vocalio_shared.queue import (
    ARQ_IN_PROGRESS_KEY_PREFIX,
    ARQ_JOB_KEY_PREFIX,
    ARQ_RETRY_KEY_PREFIX,
    JOB_FUNCTION,
    QUEUE_NAME,
    deserialize_job,
    lane_defer,
)
from vocalio_shared.schemas.jobs import JobSpec, Priority
from vocalio_worker.lanes import LaneWorker

# sha256 of inspect.getsource() of the arq 0.28.0 functions that our code copies or re-implements.
COPIED_SOURCES = {
    Worker._poll_iteration: "f8d39d823a0a59f27a45f1c0e80bee44e16219d5072235fbc81866402298322f",
    Worker.start_jobs: "b45797cfa40bed7fe6e9b8b8100c5f5b4144fe85112155c4e355df6ed8521f5f",
    ArqRedis.enqueue_job: "7da8706a747c117172047b3ae7405bd450ead0c09b5043c65325661b580b1ce1",
    # re-implemented for pull workers by vocalio_api.job_leases (claim, job_try, finish) and vocalio_worker.pull
    Worker.run_job: "589a19059ff84ee777552dc9fa5ff76b17d6d0d7f99716d2720a2ed07ccb9607",
    Worker.finish_job: "903f09c92830d3fd8044e19cc409074d9b62143218f73c3101a1ef5f724b22ce",
    Worker.finish_failed_job: "3e16087f318a7acfbe79189a682d732fc43a3fce1917689e96990cb14d30bee2",
}


def test_installed_arq_is_the_minor_version_we_copied_from() -> None:
    assert importlib.metadata.version("arq").startswith("0.28."), "re-check vocalio_worker.lanes and job_queue"


@pytest.mark.parametrize("function", list(COPIED_SOURCES), ids=lambda f: f.__qualname__)
def test_copied_arq_functions_are_unchanged(function: object) -> None:
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()  # type: ignore[arg-type]
    assert digest == COPIED_SOURCES[function], f"arq changed {function.__qualname__}: re-copy it"  # type: ignore[attr-defined]


async def test_overrides_keep_arqs_signatures_and_use_what_arq_still_has(redis_url: str) -> None:
    for name in ("_poll_iteration", "start_jobs"):
        assert name in LaneWorker.__dict__, f"LaneWorker no longer overrides {name}"
        assert inspect.signature(getattr(LaneWorker, name)) == inspect.signature(getattr(Worker, name))
    assert list(inspect.signature(Worker.run_job).parameters) == ["self", "job_id", "score"]
    pool = await connect_queue(redis_url)
    try:
        worker = LaneWorker(
            functions=[func(_noop, name=JOB_FUNCTION)], redis_pool=pool, queue_name=QUEUE_NAME, claim_ttl_s=12.0
        )
        # the short claim TTL goes through arq's own attribute, which its start_jobs (and ours) read
        assert worker.in_progress_timeout_s == 12.0
        assert "self.in_progress_timeout_s" in inspect.getsource(Worker.start_jobs)
        # what the copies read and call on arq's Worker
        for name in ("allow_pick_jobs", "allow_abort_jobs", "job_counter", "max_jobs", "queue_read_limit", "sem"):
            assert hasattr(worker, name), name
        assert worker.tasks == {} and worker.pool is pool and worker.queue_name == QUEUE_NAME
        for name in ("_cancel_aborted_jobs", "heart_beat", "_release_sem_dec_counter_on_complete", "run_job"):
            assert callable(getattr(worker, name, None)), name
    finally:
        await pool.aclose()


async def _noop(ctx: dict[str, object]) -> None:
    return None


def test_our_key_prefixes_are_arqs() -> None:
    assert arq.constants.job_key_prefix == ARQ_JOB_KEY_PREFIX
    assert arq.constants.in_progress_key_prefix == ARQ_IN_PROGRESS_KEY_PREFIX
    assert arq.constants.retry_key_prefix == ARQ_RETRY_KEY_PREFIX


async def _snapshot(pool: ArqRedis, job_id: str) -> dict[str, object]:
    raw = await pool.get(ARQ_JOB_KEY_PREFIX + job_id)
    assert raw is not None
    payload = json.loads(raw)
    score = await pool.zscore(QUEUE_NAME, job_id)
    assert score is not None
    return {
        "keys": sorted(key.decode() for key in await pool.keys("*")),
        "type": (await pool.type(ARQ_JOB_KEY_PREFIX + job_id)).decode(),
        # the enqueue time differs between the two calls; what is written relative to it must not
        "payload": {name: value for name, value in payload.items() if name != "et"},
        "defer_ms": score - payload["et"],
        "ttl_s": round((await pool.pttl(ARQ_JOB_KEY_PREFIX + job_id)) / 1000 / 60),  # minutes: calls differ by ms
    }


@pytest.mark.parametrize("priority", list(Priority))
async def test_our_enqueue_writes_what_arqs_enqueue_job_writes(redis_url: str, priority: Priority) -> None:
    pool = await connect_queue(redis_url)
    try:
        spec = JobSpec(job_id="job-arq-layout", text="Hola.", priority=priority, stream=True)
        await pool.flushdb()
        assert await enqueue(pool, spec)
        ours = await _snapshot(pool, spec.job_id)
        assert not await enqueue(pool, spec)  # idempotent by job id, as arq's is

        await pool.flushdb()
        defer = lane_defer(priority)
        queued = await pool.enqueue_job(
            JOB_FUNCTION,
            spec.model_dump(mode="json"),
            _job_id=spec.job_id,
            _queue_name=QUEUE_NAME,
            _defer_by=defer,
            _expires=defer + QUEUED_JOB_TTL,
        )
        assert queued is not None
        assert await _snapshot(pool, spec.job_id) == ours

        # and arq reads what we wrote: the job, its function and argument, its lane's deferral
        await pool.flushdb()
        await enqueue(pool, spec)
        job = ArqJob(spec.job_id, pool, _queue_name=QUEUE_NAME, _deserializer=deserialize_job)
        info = await job.info()
        assert info is not None and info.function == JOB_FUNCTION
        assert JobSpec.model_validate(info.args[0]) == spec
        expected = ArqJobStatus.queued if priority == Priority.HIGH else ArqJobStatus.deferred
        assert await job.status() == expected
        assert await cancel_if_queued(pool, spec.job_id) == 1
        assert await job.status() == ArqJobStatus.not_found
    finally:
        await pool.flushdb()
        await pool.aclose()
