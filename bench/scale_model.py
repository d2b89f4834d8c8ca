"""A measured scale model of the control plane: one API, one Redis, one PostgreSQL, many simulated workers.

The API is started as the project starts it (`python -m vocalio_api.server`, VOCALIO_API_WORKERS
passed through), on a real redis-server and a real PostgreSQL (pgserver). The workers are asyncio
tasks in this process, each with its own `vocalio_worker.api_client.ApiClient` (the worker's real
HTTP client: its retries, breaker and connection pool) and `StatusSender`, speaking the real worker
protocol: register, heartbeat every interval, take jobs from the real arq queue, report progress,
upload a small WAV, post the result. Only the engine is simulated (it sleeps `--engine-s`).

- pull mode (VOCALIO_WORKER_MODE=pull): the heartbeat asks for work (`wants_jobs`, a long poll of
  `--pull-wait-s`) and renews leases; a job arrives as `pending_job`; the attempt ends with a lease
  release, exactly as `vocalio_worker.pull` does;
- push mode: each simulated worker runs the worker's own `LaneWorker` (arq with our lanes) on
  Redis, polling every `--poll-delay-s`, and heartbeats the API without asking for work.

For each worker count (fresh database, flushed Redis, fresh API), two phases are measured:
heartbeats only (`--idle-s`), then jobs submitted at a steady rate (`--load` × workers / engine
time, open loop, at most `--max-rate`) for `--jobs-s` seconds and drained. From /proc (psutil,
process trees: reaped children count) the CPU seconds of the API processes, redis-server and the
PostgreSQL server; from INFO commandstats the Redis commands; from pg_total_relation_size and
count(*) the database's bytes and rows. Per heartbeat and per worker-second = the idle phase's cost
÷ heartbeats answered, ÷ (workers × seconds); per job = (the job phase's cost − its idle
worker-seconds × the idle cost per worker-second) ÷ jobs. Dispatch latency = submit (just before the
POST) → the worker holds the job (the heartbeat answer read, or arq calls the function).

Each cost is fitted linear in workers (least squares), and from the fits: how many GPU workers,
each running one job per `--gpu-job-s` seconds (its idle cost counted all the time), one API
process, one Redis and one PostgreSQL carry at `--ceiling` of one core, and which saturates first.

    python bench/scale_model.py [--workers 10,50,100,300] [--mode pull,push] [--plot PATH] [--json PATH]
    python bench/scale_model.py --ci        # 5 and 20 workers, short phases (tests/e2e/test_scale_model.py)

Everything shares this machine's cores (the simulated workers too: their CPU is printed), so on a
small machine the figures are an upper bound on cost and a lower bound on capacity.
"""

import argparse
import asyncio
import contextlib
import hashlib
import io
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
import wave
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vocalio_cli.embedded_redis import EmbeddedRedis
from vocalio_shared import __version__
from vocalio_shared.queue import (
    ARQ_KEEP_RESULT_S,
    CANCEL_KEY_PREFIX,
    JOB_FUNCTION,
    QUEUE_NAME,
    deserialize_job,
    serialize_job,
)
from vocalio_shared.schemas.jobs import JobMetrics, JobResult, JobStatus, JobStatusUpdate
from vocalio_shared.schemas.workers import (
    GpuInfo,
    Heartbeat,
    LeaseRef,
    LeaseRelease,
    PendingJob,
    WorkerCapabilities,
    WorkerRegistration,
    WorkerState,
)
from vocalio_worker.api_client import ApiClient, ApiError, ApiUnavailableError
from vocalio_worker.metrics import WorkerMetricsRegistry
from vocalio_worker.status_updates import StatusSender

from tests.support.processes import ApiProcess

SAMPLE_RATE = 24_000
TEXT = "El tren salió de la estación a las siete y media, y nadie en el andén levantó la vista."


# --- measuring ---------------------------------------------------------------------------------------


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its descendants, reaped children included."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def redis_commands(info: dict[str, Any]) -> int:
    return sum(int(v["calls"]) for k, v in info.items() if k.startswith("cmdstat_"))


async def pg_figures(conninfo: str) -> tuple[int, int]:
    """(rows, bytes) over the public schema's tables: exact counts, sizes with indexes and TOAST."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as connection:
        tables = [
            row[0]
            for row in await (
                await connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).fetchall()
        ]
        rows = 0
        size = 0
        for table in tables:
            rows += (await (await connection.execute(f'SELECT count(*) FROM "{table}"')).fetchone())[0]  # type: ignore[index]
            size += (
                await (await connection.execute("SELECT pg_total_relation_size(%s)", (f'public."{table}"',))).fetchone()
            )[0]  # type: ignore[index]
        return rows, size


@dataclass
class Snapshot:
    at: float
    api_cpu_s: float
    redis_cpu_s: float
    pg_cpu_s: float
    sim_cpu_s: float
    redis_ops: int
    pg_rows: int
    pg_bytes: int
    heartbeats: int


# --- the simulated fleet ---------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the client and the workers saw, keyed by job id (monotonic clock, one process)."""

    submitted: dict[str, float] = field(default_factory=dict)
    handed: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    finished: dict[str, float] = field(default_factory=dict)
    heartbeats: int = 0
    errors: list[str] = field(default_factory=list)


