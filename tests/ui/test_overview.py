"""The overview's arithmetic, without a browser: p95 from histogram buckets, rates from job lists."""

from datetime import UTC, datetime, timedelta

from vocalio_ui.overview import Overview, from_jobs, from_metrics, histogram_quantile

METRICS = """# TYPE vocalio_queue_depth gauge
vocalio_queue_depth{lane="high"} 2.0
vocalio_queue_depth{lane="normal"} 5.0
# TYPE vocalio_workers gauge
vocalio_workers{state="IDLE"} 3.0
# TYPE vocalio_audio_seconds_stored_total counter
vocalio_audio_seconds_stored_total 7200.0
# TYPE vocalio_job_duration_seconds histogram
vocalio_job_duration_seconds_bucket{le="1.0"} 10.0
vocalio_job_duration_seconds_bucket{le="5.0"} 90.0
vocalio_job_duration_seconds_bucket{le="10.0"} 100.0
vocalio_job_duration_seconds_bucket{le="+Inf"} 100.0
vocalio_job_duration_seconds_count 100.0
vocalio_job_duration_seconds_sum 300.0
"""


def test_metrics_give_queue_workers_audio_and_p95() -> None:
    overview = Overview()
    from_metrics(METRICS, overview)
    assert overview.queue_depth == {"high": 2, "normal": 5, "bulk": 0}
    assert overview.workers == {"IDLE": 3}
    assert overview.audio_seconds == 7200.0
    assert overview.p95_latency_s == 7.5  # rank 95 lies halfway through the (5, 10] bucket


def test_quantile_edge_cases() -> None:
    assert histogram_quantile(0.95, []) is None
    assert histogram_quantile(0.95, [(1.0, 0.0), (float("inf"), 0.0)]) is None
    assert histogram_quantile(0.5, [(1.0, 0.0), (float("inf"), 4.0)]) == 1.0


def test_jobs_give_rate_and_failure_rate_over_the_window() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    recent, old = (now - timedelta(minutes=5)).isoformat(), (now - timedelta(hours=2)).isoformat()
    jobs = [
        {"status": "succeeded", "finished_at": recent},
        {"status": "succeeded", "finished_at": recent},
        {"status": "failed", "finished_at": recent},
        {"status": "failed", "finished_at": old},
        {"status": "synthesizing", "finished_at": None},
    ]
    overview = Overview()
    from_jobs(jobs, overview, now=now)
    assert overview.finished_in_window == 3
    assert overview.jobs_per_min == 3 / 15
    assert overview.failure_rate == 1 / 3
    assert overview.running_jobs == 1
