"""The worker protocol (docs/architecture/worker-protocol.md): register, heartbeat, commands, deregister."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from vocalio_shared.schemas.jobs import SUPPORTED_SAMPLE_RATES, JobSpec

# A pull worker holds at most this many leases (the registration's max_concurrent_jobs bound).
MAX_LEASES_PER_WORKER = 64


class WorkerState(StrEnum):
    INITIALIZING = "INITIALIZING"
    IDLE = "IDLE"
    BUSY = "BUSY"
    DRAINING = "DRAINING"
    SHUTDOWN = "SHUTDOWN"
    LOST = "LOST"


LIVE_WORKER_STATES = frozenset({WorkerState.INITIALIZING, WorkerState.IDLE, WorkerState.BUSY, WorkerState.DRAINING})


class WorkerCommand(StrEnum):
    DRAIN = "drain"
    RESUME = "resume"


class GpuInfo(BaseModel):
    name: str
    memory_total_mb: float
    index: int = 0
    driver_version: str | None = None


class WorkerCapabilities(BaseModel):
    models: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["es"])
    regional_variants: list[str] = Field(default_factory=list)
    gpu_info: list[GpuInfo] = Field(default_factory=list)
    max_concurrent_jobs: int = Field(default=1, ge=1, le=64)
    supported_sample_rates: list[int] = Field(default_factory=lambda: list(SUPPORTED_SAMPLE_RATES))
    engine: str | None = None
    warnings: list[str] = Field(default_factory=list, description="e.g. why `auto` fell back to eSpeak.")
    voices: list[str] = Field(
        default_factory=list,
        description="Engine voices this worker speaks by name (kokoro:ef_dora, ...), listed by the voice library.",
    )


class WorkerRegistration(BaseModel):
    """Body of POST /api/v1/workers."""

    worker_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    worker_type: str = Field(default="tts", max_length=64)
    capabilities: WorkerCapabilities = Field(default_factory=WorkerCapabilities)
    host: str = Field(max_length=255)
    port: int = Field(ge=0, le=65535)
    version: str = Field(max_length=64)


class WorkerMetrics(BaseModel):
    cpu_percent: float | None = None
    memory_usage_mb: float | None = None
    gpu_utilization_percent: float | None = None
    gpu_memory_used_mb: float | None = None
    gpu_memory_total_mb: float | None = None
    gpu_temperature_c: float | None = None
    active_jobs: int = 0
    completed_jobs_total: int = 0
    failed_jobs_total: int = 0
    average_latency_ms: float | None = None


class LeaseRef(BaseModel):
    """A job a pull worker holds: the lease is (worker, job, attempt)."""

    job_id: str = Field(min_length=1, max_length=128)
    attempt: int = Field(ge=1)


class Heartbeat(BaseModel):
    """Body of POST /api/v1/workers/{id}/heartbeat."""

    status: WorkerState
    metrics: WorkerMetrics = Field(default_factory=WorkerMetrics)
    active_job_ids: list[str] = Field(default_factory=list)
    wants_jobs: int = Field(
        default=0,
        ge=0,
        le=MAX_LEASES_PER_WORKER,
        description="Pull mode: free slots; above 0 the answer may carry a `pending_job`. Push workers send 0.",
    )
    wait_s: float = Field(
        default=0.0,
        ge=0,
        le=60,
        description="Pull mode: how long the API may hold this heartbeat open while no job is ready (long poll).",
    )
    leases: list[LeaseRef] = Field(
        default_factory=list,
        max_length=MAX_LEASES_PER_WORKER,
        description="Pull mode: the leases this worker holds, renewed by this heartbeat.",
    )


class PendingJob(BaseModel):
    """A queued job leased to a pull worker through its heartbeat answer (what arq would have run)."""

    job_id: str
    attempt: int = Field(description="arq's job_try: the attempt number every update and upload carries.")
    enqueued_at_ms: int = Field(description="When the job was queued (ms since the epoch), for queue-wait figures.")
    spec: JobSpec
    lease_ttl_s: float = Field(description="The lease lapses this long after the last heartbeat that renewed it.")
    status_path: str = Field(description="Where progress and the result go (POST).")
    audio_path: str = Field(description="Where the audio goes (PUT).")
    release_path: str = Field(description="Where the worker says the attempt is over (POST a `LeaseRelease`).")


class HeartbeatAnswer(BaseModel):
    next_interval_s: float
    command: WorkerCommand | None = None
    pending_job: PendingJob | None = None
    lost_job_ids: list[str] = Field(
        default_factory=list,
        description="Pull mode: leases this worker no longer holds (lapsed and taken by a newer attempt): stop them.",
    )
    cancel_job_ids: list[str] = Field(
        default_factory=list, description="Pull mode: leased jobs whose cancellation was requested."
    )


class LeaseRelease(BaseModel):
    """Body of POST /api/v1/workers/{id}/leases/{job_id}/release: the attempt's end, as arq's finish_job.

    done: the job left the queue (its result, if any, kept like arq's). retry: back in the queue,
    eligible `defer_ms` (lane offset included, as `lane_defer`) from now. requeue: back in the
    queue at once, the attempt not counted as done (a draining worker's leftover)."""

    attempt: int = Field(ge=1)
    outcome: Literal["done", "retry", "requeue"]
    defer_ms: int = Field(default=0, ge=0)
    success: bool = True
    result: dict[str, Any] | None = None
    started_at_ms: int | None = None


class LeaseReleaseAnswer(BaseModel):
    released: bool = Field(description="False: the lease was no longer this worker's (a newer attempt holds it).")


class RegistrationAnswer(BaseModel):
    worker_id: str
    heartbeat_interval_s: float
    state: WorkerState


class WorkerPublic(BaseModel):
    worker_id: str
    worker_type: str
    state: WorkerState
    capabilities: WorkerCapabilities
    host: str
    port: int
    version: str
    metrics: WorkerMetrics | None = None
    active_job_ids: list[str] = Field(default_factory=list)
    pending_command: WorkerCommand | None = None
    registered_at: datetime
    last_heartbeat_at: datetime | None = None


class WorkerList(BaseModel):
    items: list[WorkerPublic]


class ScalingSignal(BaseModel):
    """What an autoscaler reads: pending work against live capacity."""

    pending_jobs: int
    pending_by_lane: dict[str, int]
    running_jobs: int
    live_workers: int
    pending_per_live_worker: float | None
