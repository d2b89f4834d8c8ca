"""Leases on the arq queue for pull workers (vocalio_api/job_leases.py), on a real Redis."""

import asyncio

import pytest
from arq.constants import result_key_prefix
from pydantic import ValidationError
from vocalio_api.config import ApiSettings
from vocalio_api.job_leases import lease_job, release_lease, renew_leases
from vocalio_api.job_queue import connect_queue, enqueue, request_cancel
from vocalio_shared.queue import (
    ARQ_IN_PROGRESS_KEY_PREFIX,
    ARQ_JOB_KEY_PREFIX,
    QUEUE_NAME,
    lane_defer,
    lane_of_score,
)
from vocalio_shared.schemas.jobs import JobSpec, Priority
from vocalio_shared.schemas.workers import LeaseRef

TTL_S = 30.0


def spec(job_id: str, priority: Priority = Priority.NORMAL) -> JobSpec:
    return JobSpec(job_id=job_id, text=f"Hola {job_id}.", priority=priority)


async def test_lanes_in_priority_order_then_nothing(redis_url: str) -> None:
    pool = await connect_queue(redis_url)
    try:
        for job_id, priority in [("b1", Priority.BULK), ("n1", Priority.NORMAL), ("h1", Priority.HIGH)]:
            await enqueue(pool, spec(job_id, priority))
        await enqueue(pool, spec("n2", Priority.NORMAL))
        taken = [await lease_job(pool, "w1", TTL_S) for _ in range(5)]
        assert [lease.job_id if lease else None for lease in taken] == ["h1", "n1", "n2", "b1", None]
        first = taken[0]
        assert first is not None
        assert first.attempt == 1 and first.spec.text == "Hola h1." and first.spec.priority == Priority.HIGH
        assert await pool.get(ARQ_IN_PROGRESS_KEY_PREFIX + "h1") == b"w1"
        # the job stays in its lane while it runs, as under arq
        assert lane_of_score(await pool.zscore(QUEUE_NAME, "h1")) == Priority.HIGH
    finally:
        await pool.aclose()


async def test_many_workers_at_once_never_get_the_same_job(redis_url: str) -> None:
    pool = await connect_queue(redis_url)
    pools = [await connect_queue(redis_url) for _ in range(6)]
    try:
        for n in range(60):
            await enqueue(pool, spec(f"j{n}", list(Priority)[n % 3]))

        async def drain(worker: int) -> list[str]:
            got = []
            while (lease := await lease_job(pools[worker], f"w{worker}", TTL_S)) is not None:
                got.append(lease.job_id)
            return got

        results = await asyncio.gather(*(drain(w) for w in range(len(pools))))
        everything = [job_id for got in results for job_id in got]
        assert len(everything) == 60 and len(set(everything)) == 60
    finally:
        for p in [pool, *pools]:
            await p.aclose()


async def test_a_lapsed_lease_goes_to_another_worker_as_the_next_attempt_and_is_fenced(redis_url: str) -> None:
    pool = await connect_queue(redis_url)
    try:
        await enqueue(pool, spec("job-a"))
        first = await lease_job(pool, "w1", 0.3)
        assert first is not None and first.attempt == 1
        assert await lease_job(pool, "w2", TTL_S) is None  # held
        await asyncio.sleep(0.45)  # w1 stopped renewing: the job is ready again
        second = await lease_job(pool, "w2", TTL_S)
        assert second is not None and second.job_id == "job-a" and second.attempt == 2
        # w1 comes back: its lease is lost, and it can neither renew nor finish the job
        check = await renew_leases(pool, "w1", TTL_S, [LeaseRef(job_id="job-a", attempt=1)])
        assert check.lost == ["job-a"]
        assert not await release_lease(pool, "w1", "job-a", 1, "done", result={"status": "succeeded"})
        assert await pool.zscore(QUEUE_NAME, "job-a") is not None
        assert (await renew_leases(pool, "w2", TTL_S, [LeaseRef(job_id="job-a", attempt=2)])).lost == []
        assert await release_lease(pool, "w2", "job-a", 2, "done", result={"status": "succeeded"})
        assert await pool.zscore(QUEUE_NAME, "job-a") is None
        assert not await pool.exists(ARQ_JOB_KEY_PREFIX + "job-a", ARQ_IN_PROGRESS_KEY_PREFIX + "job-a")
        assert await pool.exists(result_key_prefix + "job-a")  # as arq keeps it: enqueue refuses the id
        assert not await enqueue(pool, spec("job-a"))
    finally:
        await pool.aclose()


async def test_a_lapsed_lease_nobody_took_is_re_armed_by_the_next_heartbeat(redis_url: str) -> None:
    pool = await connect_queue(redis_url)
    try:
        await enqueue(pool, spec("job-b"))
        lease = await lease_job(pool, "w1", 0.2)
        assert lease is not None
        await asyncio.sleep(0.3)
        await request_cancel(pool, "job-b")
        check = await renew_leases(pool, "w1", TTL_S, [LeaseRef(job_id="job-b", attempt=1)])
        assert check.lost == [] and check.cancelled == ["job-b"]
        assert await lease_job(pool, "w2", TTL_S) is None
        assert await pool.get(ARQ_IN_PROGRESS_KEY_PREFIX + "job-b") == b"w1"
    finally:
        await pool.aclose()


async def test_retry_defers_in_the_lane_and_counts_an_attempt_requeue_frees_at_once(redis_url: str) -> None:
    pool = await connect_queue(redis_url)
    try:
        await enqueue(pool, spec("job-r", Priority.BULK))
        lease = await lease_job(pool, "w1", TTL_S)
        assert lease is not None
        defer_ms = int(lane_defer(Priority.BULK, 0.5).total_seconds() * 1000)
        assert await release_lease(pool, "w1", "job-r", 1, "retry", defer_ms=defer_ms)
        assert lane_of_score(await pool.zscore(QUEUE_NAME, "job-r")) == Priority.BULK
        assert await lease_job(pool, "w2", TTL_S) is None  # deferred
        await asyncio.sleep(0.6)
        again = await lease_job(pool, "w2", TTL_S)
        assert again is not None and again.attempt == 2
        assert await release_lease(pool, "w2", "job-r", 2, "requeue")
        third = await lease_job(pool, "w3", TTL_S)
        assert third is not None and third.attempt == 3
    finally:
        await pool.aclose()


async def test_a_job_a_push_worker_claimed_is_not_leased(redis_url: str) -> None:
    pool = await connect_queue(redis_url)
    try:
        await enqueue(pool, spec("job-p"))
        await pool.psetex(ARQ_IN_PROGRESS_KEY_PREFIX + "job-p", 30_000, b"1")  # what arq's start_jobs writes
        assert await lease_job(pool, "w1", TTL_S) is None
    finally:
        await pool.aclose()


def test_a_lease_shorter_than_two_heartbeat_intervals_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOCALIO_WORKER_TOKEN", "test-worker-token-0123456789")
    monkeypatch.setenv("VOCALIO_WEBHOOK_SECRET", "test-webhook-secret-0123456789")
    monkeypatch.setenv("VOCALIO_HEARTBEAT_INTERVAL_S", "10")
    monkeypatch.setenv("VOCALIO_JOB_LEASE_TTL_S", "15")
    with pytest.raises(ValidationError, match="VOCALIO_JOB_LEASE_TTL_S"):
        ApiSettings()
    monkeypatch.setenv("VOCALIO_JOB_LEASE_TTL_S", "20")
    assert ApiSettings().job_lease_ttl_s == 20
