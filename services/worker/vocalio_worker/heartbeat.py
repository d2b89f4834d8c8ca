"""Talking to the registry: register, heartbeat every interval (obeying drain/resume), and the
spot-interruption watcher. Each loop is its own task, so a slow API never delays a job's work."""

import asyncio
import time

import httpx
import structlog
from vocalio_runtime.breaker import CircuitState
from vocalio_shared import __version__
from vocalio_shared.errors import ErrorCode
from vocalio_shared.schemas.jobs import SUPPORTED_SAMPLE_RATES
from vocalio_shared.schemas.workers import (
    GpuInfo,
    Heartbeat,
    WorkerCapabilities,
    WorkerCommand,
    WorkerRegistration,
)

from vocalio_worker.api_client import ApiError, ApiUnavailableError, sleep_or_stop
from vocalio_worker.pull import PullQueue
from vocalio_worker.runtime import Runtime

log = structlog.get_logger("worker.heartbeat")
# Shortest wait before the next beat when the circuit to the API refused this one (a probe of
# another call in flight): the refusal costs nothing, but a warning is logged for each.
REFUSED_RETRY_FLOOR_S = 0.5


def registration(runtime: Runtime, gpus: list[GpuInfo]) -> WorkerRegistration:
    capabilities = runtime.engine.capabilities()
    config = runtime.config
    return WorkerRegistration(
        worker_id=config.worker_id,
        worker_type="tts",
        capabilities=WorkerCapabilities(
            models=list(capabilities.models),
            languages=["es"],
            regional_variants=[region.value for region in capabilities.regional_variants],
            gpu_info=gpus,
            max_concurrent_jobs=config.max_concurrent_jobs,
            supported_sample_rates=list(SUPPORTED_SAMPLE_RATES),
            engine=runtime.engine.name,
            warnings=list(runtime.engine_warnings),
            voices=list(getattr(runtime.engine, "offered_voices", list)()),  # engines that speak voices by name
        ),
        host=config.host_for_registry,
        port=config.metrics_port,
        version=__version__,
    )


async def register(runtime: Runtime, gpus: list[GpuInfo]) -> None:
    """Retries until the API answers: a worker that starts before the API simply waits for it."""
    answer = await runtime.api.register(registration(runtime, gpus))
    runtime.heartbeat_interval_s = answer.heartbeat_interval_s
    log.info("registered", heartbeat_interval_s=answer.heartbeat_interval_s)


async def beat_once(runtime: Runtime, gpus: list[GpuInfo]) -> bool:
    """One heartbeat; True when the API answered it."""
    beat = Heartbeat(
        status=runtime.state,
        metrics=runtime.worker_metrics(),
        active_job_ids=sorted(runtime.running_jobs),
    )
    pull = runtime.queue_worker if isinstance(runtime.queue_worker, PullQueue) else None
    if pull is not None:  # pull mode: the heartbeat renews our leases and asks for work
        beat.leases = pull.leases()
        beat.wants_jobs = pull.free_slots()
        beat.wait_s = runtime.config.pull_wait_s if beat.wants_jobs else 0.0
    try:
        answer = await runtime.api.heartbeat(runtime.config.worker_id, beat)
    except ApiUnavailableError as error:
        log.warning("heartbeat_failed", error=str(error))
        return False
    except ApiError as error:
        if error.code == ErrorCode.WORKER_NOT_FOUND and not runtime.shutting_down:
            # The registry forgot us (e.g. a fresh database): register again, keep working.
            log.warning("heartbeat_unknown_worker_reregistering")
            await register(runtime, gpus)
        else:
            log.warning("heartbeat_refused", error=str(error))
        return False
    runtime.heartbeat_interval_s = answer.next_interval_s
    if answer.command == WorkerCommand.DRAIN:
        runtime.drain()
    elif answer.command == WorkerCommand.RESUME:
        runtime.resume()
    if pull is not None:
        pull.absorb(answer)
    return True


async def heartbeat_loop(runtime: Runtime, gpus: list[GpuInfo], stop: asyncio.Event) -> None:
    while not stop.is_set():
        runtime.beat_soon.clear()
        started = time.monotonic()
        answered = await beat_once(runtime, gpus)
        if runtime.beat_soon.is_set():
            continue  # pull mode: a job came or a slot was freed meanwhile; beat (ask) again now
        pull = runtime.queue_worker if isinstance(runtime.queue_worker, PullQueue) else None
        if answered and pull is not None and pull.free_slots():
            # Still free: this beat was a long poll, held at the API while no job was ready. Ask
            # again at once, so an idle pull worker waits at the API (dispatch within the API's
            # poll step), unless the API answered at once (long poll off): then the interval.
            held_s = time.monotonic() - started
            if held_s >= min(runtime.config.pull_wait_s, runtime.heartbeat_interval_s) / 2 > 0:
                continue
        await _sleep_or_nudged(runtime, stop, next_beat_in_s(runtime, answered))


def next_beat_in_s(runtime: Runtime, answered: bool) -> float:
    """The interval; but while the circuit to the API is open, the moment it lets a probe out, if
    sooner: the beat is that probe, so the API sees the worker again as soon as the circuit allows
    (not up to an interval later, when the registry may have marked it `lost`)."""
    interval = runtime.heartbeat_interval_s
    breaker = runtime.api.breaker
    if answered or breaker.state == CircuitState.CLOSED:
        return interval
    return min(interval, max(breaker.probe_in_s(), REFUSED_RETRY_FLOOR_S))


async def _sleep_or_nudged(runtime: Runtime, stop: asyncio.Event, seconds: float) -> None:
    """Sleep the interval; a pull worker's freed or taken slot (`beat_soon`) cuts it short."""
    stopped = asyncio.ensure_future(stop.wait())
    nudged = asyncio.ensure_future(runtime.beat_soon.wait())
    try:
        await asyncio.wait({stopped, nudged}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        nudged.cancel()


async def spot_watcher(runtime: Runtime, url: str, every_s: float) -> None:
    """Polls a cloud metadata URL; a 200 with a body other than false means the instance is being
    reclaimed (AWS: spot/instance-action is 404 until then; GCP: instance/preempted says TRUE)."""
    async with httpx.AsyncClient(timeout=2.0, headers={"Metadata-Flavor": "Google"}) as client:
        while not runtime.stop_requested.is_set():
            try:
                response = await client.get(url)
                body = response.text.strip().lower()
                if response.status_code == 200 and body not in ("", "false"):
                    log.warning("spot_interruption_notice", url=url, body=body[:200])
                    runtime.request_stop("spot-interruption")
                    return
            except httpx.HTTPError:
                pass  # the metadata service is local and flaky at worst; absence is not a notice
            await sleep_or_stop(runtime.stop_requested, every_s)
