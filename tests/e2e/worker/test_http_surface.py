"""The worker's own HTTP surface: /health, /metrics, and the token-protected /tts and /analyze."""

import httpx

from tests.e2e.worker.conftest import decode, submit, wait_for

SEED_METRICS = [
    "gpu_utilization_percent",
    "memory_usage_mb",
    "jobs_completed_total",
    "inference_latency_seconds_bucket",
    "vocalio_worker_audio_seconds_total",
    "vocalio_worker_real_time_factor_bucket",
    "vocalio_worker_queue_wait_seconds_bucket",
    "vocalio_worker_api_circuit_state",
    "vocalio_worker_state",
]


def test_health_metrics_tts_and_analyze(client: httpx.Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker = worker_factory()
    health = httpx.get(f"{worker.base_url}/health").json()
    assert health["state"] == "IDLE" and health["engine"] == "espeak" and health["worker_id"] == "worker-1"

    job_id = submit(client, "Una prueba para las métricas.")
    assert wait_for(client, job_id)["status"] == "succeeded"
    text = worker.metrics_text()
    for name in SEED_METRICS:
        assert name in text, name
    assert 'jobs_completed_total{status="succeeded"} 1.0' in text
    assert 'vocalio_worker_state{state="IDLE"} 1.0' in text

    auth = {"Authorization": f"Bearer {worker.worker_token}"}
    body = {"text": "Buenas tardes, ¿qué onda, güey?", "output_format": "mp3", "sample_rate": 24000}
    assert httpx.post(f"{worker.base_url}/tts", json=body).status_code == 401
    tts = httpx.post(f"{worker.base_url}/tts", json=body, headers=auth, timeout=30)
    assert tts.status_code == 200 and tts.headers["content-type"] == "audio/mpeg"
    rate, duration = decode(tts.content)
    assert rate == 24000 and 1.0 < duration < 10.0
    assert tts.headers["x-detected-region"] == "mexican"
    bad = httpx.post(f"{worker.base_url}/tts", json={"text": "x", "sample_rate": 12345}, headers=auth)
    assert bad.status_code == 422

    analyze = httpx.post(
        f"{worker.base_url}/analyze", json={"text": "Che boludo, ¿vos sabés cuánto cuesta? 25 pesos."}, headers=auth
    )
    assert analyze.status_code == 200, analyze.text
    analysis = analyze.json()
    assert analysis["detected_region"] == "rioplatense" and analysis["markers"]
    assert analysis["chunks"] and analysis["estimated_duration_s"] > 0
    assert "veinticinco" in analysis["normalized"]
    assert httpx.post(f"{worker.base_url}/analyze", json={"text": "hola"}).status_code == 401
