"""The worker protocol (docs/architecture/worker-protocol.md): register, heartbeat, commands, deregister."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from vocalio_shared.schemas.jobs import SUPPORTED_SAMPLE_RATES


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


class Heartbeat(BaseModel):
    """Body of POST /api/v1/workers/{id}/heartbeat."""

    status: WorkerState
    metrics: WorkerMetrics = Field(default_factory=WorkerMetrics)
    active_job_ids: list[str] = Field(default_factory=list)


class HeartbeatAnswer(BaseModel):
    next_interval_s: float
    command: WorkerCommand | None = None


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
