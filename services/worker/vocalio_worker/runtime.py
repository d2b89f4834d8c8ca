"""What a running worker holds (engine, API client, queue worker, counters) and its lifecycle state.

States: INITIALIZING (engine loading, registering) → IDLE ⇄ BUSY → DRAINING (operator drain or
SIGTERM) → SHUTDOWN. IDLE/BUSY/DRAINING are derived from what is running, so they never go stale.
"""

import asyncio
import contextvars
import functools
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from vocalio_shared.schemas.workers import WorkerMetrics, WorkerState

from vocalio_worker.api_client import ApiClient
from vocalio_worker.config import WorkerConfig
from vocalio_worker.engines.base import TTSEngine
from vocalio_worker.lanes import LaneWorker
from vocalio_worker.metrics import WorkerMetricsRegistry
from vocalio_worker.voices import VoiceLibrary

if TYPE_CHECKING:
    from vocalio_worker.pull import PullQueue

log = structlog.get_logger("worker.runtime")
T = TypeVar("T")
LATENCY_WINDOW = 100  # jobs in the heartbeat's average latency


@dataclass
class Runtime:
    config: WorkerConfig
    engine: TTSEngine
    api: ApiClient
    metrics: WorkerMetricsRegistry
    executor: ThreadPoolExecutor
    queue_worker: "LaneWorker | PullQueue | None" = None
    engine_warnings: list[str] = field(default_factory=list)  # shown by the dashboard
    voices: VoiceLibrary | None = None  # set once the engine is loaded (it knows if it clones)
    heartbeat_interval_s: float = 10.0
    initializing: bool = True
    drained_by_operator: bool = False
    shutting_down: bool = False
    stopped: bool = False
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)
    stop_reason: str | None = None
    completed_total: int = 0
    failed_total: int = 0
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))
    running_jobs: set[str] = field(default_factory=set)
    # pull mode (vocalio_worker.pull): cancel flags from heartbeat answers, leases a newer attempt took,
    # and a nudge for the heartbeat loop to beat now (a slot was freed or taken)
    cancel_flags: set[str] = field(default_factory=set)
    lost_leases: set[str] = field(default_factory=set)
    beat_soon: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def state(self) -> WorkerState:
        if self.stopped:
            return WorkerState.SHUTDOWN
        if self.initializing:
            return WorkerState.INITIALIZING
        if self.shutting_down or self.drained_by_operator:
            return WorkerState.DRAINING
        return WorkerState.BUSY if self.running_jobs else WorkerState.IDLE

    def voice_library(self) -> VoiceLibrary:
        if self.voices is None:
            raise RuntimeError("voices are available once the engine is loaded")
        return self.voices

    def publish_state(self) -> None:
        self.metrics.set_state(self.state)

    async def in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Run blocking code (inference, encoding) off the event loop, keeping log context."""
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(context.run, function, *args))

    # --- jobs -------------------------------------------------------------------------------
    def job_started(self, job_id: str) -> None:
        self.running_jobs.add(job_id)
        self.publish_state()

    def job_ended(self, job_id: str, status: str, latency_ms: float | None = None) -> None:
        self.running_jobs.discard(job_id)
        self.metrics.jobs_completed.labels(status=status).inc()
        if status == "succeeded":
            self.completed_total += 1
            if latency_ms is not None:
                self.latencies_ms.append(latency_ms)
        elif status == "failed":
            self.failed_total += 1
        self.publish_state()

    # --- drain / resume / stop --------------------------------------------------------------
    def set_picking(self) -> None:
        if self.queue_worker is not None:
            self.queue_worker.picking = not (self.shutting_down or self.drained_by_operator or self.initializing)

    def drain(self) -> None:
        if not self.drained_by_operator:
            log.info("draining_on_operator_command")
        self.drained_by_operator = True
        self.set_picking()
        self.publish_state()

    def resume(self) -> None:
        if self.shutting_down:
            return  # a resume cannot undo a shutdown in progress
        if self.drained_by_operator:
            log.info("resuming_on_operator_command")
        self.drained_by_operator = False
        self.set_picking()
        self.publish_state()

    def request_stop(self, reason: str) -> None:
        if self.stop_requested.is_set():
            return
        log.info("stop_requested", reason=reason)
        self.stop_reason = reason
        self.shutting_down = True
        self.set_picking()
        self.publish_state()
        self.stop_requested.set()

    # --- heartbeat figures ------------------------------------------------------------------
    def worker_metrics(self) -> WorkerMetrics:
        gpu = self.metrics.refresh_system()
        average = sum(self.latencies_ms) / len(self.latencies_ms) if self.latencies_ms else None
        return WorkerMetrics(
            cpu_percent=self.metrics.cpu_percent(),
            memory_usage_mb=round(self.metrics.memory_mb(), 1),
            gpu_utilization_percent=gpu.utilization_percent,
            gpu_memory_used_mb=gpu.memory_used_mb,
            gpu_memory_total_mb=gpu.memory_total_mb,
            gpu_temperature_c=gpu.temperature_c,
            active_jobs=len(self.running_jobs),
            completed_jobs_total=self.completed_total,
            failed_jobs_total=self.failed_total,
            average_latency_ms=round(average, 1) if average is not None else None,
        )
