"""The worker's Prometheus metrics, in one registry served at GET /metrics (port 9100).

Names come from `vocalio_shared.metric_names` (dashboards and alerts depend on them). System
figures (CPU, memory, GPU) are sampled when scraped and when a heartbeat is sent, not in a loop.
"""

from dataclasses import dataclass, field

import psutil
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from vocalio_runtime.strings import as_str
from vocalio_shared import metric_names as names
from vocalio_shared.schemas.workers import GpuInfo, WorkerState

LATENCY_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
WAIT_BUCKETS_S = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)
RTF_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5)
STATE_VALUES = {state: index for index, state in enumerate(WorkerState)}


@dataclass
class GpuSample:
    utilization_percent: float | None = None
    memory_used_mb: float | None = None
    memory_total_mb: float | None = None
    temperature_c: float | None = None


def detect_gpus() -> list[GpuInfo]:
    """GPUs NVML sees; empty on a CPU host."""
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:  # no driver or no library: a CPU host
        return []
    try:
        driver = pynvml.nvmlSystemGetDriverVersion()
        gpus = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            name = pynvml.nvmlDeviceGetName(handle)
            gpus.append(
                GpuInfo(
                    name=as_str(name),
                    memory_total_mb=memory.total / 2**20,
                    index=index,
                    driver_version=as_str(driver),
                )
            )
        return gpus
    except Exception:
        return []
    finally:
        pynvml.nvmlShutdown()


def sample_gpu(index: int = 0) -> GpuSample:
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:
        return GpuSample()
    try:
        handle = pynvml.nvmlDeviceGetHandleByIndex(index)
        memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
        return GpuSample(
            utilization_percent=float(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu),
            memory_used_mb=memory.used / 2**20,
            memory_total_mb=memory.total / 2**20,
            temperature_c=float(pynvml.nvmlDeviceGetTemperature(handle, pynvml.NVML_TEMPERATURE_GPU)),
        )
    except Exception:
        return GpuSample()
    finally:
        pynvml.nvmlShutdown()


@dataclass
class WorkerMetricsRegistry:
    has_gpu: bool = False
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.gpu_utilization = Gauge(names.GPU_UTILIZATION_PERCENT, "GPU utilisation (%).", registry=r)
        self.gpu_memory_used = Gauge(names.GPU_MEMORY_USED_MB, "GPU memory used (MB).", registry=r)
        self.gpu_memory_total = Gauge(names.GPU_MEMORY_TOTAL_MB, "GPU memory total (MB).", registry=r)
        self.gpu_temperature = Gauge(names.GPU_TEMPERATURE_C, "GPU temperature (°C).", registry=r)
        self.memory_usage = Gauge(names.MEMORY_USAGE_MB, "Resident memory of the worker (MB).", registry=r)
        self.jobs_completed = Counter(names.JOBS_COMPLETED_TOTAL, "Jobs ended by this worker.", ["status"], registry=r)
        self.inference_latency = Histogram(
            names.INFERENCE_LATENCY_SECONDS, "Engine time per job (s).", buckets=LATENCY_BUCKETS_S, registry=r
        )
        self.audio_seconds = Counter(names.AUDIO_SECONDS_PRODUCED_TOTAL, "Seconds of audio produced.", registry=r)
        self.real_time_factor = Histogram(
            names.REAL_TIME_FACTOR, "Engine time / audio duration per job.", buckets=RTF_BUCKETS, registry=r
        )
        self.queue_wait = Histogram(
            names.QUEUE_WAIT_SECONDS, "Time from enqueue to start (s).", buckets=WAIT_BUCKETS_S, registry=r
        )
        self.state = Gauge(
            names.WORKER_STATE, "Lifecycle state (one series per state, 1 = current).", ["state"], registry=r
        )
        self.gpu_oom = Counter(names.GPU_OOM_TOTAL, "GPU out-of-memory errors.", registry=r)
        self.api_circuit_state = Gauge(
            names.API_CIRCUIT_STATE, "Circuit to the API: 0 closed, 1 half-open, 2 open.", registry=r
        )
        self.api_call_failures = Counter(
            names.API_CALL_FAILURES_TOTAL, "Failed API calls, by reason.", ["reason"], registry=r
        )
        self._process = psutil.Process()
        self._process.cpu_percent(None)  # the first call only primes the counter

    def set_state(self, current: WorkerState) -> None:
        for state in WorkerState:
            self.state.labels(state=state.value).set(1 if state == current else 0)

    def cpu_percent(self) -> float:
        return float(self._process.cpu_percent(None))

    def refresh_system(self) -> GpuSample:
        """Update the sampled gauges; returns the GPU sample for the heartbeat."""
        self.memory_usage.set(self._process.memory_info().rss / 2**20)
        gpu = sample_gpu() if self.has_gpu else GpuSample()
        if gpu.utilization_percent is not None:
            self.gpu_utilization.set(gpu.utilization_percent)
            self.gpu_memory_used.set(gpu.memory_used_mb or 0)
            self.gpu_memory_total.set(gpu.memory_total_mb or 0)
            self.gpu_temperature.set(gpu.temperature_c or 0)
        return gpu

    def memory_mb(self) -> float:
        return float(self._process.memory_info().rss / 2**20)