def small_wav(seconds: float = 0.5) -> bytes:
    """A short PCM16 tone: what the API stores is a real, small audio file."""
    frames = int(SAMPLE_RATE * seconds)
    samples = bytearray()
    for n in range(frames):
        value = int(3000 * math.sin(2 * math.pi * 220 * n / SAMPLE_RATE))
        samples += value.to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(samples))
    return buffer.getvalue()


AUDIO = small_wav()
AUDIO_SHA256 = hashlib.sha256(AUDIO).hexdigest()


class SimWorker:
    """One simulated GPU worker: the real protocol and client, a sleeping engine, one job at a time."""

    def __init__(self, worker_id: str, api: ApiProcess, mode: str, args: argparse.Namespace, ledger: Ledger) -> None:
        self.worker_id = worker_id
        self.mode = mode
        self.args = args
        self.ledger = ledger
        self.api = ApiClient(api.base_url, api.worker_token, WorkerMetricsRegistry(), timeout_s=30.0)
        self.interval_s = args.heartbeat_s
        self.jobs: dict[str, asyncio.Task[Any]] = {}
        self.attempts: dict[str, int] = {}
        self.completed = 0
        self.beat_soon = asyncio.Event()
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[Any]] = []
        self.lane_worker: Any = None

    async def register(self) -> None:
        registration = WorkerRegistration(
            worker_id=self.worker_id,
            capabilities=WorkerCapabilities(
                models=["simulated"],
                gpu_info=[GpuInfo(name="simulated", memory_total_mb=24_576)],
                max_concurrent_jobs=1,
                engine="simulated",
            ),
            host="127.0.0.1",
            port=0,
            version=__version__,
        )
        answer = await self.api.register(registration)
        self.interval_s = answer.heartbeat_interval_s

    def start(self, pool: Any, first_beat_after_s: float) -> None:
        self.tasks.append(asyncio.create_task(self.heartbeat_loop(first_beat_after_s)))
        if self.mode == "push":
            self.lane_worker = build_lane_worker(self, pool)
            self.tasks.append(asyncio.create_task(self.lane_worker.main()))
            self.tasks.append(asyncio.create_task(self.lane_worker.keep_claims(self.args.claim_ttl_s / 3)))

    @property
    def active(self) -> list[str]:
        if self.lane_worker is not None:
            return list(self.lane_worker.active_job_ids)
        return [job_id for job_id, task in self.jobs.items() if not task.done()]

    async def heartbeat_loop(self, first_beat_after_s: float) -> None:
        await asyncio.sleep(first_beat_after_s)  # a fleet's beats are spread over the interval
        while not self.stop.is_set():
            self.beat_soon.clear()
            started = time.monotonic()
            free = self.mode == "pull" and not self.active
            beat = Heartbeat(
                status=WorkerState.BUSY if self.active else WorkerState.IDLE,
                active_job_ids=sorted(self.active),
                wants_jobs=1 if free else 0,
                wait_s=self.args.pull_wait_s if free else 0.0,
                leases=[LeaseRef(job_id=j, attempt=self.attempts[j]) for j in self.active]
                if self.mode == "pull"
                else [],
            )
            beat.metrics.active_jobs = len(beat.active_job_ids)
            beat.metrics.completed_jobs_total = self.completed
            answered = False
            try:
                answer = await self.api.heartbeat(self.worker_id, beat)
                answered = True
                self.ledger.heartbeats += 1
                self.interval_s = answer.next_interval_s
                if answer.pending_job is not None:
                    self.take(answer.pending_job)
                for job_id in answer.lost_job_ids:  # one just released races its last renewal: not lost
                    if job_id in self.active:
                        self.ledger.errors.append(f"{self.worker_id}: lease lost for {job_id}")
            except (ApiUnavailableError, ApiError) as error:
                self.ledger.errors.append(f"{self.worker_id}: heartbeat {error}")
            if self.beat_soon.is_set():
                continue
            if answered and self.mode == "pull" and not self.active:
                held_s = time.monotonic() - started  # as vocalio_worker.heartbeat: ask again after a long poll
                if held_s >= min(self.args.pull_wait_s, self.interval_s) / 2:
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.beat_soon.wait(), self.interval_s)

    def take(self, pending: PendingJob) -> None:
        self.ledger.handed.setdefault(pending.job_id, []).append((self.worker_id, time.monotonic()))
        self.attempts[pending.job_id] = pending.attempt
        task = asyncio.create_task(self.run_pull(pending))
        self.jobs[pending.job_id] = task
        task.add_done_callback(lambda _: self.beat_soon.set())  # a slot is free: ask now
        self.beat_soon.set()

    async def run_pull(self, pending: PendingJob) -> None:
        started_ms = int(time.time() * 1000)
        release = LeaseRelease(attempt=pending.attempt, outcome="done", started_at_ms=started_ms)
        try:
            release.result = await self.run_job(pending.job_id, pending.attempt, pending.enqueued_at_ms, None)
        except Exception as error:
            release.success, release.result = False, {"error": repr(error)}
            self.ledger.errors.append(f"{pending.job_id}: {error!r}")
        try:
            answer = await self.api.release_lease(self.worker_id, pending.job_id, release, max_elapsed_s=10.0)
            if not answer.released:
                self.ledger.errors.append(f"{pending.job_id}: release refused")
        except (ApiUnavailableError, ApiError) as error:  # as vocalio_worker.pull: the lease lapses by itself
            self.ledger.errors.append(f"{pending.job_id}: release failed: {error}")
        finally:
            self.jobs.pop(pending.job_id, None)
            self.attempts.pop(pending.job_id, None)

    async def run_job(self, job_id: str, attempt: int, enqueued_at_ms: int, redis: Any) -> dict[str, Any]:
        """What `vocalio_worker.jobs` sends for a two-batch job, with the engine asleep."""
        queue_wait_ms = max(0.0, time.time() * 1000 - enqueued_at_ms)
        status = StatusSender(self.api, job_id)

        def update(state: JobStatus, progress: float, stage: str, **fields: Any) -> JobStatusUpdate:
            return JobStatusUpdate(
                worker_id=self.worker_id, status=state, progress=progress, stage=stage, attempt=attempt, **fields
            )

        try:
            status.send(update(JobStatus.PREPARING, 0.0, "text"))
            status.send(update(JobStatus.SYNTHESIZING, 30.0, "chunk 0/2"))
            for done in (1, 2):
                if redis is not None:  # push mode: the cancel flag is read in Redis before each batch
                    await redis.exists(CANCEL_KEY_PREFIX + job_id)
                await asyncio.sleep(self.args.engine_s / 2)
                status.send(update(JobStatus.SYNTHESIZING, 30.0 + 20.0 * done, f"chunk {done}/2"))
            status.send(update(JobStatus.ENCODING, 70.0, "encoding"))  # the upload does not wait for it
            await self.api.upload_audio(job_id, AUDIO, self.worker_id, attempt, AUDIO_SHA256)
            result = JobResult(
                duration_s=0.5, sample_rate=SAMPLE_RATE, format="wav", size_bytes=len(AUDIO), sha256=AUDIO_SHA256
            )
            metrics = JobMetrics(
                engine="simulated", queue_wait_ms=round(queue_wait_ms, 1), engine_time_ms=self.args.engine_s * 1000
            )
            ack = await status.deliver(update(JobStatus.SUCCEEDED, 100.0, "done", result=result, metrics=metrics))
        finally:
            await status.close()  # the sender task ends with the job, however it ends
        if not ack.accepted:
            raise RuntimeError(f"succeeded refused: {ack.status}")
        self.completed += 1
        self.ledger.finished[job_id] = time.monotonic()
        return {"ok": True}

    async def close(self) -> None:
        self.stop.set()
        self.beat_soon.set()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.api.deregister(self.worker_id, max_elapsed_s=5.0)
        await self.api.aclose()


