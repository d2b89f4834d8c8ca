"""Submit through the API, a real worker process synthesizes, the file downloads and decodes."""

import io

import httpx
import numpy as np
import pytest
import soundfile
from vocalio_audio.metrics import integrated_loudness_lufs

from tests.e2e.worker.conftest import (
    SLOW_TEXT,
    SLOW_WORKER,
    decode,
    events,
    get_job,
    submit,
    wait_for,
    wait_progress,
)

TEXT = "Hola, che. ¿Cómo andás? Hoy vamos a leer un cuento corto en voz alta."


def test_job_succeeds_and_audio_decodes(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    job_id = submit(client, TEXT, output_format="wav", sample_rate=22050, region="auto")
    job = wait_for(client, job_id)
    assert job["status"] == "succeeded", job
    audio = client.get(f"/api/v1/jobs/{job_id}/audio")
    assert audio.status_code == 200
    samples, rate = soundfile.read(io.BytesIO(audio.content))
    assert rate == 22050 and samples.ndim == 1
    duration = len(samples) / rate
    assert 2.0 < duration < 15.0, duration  # ~70 characters of speech
    assert job["result"]["duration_s"] == pytest.approx(duration, abs=0.05)
    # not streamed: the stored file meets the loudness target over the whole file, and says nothing else
    assert integrated_loudness_lufs(samples.astype(np.float32), rate) == pytest.approx(-20.0, abs=0.5)
    assert not any(w.startswith("streamed") for w in job["result"]["warnings"])
    metrics = job["metrics"]
    assert metrics["detected_region"] == "rioplatense" and metrics["slang_markers"]
    assert metrics["latency_ms"] > 0 and metrics["upload_time_ms"] >= 0 and metrics["processing_time_ms"] > 0
    assert 0 < metrics["audio_quality_score"] <= 1 and metrics["engine"] == "espeak"
    stages = ("queue_wait_ms", "text_ms", "voice_ms", "engine_time_ms", "postprocess_ms", "encode_ms", "status_ms")
    assert all(metrics[stage] >= 0 for stage in stages), metrics
    assert sum(metrics[stage] for stage in stages[1:]) <= metrics["latency_ms"]
    kinds = [(e["type"], e["status"], e["progress"]) for e in events(client, job_id)]
    progress = [p for _, status, p in kinds if status != "queued"]
    assert progress == sorted(progress) and {0, 30, 70, 100} <= set(progress), kinds
    assert kinds[-1][0] == "job.succeeded"


FORMATS = [("wav", 16000), ("flac", 44100), ("mp3", 24000), ("opus", 48000), ("m4a", 22050)]


def test_every_format(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker_factory(max_concurrent_jobs="2")
    # The m4a job also asks for expansion: this worker has no llm_bridge, so it says so and goes on.
    jobs = {
        submit(client, TEXT, output_format=fmt, sample_rate=rate, expand=fmt == "m4a"): (fmt, rate)
        for fmt, rate in FORMATS
    }
    for job_id, (fmt, rate) in jobs.items():
        job = wait_for(client, job_id)
        assert job["status"] == "succeeded", job
        expand_warned = any("expand requested" in w for w in job["result"]["warnings"])
        assert expand_warned == (fmt == "m4a"), job["result"]["warnings"]
        assert job["result"]["format"] == fmt and job["result"]["sample_rate"] == rate
        audio = client.get(f"/api/v1/jobs/{job_id}/audio")
        assert audio.status_code == 200 and len(audio.content) == job["result"]["size_bytes"]
        file_rate, duration = decode(audio.content)
        assert file_rate == rate, fmt
        assert 2.0 < duration < 15.0 and duration == pytest.approx(job["result"]["duration_s"], abs=0.1), fmt


def test_cancel_mid_job(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker_factory(**SLOW_WORKER)
    job_id = submit(client, SLOW_TEXT)
    wait_progress(client, job_id, 30)
    assert client.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 202
    job = wait_for(client, job_id, timeout_s=20)
    assert job["status"] == "cancelled" and job["result"] is None
    types = [e["type"] for e in events(client, job_id)]
    assert types.index("job.cancel_requested") < types.index("job.cancelled") and "job.succeeded" not in types
    assert client.get(f"/api/v1/jobs/{job_id}/audio").status_code == 409


def test_lanes_are_taken_high_then_normal_then_bulk(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    # Queued before any worker runs, in the worst order; one worker with one slot takes them.
    order = ["bulk", "normal", "bulk", "high", "normal", "high"]
    ids = [submit(client, f"Trabajo número {n}.", priority=lane) for n, lane in enumerate(order)]
    worker_factory(max_concurrent_jobs="1")
    jobs = [wait_for(client, job_id) for job_id in ids]
    assert all(job["status"] == "succeeded" for job in jobs)
    started = sorted(jobs, key=lambda job: job["started_at"])
    assert [job["priority"] for job in started] == ["high", "high", "normal", "normal", "bulk", "bulk"]
    assert get_job(client, ids[0])["attempts"] == 1
