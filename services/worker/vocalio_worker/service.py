"""One worker process, start to finish, in lifecycle order:

INITIALIZING: HTTP server up, engine loaded (in a thread), GPU detected, registered with the API.
IDLE ⇄ BUSY: the lane-aware arq worker takes jobs; heartbeats, claim refreshes and the spot watcher
run beside it as tasks.
DRAINING (SIGTERM, SIGINT or spot notice): no new jobs; active ones get `shutdown_grace_s` to
finish, the rest are cancelled, which makes arq leave them in the queue for another worker.
SHUTDOWN: deregistered, servers closed, exit 0.

arq's own signal handling is off: it would cancel running jobs at once.
"""

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import structlog
import uvicorn
from arq.worker import func
from vocalio_runtime.queue_pool import connect_queue
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.queue import ARQ_KEEP_RESULT_S, JOB_FUNCTION, QUEUE_NAME, deserialize_job, serialize_job

from vocalio_worker.api_client import ApiClient
from vocalio_worker.config import WorkerConfig
from vocalio_worker.engines.f5.demo_voice import fallback_for
from vocalio_worker.engines.registry import fallback_engine, select_engine_with_reason
from vocalio_worker.heartbeat import beat_once, heartbeat_loop, register, spot_watcher
from vocalio_worker.http_app import create_app
from vocalio_worker.jobs import synthesize
from vocalio_worker.lanes import LaneWorker
from vocalio_worker.metrics import WorkerMetricsRegistry, detect_gpus
from vocalio_worker.pull import PullQueue
from vocalio_worker.runtime import Runtime
from vocalio_worker.voices import VoiceLibrary

log = structlog.get_logger("worker.service")
KEEP_RESULT_S = ARQ_KEEP_RESULT_S


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the worker's shutdown sequence owns SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_queue_worker(runtime: Runtime, pool: object) -> LaneWorker:
    config = runtime.config
    # arq may try one more time than we allow, so our function runs and reports RETRIES_EXHAUSTED
    # to the API instead of arq dropping the job silently.
    job_function = func(synthesize, name=JOB_FUNCTION, max_tries=config.max_attempts + 1)
    return LaneWorker(
        functions=[job_function],
        queue_name=QUEUE_NAME,
        redis_pool=pool,  # type: ignore[arg-type]
        handle_signals=False,
        max_jobs=config.max_concurrent_jobs,
        job_timeout=config.job_timeout_s,
        keep_result=KEEP_RESULT_S,
        poll_delay=config.poll_delay_s,
        max_tries=config.max_attempts + 1,
        ctx={"runtime": runtime},
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        claim_ttl_s=config.in_progress_ttl_s,
    )


async def _wait_for_active_jobs(queue_worker: LaneWorker | PullQueue, grace_s: float) -> None:
    active = [queue_worker.tasks[job_id] for job_id in queue_worker.active_job_ids]
    if active:
        log.info("waiting_for_active_jobs", jobs=queue_worker.active_job_ids, grace_s=grace_s)
        await asyncio.wait(active, timeout=grace_s)
    leftover = queue_worker.active_job_ids
    if leftover:
        log.warning("grace_period_over_requeueing", jobs=leftover, grace_s=grace_s)
        for job_id in leftover:
            queue_worker.tasks[job_id].cancel()
        await asyncio.gather(*(queue_worker.tasks[j] for j in leftover), return_exceptions=True)


