"""The overview's figures, from two API sources (said on the page too):

- `/metrics` (Prometheus text): queue depth per lane, workers by state, audio seconds stored and the
  job duration histogram, whose p95 is interpolated from the buckets. These count since the API
  process started.
- the newest jobs (`/api/v1/jobs`, up to 200): jobs finished per minute and failure rate over the
  last `WINDOW_MIN` minutes, computed from `finished_at`, so they survive an API restart.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from vocalio_shared import metric_names as names

from vocalio_ui.formatting import parse_time

WINDOW_MIN = 15
LANES = ("high", "normal", "bulk")
WORKER_STATES = ("INITIALIZING", "IDLE", "BUSY", "DRAINING", "LOST", "SHUTDOWN")


@dataclass
class Overview:
    queue_depth: dict[str, int] = field(default_factory=dict)
    workers: dict[str, int] = field(default_factory=dict)
    jobs_per_min: float = 0.0
    finished_in_window: int = 0
    failure_rate: float | None = None
    p95_latency_s: float | None = None
    audio_seconds: float = 0.0
    running_jobs: int = 0
    window_min: int = WINDOW_MIN
    # From /api/v1/regions/defaults: jobs for these regions that name no voice fall back to another voice.
    regions_without_default_voice: list[str] = field(default_factory=list)


def histogram_quantile(quantile: float, buckets: list[tuple[float, float]]) -> float | None:
    """Prometheus' own rule: linear interpolation inside the bucket holding the quantile."""
    buckets = sorted(buckets)
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = quantile * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for upper_bound, count in buckets:
        if count >= rank:
            if math.isinf(upper_bound):
                return lower_bound  # beyond the last finite bucket: its bound is all we know
            if count == lower_count:
                return upper_bound
            return lower_bound + (upper_bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = upper_bound, count
    return None


def from_metrics(text: str, overview: Overview) -> None:
    buckets: list[tuple[float, float]] = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == names.QUEUE_DEPTH:
                overview.queue_depth[sample.labels.get("lane", "?")] = int(sample.value)
            elif sample.name == names.WORKERS_BY_STATE:
                overview.workers[sample.labels.get("state", "?")] = int(sample.value)
            elif sample.name == names.AUDIO_SECONDS_STORED_TOTAL:
                overview.audio_seconds = sample.value
            elif sample.name == names.JOB_DURATION_SECONDS + "_bucket":
                buckets.append((float(sample.labels["le"]), sample.value))
    overview.p95_latency_s = histogram_quantile(0.95, buckets)
    for lane in LANES:
        overview.queue_depth.setdefault(lane, 0)


def from_jobs(jobs: list[dict[str, Any]], overview: Overview, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    since = now - timedelta(minutes=WINDOW_MIN)
    finished = [job for job in jobs if (moment := parse_time(job.get("finished_at"))) and moment >= since]
    failed = sum(1 for job in finished if job["status"] == "failed")
    overview.finished_in_window = len(finished)
    overview.jobs_per_min = len(finished) / WINDOW_MIN
    overview.failure_rate = failed / len(finished) if finished else None
    overview.running_jobs = sum(1 for job in jobs if job["status"] in ("preparing", "synthesizing", "encoding"))
