"""Submit through the API, a real worker process synthesizes, the file downloads and decodes."""

import io

import httpx
import pytest
import soundfile

from tests.worker_runtime.conftest import events, submit, wait_for

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
    metrics = job["metrics"]
    assert metrics["detected_region"] == "rioplatense" and metrics["slang_markers"]
    assert metrics["latency_ms"] > 0 and metrics["upload_time_ms"] >= 0 and metrics["processing_time_ms"] > 0
    assert 0 < metrics["audio_quality_score"] <= 1 and metrics["engine"] == "espeak"
    kinds = [(e["type"], e["status"], e["progress"]) for e in events(client, job_id)]
    progress = [p for _, status, p in kinds if status != "queued"]
    assert progress == sorted(progress) and {0, 30, 70, 100} <= set(progress), kinds
    assert kinds[-1][0] == "job.succeeded"