async def run(config: WorkerConfig) -> int:
    structlog.contextvars.bind_contextvars(worker_id=config.worker_id)
    metrics = WorkerMetricsRegistry()
    api = ApiClient(
        config.api_url,
        config.worker_token.get_secret_value(),
        metrics,
        timeout_s=config.api_timeout_s,
        retry_max_wait_s=config.api_retry_max_wait_s,
        breaker_failures=config.api_breaker_failures,
        breaker_recovery_s=config.api_breaker_recovery_s,
        breaker_first_recovery_s=config.api_breaker_first_recovery_s,
        breaker_refused_recovery_s=config.api_breaker_refused_recovery_s,
        breaker_half_open_calls=config.api_breaker_half_open_calls,
        verify=config.http_verify,
    )
    engine, engine_reason = select_engine_with_reason(config.engine)
    # One thread per concurrent job plus one for /tts and /analyze.
    executor = ThreadPoolExecutor(max_workers=config.max_concurrent_jobs + 1, thread_name_prefix="inference")
    runtime = Runtime(config=config, engine=engine, api=api, metrics=metrics, executor=executor)
    if engine_reason:
        runtime.engine_warnings.append(engine_reason)
    runtime.heartbeat_interval_s = config.heartbeat_interval_s
    runtime.publish_state()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, runtime.request_stop, signal.Signals(signum).name)

    server = _QuietServer(
        uvicorn.Config(
            create_app(runtime), host=config.metrics_host, port=config.metrics_port, log_config=None, access_log=False
        )
    )
    server_task = asyncio.create_task(server.serve(), name="http")

    log.info("initializing", engine=engine.name, api_url=config.api_url, engine_reason=engine_reason)
    try:
        await runtime.in_thread(engine.load)
    except VocalioError as error:
        # `auto` took Kokoro because it could try; its files could not be had (no network, bad pin): eSpeak speaks.
        if config.engine != "auto" or engine.name != "kokoro" or error.code != ErrorCode.ENGINE_UNAVAILABLE:
            raise
        engine, reason = fallback_engine(engine, engine_reason, error)
        log.warning("engine_fallback", engine=engine.name, reason=reason)
        runtime.engine, runtime.engine_warnings = engine, [reason]
        await runtime.in_thread(engine.load)
    runtime.voices = VoiceLibrary(
        api,
        config.data_dir / "voice-cache",
        engine.capabilities().needs_reference_audio,
        defaults_ttl_s=config.voice_default_ttl_s,
        fallback=fallback_for(engine),
        engine_warnings=getattr(engine, "voice_warnings", None),
    )
    gpus = await runtime.in_thread(detect_gpus)
    metrics.has_gpu = bool(gpus)
    register_task = asyncio.create_task(register(runtime, gpus))
    stop_wait = asyncio.create_task(runtime.stop_requested.wait())
    await asyncio.wait({register_task, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
    if not register_task.done():  # stopped before the API ever answered: nothing to undo
        register_task.cancel()
        server.should_exit = True
        await server_task
        await api.aclose()
        return 0
    register_task.result()

    # pull mode never opens a Redis connection: its jobs come leased in heartbeat answers
    queue_worker: LaneWorker | PullQueue = (
        PullQueue(runtime)
        if config.worker_mode == "pull"
        else build_queue_worker(runtime, await connect_queue(config.redis_url, config.ca_bundle))
    )
    runtime.queue_worker = queue_worker
    runtime.initializing = False
    runtime.set_picking()
    runtime.publish_state()

    heartbeat_stop = asyncio.Event()
    queue_worker.main_task = asyncio.create_task(queue_worker.main(), name="arq")
    side_tasks = [asyncio.create_task(queue_worker.keep_claims(config.in_progress_refresh_s), name="claims")]
    if config.spot_interruption_url:
        side_tasks.append(
            asyncio.create_task(spot_watcher(runtime, config.spot_interruption_url, config.spot_poll_interval_s))
        )
    heartbeat_task = asyncio.create_task(heartbeat_loop(runtime, gpus, heartbeat_stop), name="heartbeat")
    log.info("ready", max_concurrent_jobs=config.max_concurrent_jobs, mode=config.worker_mode)

    await asyncio.wait({stop_wait, queue_worker.main_task}, return_when=asyncio.FIRST_COMPLETED)
    if queue_worker.main_task.done() and not runtime.stop_requested.is_set():
        log.error("queue_worker_stopped", error=repr(queue_worker.main_task.exception()))
        runtime.request_stop("queue-worker-died")

    # DRAINING: tell the registry at once, then give active jobs their grace period.
    await beat_once(runtime, gpus)
    await _wait_for_active_jobs(queue_worker, config.shutdown_grace_s)
    for task in side_tasks:
        task.cancel()
    await queue_worker.close()  # cancels the poll loop, closes the Redis pool (push) / ends the runner (pull)

    runtime.stopped = True
    runtime.publish_state()
    heartbeat_stop.set()
    await heartbeat_task
    try:
        await api.deregister(config.worker_id)
        log.info("deregistered", reason=runtime.stop_reason)
    except Exception as error:  # the API will mark us LOST after a few intervals instead
        log.warning("deregister_failed", error=repr(error))
    server.should_exit = True
    await server_task
    executor.shutdown(wait=False, cancel_futures=True)
    await api.aclose()
    return 0