async def push_job(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The arq job function of a simulated push worker (stands where `vocalio_worker.jobs.synthesize` does)."""
    worker: SimWorker = ctx["sim"]
    job_id = str(payload["job_id"])
    worker.ledger.handed.setdefault(job_id, []).append((worker.worker_id, time.monotonic()))
    enqueued_ms = int(ctx["enqueue_time"].timestamp() * 1000)
    return await worker.run_job(job_id, int(ctx["job_try"]), enqueued_ms, ctx["redis"])


def build_lane_worker(worker: SimWorker, pool: Any) -> Any:
    """The worker's own LaneWorker (vocalio_worker.service.build_queue_worker) around `push_job`."""
    from arq.worker import func
    from vocalio_worker.lanes import LaneWorker

    return LaneWorker(
        functions=[func(push_job, name=JOB_FUNCTION, max_tries=4)],
        queue_name=QUEUE_NAME,
        redis_pool=pool,
        handle_signals=False,
        max_jobs=1,
        job_timeout=600,
        keep_result=ARQ_KEEP_RESULT_S,
        poll_delay=worker.args.poll_delay_s,
        max_tries=4,
        ctx={"sim": worker},
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        claim_ttl_s=worker.args.claim_ttl_s,
    )


# --- one round: a fresh stack, N workers, two phases ---------------------------------------------------


@dataclass
class Round:
    mode: str
    workers: int
    api_processes: int
    idle_s: float
    heartbeats_idle: int
    heartbeats_per_s_idle: float
    api_cpu_ms_per_heartbeat: float
    redis_cpu_ms_per_heartbeat: float
    redis_ops_per_heartbeat: float
    pg_cpu_ms_per_heartbeat: float
    offered_jobs_per_s: float
    jobs: int
    sustained_jobs_per_s: float
    dispatch_p50_ms: float
    dispatch_p99_ms: float
    api_cpu_ms_per_job: float
    redis_cpu_ms_per_job: float
    redis_ops_per_job: float
    pg_cpu_ms_per_job: float
    pg_rows_per_job: float
    pg_bytes_per_job: float
    busy_share: float  # of the fleet's worker-seconds in the job phase, the share spent on jobs
    sim_cpu_share: float  # the simulated fleet's CPU (cores) during the job phase: the load generator's cost
    lost: int
    duplicated: int
    errors: int

    # An idle worker's cost per second of its life (the idle phase's cost ÷ workers ÷ seconds): its
    # heartbeats, a pull worker's long polls, a push worker's queue polls in Redis.
    def _per_worker_s(self, per_heartbeat: float) -> float:
        return per_heartbeat * self.heartbeats_per_s_idle / self.workers

    @property
    def api_cpu_ms_per_worker_s(self) -> float:
        return self._per_worker_s(self.api_cpu_ms_per_heartbeat)

    @property
    def redis_cpu_ms_per_worker_s(self) -> float:
        return self._per_worker_s(self.redis_cpu_ms_per_heartbeat)

    @property
    def redis_ops_per_worker_s(self) -> float:
        return self._per_worker_s(self.redis_ops_per_heartbeat)

    @property
    def pg_cpu_ms_per_worker_s(self) -> float:
        return self._per_worker_s(self.pg_cpu_ms_per_heartbeat)

    @property
    def saturated(self) -> bool:
        """The control plane carried under 90 % of the offered jobs/s: its per-job figures are a
        saturated API's (long polls and heartbeats slowed down), not the marginal cost of a job."""
        return self.sustained_jobs_per_s < 0.9 * self.offered_jobs_per_s


class Stack:
    """One redis-server, one PostgreSQL and one API for the whole run; the rounds follow one another
    on them (each round's workers deregister at its end, its jobs are all finished)."""

    def __init__(self, workdir: Path) -> None:
        import pgserver

        self.workdir = workdir
        self.redis = EmbeddedRedis(workdir / "redis").start()
        assert self.redis.process is not None
        self.redis_pid = self.redis.process.pid
        self.pg = pgserver.get_server(workdir / "pg", cleanup_mode="stop")
        self.pg_pid = int(self.pg.get_pid() or 0)
        self.database_url = self.database("vocalio_scale")
        self.api: ApiProcess
        self.pool: Any = None

    async def start_api(self, args: argparse.Namespace) -> None:
        from arq.connections import RedisSettings, create_pool

        env = {
            "VOCALIO_DATABASE_URL": self.database_url,
            "VOCALIO_API_WORKERS": str(args.api_workers),  # harmless where the setting is not known
            "VOCALIO_HEARTBEAT_INTERVAL_S": str(args.heartbeat_s),
            "VOCALIO_JOB_LEASE_TTL_S": str(max(3 * args.heartbeat_s, 30.0)),  # the API's default, 30 s, at least
            "VOCALIO_PULL_WAIT_MAX_S": str(args.pull_wait_s),
            "VOCALIO_RATE_REQUESTS_PER_MIN": "10000000",
            "VOCALIO_RATE_CHARS_PER_DAY": "2000000000",
            "VOCALIO_LOG_LEVEL": "WARNING",
        }
        (self.workdir / "api").mkdir()
        self.api = ApiProcess(self.workdir / "api", self.redis.url, env)
        self.api.start(timeout_s=300)  # a loaded small machine takes minutes to import the API
        self.pool = await create_pool(RedisSettings(host=self.redis.host, port=self.redis.port))

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()
        with contextlib.suppress(AttributeError):
            self.api.stop()
        self.pg.cleanup()
        self.redis.stop()

    def database(self, name: str) -> str:
        import psycopg

        uri = self.pg.get_uri()
        with psycopg.connect(uri, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.execute(f"CREATE DATABASE {name}")
        base, _, query = uri.partition("?")
        return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


async def snapshot(stack: Stack, api_pid: int, redis: Any, database_url: str, ledger: Ledger) -> Snapshot:
    info = await redis.info("commandstats")
    rows, size = await pg_figures(database_url)
    return Snapshot(
        at=time.monotonic(),
        api_cpu_s=tree_cpu_s(api_pid),
        redis_cpu_s=tree_cpu_s(stack.redis_pid),
        pg_cpu_s=tree_cpu_s(stack.pg_pid),
        sim_cpu_s=tree_cpu_s(os.getpid()),
        redis_ops=redis_commands(info),
        pg_rows=rows,
        pg_bytes=size,
        heartbeats=ledger.heartbeats,
    )


async def submit_steadily(
    api: ApiProcess, rate: float, seconds: float, ledger: Ledger, client: httpx.AsyncClient
) -> int:
    """Open loop: one POST every 1/rate s, whatever the answers do."""
    count = max(1, int(rate * seconds))
    start = time.monotonic() + 0.05

    async def one(index: int) -> None:
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.monotonic()
        try:
            response = await client.post("/api/v1/jobs", json={"text": f"{TEXT} ({index})", "output_format": "wav"})
        except httpx.HTTPError as error:
            ledger.errors.append(f"submit: {error!r}")
            return
        if response.status_code != 202:
            ledger.errors.append(f"submit: HTTP {response.status_code} {response.text[:200]}")
            return
        ledger.submitted[str(response.json()["id"])] = sent

    await asyncio.gather(*(one(i) for i in range(count)))
    return count


async def run_round(
    stack: "Stack", mode: str, workers: int, args: argparse.Namespace, index: int
) -> tuple[Round, Ledger]:
    api, pool, database_url = stack.api, stack.pool, stack.database_url
    assert api.process is not None
    began = time.monotonic()

    def phase(what: str) -> None:
        print(f"  [{mode} W={workers}] {what} at {time.monotonic() - began:.1f} s", file=sys.stderr, flush=True)

    api_processes = 1 + len(psutil.Process(api.process.pid).children(recursive=True))
    ledger = Ledger()
    fleet = [SimWorker(f"sim{index}-{mode}-{n:04d}", api, mode, args, ledger) for n in range(workers)]
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    try:
        async with httpx.AsyncClient(base_url=api.base_url, headers=headers, limits=limits, timeout=60) as client:
            gate = asyncio.Semaphore(20)

            async def register(worker: SimWorker) -> None:
                async with gate:
                    await worker.register()

            await asyncio.gather(*(register(w) for w in fleet))
            phase("fleet registered")
            for n, worker in enumerate(fleet):
                worker.start(pool, first_beat_after_s=args.heartbeat_s * n / workers)
            await asyncio.sleep(args.heartbeat_s + args.pull_wait_s)  # every worker beating, long polls in flight

            # heartbeats only
            before = await snapshot(stack, api.process.pid, pool, database_url, ledger)
            await asyncio.sleep(args.idle_s)
            idle = await snapshot(stack, api.process.pid, pool, database_url, ledger)

            phase("idle phase measured")
            # jobs at a steady rate, then drained
            rate = min(args.max_rate, args.load * workers / args.engine_s)
            first_submit = time.monotonic()
            await submit_steadily(api, rate, args.jobs_s, ledger, client)
            # drained: every job finished, or none finished for --drain-stall-s (the rest count as lost)
            finished, progressed = -1, time.monotonic()
            while len(ledger.finished) < len(ledger.submitted) and time.monotonic() - progressed < args.drain_stall_s:
                if len(ledger.finished) != finished:
                    finished, progressed = len(ledger.finished), time.monotonic()
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # the last releases and results land
            done = await snapshot(stack, api.process.pid, pool, database_url, ledger)
            phase(f"{len(ledger.finished)}/{len(ledger.submitted)} jobs done")

            # every job ended succeeded (else lost), and was handed out once, on attempt 1 (else duplicated:
            # at least once means a lease or claim that lapsed gives the job again, which only a
            # starved control plane should ever show)
            lost = duplicated = 0

            async def check(job_id: str) -> None:
                nonlocal lost, duplicated
                async with gate:
                    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
                if job.get("status") != "succeeded":
                    lost += 1
                    ledger.errors.append(f"{job_id}: {job.get('status')} after {job.get('attempts')} attempts")
                if len(ledger.handed.get(job_id, [])) > 1 or job.get("attempts") != 1:
                    duplicated += 1

            await asyncio.gather(*(check(j) for j in ledger.submitted))
    finally:
        await asyncio.gather(*(w.close() for w in fleet), return_exceptions=True)
        phase("fleet deregistered")

    jobs = len(ledger.finished)
    idle_dt = idle.at - before.at
    heartbeats_idle = idle.heartbeats - before.heartbeats
    per_hb = max(heartbeats_idle, 1)
    # An idle worker's cost runs with the time it is idle (a pull worker's long polls look at the
    # queue every 0.25 s; a push worker polls Redis every poll delay), not with a count of beats: so
    # a job's cost is the job phase's beyond what its idle worker-seconds cost at the idle phase's rate.
    busy_worker_s = sum(
        ledger.finished[job_id] - hands[0][1] for job_id, hands in ledger.handed.items() if job_id in ledger.finished
    )
    idle_worker_s = max(workers * (done.at - idle.at) - busy_worker_s, 0.0)

    def per_heartbeat(attr: str) -> float:
        return (getattr(idle, attr) - getattr(before, attr)) / per_hb

    def per_job(attr: str) -> float:
        total = getattr(done, attr) - getattr(idle, attr)
        idle_rate = (getattr(idle, attr) - getattr(before, attr)) / (workers * idle_dt)
        return (total - idle_rate * idle_worker_s) / max(jobs, 1)

    latencies = [
        (hands[0][1] - ledger.submitted[job_id]) * 1000
        for job_id, hands in ledger.handed.items()
        if job_id in ledger.submitted
    ]
    last_finish = max(ledger.finished.values(), default=first_submit)
    return Round(
        mode=mode,
        workers=workers,
        api_processes=api_processes,
        idle_s=round(idle_dt, 2),
        heartbeats_idle=heartbeats_idle,
        heartbeats_per_s_idle=heartbeats_idle / idle_dt,
        api_cpu_ms_per_heartbeat=per_heartbeat("api_cpu_s") * 1000,
        redis_cpu_ms_per_heartbeat=per_heartbeat("redis_cpu_s") * 1000,
        redis_ops_per_heartbeat=per_heartbeat("redis_ops"),
        pg_cpu_ms_per_heartbeat=per_heartbeat("pg_cpu_s") * 1000,
        offered_jobs_per_s=rate,
        jobs=jobs,
        sustained_jobs_per_s=jobs / max(last_finish - first_submit - args.engine_s, 1e-6),
        dispatch_p50_ms=statistics.median(latencies) if latencies else float("nan"),
        dispatch_p99_ms=percentile(latencies, 0.99),
        api_cpu_ms_per_job=per_job("api_cpu_s") * 1000,
        redis_cpu_ms_per_job=per_job("redis_cpu_s") * 1000,
        redis_ops_per_job=per_job("redis_ops"),
        pg_cpu_ms_per_job=per_job("pg_cpu_s") * 1000,
        pg_rows_per_job=(done.pg_rows - idle.pg_rows) / max(jobs, 1),
        pg_bytes_per_job=(done.pg_bytes - idle.pg_bytes) / max(jobs, 1),
        busy_share=busy_worker_s / max(workers * (done.at - idle.at), 1e-6),
        sim_cpu_share=(done.sim_cpu_s - idle.sim_cpu_s) / max(done.at - idle.at, 1e-6),
        lost=lost,
        duplicated=duplicated,
        errors=len(ledger.errors),
    ), ledger


# --- fits and capacity -----------------------------------------------------------------------------------


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b·x; one point: a flat line through it."""
    if len(xs) < 2:
        return (ys[0] if ys else 0.0), 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return my - b * mx, b


def carried(per_worker_s: tuple[float, float], per_job: tuple[float, float], jobs_per_s: float, budget: float) -> float:
    """Largest W with W·(c_idle(W) + jobs_per_s·c_job(W)) ≤ budget, c(W) = a + b·W (slopes < 0 taken as 0)."""
    linear = per_worker_s[0] + jobs_per_s * per_job[0]
    quadratic = max(per_worker_s[1], 0.0) + jobs_per_s * max(per_job[1], 0.0)
    if quadratic <= 0:
        return budget / linear if linear > 0 else math.inf
    linear = max(linear, 0.0)
    return (-linear + math.sqrt(linear * linear + 4 * quadratic * budget)) / (2 * quadratic)


FITTED = [
    "dispatch_p50_ms",
    "dispatch_p99_ms",
    "api_cpu_ms_per_worker_s",
    "redis_cpu_ms_per_worker_s",
    "redis_ops_per_worker_s",
    "pg_cpu_ms_per_worker_s",
    "api_cpu_ms_per_heartbeat",
    "api_cpu_ms_per_job",
    "redis_cpu_ms_per_heartbeat",
    "redis_cpu_ms_per_job",
    "redis_ops_per_heartbeat",
    "redis_ops_per_job",
    "pg_cpu_ms_per_heartbeat",
    "pg_cpu_ms_per_job",
    "pg_rows_per_job",
    "pg_bytes_per_job",
]


PER_JOB = [name for name in FITTED if name.endswith("_per_job") or name.startswith("dispatch")]


def capacity(rounds: list[Round], args: argparse.Namespace) -> dict[str, Any]:
    """Per-heartbeat costs fitted over every round (idle phases); per-job costs and dispatch over the
    rounds that were not saturated, when there are any."""
    unsaturated = [r for r in rounds if not r.saturated] or rounds
    fits = {}
    for name in FITTED:
        points = unsaturated if name in PER_JOB else rounds
        fits[name] = fit([float(r.workers) for r in points], [getattr(r, name) for r in points])
    jobs_per_s = 1.0 / args.gpu_job_s
    budget_ms = args.ceiling * 1000.0  # CPU ms per second of one core
    limits = {
        "API process": carried(fits["api_cpu_ms_per_worker_s"], fits["api_cpu_ms_per_job"], jobs_per_s, budget_ms),
        "Redis": carried(fits["redis_cpu_ms_per_worker_s"], fits["redis_cpu_ms_per_job"], jobs_per_s, budget_ms),
        "PostgreSQL (one core)": carried(
            fits["pg_cpu_ms_per_worker_s"], fits["pg_cpu_ms_per_job"], jobs_per_s, budget_ms
        ),
    }
    first = min(limits, key=lambda k: limits[k])
    # bytes per job from the round with the most jobs: a table grows by whole 8 KiB pages, so a small
    # round's figure is mostly page granularity, and a fitted slope of it means nothing
    bytes_per_job = max(rounds, key=lambda r: r.jobs).pg_bytes_per_job
    return {
        "per_job_fitted_on_workers": [r.workers for r in unsaturated],
        "fits": {name: {"intercept": a, "slope_per_worker": b} for name, (a, b) in fits.items()},
        "gpu_job_s": args.gpu_job_s,
        "heartbeat_s": args.heartbeat_s,
        "ceiling": args.ceiling,
        "workers_carried": limits,
        "saturates_first": first,
        "pg_bytes_per_day_at_that_size": bytes_per_job * jobs_per_s * limits[first] * 86_400,
    }


# --- output ----------------------------------------------------------------------------------------------

COLUMNS = [
    ("mode", "mode", "{}"),
    ("workers", "W", "{}"),
    ("offered_jobs_per_s", "offer/s", "{:.1f}"),
    ("sustained_jobs_per_s", "jobs/s", "{:.1f}"),
    ("dispatch_p50_ms", "disp p50", "{:.0f}"),
    ("dispatch_p99_ms", "disp p99", "{:.0f}"),
    ("heartbeats_per_s_idle", "hb/s", "{:.1f}"),
    ("api_cpu_ms_per_heartbeat", "API ms/hb", "{:.2f}"),
    ("api_cpu_ms_per_worker_s", "API ms/w·s", "{:.2f}"),
    ("api_cpu_ms_per_job", "API ms/job", "{:.1f}"),
    ("redis_ops_per_heartbeat", "R ops/hb", "{:.1f}"),
    ("redis_ops_per_job", "R ops/job", "{:.1f}"),
    ("redis_cpu_ms_per_job", "R ms/job", "{:.2f}"),
    ("pg_cpu_ms_per_job", "PG ms/job", "{:.1f}"),
    ("pg_rows_per_job", "PG rows/job", "{:.1f}"),
    ("pg_bytes_per_job", "PG B/job", "{:.0f}"),
    ("busy_share", "busy", "{:.0%}"),
    ("sim_cpu_share", "sim cores", "{:.2f}"),
    ("saturated", "sat", "{!s:.1}"),
    ("lost", "lost", "{}"),
    ("duplicated", "dup", "{}"),
]


def table(rounds: list[Round]) -> str:
    cells = [[fmt.format(getattr(r, key)) for key, _, fmt in COLUMNS] for r in rounds]
    widths = [max(len(title), *(len(row[i]) for row in cells)) for i, (_, title, _) in enumerate(COLUMNS)]
    lines = [" ".join(title.rjust(w) for (_, title, _), w in zip(COLUMNS, widths, strict=True))]
    lines += [" ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def summary(mode: str, model: dict[str, Any]) -> str:
    lines = [
        f"\n[{mode}] fits, linear in workers W (cost = a + b·W); per job and dispatch over W = "
        f"{', '.join(map(str, model['per_job_fitted_on_workers']))} (the rounds not saturated, if any):"
    ]
    for name, f in model["fits"].items():
        lines.append(f"  {name:<28} a = {f['intercept']:>12.4g}   b = {f['slope_per_worker']:>+11.3g} per worker")
    lines.append(
        f"[{mode}] GPU workers carried at {model['ceiling']:.0%} of one core, each one job per "
        f"{model['gpu_job_s']:g} s (heartbeat every {model['heartbeat_s']:g} s, idle cost counted all the time):"
    )
    for name, count in model["workers_carried"].items():
        lines.append(f"  {name:<24} {count:>10.0f}")
    lines.append(
        f"  saturates first: {model['saturates_first']}; the database then grows "
        f"{model['pg_bytes_per_day_at_that_size'] / 1e9:.2f} GB/day"
    )
    return "\n".join(lines)


def plot(rounds: list[Round], path: Path) -> None:
    """Four panels against workers: dispatch, API CPU, Redis ops, PostgreSQL bytes (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        ("dispatch latency (ms)", ["dispatch_p50_ms", "dispatch_p99_ms"]),
        ("API CPU (ms)", ["api_cpu_ms_per_heartbeat", "api_cpu_ms_per_job"]),
        ("Redis commands", ["redis_ops_per_heartbeat", "redis_ops_per_job"]),
        ("PostgreSQL per job", ["pg_rows_per_job", "pg_bytes_per_job"]),
    ]
    figure, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    for axis, (title, names) in zip(axes.flat, panels, strict=True):
        for mode in sorted({r.mode for r in rounds}):
            points = [r for r in rounds if r.mode == mode]
            xs = [r.workers for r in points]
            for name in names:
                ys = [getattr(r, name) for r in points]
                a, b = fit([float(x) for x in xs], ys)
                line = axis.plot(xs, ys, "o", label=f"{mode}: {name}")[0]
                saturated = [(r.workers, y) for r, y in zip(points, ys, strict=True) if r.saturated]
                if saturated:  # hollow: the round did not carry its offered rate
                    axis.plot(*zip(*saturated, strict=True), "o", color="white", markersize=3)
                axis.plot([min(xs), max(xs)], [a + b * min(xs), a + b * max(xs)], "--", color=line.get_color())
        axis.set_title(title)
        axis.set_xlabel("workers")
        if title.startswith("PostgreSQL"):
            axis.set_yscale("log")
        axis.legend(fontsize=7)
    figure.suptitle(
        "Vocalio control plane against simulated workers (dashed: least squares over all rounds; "
        "hollow: saturated round)",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path)


async def main(args: argparse.Namespace) -> int:
    logging.getLogger("arq").setLevel(logging.WARNING)
    # the workers' own log lines (retries, breaker) would bury the table: errors only, counted per round
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    if args.from_json:  # the table, fits and plot again from a saved run
        saved = json.loads(Path(args.from_json).read_text())
        args.json = None
        for name in ("engine_s", "heartbeat_s", "load"):  # what the run ran with; the capacity question is asked anew
            setattr(args, name, saved.get("args", {}).get(name, getattr(args, name)))
        return report([Round(**r) for r in saved["rounds"]], args, [])
    counts = [int(n) for n in args.workers.split(",")]
    modes = [m.strip() for m in args.mode.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="vocalio-scale-"))
    stack = Stack(workdir)
    rounds: list[Round] = []
    problems: list[str] = []
    try:
        await stack.start_api(args)
        print(f"  redis-server, PostgreSQL and the API up in {workdir}", file=sys.stderr, flush=True)
        index = 0
        for mode in modes:
            for count in counts:
                index += 1
                result, ledger = await run_round(stack, mode, count, args, index)
                rounds.append(result)
                print(table([result]).splitlines()[-1] if len(rounds) > 1 else table([result]), flush=True)
                problems += ledger.errors[:5]
    finally:
        await stack.close()
    return report(rounds, args, problems)


def report(rounds: list[Round], args: argparse.Namespace, problems: list[str]) -> int:
    modes = list(dict.fromkeys(r.mode for r in rounds))
    print("\n" + table(rounds))
    models = {}
    for mode in modes:
        mode_rounds = [r for r in rounds if r.mode == mode]
        models[mode] = capacity(mode_rounds, args)
        print(summary(mode, models[mode]))
    print(
        f"\nsimulated workers: engine {args.engine_s:g} s per job, heartbeat every {args.heartbeat_s:g} s, "
        f"load {args.load:g}; API processes per round: {rounds[0].api_processes}"
    )
    if problems:
        print("first problems seen:\n  " + "\n  ".join(problems[:10]))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"rounds": [asdict(r) for r in rounds], "models": models, "args": vars(args)}, indent=2)
        )
    if args.plot:
        plot(rounds, Path(args.plot))
        print(f"plot: {args.plot}")
    return 1 if any(r.lost or r.duplicated for r in rounds) else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="10,50,100,300", help="worker counts, comma-separated")
    parser.add_argument("--mode", default="pull,push", help="pull, push or both (comma-separated)")
    parser.add_argument("--api-workers", type=int, default=1, help="VOCALIO_API_WORKERS for the API")
    parser.add_argument("--heartbeat-s", type=float, default=10.0, help="VOCALIO_HEARTBEAT_INTERVAL_S")
    parser.add_argument("--pull-wait-s", type=float, default=5.0, help="pull workers' long poll (VOCALIO_PULL_WAIT_S)")
    parser.add_argument(
        "--poll-delay-s", type=float, default=0.5, help="push workers' queue poll (VOCALIO_POLL_DELAY_S)"
    )
    parser.add_argument(
        "--claim-ttl-s", type=float, default=30.0, help="push workers' claim TTL (VOCALIO_IN_PROGRESS_TTL_S)"
    )
    parser.add_argument("--engine-s", type=float, default=4.0, help="simulated engine time per job")
    parser.add_argument("--load", type=float, default=0.5, help="offered jobs/s as a share of the fleet's capacity")
    parser.add_argument("--max-rate", type=float, default=40.0, help="offered jobs/s at most")
    parser.add_argument("--idle-s", type=float, default=30.0, help="heartbeat-only phase")
    parser.add_argument("--jobs-s", type=float, default=30.0, help="job submission phase")
    parser.add_argument(
        "--drain-stall-s", type=float, default=60.0, help="stop draining after this long without a job ending"
    )
    parser.add_argument("--gpu-job-s", type=float, default=30.0, help="capacity: a real GPU worker's seconds per job")
    parser.add_argument(
        "--ceiling", type=float, default=0.7, help="capacity: the share of one core a component may use"
    )
    parser.add_argument("--plot", help="write a PNG (or SVG, by the name) of the figures")
    parser.add_argument("--json", help="write the rounds and fits as JSON")
    parser.add_argument("--from-json", help="no run: the table, fits and plot from a run's --json")
    parser.add_argument("--ci", action="store_true", help="bounded: 5 and 20 workers, short phases (~20 s a mode)")
    args = parser.parse_args(argv)
    if args.ci:
        args.workers, args.heartbeat_s, args.pull_wait_s = "5,20", 2.0, 1.0
        args.engine_s, args.idle_s, args.jobs_s, args.drain_stall_s, args.max_rate = 1.0, 3.0, 4.0, 60.0, 5.0
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
